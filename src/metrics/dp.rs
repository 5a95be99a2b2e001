//! The dynamic-programming metrics (DTW, discrete Fréchet, LCSS, EDR, ERP): what a rule is,
//! and which rule and space a spec asks for.
//!
//! A rule (one file each: `dtw`, `discrete_frechet`, `lcss`, `edr`, `erp`) gives its borders,
//! its cell — C(i, j) from the three predecessors and the cell value `s` of the two points
//! (`geometry::lane_space`: squared distance in Euclidean space, distance in spherical space) —
//! and its final value. The cell is written once over W pairs side by side: `dp_kernel` runs
//! it at W = 1 for one pair and at W = LANES for a batch, and `dp_details` at W = 1 for
//! `return_path`, so every path computes the same operations in the same order and gives the
//! same bits.

use crate::geometry::lane_space::{EuclideanLanes, LaneSpace, SphericalLanes};
use crate::geometry::{Haversine, HaversinePrepared};
use crate::traj::Traj;
use crate::{MetricKind, MetricSpec, Space, Variant};

pub use super::dp_details::{check_details_size, details_bytes, DpDetails, Matrix, OUT_OF_MEMORY};
use super::{discrete_frechet::DiscreteFrechet, dtw::Dtw, edr::Edr, erp::Erp, lcss::Lcss};

/// W cell values, one per pair.
pub type Lanes<const W: usize> = [f64; W];

pub trait DpRule: Copy + Send + Sync {
    /// Whether short passes may take two rows of points at a time (`dp_kernel::row_groups`,
    /// with `LaneSpace::TWO_ROWS`): true where that measured faster.
    const TWO_ROWS: bool = true;
    /// C(0, 0), C(0, j) and C(i, 0) (j, i >= 1); the defaults are the min-plus metrics'
    /// (0, +inf, +inf). Rules whose borders depend on the points (ERP) fill `Borders`.
    fn corner(&self) -> f64 {
        0.0
    }
    fn top(&self, _j: usize) -> f64 {
        f64::INFINITY
    }
    fn left(&self, _i: usize) -> f64 {
        f64::INFINITY
    }
    /// C(i, j) of each lane from what `Cell` holds.
    fn cell<S: LaneSpace, const W: usize>(&self, sp: &S, cell: Cell<W>) -> Lanes<W>;
    /// C(i, j) in the metric's units: discrete Fréchet keeps Euclidean cell values squared
    /// (max and min commute with the monotone, correctly rounded sqrt) and takes the root here.
    fn cost<S: LaneSpace>(&self, _sp: &S, c: f64) -> f64 {
        c
    }
    /// The metric's value from C(n, m) in the metric's units.
    fn finish(&self, c: f64, _n: usize, _m: usize) -> f64 {
        c
    }
    /// Early abandoning (`dp_kernel`): per lane, a value its result cannot go below, from DP
    /// row `i` (`row`: cells 0..=m of every lane; lane l has `nlens[l]` rows and `lens[l]`
    /// columns). Every path to C(n, m) crosses row i at some column j <= m, border included,
    /// and the rules with this default (DTW, discrete Fréchet, EDR, ERP) only add non-negative
    /// values to, or take a max with, a minimum of predecessors, so C(n, m) is at least the
    /// row's minimum: exactly so in floating point, where rounding is monotone. `cost` and
    /// `finish` are monotone too. Columns past a lane's length are left out: they hold
    /// padding.
    fn row_bound<S: LaneSpace, const W: usize>(&self, sp: &S, row: &[Lanes<W>], _i: usize, nlens: &[usize; W], lens: &[usize; W]) -> Lanes<W> {
        let cols = lens.map(|m| m as f64);
        let mut lo = [f64::INFINITY; W];
        for (j, c) in row.iter().enumerate() {
            let j = j as f64;
            for l in 0..W {
                let v = if j <= cols[l] { c[l] } else { f64::INFINITY };
                lo[l] = if v < lo[l] { v } else { lo[l] };
            }
        }
        std::array::from_fn(|l| self.finish(self.cost(sp, lo[l]), nlens[l], lens[l]))
    }
    /// Rules whose borders and gap costs depend on the points (ERP) fill `b` from the packed
    /// points (`d` values per point; each lane's point count with them) and return true.
    fn borders<S: LaneSpace, const W: usize>(
        &self,
        _sp: &S,
        _d: usize,
        _rows: (&[Lanes<W>], &[usize; W]),
        _cols: (&[Lanes<W>], &[usize; W]),
        _b: &mut Borders<W>,
    ) -> bool {
        false
    }
    /// One traceback step from cell (i, j), i, j >= 1, for `return_path`: which predecessor
    /// C(i, j) came from, and whether (i - 1, j - 1) is an aligned pair that belongs in the
    /// path. `at` holds the cell's inputs and the matrix values around it, in the metric's units.
    fn back<S: LaneSpace>(&self, sp: &S, at: &Back) -> (Step, bool);
}

/// What a cell's rule sees, per lane: the cell value `s` of the two points, the three
/// predecessors C(i-1, j-1), C(i-1, j), C(i, j-1), and the gap costs of the row point (`ga`)
/// and of the column point (`gb`; ERP only, 0 otherwise).
#[derive(Clone, Copy)]
pub struct Cell<const W: usize> {
    pub s: Lanes<W>,
    pub diag: Lanes<W>,
    pub up: Lanes<W>,
    pub left: Lanes<W>,
    pub ga: Lanes<W>,
    pub gb: Lanes<W>,
}

/// What a traceback step sees of cell (i, j).
pub struct Back {
    /// The cell value of the two points, and their gap costs (ERP).
    pub s: f64,
    pub ga: f64,
    pub gb: f64,
    /// C(i, j) and its predecessors C(i-1, j-1), C(i-1, j), C(i, j-1).
    pub c: f64,
    pub diag: f64,
    pub up: f64,
    pub left: f64,
}

/// A traceback move.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Step {
    Diag,
    Up,
    Left,
}

/// The min-plus rules' (DTW, discrete Fréchet) traceback: the smallest predecessor, the diagonal
/// first on ties; every cell on the path is an aligned pair.
#[inline]
pub fn back_to_min(at: &Back) -> (Step, bool) {
    let (d, u, l) = (at.diag, at.up, at.left);
    if d <= u && d <= l {
        (Step::Diag, true)
    } else if u <= l {
        (Step::Up, true)
    } else {
        (Step::Left, true)
    }
}

/// Per-trajectory borders and gap costs, for rules that have them: `ga`/`left` per row point,
/// `gb`/`top` per column point (`left[0]` and `top[0]` are C(0, 0)'s neighbours' origin, 0).
pub struct Borders<const W: usize> {
    pub ga: Vec<Lanes<W>>,
    pub left: Vec<Lanes<W>>,
    pub gb: Vec<Lanes<W>>,
    pub top: Vec<Lanes<W>>,
}

impl<const W: usize> Default for Borders<W> {
    fn default() -> Self {
        Borders { ga: Vec::new(), left: Vec::new(), gb: Vec::new(), top: Vec::new() }
    }
}

#[inline(always)]
pub fn vmin<const W: usize>(a: Lanes<W>, b: Lanes<W>) -> Lanes<W> {
    // `b < a ? b : a` compiles to a vector min; inputs are never NaN (finite coordinates,
    // +inf borders), and equal values have equal bits here (no -0.0), so this is f64::min.
    // Written as a select at W = 1, which compiles to a scalar min where the masked store
    // becomes a branch or a move through integer registers, on the chain of dependent cells.
    let mut r = a;
    for l in 0..W {
        if W == 1 {
            r[l] = if b[l] < a[l] { b[l] } else { a[l] };
        } else if b[l] < a[l] {
            r[l] = b[l];
        }
    }
    r
}

#[inline(always)]
pub fn vmax<const W: usize>(a: Lanes<W>, b: Lanes<W>) -> Lanes<W> {
    // As `vmin`.
    let mut r = a;
    for l in 0..W {
        if W == 1 {
            r[l] = if b[l] > a[l] { b[l] } else { a[l] };
        } else if b[l] > a[l] {
            r[l] = b[l];
        }
    }
    r
}

/// LCSS's and EDR's match test on a cell value: `t` is the space's `below(eps)`.
#[inline(always)]
pub fn matches(s: f64, t: Option<f64>) -> bool {
    match t {
        Some(t) => s <= t,
        None => false,
    }
}

/// The band half-width actually used: at least |n - m| so that (n, m) stays reachable.
pub fn effective_window(w: Option<usize>, n: usize, m: usize) -> Option<usize> {
    w.map(|w| w.max(n.abs_diff(m)))
}

/// A DP metric's rule, with the parameters of its spec.
#[derive(Clone, Copy)]
pub enum DpMetric {
    Dtw(Dtw),
    DiscreteFrechet(DiscreteFrechet),
    Lcss(Lcss),
    Edr(Edr),
    Erp(Erp),
}

/// The space a rule runs in; spherical points are stored prepared, [lon, lat, cos(lat)].
#[derive(Clone, Copy)]
pub enum DpSpace {
    Euclidean,
    Spherical(SphericalLanes),
}

/// A DP spec as the kernels run it: the rule, the space, DTW's Sakoe-Chiba half-width.
#[derive(Clone, Copy)]
pub struct DpSetup {
    pub metric: DpMetric,
    pub space: DpSpace,
    pub window: Option<usize>,
}

/// ERP's default gap point, sliced to the data's dimension.
const ORIGIN: [f64; 3] = [0.0; 3];

impl DpSetup {
    /// None for the metrics that are not DP metrics.
    pub fn new(spec: &MetricSpec) -> Option<Self> {
        if !spec.kind.is_dp() {
            return None;
        }
        let td = spec.variant == Variant::TrajDist;
        let mut gap = [0.0; 3];
        let g = spec.g.as_deref().unwrap_or(&ORIGIN);
        gap[..g.len().min(3)].copy_from_slice(&g[..g.len().min(3)]);
        let (space, below): (DpSpace, &dyn Fn(f64) -> Option<f64>) = match spec.space {
            Space::Euclidean => (DpSpace::Euclidean, &|eps| EuclideanLanes.below(eps)),
            Space::Spherical => {
                let h = if td { Haversine::trajdist() } else { Haversine::standard() };
                // ERP's gap point is stored like the points.
                let mut p = Vec::new();
                HaversinePrepared(h).prepare(Traj::new(&gap[..2], 2), &mut p);
                gap = [p[0], p[1], p[2]];
                (DpSpace::Spherical(SphericalLanes(h)), &move |eps| SphericalLanes(h).below(eps))
            }
        };
        let metric = match spec.kind {
            MetricKind::Dtw => DpMetric::Dtw(Dtw),
            MetricKind::DiscreteFrechet => DpMetric::DiscreteFrechet(DiscreteFrechet),
            MetricKind::Lcss => DpMetric::Lcss(Lcss { t: below(spec.eps) }),
            MetricKind::Edr => {
                // traj-dist declares EDR's eps as a C float.
                let eps = if td { spec.eps as f32 as f64 } else { spec.eps };
                DpMetric::Edr(Edr { t: below(eps), zero_border: td, normalize: spec.normalize })
            }
            MetricKind::Erp => DpMetric::Erp(Erp { gap, total_border: td }),
            _ => unreachable!("not a DP metric"),
        };
        let window = if spec.kind == MetricKind::Dtw { spec.window } else { None };
        Some(DpSetup { metric, space, window })
    }

    /// `t` as the space stores it: as it is (Euclidean), or prepared into `buf` (spherical).
    pub fn stored<'a>(&self, t: Traj<'a>, buf: &'a mut Vec<f64>) -> Traj<'a> {
        match self.space {
            DpSpace::Euclidean => t,
            DpSpace::Spherical(SphericalLanes(h)) => {
                HaversinePrepared(h).prepare(t, buf);
                Traj::new(buf, 3)
            }
        }
    }
}

/// Runs `$body` with `$sp` the setup's space and `$r` its rule, monomorphised per pair of them.
macro_rules! with_dp {
    ($setup:expr, |$sp:ident, $r:ident| $body:expr) => {{
        use $crate::metrics::dp::{DpMetric, DpSpace};
        let setup = &$setup;
        match setup.space {
            DpSpace::Euclidean => {
                let $sp = $crate::geometry::lane_space::EuclideanLanes;
                with_dp!(@rule setup, $r, $body)
            }
            DpSpace::Spherical(s) => {
                let $sp = s;
                with_dp!(@rule setup, $r, $body)
            }
        }
    }};
    (@rule $setup:ident, $r:ident, $body:expr) => {
        match $setup.metric {
            DpMetric::Dtw(x) => {
                let $r = x;
                $body
            }
            DpMetric::DiscreteFrechet(x) => {
                let $r = x;
                $body
            }
            DpMetric::Lcss(x) => {
                let $r = x;
                $body
            }
            DpMetric::Edr(x) => {
                let $r = x;
                $body
            }
            DpMetric::Erp(x) => {
                let $r = x;
                $body
            }
        }
    };
}
pub(crate) use with_dp;

/// The distance of one pair: the rule at width 1.
pub fn distance(setup: &DpSetup, a: Traj, b: Traj) -> f64 {
    let (mut pa, mut pb) = (Vec::new(), Vec::new());
    let (a, b) = (setup.stored(a, &mut pa), setup.stored(b, &mut pb));
    with_dp!(*setup, |sp, r| super::dp_kernel::one(sp, r, a, b, setup.window))
}

/// Distance, accumulated-cost matrix and alignment path of one pair.
pub fn details(setup: &DpSetup, a: Traj, b: Traj) -> crate::Result<DpDetails> {
    let (mut pa, mut pb) = (Vec::new(), Vec::new());
    let (a, b) = (setup.stored(a, &mut pa), setup.stored(b, &mut pb));
    with_dp!(*setup, |sp, r| super::dp_details::details(sp, r, a, b, setup.window))
}
