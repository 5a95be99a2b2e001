//! Turns a spec and one or two collections into a pair evaluator, after checking every
//! trajectory once. Per-call preparation lives here (SOWD's grid over the whole call).

use crate::error::{Error, Result};
use crate::geometry::polyline_euclidean::PolySet;
use crate::metrics::{self, hausdorff, scale, sowd, spec::MetricKind, sspd};
use crate::MetricSpec;
use crate::traj::{Collection, Traj};

use super::lane_rules::{DtwLanes, EdrLanes, ErpLanes, FrechetLanes, LcssLanes};
use super::lane_spaces::{EuclideanLanes, LaneSpace, SphericalLanes, SphericalSet};
use super::{edwp_lanes, lanes};
use crate::geometry::{Haversine, HaversinePrepared};

/// The DP metrics, as the lane kernels run them (`lane_rules`).
#[derive(Clone, Copy)]
enum LaneKind {
    Dtw,
    Frechet,
    Lcss(LcssLanes),
    Edr(EdrLanes),
    Erp(ErpLanes),
    /// EDwP (Euclidean): its own lane kernel, `edwp_lanes`.
    Edwp,
}

/// The space of the lane kernels; spherical trajectories are stored once per call with their
/// latitude's cosine (a, and b unless it is the same collection).
enum LaneGround {
    Euclidean,
    Spherical(SphericalLanes, SphericalSet, Option<SphericalSet>),
}

fn lane_kind(spec: &MetricSpec, below: &dyn Fn(f64) -> Option<f64>, gap: [f64; 3]) -> Option<LaneKind> {
    let td = spec.variant == crate::Variant::TrajDist;
    match spec.kind {
        MetricKind::Dtw => Some(LaneKind::Dtw),
        MetricKind::DiscreteFrechet => Some(LaneKind::Frechet),
        MetricKind::Lcss => Some(LaneKind::Lcss(LcssLanes { t: below(spec.eps) })),
        MetricKind::Edr => {
            // traj-dist declares EDR's eps as a C float (as metrics::with_rule does).
            let eps = if td { spec.eps as f32 as f64 } else { spec.eps };
            Some(LaneKind::Edr(EdrLanes { t: below(eps), zero_border: td, normalize: spec.normalize }))
        }
        MetricKind::Erp => Some(LaneKind::Erp(ErpLanes { gap, total_border: td })),
        _ => None,
    }
}

/// The lane kernels' view of a DP spec: rule and space (None for the other metrics).
fn lane_setup(spec: &MetricSpec, a: &Collection, b: Option<&Collection>) -> Option<(LaneKind, LaneGround)> {
    if spec.kind == MetricKind::Edwp {
        return Some((LaneKind::Edwp, LaneGround::Euclidean));
    }
    if !spec.kind.is_dp() {
        return None;
    }
    let mut gap = [0.0; 3];
    if let Some(g) = spec.g.as_deref() {
        gap[..g.len().min(3)].copy_from_slice(&g[..g.len().min(3)]);
    }
    match spec.space {
        crate::Space::Euclidean => {
            let kind = lane_kind(spec, &|eps| EuclideanLanes.below(eps), gap)?;
            Some((kind, LaneGround::Euclidean))
        }
        crate::Space::Spherical => {
            let h = if spec.variant == crate::Variant::TrajDist { Haversine::trajdist() } else { Haversine::standard() };
            let sp = SphericalLanes(h);
            // ERP's gap point is stored like the points, as metrics::with_rule prepares it.
            let mut g = Vec::new();
            HaversinePrepared(h).prepare(Traj::new(&gap[..2], 2), &mut g);
            let kind = lane_kind(spec, &|eps| sp.below(eps), [g[0], g[1], g[2]])?;
            let sa = SphericalSet::new(h, a.iter());
            let sb = b.map(|c| SphericalSet::new(h, c.iter()));
            Some((kind, LaneGround::Spherical(sp, sa, sb)))
        }
    }
}

/// Row lengths within this many points share a group key: rows of different lengths then pool
/// their columns, so a group's column lengths are closer (measured on lengths drawn from 20-200:
/// 1.75 -> 1.60 ns/cell with the larger lane chunks; no change on San Francisco's 3-29).
const ROW_BUCKET: usize = 16;

/// One pass of `kind` in space `sp` over up to LANES pairs (rows[l], cols[l]).
fn pass<S: LaneSpace>(
    sp: S,
    kind: LaneKind,
    window: Option<usize>,
    rows: &[Traj],
    cols: &[Traj],
    out: &mut [f64],
    scratch: &mut lanes::Scratch,
) {
    match kind {
        LaneKind::Dtw => lanes::pairs(sp, DtwLanes, rows, cols, window, out, scratch),
        LaneKind::Frechet => lanes::pairs(sp, FrechetLanes, rows, cols, None, out, scratch),
        LaneKind::Lcss(r) => lanes::pairs(sp, r, rows, cols, None, out, scratch),
        LaneKind::Edr(r) => lanes::pairs(sp, r, rows, cols, None, out, scratch),
        LaneKind::Erp(r) => lanes::pairs(sp, r, rows, cols, None, out, scratch),
        LaneKind::Edwp => edwp_lanes::pairs(rows, cols, out, &mut scratch.edwp),
    }
}

pub struct Evaluator<'a> {
    spec: &'a MetricSpec,
    a: Collection<'a>,
    b: Collection<'a>,
    /// SOWD only: rasterised a and b (b is `None` when it is the same collection as a).
    cells: Option<(sowd::CellSet, Option<sowd::CellSet>)>,
    lanes: Option<(LaneKind, LaneGround)>,
    /// Euclidean Hausdorff/SSPD: a and b laid out once for the point-to-polyline kernel.
    polys: Option<(PolySet, Option<PolySet>)>,
    /// Each trajectory's extent (a's, and b's unless it is a), kept only when some pair may lie
    /// at the ends of the double range: those pairs go to `metrics::distance`, which scales them.
    extents: Option<Extents>,
}

/// Per-trajectory extents (`metrics::scale::extent`) and the gap point's.
struct Extents {
    a: Vec<f64>,
    b: Option<Vec<f64>>,
    gap: f64,
}

/// The lengths of the longest and second longest trajectories of `c` (0 where there is none).
fn longest_two(c: &Collection) -> (usize, usize) {
    let (mut first, mut second) = (0, 0);
    for i in 0..c.len() {
        let n = c.traj_len(i);
        if n > first {
            (first, second) = (n, first);
        } else if n > second {
            second = n;
        }
    }
    (first, second)
}

/// Per-trajectory extents of the collections, if any coordinate (or ERP's gap point) lies
/// outside the range computed as it is; one pass over the coordinates otherwise.
fn extents(spec: &MetricSpec, a: &Collection, b: Option<&Collection>) -> Option<Extents> {
    if !scale::applies(spec) {
        return None;
    }
    let odd = |c: &Collection| c.raw_coords().iter().any(|x| scale::out_of_range(x.abs()));
    let gap = scale::gap_extent(spec);
    if !odd(a) && !b.is_some_and(odd) && !scale::out_of_range(gap) {
        return None;
    }
    let of = |c: &Collection| c.iter().map(scale::extent).collect::<Vec<f64>>();
    Some(Extents { a: of(a), b: b.map(of), gap })
}

impl<'a> Evaluator<'a> {
    /// `b = None`: pairs within `a` (pdist, paired). Names label errors ("X", "XA", "XB").
    pub fn new(
        spec: &'a MetricSpec,
        a: Collection<'a>,
        a_name: &str,
        b: Option<(Collection<'a>, &str)>,
    ) -> Result<Self> {
        let check = |c: &Collection, name: &str| -> Result<()> {
            for i in 0..c.len() {
                spec.check_traj(c.dim(), c.traj_len(i), &format_args!("{name}[{}]", c.base() + i))?;
            }
            Ok(())
        };
        check(&a, a_name)?;
        if let Some((bc, b_name)) = &b {
            check(bc, b_name)?;
            if bc.dim() != a.dim() && !bc.is_empty() && !a.is_empty() {
                return Err(Error::value(format!(
                    "{b_name}: has {}-D points but {a_name} has {}-D points; all trajectories in one call \
                     must have the same dimension",
                    bc.dim(),
                    a.dim()
                )));
            }
        }
        let cells = if spec.kind == MetricKind::Sowd {
            let all = a.iter().chain(b.iter().flat_map(|(c, _)| c.iter()));
            if a.is_empty() && b.as_ref().is_none_or(|(c, _)| c.is_empty()) {
                None
            } else {
                let grid = sowd::Grid::over(all, spec.precision)?;
                let ca = sowd::CellSet::new(&grid, a.iter());
                let cb = b.as_ref().map(|(c, _)| sowd::CellSet::new(&grid, c.iter()));
                Some((ca, cb))
            }
        } else {
            None
        };
        let polys = (spec.space == crate::Space::Euclidean
            && matches!(spec.kind, MetricKind::Hausdorff | MetricKind::Sspd))
            .then(|| (PolySet::new(a.iter()), b.as_ref().map(|(c, _)| PolySet::new(c.iter()))));
        // The largest pair there can be: the longest of a with the longest of b, or within a,
        // its two longest trajectories.
        let (la, lb) = match &b {
            Some((c, _)) => (longest_two(&a).0, longest_two(c).0),
            None => longest_two(&a),
        };
        metrics::check_memory(spec, la, lb, &format_args!("the longest pair of {a_name}"))?;
        let lanes = lane_setup(spec, &a, b.as_ref().map(|(c, _)| c));
        let extents = extents(spec, &a, b.as_ref().map(|(c, _)| c));
        Ok(Evaluator { spec, a, b: b.map(|(c, _)| c).unwrap_or(a), cells, lanes, polys, extents })
    }

    /// Whether the pair (a[i], b[j]) must be scaled (`metrics::scale`).
    #[inline]
    fn scaled(&self, i: usize, j: usize) -> bool {
        self.extents.as_ref().is_some_and(|e| {
            scale::out_of_range(e.a[i].max(e.b.as_ref().unwrap_or(&e.a)[j]).max(e.gap))
        })
    }

    /// Distance between a[i] and b[j].
    #[inline]
    pub fn eval(&self, i: usize, j: usize) -> f64 {
        if self.scaled(i, j) {
            return metrics::distance(self.spec, self.a.get(i), self.b.get(j));
        }
        if let Some((ca, cb)) = &self.cells {
            let cb = cb.as_ref().unwrap_or(ca);
            return sowd::sowd(ca.get(i), cb.get(j), self.spec.variant == crate::Variant::TrajDist);
        }
        if let Some((pa, pb)) = &self.polys {
            let (x, y) = (pa.get(i), pb.as_ref().unwrap_or(pa).get(j));
            let exact_vertices = self.spec.variant == crate::Variant::Standard;
            return match self.spec.kind {
                MetricKind::Hausdorff => hausdorff::hausdorff_packed(x, y, exact_vertices),
                _ => sspd::sspd_packed(x, y, exact_vertices),
            };
        }
        metrics::distance(self.spec, self.a.get(i), self.b.get(j))
    }

    /// Whether rows of pairs can go through the across-pairs lane kernels.
    pub fn lanes_apply(&self) -> bool {
        self.lanes.is_some()
    }

    /// Whether they go through the DP lane kernels, at a few ns per cell (not EDwP's).
    pub fn cheap_lanes(&self) -> bool {
        matches!(&self.lanes, Some((kind, _)) if !matches!(kind, LaneKind::Edwp))
    }

    /// out[k] = d(a[i], b[j]) for (i, j) = ij[k], through the lane kernel when it applies.
    pub fn eval_pairs(&self, ij: &[(usize, usize)], out: &mut [f64], scratch: &mut lanes::Scratch) {
        if self.lanes.is_none() {
            for (o, &(i, j)) in out.iter_mut().zip(ij) {
                *o = self.eval(i, j);
            }
            return;
        }
        if ij.len() > u32::MAX as usize {
            let (a, b) = ij.split_at(u32::MAX as usize);
            let (oa, ob) = out.split_at_mut(a.len());
            self.eval_pairs(a, oa, scratch);
            return self.eval_pairs(b, ob, scratch);
        }
        let mut order = std::mem::take(&mut scratch.order);
        self.group_order(ij, &mut order);
        let mut res = std::mem::take(&mut scratch.results);
        res.resize(ij.len(), 0.0);
        self.eval_grouped(ij, &order, &mut res, scratch);
        for (&(_, k), v) in order.iter().zip(res.iter()) {
            out[k as usize] = *v;
        }
        scratch.order = order;
        scratch.results = res;
    }

    /// The lane kernels' order of the pairs `ij` (at most u32::MAX): (grouping key, position in
    /// `ij`), sorted. A pass costs its longest row times its longest column in every lane, so
    /// pairs of similar lengths go together: by row length in steps of ROW_BUCKET, then column
    /// length, pooling the columns of different rows so that no lane idles while pairs are left.
    pub fn group_order(&self, ij: &[(usize, usize)], order: &mut Vec<(u64, u32)>) {
        // One u64 per pair: the grouping key (lengths capped at 2^20 - 1: it only orders) above
        // the pair's position, sorted without a comparator closure.
        order.clear();
        order.extend(ij.iter().enumerate().map(|(k, &(i, j))| {
            let cap = |x: usize| x.min((1 << 20) - 1) as u64;
            let (n, m) = (self.a.traj_len(i), self.b.traj_len(j));
            let key = (cap(n / ROW_BUCKET) << 40) | (cap(m) << 20) | cap(n);
            (key, k as u32)
        }));
        order.sort_unstable();
    }

    /// What one pass of LANES pairs (`group`, a piece of a `group_order`) costs the lane kernel,
    /// in cells: its longest row times its longest column, in every lane.
    pub fn group_cost(&self, ij: &[(usize, usize)], group: &[(u64, u32)]) -> u64 {
        let (mut n, mut m) = (0, 0);
        for &(_, k) in group {
            let (i, j) = ij[k as usize];
            n = n.max(self.a.traj_len(i));
            m = m.max(self.b.traj_len(j));
        }
        (n * m * lanes::LANES) as u64
    }

    /// res[p] = d(ij[order[p].1]) for a piece of a `group_order`, LANES pairs per pass of the
    /// lane kernel (lane evaluators only).
    pub fn eval_grouped(&self, ij: &[(usize, usize)], order: &[(u64, u32)], res: &mut [f64], scratch: &mut lanes::Scratch) {
        let Some((kind, ground)) = &self.lanes else {
            unreachable!("eval_grouped needs a lane kernel")
        };
        let row_of = |i: usize| match ground {
            LaneGround::Euclidean => self.a.get(i),
            LaneGround::Spherical(_, sa, _) => sa.get(i),
        };
        let col_of = |j: usize| match ground {
            LaneGround::Euclidean => self.b.get(j),
            LaneGround::Spherical(_, sa, sb) => sb.as_ref().unwrap_or(sa).get(j),
        };
        let (mut rows, mut cols): (Vec<Traj>, Vec<Traj>) = (Vec::with_capacity(lanes::LANES), Vec::with_capacity(lanes::LANES));
        let window = if self.spec.kind == MetricKind::Dtw { self.spec.window } else { None };
        for (group, o) in order.chunks(lanes::LANES).zip(res.chunks_mut(lanes::LANES)) {
            rows.clear();
            cols.clear();
            rows.extend(group.iter().map(|&(_, k)| row_of(ij[k as usize].0)));
            cols.extend(group.iter().map(|&(_, k)| col_of(ij[k as usize].1)));
            match ground {
                LaneGround::Euclidean => pass(EuclideanLanes, *kind, window, &rows, &cols, o, scratch),
                LaneGround::Spherical(sp, _, _) => pass(*sp, *kind, window, &rows, &cols, o, scratch),
            }
            if self.extents.is_some() {
                for (v, &(_, k)) in o.iter_mut().zip(group) {
                    let (i, j) = ij[k as usize];
                    if self.scaled(i, j) {
                        *v = metrics::distance(self.spec, self.a.get(i), self.b.get(j));
                    }
                }
            }
        }
    }

    /// A cost estimate for scheduling: the size of the DP matrix.
    #[inline]
    pub fn cost(&self, i: usize, j: usize) -> u64 {
        (self.a.traj_len(i) * self.b.traj_len(j)) as u64
    }

    pub fn traj_len_a(&self, i: usize) -> usize {
        self.a.traj_len(i)
    }
    pub fn traj_len_b(&self, j: usize) -> usize {
        self.b.traj_len(j)
    }
    pub fn len_a(&self) -> usize {
        self.a.len()
    }
    pub fn len_b(&self) -> usize {
        self.b.len()
    }
    pub fn total_points_a(&self) -> u64 {
        (0..self.a.len()).map(|i| self.a.traj_len(i) as u64).sum()
    }
    /// The DP cells of the largest pair there could be: longest of a times longest of b.
    pub fn max_pair_cells(&self) -> u64 {
        if self.cells.is_some() {
            return u64::MAX; // SOWD: the work is in grid cells, however short the trajectories
        }
        (longest_two(&self.a).0 as u64).saturating_mul(longest_two(&self.b).0 as u64)
    }
    pub fn total_points_b(&self) -> u64 {
        (0..self.b.len()).map(|i| self.b.traj_len(i) as u64).sum()
    }
}
