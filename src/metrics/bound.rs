//! Lower bounds on distances, for the queries' pruning (`batch::neighbors`): what each
//! trajectory contributes (`Facts`: bounding box, first and last point, ERP's gap sum), and the
//! per-pair quantities built from them (`Pair`). Each metric's file combines them into its own
//! `lower_bound`, with the proof that it holds for the values this library computes.
//!
//! A query prunes a pair only when its bound is strictly above the threshold (the k-th best
//! distance so far, or the radius), so a bound must never exceed the *computed* distance, bit
//! for bit, or an answer would change. Three kinds of argument make that so:
//! - **Same operations.** A bound made of values the kernel itself computes (a cell value of
//!   two points), combined by max, min and additions of non-negative values, is below the
//!   kernel's result exactly: rounding is monotone, so a rounded sum of non-negative terms is
//!   at least each rounded partial sum of them.
//! - **Monotone coordinates.** A point's gap to a box, per coordinate max(lo - x, x - hi, 0), is
//!   computed by the same subtraction as the kernel's x - y for every y in the box's interval,
//!   and rounding is monotone, so each rounded gap is at most each rounded |x - y|; squares,
//!   the sum over the coordinates in the same order (`EuclideanLanes::value`) and the square
//!   root keep that order. So a point's computed squared gap to a box is at most its computed
//!   cell value with every point in the box, exactly.
//! - **A margin** where a metric sums many terms in another order, or computes through
//!   projections: `sum_margin` and `geometric_margin`, each argued where it is defined.

use crate::geometry::lane_space::{EuclideanLanes, LaneSpace, SphericalLanes};
use crate::traj::Traj;

/// u, the unit roundoff of f64.
const U: f64 = f64::EPSILON / 2.0;

/// Points per group box: a group's box stands for its points at an eighth of the cost.
pub const GROUP: usize = 8;

/// How much of a pair a bound looks at.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Level {
    /// O(1): the ends, the two boxes' gap, ERP's gap sums.
    Cheap,
    /// Each group of GROUP consecutive points as its box, against the other trajectory's box.
    Groups,
    /// Each point against the other trajectory's box.
    Points,
    /// The groups of the two trajectories aligned in order (`Pair::block_path`).
    Blocks,
}

/// What the bounds need of one trajectory. Boxes and gap sums only in Euclidean space.
#[derive(Default)]
pub struct Facts {
    dim: usize,
    lo: Vec<[f64; 3]>,
    hi: Vec<[f64; 3]>,
    /// The largest coordinate magnitude (the scale of a geometric margin).
    extent: Vec<f64>,
    /// First and last points as the kernels store them (spherical: [lon, lat, cos(lat)]).
    first: Vec<[f64; 3]>,
    last: Vec<[f64; 3]>,
    /// Σ d(p, g) over the points, ERP's gap costs summed in point order (Euclidean ERP only).
    gap_sum: Vec<f64>,
    len: Vec<usize>,
    /// Boxes of GROUP consecutive points (fewer in the last group), trajectory i's groups at
    /// groups[group_at[i]..group_at[i + 1]]: (lo, hi, points).
    groups: Vec<([f64; 3], [f64; 3], usize)>,
    group_at: Vec<usize>,
    /// Spherical space: every point's unit vector (x, y, z), trajectory i's from point
    /// unit_at[i] on.
    unit: Vec<f64>,
    unit_at: Vec<usize>,
}

/// The unit vectors of `t`'s [lon, lat] points in degrees, with `rad` the haversine's degree
/// factor (traj-dist's is rounded to float32): on that sphere the haversine is the exact
/// great-circle distance, R times the central angle θ, and the chord between two unit vectors
/// is 2 sin(θ/2) <= θ. So R times a chord is at most the distance (`Pair::gap_cell`).
fn unit_vectors(rad: f64, t: Traj, out: &mut Vec<f64>) {
    for p in t.coords.chunks_exact(t.dim) {
        let (lon, lat) = (p[0] * rad, p[1] * rad);
        out.extend_from_slice(&[lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]);
    }
}

/// The space the bounds are computed in, with the kernels' ground distance.
#[derive(Clone, Copy)]
pub enum BoundSpace {
    Euclidean,
    Spherical(SphericalLanes),
}

fn point3(p: &[f64]) -> [f64; 3] {
    let mut q = [0.0; 3];
    q[..p.len()].copy_from_slice(p);
    q
}

impl BoundSpace {
    fn dist(self, cell: f64) -> f64 {
        match self {
            BoundSpace::Euclidean => EuclideanLanes.dist1(cell),
            BoundSpace::Spherical(s) => s.dist1(cell),
        }
    }
}

impl Facts {
    fn groups_of(&self, i: usize) -> &[([f64; 3], [f64; 3], usize)] {
        &self.groups[self.group_at[i]..self.group_at[i + 1]]
    }
    /// Trajectory i's points as its boxes hold them: `raw` itself, or its unit vectors.
    fn points<'s>(&'s self, i: usize, raw: Traj<'s>) -> Traj<'s> {
        match self.unit_at.get(i) {
            Some(&at) => Traj::new(&self.unit[at * 3..(at + self.len[i]) * 3], 3),
            None => raw,
        }
    }

    /// `raw`: the trajectories as given; `stored`: as the kernels store them (the same in
    /// Euclidean space); `gap`: ERP's gap point, whose distance sums are kept (Euclidean only).
    pub fn new<'a>(space: BoundSpace, raw: impl Iterator<Item = Traj<'a>>, stored: impl Fn(usize) -> Traj<'a>, gap: Option<&[f64]>) -> Self {
        let mut f = Facts::default();
        for (i, t) in raw.enumerate() {
            f.len.push(t.len());
            let s = stored(i);
            // Boxes hold the points themselves, or in spherical space their unit vectors.
            let t = match space {
                BoundSpace::Euclidean => t,
                BoundSpace::Spherical(sp) => {
                    let at = f.unit.len();
                    unit_vectors(sp.0.rad(), t, &mut f.unit);
                    f.unit_at.push(at / 3);
                    Traj::new(&f.unit[at..], 3)
                }
            };
            let d = t.dim;
            f.dim = d;
            f.first.push(point3(s.p(0)));
            f.last.push(point3(s.p(s.len() - 1)));
            let (mut lo, mut hi) = ([f64::INFINITY; 3], [f64::NEG_INFINITY; 3]);
            let mut ext = 0.0f64;
            if f.group_at.is_empty() {
                f.group_at.push(0);
            }
            for g in t.coords.chunks(d * GROUP) {
                let (mut glo, mut ghi) = ([f64::INFINITY; 3], [f64::NEG_INFINITY; 3]);
                for p in g.chunks_exact(d) {
                    for k in 0..d {
                        glo[k] = glo[k].min(p[k]);
                        ghi[k] = ghi[k].max(p[k]);
                        ext = ext.max(p[k].abs());
                    }
                }
                for k in 0..d {
                    lo[k] = lo[k].min(glo[k]);
                    hi[k] = hi[k].max(ghi[k]);
                }
                f.groups.push((glo, ghi, g.len() / d));
            }
            f.group_at.push(f.groups.len());
            f.lo.push(lo);
            f.hi.push(hi);
            f.extent.push(ext);
            if let Some(g) = gap {
                // ERP's gap costs as its kernel computes them, on the stored points.
                let ds = s.dim;
                let acc = s.coords.chunks_exact(ds).fold(0.0, |acc, p| acc + space.dist(cell1(space, ds, p, &g[..ds])));
                f.gap_sum.push(acc);
            }
        }
        f
    }
}

/// The kernels' cell value of points p (row) and q (column) as they store them: the squared
/// distance in Euclidean space, the distance in spherical space (`geometry::lane_space`), by
/// the same function at width 1, which gives the bits of every width.
fn cell1(space: BoundSpace, d: usize, p: &[f64], q: &[f64]) -> f64 {
    fn at<S: LaneSpace, const D: usize>(sp: S, p: &[f64], q: &[f64]) -> f64 {
        let pp: [[f64; 1]; D] = std::array::from_fn(|k| [p[k]]);
        let qq: [[f64; 1]; D] = std::array::from_fn(|k| [q[k]]);
        sp.value::<D, 1>(&pp, &qq)[0]
    }
    match (space, d) {
        (BoundSpace::Euclidean, 2) => at::<_, 2>(EuclideanLanes, p, q),
        (BoundSpace::Euclidean, _) => at::<_, 3>(EuclideanLanes, p, q),
        (BoundSpace::Spherical(s), _) => at::<_, 3>(s, p, q),
    }
}

/// The squared gap between a point and a box, summed as `EuclideanLanes::value` sums (see the
/// module's "monotone coordinates").
#[inline(always)]
fn gap_sq(d: usize, p: &[f64], lo: &[f64; 3], hi: &[f64; 3]) -> f64 {
    let g = |k: usize| (lo[k] - p[k]).max(p[k] - hi[k]).max(0.0);
    let mut s = g(0) * g(0);
    for k in 1..d {
        s += g(k) * g(k);
    }
    s
}

/// The squared gap between two boxes, summed as `EuclideanLanes::value` sums.
#[inline(always)]
fn box_gap_sq(d: usize, (la, ha): (&[f64; 3], &[f64; 3]), (lb, hb): (&[f64; 3], &[f64; 3])) -> f64 {
    let g = |k: usize| (lb[k] - ha[k]).max(la[k] - hb[k]).max(0.0);
    let mut s = g(0) * g(0);
    for k in 1..d {
        s += g(k) * g(k);
    }
    s
}

thread_local! {
    /// `Pair::block_path`'s gaps, kept between calls.
    static BLOCKS: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `Pair::block_path`'s DP over an s x t grid of blocks whose rows are charged: `gap(g, h)`,
/// `count(g)` points in row g.
fn block_dp(s: usize, t: usize, gap: impl Fn(usize, usize) -> f64, count: impl Fn(usize) -> usize, sum: bool) -> f64 {
    const STACK: usize = 64;
    let (mut sa, mut sb) = ([f64::INFINITY; STACK], [f64::INFINITY; STACK]);
    let (mut va, mut vb);
    let (mut prev, mut cur): (&mut [f64], &mut [f64]) = if t <= STACK {
        (&mut sa[..t], &mut sb[..t])
    } else {
        (va, vb) = (vec![f64::INFINITY; t], vec![f64::INFINITY; t]);
        (&mut va[..], &mut vb[..])
    };
    for g in 0..s {
        let c = count(g) as f64;
        let (mut n_left, mut e_left) = (f64::INFINITY, f64::INFINITY);
        for h in 0..t {
            let enter = match (g, h) {
                (0, 0) => 0.0,
                (0, _) => f64::INFINITY,
                (_, 0) => prev[0],
                _ => prev[h].min(prev[h - 1]),
            };
            let n = enter.min(n_left);
            let charged = if sum { n + c * gap(g, h) } else { n.max(gap(g, h)) };
            let e = charged.min(e_left);
            cur[h] = e;
            (n_left, e_left) = (n, e);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[t - 1]
}

/// A pair (a[i], b[j]) as the bounds see it; `ta`, `tb` are the raw trajectories, for the
/// bounds that visit every point.
pub struct Pair<'a> {
    pub space: BoundSpace,
    pub a: &'a Facts,
    pub b: &'a Facts,
    pub i: usize,
    pub j: usize,
    pub ta: Traj<'a>,
    pub tb: Traj<'a>,
}

impl Pair<'_> {
    pub fn n(&self) -> usize {
        self.a.len[self.i]
    }
    pub fn m(&self) -> usize {
        self.b.len[self.j]
    }
    pub fn euclidean(&self) -> bool {
        matches!(self.space, BoundSpace::Euclidean)
    }
    /// The kernels' cell values of (a_0, b_0) and (a_n-1, b_m-1).
    pub fn end_cells(&self) -> (f64, f64) {
        let d = if self.euclidean() { self.a.dim } else { 3 };
        let c0 = cell1(self.space, d, &self.a.first[self.i][..d], &self.b.first[self.j][..d]);
        let c1 = cell1(self.space, d, &self.a.last[self.i][..d], &self.b.last[self.j][..d]);
        (c0, c1)
    }
    /// The distance a cell value stands for (the kernels' `LaneSpace::dist1`).
    pub fn dist(&self, cell: f64) -> f64 {
        self.space.dist(cell)
    }
    /// A value at most the cell value of every pair of points, one in each of two boxes whose
    /// squared gap (`box_gap_sq`, `to_box`, `block_path`) is `g`. Euclidean: `g` itself,
    /// exactly (the module's "monotone coordinates"). Spherical: the boxes hold unit vectors,
    /// and R times their gap, a chord, is at most the great-circle distance (`unit_vectors`);
    /// lowered by 2^-30 relative for the rounding of the haversine and of the unit vectors
    /// (errors of a few u, or about sqrt(u) relative for the haversine of near-antipodal
    /// points, where the chord is below 2/π of the arc anyway) and 2^-40·R absolute.
    pub fn gap_cell(&self, g: f64) -> f64 {
        const REL: f64 = 1.0 / (1u64 << 30) as f64;
        const ABS: f64 = 1.0 / (1u64 << 40) as f64;
        match self.space {
            BoundSpace::Euclidean => g,
            BoundSpace::Spherical(_) => (crate::geometry::EARTH_RADIUS * (g.sqrt() * (1.0 - REL) - ABS)).max(0.0),
        }
    }
    /// The squared gap between the two boxes (Euclidean): at most every cell value of a point
    /// of a with a point of b, exactly (the gap of intervals [lo_b, hi_b] and [lo_a, hi_a] is
    /// the same subtraction as any y - x with x, y in them, rounded monotonically).
    pub fn box_gap_sq(&self) -> f64 {
        let (i, j) = (self.i, self.j);
        box_gap_sq(self.a.dim, (&self.a.lo[i], &self.a.hi[i]), (&self.b.lo[j], &self.b.hi[j]))
    }
    /// Per direction, the gaps of points to the other trajectory's box, reduced by
    /// `f(acc, gap_sq, points)` from `init`: (a's to b's box, b's to a's box). At
    /// `Level::Points` each point comes with its own squared gap; at `Level::Groups` each
    /// group of points with its box's squared gap, at most each of its points' exactly (the
    /// group's interval bounds each point's coordinate, and the gap's subtraction is rounded
    /// monotonically).
    pub fn to_box<T: Copy>(&self, level: Level, init: T, f: impl Fn(T, f64, usize) -> T) -> (T, T) {
        let (i, j, d) = (self.i, self.j, self.a.dim);
        let (ta, tb) = (self.a.points(i, self.ta), self.b.points(j, self.tb));
        let points = |t: Traj, lo: &[f64; 3], hi: &[f64; 3]| t.coords.chunks_exact(d).fold(init, |acc, p| f(acc, gap_sq(d, p, lo, hi), 1));
        let groups = |x: &Facts, k: usize, lo: &[f64; 3], hi: &[f64; 3]| {
            x.groups[x.group_at[k]..x.group_at[k + 1]].iter().fold(init, |acc, (glo, ghi, c)| f(acc, box_gap_sq(d, (glo, ghi), (lo, hi)), *c))
        };
        let (alo, ahi, blo, bhi) = (&self.a.lo[i], &self.a.hi[i], &self.b.lo[j], &self.b.hi[j]);
        match level {
            Level::Groups => (groups(self.a, i, blo, bhi), groups(self.b, j, alo, ahi)),
            _ => (points(ta, blo, bhi), points(tb, alo, ahi)),
        }
    }
    /// A bound through the order of the points (Euclidean). Cut both trajectories into their
    /// groups (rows g of a, columns h of b): an alignment, a monotone path of cells, crosses
    /// the grid of blocks (g, h) along a monotone path of blocks from (0, 0) to the last, and
    /// every point of group g of a lies on cells of the blocks that path visits in row g, each
    /// cell at least the two group boxes' gap (exactly, as `box_gap_sq`). So each point of
    /// group g pays at least the smallest gap over its row's visited blocks, and the least
    /// such charge over all block paths is a bound: a DP over the blocks, where N(g, h) is the
    /// best path into (g, h) whose row g has not been charged yet and E(g, h) one whose row g
    /// has (charged at one block of the row: the cheapest one the path visits, by the min).
    /// `sum`: each row charges its points' count times the gap's root, added along the path
    /// (DTW, a sum over cells); otherwise the squared gap, maxed (discrete Fréchet, a
    /// bottleneck). The same with b's groups charged gives a second bound; the larger is
    /// returned.
    pub fn block_path(&self, sum: bool, cost: impl Fn(f64) -> f64) -> f64 {
        let (ga, gb) = (self.a.groups_of(self.i), self.b.groups_of(self.j));
        let (s, t, d) = (ga.len(), gb.len(), self.a.dim);
        BLOCKS.with(|cell| {
            let mut buf = cell.borrow_mut();
            buf.clear();
            // The blocks' costs (`cost` of their squared gaps), row-major.
            for (glo, ghi, _) in ga {
                for (hlo, hhi, _) in gb {
                    let g = box_gap_sq(d, (glo, ghi), (hlo, hhi));
                    buf.push(cost(g));
                }
            }
            let gaps = &buf[..];
            // Rows charged (a's groups), then columns (b's), on the same gaps.
            let rows = block_dp(s, t, |g, h| gaps[g * t + h], |g| ga[g].2, sum);
            let cols = block_dp(t, s, |h, g| gaps[g * t + h], |h| gb[h].2, sum);
            rows.max(cols)
        })
    }

    /// ERP's gap sums of a[i] and b[j] (Euclidean).
    pub fn gap_sums(&self) -> (f64, f64) {
        (self.a.gap_sum[self.i], self.b.gap_sum[self.j])
    }
    /// The largest coordinate magnitude of the pair.
    pub fn extent(&self) -> f64 {
        self.a.extent[self.i].max(self.b.extent[self.j])
    }
}

/// `x` lowered for a bound computed as a sum of at most `terms` non-negative rounded terms in
/// some order, against a distance that is a sum of at most `terms` rounded terms in another
/// order (DTW's box bounds). Each recursive sum is within γ_terms = terms·u / (1 - terms·u) of
/// the exact sum of its rounded terms, and the bound's exact sum is at most the distance's
/// (term by term, exactly, by the module's "monotone coordinates"), so
/// bound ≤ distance · (1 + γ)/(1 - γ) ≤ distance · (1 + 3·terms·u) while terms·u < 0.1.
/// Lowering by 4·(terms + 2)·u covers that and the rounding of the product itself.
pub fn sum_margin(x: f64, terms: usize) -> f64 {
    let delta = 4.0 * (terms as f64 + 2.0) * U;
    if delta >= 0.1 { 0.0 } else { x * (1.0 - delta) }
}

/// `x` lowered for metrics computed through projections onto segments (Hausdorff, SSPD) or a
/// search over critical values (Fréchet): relative 2^-30 and absolute 2^-30 times the pair's
/// extent. A point-to-segment distance is formed by a handful of operations on coordinates of
/// magnitude at most the extent M (projection parameter, foot point, difference, root), so
/// its rounding error is a few tens of u·M plus a few u relative, far below 2^-30·M; the
/// Fréchet search stops within its relative tolerance (1e-10 < 2^-30) of the exact value; and
/// sums and means of such distances add a relative γ_n, below 2^-30 for any n under 2^20.
/// With more points than that, no margin is claimed: the bound is 0.
pub fn geometric_margin(x: f64, extent: f64, points: usize) -> f64 {
    const R: f64 = 1.0 / (1u64 << 30) as f64;
    if points >= 1 << 20 {
        return 0.0;
    }
    (x * (1.0 - R) - extent * R).max(0.0)
}

/// The lower bound of a spec, for the metrics that have one.
#[derive(Clone, Copy)]
pub enum Bounder {
    Dtw,
    DiscreteFrechet,
    Lcss(super::lcss::Lcss),
    Edr(super::edr::Edr),
    Erp,
    Hausdorff,
    Sspd,
    Frechet,
}

impl Bounder {
    /// The bound of `spec` in `space` (`dp`: its DP rule, for the DP metrics); None where there
    /// is none: EDwP, SOWD, traj-dist's Fréchet (an approximation, not bounded below by the
    /// vertices' boxes), and Hausdorff and SSPD in spherical space.
    pub fn new(spec: &crate::MetricSpec, dp: Option<&super::dp::DpSetup>) -> Option<Bounder> {
        use super::dp::DpMetric;
        use crate::{MetricKind, Space, Variant};
        if let Some(dp) = dp {
            return Some(match dp.metric {
                DpMetric::Dtw(_) => Bounder::Dtw,
                DpMetric::DiscreteFrechet(_) => Bounder::DiscreteFrechet,
                DpMetric::Lcss(r) => Bounder::Lcss(r),
                DpMetric::Edr(r) => Bounder::Edr(r),
                DpMetric::Erp(_) => Bounder::Erp,
            });
        }
        let euclidean = spec.space == Space::Euclidean;
        match spec.kind {
            MetricKind::Hausdorff if euclidean => Some(Bounder::Hausdorff),
            MetricKind::Sspd if euclidean => Some(Bounder::Sspd),
            MetricKind::Frechet if spec.variant == Variant::Standard => Some(Bounder::Frechet),
            _ => None,
        }
    }

    /// The bound of the pair at `level`.
    pub fn eval(&self, p: &Pair, level: Level) -> f64 {
        match self {
            Bounder::Dtw => super::dtw::Dtw::lower_bound(p, level),
            Bounder::DiscreteFrechet => super::discrete_frechet::DiscreteFrechet::lower_bound(p, level),
            Bounder::Lcss(r) => r.lower_bound(p, level),
            Bounder::Edr(r) => r.lower_bound(p, level),
            Bounder::Erp => super::erp::Erp::lower_bound(p),
            Bounder::Hausdorff => super::hausdorff::lower_bound(p, level),
            Bounder::Sspd => super::sspd::lower_bound(p, level),
            Bounder::Frechet => super::frechet::lower_bound(p, level),
        }
    }

    /// Whether `Level::Blocks` can say more than `Level::Points` (DTW and discrete Fréchet).
    pub fn has_blocks(&self) -> bool {
        matches!(self, Bounder::Dtw | Bounder::DiscreteFrechet)
    }

    /// Whether the levels past `Cheap` can say more: ERP has no such bound, and the polyline
    /// metrics' are Euclidean.
    pub fn has_full(&self) -> bool {
        !matches!(self, Bounder::Erp)
    }
}
