//! Batch DTW across pairs: one SIMD lane per pair. A row trajectory is broadcast to every lane
//! and LANES column trajectories, packed lane-interleaved, advance through the DP together, so
//! the min-then-add chain that bounds a one-pair kernel (each cell waits for its left
//! neighbour) is paid once per LANES cells. Each lane's result is read at its own column length;
//! cells past it are padding and never feed a result (the DP only moves right and down).
//!
//! Exactness: every lane performs the scalar kernel's operations in the same order on the same
//! values (squared differences summed coordinate by coordinate from the first, no fused
//! multiply-add, IEEE sqrt, min, add), and min is exact, so results are bit-identical to
//! `metrics::dtw` (tests/test_lanes.py checks it on random data).

use crate::traj::Traj;

pub const LANES: usize = 8;
type V = [f64; LANES];

/// Reusable buffers for one thread.
#[derive(Default)]
pub struct Scratch {
    cols: Vec<V>,
    prev: Vec<V>,
    cur: Vec<V>,
}

#[inline(always)]
fn vmin(a: V, b: V) -> V {
    // `b < a ? b : a` compiles to a vector min; inputs are never NaN (finite coordinates,
    // +inf borders), and equal values have equal bits here (no -0.0), so this is f64::min.
    let mut r = a;
    for l in 0..LANES {
        if b[l] < a[l] {
            r[l] = b[l];
        }
    }
    r
}

/// The DP over `a` (rows) against the packed columns; `lens[l]` is lane l's column count.
#[inline(always)]
fn kernel<const D: usize>(a: &[f64], cols: &[V], m: usize, lens: &[usize; LANES], prev: &mut [V], cur: &mut [V]) -> V {
    let n = a.len() / D;
    let inf = [f64::INFINITY; LANES];
    prev[0] = [0.0; LANES];
    for v in prev[1..=m].iter_mut() {
        *v = inf;
    }
    let (mut prev, mut cur) = (prev, cur);
    for i in 0..n {
        let p = &a[i * D..i * D + D];
        let mut pk = [[0.0; LANES]; D];
        for k in 0..D {
            pk[k] = [p[k]; LANES];
        }
        cur[0] = inf;
        let mut left = inf;
        for j in 1..=m {
            let b = &cols[(j - 1) * D..(j - 1) * D + D];
            let mut s = [0.0f64; LANES];
            for l in 0..LANES {
                let d0 = pk[0][l] - b[0][l];
                s[l] = d0 * d0;
            }
            for k in 1..D {
                for l in 0..LANES {
                    let d = pk[k][l] - b[k][l];
                    s[l] += d * d;
                }
            }
            // off the critical path: min(diag, up); then the chain min(left, .) + dist
            let t = vmin(prev[j - 1], prev[j]);
            let mm = vmin(left, t);
            let mut c = [0.0; LANES];
            for l in 0..LANES {
                c[l] = s[l].sqrt() + mm[l];
            }
            cur[j] = c;
            left = c;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let mut out = [0.0; LANES];
    for l in 0..LANES {
        out[l] = prev[lens[l]][l];
    }
    out
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn kernel_avx2<const D: usize>(a: &[f64], cols: &[V], m: usize, lens: &[usize; LANES], prev: &mut [V], cur: &mut [V]) -> V {
    // The same code compiled for AVX2 (4 f64 per register). FMA is only enabled, never
    // contracted into: Rust does not fuse a * b + c without an explicit mul_add.
    kernel::<D>(a, cols, m, lens, prev, cur)
}

fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        use std::sync::OnceLock;
        static AVX2: OnceLock<bool> = OnceLock::new();
        *AVX2.get_or_init(|| is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"))
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Euclidean DTW (no window) of `a` against up to LANES columns; `out[l]` gets d(a, cols[l]).
pub fn dtw_rows(a: Traj, cols: &[Traj], out: &mut [f64], scratch: &mut Scratch) {
    debug_assert!(!cols.is_empty() && cols.len() <= LANES && out.len() == cols.len());
    let d = a.dim;
    let m = cols.iter().map(|t| t.len()).max().unwrap_or(0);
    let mut lens = [0usize; LANES];
    scratch.cols.clear();
    scratch.cols.resize(m * d, [0.0; LANES]);
    for (l, t) in cols.iter().enumerate() {
        lens[l] = t.len();
        for j in 0..t.len() {
            for k in 0..d {
                scratch.cols[j * d + k][l] = t.coords[j * d + k];
            }
        }
    }
    // Unused lanes repeat lane 0's length so their reads stay in bounds; their values are dropped.
    let first = lens[0];
    for len in lens.iter_mut().skip(cols.len()) {
        *len = first;
    }
    scratch.prev.resize(m + 1, [0.0; LANES]);
    scratch.cur.resize(m + 1, [0.0; LANES]);
    let (cols_buf, prev, cur) = (&scratch.cols[..], &mut scratch.prev[..], &mut scratch.cur[..]);
    let r = if has_avx2() {
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: the CPU supports AVX2 and FMA (checked at run time just above); the
            // function is otherwise the safe `kernel`, with the same bounds-checked indexing.
            unsafe {
                if d == 2 {
                    kernel_avx2::<2>(a.coords, cols_buf, m, &lens, prev, cur)
                } else {
                    kernel_avx2::<3>(a.coords, cols_buf, m, &lens, prev, cur)
                }
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        unreachable!()
    } else if d == 2 {
        kernel::<2>(a.coords, cols_buf, m, &lens, prev, cur)
    } else {
        kernel::<3>(a.coords, cols_buf, m, &lens, prev, cur)
    };
    out.copy_from_slice(&r[..cols.len()]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Euclidean;
    use crate::metrics::{dp, dtw::Dtw};

    #[test]
    fn bit_identical_to_the_scalar_kernel() {
        let mut seed = 12345u64;
        let mut rnd = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 11) as f64 / (1u64 << 53) as f64) * 200.0 - 100.0
        };
        let mut scratch = Scratch::default();
        for d in [2usize, 3] {
            for round in 0..20 {
                let n = 1 + round % 13;
                let a: Vec<f64> = (0..n * d).map(|_| rnd()).collect();
                let cols: Vec<Vec<f64>> = (0..(1 + round % LANES))
                    .map(|c| (0..(1 + (c * 7 + round) % 17) * d).map(|_| rnd()).collect())
                    .collect();
                let ta = Traj::new(&a, d);
                let tc: Vec<Traj> = cols.iter().map(|c| Traj::new(c, d)).collect();
                let mut out = vec![0.0; tc.len()];
                dtw_rows(ta, &tc, &mut out, &mut scratch);
                for (l, b) in tc.iter().enumerate() {
                    let want = dp::run(&Dtw { g: &Euclidean, a: ta, b: *b }, ta.len(), b.len(), None);
                    assert_eq!(out[l].to_bits(), want.to_bits(), "d={d} round={round} lane={l}");
                }
            }
        }
    }
}
