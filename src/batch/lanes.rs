//! Batch DP metrics across pairs (Euclidean DTW, discrete Fréchet, LCSS, EDR, ERP): one SIMD lane
//! per pair. A row trajectory is broadcast to every lane
//! and LANES column trajectories, packed lane-interleaved, advance through the DP together, so
//! the min-then-add chain that bounds a one-pair kernel (each cell waits for its left
//! neighbour) is paid once per LANES cells. Each lane's result is read at its own column length;
//! cells past it are padding and never feed a result (the DP only moves right and down).
//!
//! Exactness: every lane performs the scalar kernel's operations in the same order on the same
//! values (squared differences summed coordinate by coordinate from the first, no fused
//! multiply-add, IEEE sqrt, min, max, add), so results are bit-identical to the one-pair kernels
//! in `metrics` (tests/test_lanes.py checks it on random data). Where a metric only compares
//! distances, the lanes compare squared distances and skip the per-cell square root without
//! changing a bit: discrete Fréchet selects one cell's value by max/min, which commute with the
//! monotone sqrt, so sqrt is taken once at the end; LCSS/EDR test `sqrt(s) < eps` as `s <= T`,
//! with T the largest double whose sqrt is below eps (found exactly, see `below_threshold`).

use crate::cpu::has_avx2;
use crate::traj::Traj;

pub const LANES: usize = 8;
type V = [f64; LANES];

/// Reusable buffers for one thread.
#[derive(Default)]
pub struct Scratch {
    cols: Vec<V>,
    prev: Vec<V>,
    cur: Vec<V>,
    borders: Borders,
    /// A row's columns in order of length, so each pass groups similar lengths.
    pub order: Vec<usize>,
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

#[inline(always)]
fn vmax(a: V, b: V) -> V {
    let mut r = a;
    for l in 0..LANES {
        if b[l] > a[l] {
            r[l] = b[l];
        }
    }
    r
}

/// One DP metric as the lanes see it: borders, the cell rule on the squared ground distance
/// `s`, and the final value.
pub trait LaneRule: Copy {
    /// C(0, 0), C(0, j) and C(i, 0); the defaults are the min-plus metrics' (0, +inf, +inf).
    fn corner(&self) -> f64 {
        0.0
    }
    fn top(&self, _j: usize) -> f64 {
        f64::INFINITY
    }
    fn left(&self, _i: usize) -> f64 {
        f64::INFINITY
    }
    /// `ga`: the row point's gap cost, `gb`: the column points' (ERP only; 0 otherwise).
    fn cell(&self, s: V, diag: V, up: V, left: V, ga: f64, gb: V) -> V;
    fn finish(&self, c: f64, _n: usize, _m: usize) -> f64 {
        c
    }
    /// Metrics whose borders and gap costs depend on the trajectories (ERP) fill them here;
    /// `ga`/`left` are per row point, `gb`/`top` per column point and lane.
    fn borders(&self, _a: Traj, _cols: &[Traj], _b: &mut Borders) -> bool {
        false
    }
}

/// Per-trajectory borders and gap costs, for rules that have them.
#[derive(Default)]
pub struct Borders {
    pub ga: Vec<f64>,
    pub left: Vec<f64>,
    pub gb: Vec<V>,
    pub top: Vec<V>,
}

/// sum of ground distances; `dist + left.min(diag).min(up)` as in metrics::dtw.
#[derive(Clone, Copy)]
pub struct DtwLanes;

impl LaneRule for DtwLanes {
    #[inline(always)]
    fn cell(&self, s: V, diag: V, up: V, left: V, _ga: f64, _gb: V) -> V {
        // min(diag, up) is off the critical path; the chain is min(left, .) then the add.
        let mm = vmin(left, vmin(diag, up));
        let mut c = [0.0; LANES];
        for l in 0..LANES {
            c[l] = s[l].sqrt() + mm[l];
        }
        c
    }
}

/// Discrete Fréchet in squared distances; the one sqrt is in `finish`.
#[derive(Clone, Copy)]
pub struct FrechetLanes;

impl LaneRule for FrechetLanes {
    #[inline(always)]
    fn cell(&self, s: V, diag: V, up: V, left: V, _ga: f64, _gb: V) -> V {
        vmax(s, vmin(left, vmin(diag, up)))
    }
    fn finish(&self, c: f64, _n: usize, _m: usize) -> f64 {
        c.sqrt()
    }
}

/// The largest double T with sqrt(T) < eps (None when no distance is below eps), so that
/// `sqrt(s) < eps` is exactly `s <= T`: sqrt is monotone on doubles, so the set of s it maps
/// below eps is an interval [0, T].
pub fn below_threshold(eps: f64) -> Option<f64> {
    if eps.is_nan() || eps <= 0.0 {
        return None;
    }
    if eps.is_infinite() {
        return Some(f64::MAX);
    }
    let up = |x: f64| f64::from_bits(x.to_bits() + 1);
    let down = |x: f64| if x > 0.0 { f64::from_bits(x.to_bits() - 1) } else { 0.0 };
    let mut t = (eps * eps).min(f64::MAX);
    while t > 0.0 && t.sqrt() >= eps {
        t = down(t);
    }
    while t < f64::MAX && up(t).sqrt() < eps {
        t = up(t);
    }
    (t.sqrt() < eps).then_some(t)
}

#[inline(always)]
fn matches(s: f64, t: Option<f64>) -> bool {
    match t {
        Some(t) => s <= t,
        None => false,
    }
}

/// LCSS: `diag + 1` on a match, else `max(left, up)`; 1 - c / min(n, m).
#[derive(Clone, Copy)]
pub struct LcssLanes {
    pub t: Option<f64>,
}

impl LaneRule for LcssLanes {
    fn corner(&self) -> f64 {
        0.0
    }
    fn top(&self, _j: usize) -> f64 {
        0.0
    }
    fn left(&self, _i: usize) -> f64 {
        0.0
    }
    #[inline(always)]
    fn cell(&self, s: V, diag: V, up: V, left: V, _ga: f64, _gb: V) -> V {
        let mut c = [0.0; LANES];
        for l in 0..LANES {
            let skip = if up[l] > left[l] { up[l] } else { left[l] };
            c[l] = if matches(s[l], self.t) { diag[l] + 1.0 } else { skip };
        }
        c
    }
    fn finish(&self, c: f64, n: usize, m: usize) -> f64 {
        1.0 - c / (n.min(m) as f64)
    }
}

/// EDR: `(left + 1).min(up + 1).min(diag + subcost)`, borders 0 (traj-dist) or i / j.
#[derive(Clone, Copy)]
pub struct EdrLanes {
    pub t: Option<f64>,
    pub zero_border: bool,
    pub normalize: bool,
}

impl LaneRule for EdrLanes {
    fn corner(&self) -> f64 {
        0.0
    }
    fn top(&self, j: usize) -> f64 {
        if self.zero_border { 0.0 } else { j as f64 }
    }
    fn left(&self, i: usize) -> f64 {
        if self.zero_border { 0.0 } else { i as f64 }
    }
    #[inline(always)]
    fn cell(&self, s: V, diag: V, up: V, left: V, _ga: f64, _gb: V) -> V {
        let mut c = [0.0; LANES];
        for l in 0..LANES {
            let sub = if matches(s[l], self.t) { 0.0 } else { 1.0 };
            let a = left[l] + 1.0;
            let b = up[l] + 1.0;
            let ab = if b < a { b } else { a };
            let d = diag[l] + sub;
            c[l] = if d < ab { d } else { ab };
        }
        c
    }
    fn finish(&self, c: f64, n: usize, m: usize) -> f64 {
        if self.normalize { c / (n.max(m) as f64) } else { c }
    }
}

/// ERP: `(up + d(a_i, g)).min((left + d(b_j, g)).min(diag + d(a_i, b_j)))`, borders the running
/// (or, in traj-dist's variant, total) sum of gap costs.
#[derive(Clone, Copy)]
pub struct ErpLanes {
    pub gap: [f64; 3],
    pub total_border: bool,
}

impl ErpLanes {
    fn gap_costs(&self, t: Traj, costs: &mut Vec<f64>, border: &mut Vec<f64>) {
        use crate::geometry::{Euclidean, Ground};
        let g = &self.gap[..t.dim];
        costs.clear();
        costs.extend((0..t.len()).map(|k| Euclidean.dist(t.p(k), g)));
        border.clear();
        border.push(0.0);
        let mut acc = 0.0;
        for v in costs.iter() {
            acc += v;
            border.push(acc);
        }
        if self.total_border {
            border[1..].iter_mut().for_each(|x| *x = acc);
        }
    }
}

impl LaneRule for ErpLanes {
    #[inline(always)]
    fn cell(&self, s: V, diag: V, up: V, left: V, ga: f64, gb: V) -> V {
        let mut c = [0.0; LANES];
        for l in 0..LANES {
            let sub = diag[l] + s[l].sqrt();
            let x = left[l] + gb[l];
            let y = if sub < x { sub } else { x };
            let z = up[l] + ga;
            c[l] = if y < z { y } else { z };
        }
        c
    }
    fn borders(&self, a: Traj, cols: &[Traj], b: &mut Borders) -> bool {
        let m = cols.iter().map(|t| t.len()).max().unwrap_or(0);
        let (mut costs, mut border) = (Vec::new(), Vec::new());
        self.gap_costs(a, &mut b.ga, &mut b.left);
        b.gb.clear();
        b.gb.resize(m, [0.0; LANES]);
        b.top.clear();
        b.top.resize(m + 1, [0.0; LANES]);
        for (l, t) in cols.iter().enumerate() {
            self.gap_costs(*t, &mut costs, &mut border);
            for (j, v) in costs.iter().enumerate() {
                b.gb[j][l] = *v;
            }
            for (j, v) in border.iter().enumerate() {
                b.top[j][l] = *v;
            }
        }
        true
    }
}

/// One pass: the row trajectory `a`, the packed columns (`m` points, `lens[l]` in lane l) and,
/// for ERP, the borders.
struct Pass<'a> {
    a: &'a [f64],
    cols: &'a [V],
    m: usize,
    lens: [usize; LANES],
    bd: Option<&'a Borders>,
    /// DTW's Sakoe-Chiba band: each lane's effective half-width (`dp::effective_window`).
    win: Option<[f64; LANES]>,
}

/// The DP of one pass, two rows of lanes at a time.
#[inline(always)]
fn kernel<R: LaneRule, const D: usize>(r: R, pass: &Pass, prev: &mut [V], cur: &mut [V]) -> V {
    let Pass { a, cols, m, lens, bd, win } = *pass;
    // With a band, a row only visits the columns some lane's band reaches; the cells just
    // outside that range are set to +inf, as every out-of-band cell is in `dp::run`, and the
    // cells inside it are masked to +inf per lane.
    let wmax = win.map(|w| w.iter().fold(0.0f64, |x, &y| x.max(y)) as usize);
    let n = a.len() / D;
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
        let p = &a[i * D..i * D + D];
        let mut pk = [[0.0; LANES]; D];
        for k in 0..D {
            pk[k] = [p[k]; LANES];
        }
        let (mut left, ga) = match bd {
            Some(b) => ([b.left[i + 1]; LANES], b.ga[i]),
            None => ([r.left(i + 1); LANES], 0.0),
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
            let gb = match bd {
                Some(b) => b.gb[j - 1],
                None => zero,
            };
            let mut c = r.cell(s, prev[j - 1], prev[j], left, ga, gb);
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
    }
    let mut out = [0.0; LANES];
    for l in 0..LANES {
        out[l] = r.finish(prev[lens[l]][l], n, lens[l]);
    }
    out
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn kernel_avx2<R: LaneRule, const D: usize>(r: R, pass: &Pass, prev: &mut [V], cur: &mut [V]) -> V {
    // The same code compiled for AVX2 (4 f64 per register). FMA is only enabled, never
    // contracted into: Rust does not fuse a * b + c without an explicit mul_add.
    kernel::<R, D>(r, pass, prev, cur)
}

/// The metric of `r` (Euclidean) between `a` and up to LANES columns; `out[l]` gets d(a, cols[l]).
/// `window`: DTW's Sakoe-Chiba half-width (None: no band).
pub fn rows<R: LaneRule>(
    r: R,
    a: Traj,
    cols: &[Traj],
    window: Option<usize>,
    out: &mut [f64],
    scratch: &mut Scratch,
) {
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
    let has_borders = r.borders(a, cols, &mut scratch.borders);
    let win = window.map(|w| {
        lens.map(|len| crate::metrics::dp::effective_window(Some(w), a.len(), len).unwrap() as f64)
    });
    let pass = Pass {
        a: a.coords,
        cols: &scratch.cols[..],
        m,
        lens,
        bd: has_borders.then_some(&scratch.borders),
        win,
    };
    let (prev, cur) = (&mut scratch.prev[..], &mut scratch.cur[..]);
    let r = if has_avx2() {
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: the CPU supports AVX2 and FMA (checked at run time just above); the
            // function is otherwise the safe `kernel`, with the same bounds-checked indexing.
            unsafe {
                if d == 2 {
                    kernel_avx2::<R, 2>(r, &pass, prev, cur)
                } else {
                    kernel_avx2::<R, 3>(r, &pass, prev, cur)
                }
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        unreachable!()
    } else if d == 2 {
        kernel::<R, 2>(r, &pass, prev, cur)
    } else {
        kernel::<R, 3>(r, &pass, prev, cur)
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
        let mut u = crate::test_rng::uniform(12345u64);
        let mut rnd = || u() * 200.0 - 100.0;
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
                for window in [None, Some(0), Some(1), Some(3)] {
                    rows(DtwLanes, ta, &tc, window, &mut out, &mut scratch);
                    for (l, b) in tc.iter().enumerate() {
                        let want = dp::run(&Dtw { g: &Euclidean, a: ta, b: *b }, ta.len(), b.len(), window);
                        assert_eq!(out[l].to_bits(), want.to_bits(), "d={d} round={round} lane={l} {window:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn threshold_is_exact() {
        for eps in [1e-300, 1e-10, 0.1, 0.3, 1.0, 2.0, 3.0, 7.77, 1e5, 1e150] {
            let t = below_threshold(eps).unwrap();
            assert!(t.sqrt() < eps);
            assert!(f64::from_bits(t.to_bits() + 1).sqrt() >= eps, "{eps}");
        }
        assert_eq!(below_threshold(0.0), None);
    }
}
