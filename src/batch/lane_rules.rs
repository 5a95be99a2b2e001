//! The DP metrics as the lane kernel runs them: borders, the cell rule on each lane's cell
//! value `s` (see `lane_spaces`: squared distance in Euclidean space, distance in spherical
//! space), and the final value. Each rule does what its one-pair counterpart in `metrics` does,
//! in the same order, so results match bit for bit.

use super::lane_spaces::LaneSpace;
use super::lanes::{vmax, vmin, LANES, V};

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
    /// `ga`: the row points' gap costs, `gb`: the column points' (ERP only; 0 otherwise).
    #[allow(clippy::too_many_arguments)]
    fn cell<S: LaneSpace>(&self, sp: &S, s: V, diag: V, up: V, left: V, ga: V, gb: V) -> V;
    fn finish<S: LaneSpace>(&self, _sp: &S, c: f64, _n: usize, _m: usize) -> f64 {
        c
    }
    /// Metrics whose borders and gap costs depend on the trajectories (ERP) fill them here from
    /// the packed points (`d` values per point; `*lens` each lane's point count): `ga`/`left`
    /// per row point and lane, `gb`/`top` per column point and lane.
    fn borders<S: LaneSpace>(&self, _sp: &S, _d: usize, _rows: (&[V], &[usize; LANES]), _cols: (&[V], &[usize; LANES]), _b: &mut Borders) -> bool {
        false
    }
}

/// Per-trajectory borders and gap costs, for rules that have them.
#[derive(Default)]
pub struct Borders {
    pub ga: Vec<V>,
    pub left: Vec<V>,
    pub gb: Vec<V>,
    pub top: Vec<V>,
}

/// Sum of ground distances; `dist + left.min(diag).min(up)` as in metrics::dtw.
#[derive(Clone, Copy)]
pub struct DtwLanes;

impl LaneRule for DtwLanes {
    #[inline(always)]
    fn cell<S: LaneSpace>(&self, sp: &S, s: V, diag: V, up: V, left: V, _ga: V, _gb: V) -> V {
        // min(diag, up) is off the critical path; the chain is min(left, .) then the add.
        let mm = vmin(left, vmin(diag, up));
        let d = sp.dist(s);
        let mut c = [0.0; LANES];
        for l in 0..LANES {
            c[l] = d[l] + mm[l];
        }
        c
    }
}

/// Discrete Fréchet on cell values; `finish` turns the selected one into a distance (in
/// Euclidean space the one square root: max and min commute with the monotone sqrt).
#[derive(Clone, Copy)]
pub struct FrechetLanes;

impl LaneRule for FrechetLanes {
    #[inline(always)]
    fn cell<S: LaneSpace>(&self, _sp: &S, s: V, diag: V, up: V, left: V, _ga: V, _gb: V) -> V {
        vmax(s, vmin(left, vmin(diag, up)))
    }
    fn finish<S: LaneSpace>(&self, sp: &S, c: f64, _n: usize, _m: usize) -> f64 {
        sp.dist1(c)
    }
}

#[inline(always)]
fn matches(s: f64, t: Option<f64>) -> bool {
    match t {
        Some(t) => s <= t,
        None => false,
    }
}

/// LCSS: `diag + 1` on a match, else `max(left, up)`; 1 - c / min(n, m). `t` is the space's
/// `below(eps)`.
#[derive(Clone, Copy)]
pub struct LcssLanes {
    pub t: Option<f64>,
}

impl LaneRule for LcssLanes {
    fn top(&self, _j: usize) -> f64 {
        0.0
    }
    fn left(&self, _i: usize) -> f64 {
        0.0
    }
    #[inline(always)]
    fn cell<S: LaneSpace>(&self, _sp: &S, s: V, diag: V, up: V, left: V, _ga: V, _gb: V) -> V {
        let mut c = [0.0; LANES];
        for l in 0..LANES {
            let skip = if up[l] > left[l] { up[l] } else { left[l] };
            c[l] = if matches(s[l], self.t) { diag[l] + 1.0 } else { skip };
        }
        c
    }
    fn finish<S: LaneSpace>(&self, _sp: &S, c: f64, n: usize, m: usize) -> f64 {
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
    fn top(&self, j: usize) -> f64 {
        if self.zero_border { 0.0 } else { j as f64 }
    }
    fn left(&self, i: usize) -> f64 {
        if self.zero_border { 0.0 } else { i as f64 }
    }
    #[inline(always)]
    fn cell<S: LaneSpace>(&self, _sp: &S, s: V, diag: V, up: V, left: V, _ga: V, _gb: V) -> V {
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
    fn finish<S: LaneSpace>(&self, _sp: &S, c: f64, n: usize, m: usize) -> f64 {
        if self.normalize { c / (n.max(m) as f64) } else { c }
    }
}

/// ERP: `(up + d(a_i, g)).min((left + d(b_j, g)).min(diag + d(a_i, b_j)))`, borders the running
/// (or, in traj-dist's variant, total) sum of gap costs. `gap` is stored like the points
/// (prepared [lon, lat, cos] in spherical space).
#[derive(Clone, Copy)]
pub struct ErpLanes {
    pub gap: [f64; 3],
    pub total_border: bool,
}

impl ErpLanes {
    /// Gap costs of the packed points, all lanes at once, in `gap`; their running sums (or, in
    /// traj-dist's variant, each lane's total over its own points) in `edge`, from 0. Each lane
    /// computes what the one-pair kernel's d(point, gap) and border sums compute, in the same order.
    fn gap_costs<S: LaneSpace, const D: usize>(&self, sp: &S, pts: &[V], lens: &[usize; LANES], gap: &mut Vec<V>, edge: &mut Vec<V>) {
        let g: [V; D] = std::array::from_fn(|k| [self.gap[k]; LANES]);
        let len = pts.len() / D;
        gap.clear();
        edge.clear();
        edge.push([0.0; LANES]);
        let mut acc = [0.0; LANES];
        for p in pts.chunks_exact(D) {
            let p: &[V; D] = p.try_into().expect("D values per point");
            let c = sp.dist(sp.value::<D>(p, &g));
            for l in 0..LANES {
                acc[l] += c[l];
            }
            gap.push(c);
            edge.push(acc);
        }
        if self.total_border {
            for l in 0..LANES {
                let total = edge[lens[l].min(len)][l];
                for e in edge[1..].iter_mut() {
                    e[l] = total;
                }
            }
        }
    }
}

impl LaneRule for ErpLanes {
    #[inline(always)]
    fn cell<S: LaneSpace>(&self, sp: &S, s: V, diag: V, up: V, left: V, ga: V, gb: V) -> V {
        let d = sp.dist(s);
        let mut c = [0.0; LANES];
        for l in 0..LANES {
            let sub = diag[l] + d[l];
            let x = left[l] + gb[l];
            let y = if sub < x { sub } else { x };
            let z = up[l] + ga[l];
            c[l] = if y < z { y } else { z };
        }
        c
    }
    fn borders<S: LaneSpace>(&self, sp: &S, d: usize, rows: (&[V], &[usize; LANES]), cols: (&[V], &[usize; LANES]), b: &mut Borders) -> bool {
        if d == 2 {
            self.gap_costs::<S, 2>(sp, rows.0, rows.1, &mut b.ga, &mut b.left);
            self.gap_costs::<S, 2>(sp, cols.0, cols.1, &mut b.gb, &mut b.top);
        } else {
            self.gap_costs::<S, 3>(sp, rows.0, rows.1, &mut b.ga, &mut b.left);
            self.gap_costs::<S, 3>(sp, cols.0, cols.1, &mut b.gb, &mut b.top);
        }
        true
    }
}
