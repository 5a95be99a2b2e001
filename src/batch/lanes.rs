//! Batch DP metrics across pairs (DTW, discrete Fréchet, LCSS, EDR, ERP, both spaces): one SIMD
//! lane per pair. LANES pairs (row trajectory, column trajectory), both packed lane-interleaved,
//! advance through the DP together, so the min-then-add chain that bounds a one-pair kernel
//! (each cell waits for its left neighbour) is paid once per LANES cells, and the ground
//! distance (`lane_spaces`) is computed LANES cells at a time. Each lane's result is read at its
//! own row and column lengths; cells past them are padding and never feed a result (the DP only
//! moves right and down). The caller groups pairs of similar lengths (`Evaluator::eval_pairs`),
//! so padding wastes little.
//!
//! Exactness: every lane performs the one-pair kernel's operations in the same order on the same
//! values (no fused multiply-add, IEEE sqrt, min, max, add; spherical trigonometry from
//! `geometry::trig`), so results are bit-identical to the one-pair kernels in `metrics`
//! (tests/test_lanes.py checks it on random data). The rules are in `lane_rules`.

use super::lane_rules::{Borders, LaneRule};
use super::lane_spaces::LaneSpace;
use crate::traj::Traj;
use std::sync::atomic::{AtomicBool, Ordering};

pub const LANES: usize = 8;

/// Passes of at least this many cells (a few ms) check the cancel flag at every row.
const CHECKED_PASS_CELLS: usize = 1 << 22;
pub type V = [f64; LANES];

/// Reusable buffers for one thread.
#[derive(Default)]
pub struct Scratch {
    rows: Vec<V>,
    cols: Vec<V>,
    prev: Vec<V>,
    cur: Vec<V>,
    borders: Borders,
    pub edwp: super::edwp_lanes::Scratch,
    /// (grouping key, position) of a chunk's pairs, sorted so each pass groups similar lengths.
    pub order: Vec<(u64, u32)>,
    /// Results in that order, before they are scattered back.
    pub results: Vec<f64>,
}

#[inline(always)]
pub fn vmin(a: V, b: V) -> V {
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

#[inline(always)]
pub fn vmax(a: V, b: V) -> V {
    let mut r = a;
    for l in 0..LANES {
        if b[l] > a[l] {
            r[l] = b[l];
        }
    }
    r
}

/// One pass: the packed rows (`n` points, `nlens[l]` in lane l), the packed columns (`m`
/// points, `lens[l]` in lane l) and, for ERP, the borders.
struct Pass<'a> {
    rows: &'a [V],
    n: usize,
    nlens: [usize; LANES],
    cols: &'a [V],
    m: usize,
    lens: [usize; LANES],
    bd: Option<&'a Borders>,
    /// DTW's Sakoe-Chiba band: each lane's effective half-width (`dp::effective_window`).
    win: Option<[f64; LANES]>,
    /// The cancel flag (`cancel::with_flag`), read once a row by passes long enough to need it.
    stop: &'a AtomicBool,
}

/// The DP of one pass, two rows of lanes at a time.
#[inline(always)]
fn kernel<S: LaneSpace, R: LaneRule, const D: usize, const CHECK: bool>(sp: S, r: R, pass: &Pass, prev: &mut [V], cur: &mut [V]) -> V {
    let Pass { rows, n, nlens, cols, m, lens, bd, win, stop } = *pass;
    // With a band, a row only visits the columns some lane's band reaches; the cells just
    // outside that range are set to +inf, as every out-of-band cell is in `dp::run`, and the
    // cells inside it are masked to +inf per lane.
    let wmax = win.map(|w| w.iter().fold(0.0f64, |x, &y| x.max(y)) as usize);
    let mut out = [0.0; LANES];
    prev[0] = [r.corner(); LANES];
    for (j, v) in prev[1..=m].iter_mut().enumerate() {
        *v = match bd {
            Some(b) => b.top[j + 1],
            None => [r.top(j + 1); LANES],
        };
    }
    let zero = [0.0; LANES];
    let (mut prev, mut cur) = (prev, cur);
    for i in 0..n {
        if CHECK && stop.load(Ordering::Relaxed) {
            break; // the caller unwinds (`pairs`)
        }
        let mut pk = [[0.0; LANES]; D];
        pk.copy_from_slice(&rows[i * D..i * D + D]);
        let (mut left, ga) = match bd {
            Some(b) => (b.left[i + 1], b.ga[i]),
            None => ([r.left(i + 1); LANES], zero),
        };
        let (lo, hi) = match wmax {
            Some(w) => ((i + 1).saturating_sub(w).max(1), (i + 1 + w).min(m)),
            None => (1, m),
        };
        cur[0] = left;
        if lo > 1 {
            left = [f64::INFINITY; LANES];
            cur[lo - 1] = left;
        }
        if hi < m {
            cur[hi + 1] = [f64::INFINITY; LANES];
        }
        for j in lo..=hi {
            let s = sp.value::<D>(&pk, &cols[(j - 1) * D..(j - 1) * D + D]);
            let gb = match bd {
                Some(b) => b.gb[j - 1],
                None => zero,
            };
            let mut c = r.cell(&sp, s, prev[j - 1], prev[j], left, ga, gb);
            if let Some(w) = win {
                let off = (i + 1) as f64 - j as f64;
                for l in 0..LANES {
                    c[l] = if off.abs() <= w[l] { c[l] } else { f64::INFINITY };
                }
            }
            cur[j] = c;
            left = c;
        }
        std::mem::swap(&mut prev, &mut cur);
        // Lanes whose row trajectory ends here read their result now.
        for l in 0..LANES {
            if nlens[l] == i + 1 {
                out[l] = r.finish(&sp, prev[lens[l]][l], nlens[l], lens[l]);
            }
        }
    }
    out
}

/// `kernel` compiled with target features, one function per instruction set. FMA is only
/// enabled, never contracted into: Rust does not fuse a * b + c without an explicit mul_add, so
/// every build computes the same bits.
macro_rules! kernel_with_features {
    ($name:ident, $features:literal) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $features)]
        unsafe fn $name<S: LaneSpace, R: LaneRule, const D: usize, const CHECK: bool>(
            sp: S,
            r: R,
            pass: &Pass,
            prev: &mut [V],
            cur: &mut [V],
        ) -> V {
            kernel::<S, R, D, CHECK>(sp, r, pass, prev, cur)
        }
    };
}

// 4 f64 per register, so a lane vector is two registers.
kernel_with_features!(kernel_avx2, "avx2,fma");
// All LANES = 8 doubles in one register.
kernel_with_features!(kernel_avx512, "avx512f,avx512dq,avx512vl,avx2,fma");

/// Packs up to LANES trajectories lane-interleaved into `dst` (`len` points); returns each
/// lane's length, unused lanes repeating lane 0's so that their reads stay in bounds. Points
/// past a lane's length are left as the buffer holds them (earlier coordinates, finite): cells
/// past a lane's lengths never feed its result, so they need no clearing.
fn pack(trajs: &[Traj], dst: &mut Vec<V>) -> (usize, [usize; LANES]) {
    let d = trajs[0].dim;
    let len = trajs.iter().map(|t| t.len()).max().unwrap_or(0);
    let mut lens = [trajs[0].len(); LANES];
    if dst.len() < len * d {
        dst.resize(len * d, [0.0; LANES]);
    }
    let mut src: [&[f64]; LANES] = [&[]; LANES];
    for (l, t) in trajs.iter().enumerate() {
        lens[l] = t.len();
        src[l] = t.coords;
    }
    // Value by value, all lanes at once: each destination vector is written whole.
    for (k, v) in dst[..len * d].iter_mut().enumerate() {
        for l in 0..LANES {
            if let Some(x) = src[l].get(k) {
                v[l] = *x;
            }
        }
    }
    (len, lens)
}

/// The metric of `r` in space `sp` for up to LANES pairs: `out[l]` gets d(rows[l], cols[l])
/// (points stored as `sp` expects them). `window`: DTW's Sakoe-Chiba half-width.
pub fn pairs<S: LaneSpace, R: LaneRule>(
    sp: S,
    r: R,
    rows: &[Traj],
    cols: &[Traj],
    window: Option<usize>,
    out: &mut [f64],
    scratch: &mut Scratch,
) {
    debug_assert!(!cols.is_empty() && cols.len() <= LANES && out.len() == cols.len() && rows.len() == cols.len());
    let d = rows[0].dim;
    let (n, nlens) = pack(rows, &mut scratch.rows);
    let (m, lens) = pack(cols, &mut scratch.cols);
    scratch.prev.resize(m + 1, [0.0; LANES]);
    scratch.cur.resize(m + 1, [0.0; LANES]);
    let has_borders =
        r.borders(&sp, d, (&scratch.rows[..n * d], &nlens), (&scratch.cols[..m * d], &lens), &mut scratch.borders);
    let win = window.map(|w| {
        std::array::from_fn(|l| crate::metrics::dp::effective_window(Some(w), nlens[l], lens[l]).unwrap() as f64)
    });
    let (prev, cur) = (&mut scratch.prev[..], &mut scratch.cur[..]);
    let bd = has_borders.then_some(&scratch.borders);
    let (rows, cols_v) = (&scratch.rows[..n * d], &scratch.cols[..m * d]);
    // Passes that can take long (a few ms and more) check the cancel flag at every row; the
    // others run a build without the check, which costs short spherical passes a quarter.
    let r = if n * m * LANES >= CHECKED_PASS_CELLS {
        let (r, stopped) = crate::cancel::with_flag(|stop| {
            let pass = Pass { rows, n, nlens, cols: cols_v, m, lens, bd, win, stop };
            (dispatch::<S, R, true>(sp, r, d, &pass, prev, cur), stop.load(Ordering::Relaxed))
        });
        if stopped {
            crate::cancel::stop();
        }
        r
    } else {
        static NEVER: AtomicBool = AtomicBool::new(false);
        let pass = Pass { rows, n, nlens, cols: cols_v, m, lens, bd, win, stop: &NEVER };
        dispatch::<S, R, false>(sp, r, d, &pass, prev, cur)
    };
    out.copy_from_slice(&r[..cols.len()]);
}

/// The kernel compiled for the best instruction set this CPU has, per stored dimension.
#[inline(always)]
fn dispatch<S: LaneSpace, R: LaneRule, const CHECK: bool>(sp: S, r: R, d: usize, pass: &Pass, prev: &mut [V], cur: &mut [V]) -> V {
    macro_rules! by_dim {
        ($k:ident) => {
            if d == 2 {
                $k::<S, R, 2, CHECK>(sp, r, pass, prev, cur)
            } else {
                $k::<S, R, 3, CHECK>(sp, r, pass, prev, cur)
            }
        };
    }
    #[cfg(target_arch = "x86_64")]
    if crate::cpu::has_avx512() {
        // SAFETY: the CPU supports AVX-512 F/DQ/VL, AVX2 and FMA (checked at run time); the
        // function is otherwise the safe `kernel`, with the same bounds-checked indexing.
        return unsafe { by_dim!(kernel_avx512) };
    } else if crate::cpu::has_avx2() {
        // SAFETY: the CPU supports AVX2 and FMA (checked at run time); as above.
        return unsafe { by_dim!(kernel_avx2) };
    }
    by_dim!(kernel)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::lane_rules::DtwLanes;
    use crate::batch::lane_spaces::{EuclideanLanes, SphericalLanes};
    use crate::geometry::{Euclidean, Haversine, HaversinePrepared};
    use crate::metrics::{dp, dtw::Dtw};

    /// Random trajectories of 1 to 17 points: `d`-D in [-100, 100), or for `spherical` 2-D
    /// [lon, lat] over the whole globe, prepared as the spherical lanes store them.
    fn sample(u: &mut impl FnMut() -> f64, n: usize, d: usize, spherical: bool) -> Vec<f64> {
        let coord = |k: usize, x: f64| match (spherical, k % 2) {
            (false, _) => x * 200.0 - 100.0,
            (true, 0) => (x - 0.5) * 360.0,
            (true, _) => (x - 0.5) * 180.0,
        };
        let raw: Vec<f64> = (0..n * d).map(|k| coord(k, u())).collect();
        if !spherical {
            return raw;
        }
        let mut out = Vec::new();
        HaversinePrepared(Haversine::standard()).prepare(Traj::new(&raw, 2), &mut out);
        out
    }

    #[test]
    fn bit_identical_to_the_scalar_kernel() {
        let mut u = crate::test_rng::uniform(12345u64);
        let mut scratch = Scratch::default();
        for (d, spherical) in [(2usize, false), (3, false), (2, true)] {
            let stored = if spherical { 3 } else { d };
            for round in 0..30 {
                // Up to LANES pairs with their own row and column lengths (1 to 17 points).
                let k = 1 + round % LANES;
                let rows: Vec<Vec<f64>> = (0..k).map(|c| sample(&mut u, 1 + (c * 5 + round) % 13, d, spherical)).collect();
                let cols: Vec<Vec<f64>> = (0..k).map(|c| sample(&mut u, 1 + (c * 7 + round) % 17, d, spherical)).collect();
                let tr: Vec<Traj> = rows.iter().map(|c| Traj::new(c, stored)).collect();
                let tc: Vec<Traj> = cols.iter().map(|c| Traj::new(c, stored)).collect();
                let mut out = vec![0.0; k];
                for window in [None, Some(0), Some(1), Some(3)] {
                    let want = |a: Traj, b: Traj| {
                        if spherical {
                            let g = &HaversinePrepared(Haversine::standard());
                            dp::run(&Dtw { g, a, b }, a.len(), b.len(), window)
                        } else {
                            dp::run(&Dtw { g: &Euclidean, a, b }, a.len(), b.len(), window)
                        }
                    };
                    if spherical {
                        pairs(SphericalLanes(Haversine::standard()), DtwLanes, &tr, &tc, window, &mut out, &mut scratch);
                    } else {
                        pairs(EuclideanLanes, DtwLanes, &tr, &tc, window, &mut out, &mut scratch);
                    }
                    for l in 0..k {
                        assert_eq!(out[l].to_bits(), want(tr[l], tc[l]).to_bits(), "d={d} round={round} lane={l} {window:?}");
                    }
                }
            }
        }
    }
}
