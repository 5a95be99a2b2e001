//! Turns a spec and one or two collections into a pair evaluator, after checking every
//! trajectory once. Per-call preparation lives here (SOWD's grid over the whole call).

use crate::error::{Error, Result};
use crate::geometry::polyline_euclidean::PolySet;
use crate::metrics::{self, hausdorff, scale, sowd, spec::MetricKind, sspd};
use crate::MetricSpec;
use crate::traj::{Collection, Traj};
use super::pairs::Run;

use crate::geometry::lane_space::SphericalSet;
use crate::metrics::bound::{BoundSpace, Bounder, Facts, Level, Pair};
use crate::metrics::dp::{with_dp, DpMetric, DpSetup, DpSpace};
use crate::metrics::dp_kernel::{self, LANES};
use super::tuning::{ROW_BUCKET, ROW_MAJOR_PAIR_CELLS, ROW_RUN_PAIRS};
use crate::metrics::edwp_kernel;

mod rows;

/// How the evaluator computes its pairs, chosen once per call.
enum Strategy {
    /// A DP metric through the lane kernel (`metrics::dp_kernel`); spherical trajectories are
    /// stored once per call with their latitude's cosine (a, and b unless it is the same
    /// collection).
    Lanes { dp: DpSetup, stored: Option<(SphericalSet, Option<SphericalSet>)> },
    /// EDwP's lane kernel (`metrics::edwp_kernel`).
    EdwpLanes,
    /// SOWD: a and b rasterised on the call's grid (b is `None` when it is the same collection).
    Sowd { a: sowd::CellSet, b: Option<sowd::CellSet> },
    /// Euclidean Hausdorff and SSPD: a and b laid out once for the point-to-polyline kernel.
    Polylines { a: PolySet, b: Option<PolySet> },
    /// One pair at a time through `metrics::distance`.
    Pairwise,
}

/// Reusable buffers of the lane kernels, one set per thread.
#[derive(Default)]
pub struct Scratch {
    dp: dp_kernel::Scratch<LANES>,
    edwp: edwp_kernel::Scratch<LANES>,
    /// (grouping key, position) of a chunk's pairs, sorted so each pass groups similar lengths.
    pub order: Vec<(u64, u32)>,
    rows: rows::RowScratch,
    /// Results in that order, before they are scattered back.
    pub results: Vec<f64>,
}

/// An evaluator's lower bounds: the metric's (`Bounder`) over facts about a's and b's
/// trajectories, computed once.
pub struct Bounds<'e> {
    pub bounder: Bounder,
    pub space: BoundSpace,
    a: Facts,
    b: Facts,
    ev: &'e Evaluator<'e>,
}

impl Bounds<'_> {
    /// The bound of (a[i], b[j]) at `level`.
    #[inline]
    pub fn of(&self, i: usize, j: usize, level: Level) -> f64 {
        let p = Pair { space: self.space, a: &self.a, b: &self.b, i, j, ta: self.ev.a.get(i), tb: self.ev.b.get(j) };
        self.bounder.eval(&p, level)
    }
    /// Whether `Level::Blocks` may say more than `Level::Points`.
    pub fn has_blocks(&self) -> bool {
        self.bounder.has_blocks()
    }
    /// Whether the levels past `Level::Cheap` may say more.
    pub fn has_full(&self) -> bool {
        self.bounder.has_full()
    }
}

pub struct Evaluator<'a> {
    spec: &'a MetricSpec,
    a: Collection<'a>,
    b: Collection<'a>,
    strategy: Strategy,
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

/// Trajectories as a lane kernel reads them: as given, or as stored once for the call.
#[derive(Clone, Copy)]
enum Stored<'s> {
    Raw(&'s Collection<'s>),
    Set(&'s SphericalSet),
}

impl Stored<'_> {
    #[inline(always)]
    fn get(&self, i: usize) -> Traj<'_> {
        match self {
            Stored::Raw(c) => c.get(i),
            Stored::Set(s) => s.get(i),
        }
    }
}

/// The strategy of a spec over collections a and b (b `None`: pairs within a).
fn strategy(spec: &MetricSpec, a: &Collection, b: Option<&Collection>) -> Result<Strategy> {
    if let Some(dp) = DpSetup::new(spec) {
        let stored = match dp.space {
            DpSpace::Euclidean => None,
            DpSpace::Spherical(sp) => Some((SphericalSet::new(sp.0, a.iter()), b.map(|c| SphericalSet::new(sp.0, c.iter())))),
        };
        return Ok(Strategy::Lanes { dp, stored });
    }
    Ok(match spec.kind {
        MetricKind::Edwp => Strategy::EdwpLanes,
        MetricKind::Sowd if !(a.is_empty() && b.is_none_or(|c| c.is_empty())) => {
            let grid = sowd::Grid::over(a.iter().chain(b.iter().flat_map(|c| c.iter())), spec.precision)?;
            let cb = b.map(|c| sowd::CellSet::new(&grid, c.iter()));
            Strategy::Sowd { a: sowd::CellSet::new(&grid, a.iter()), b: cb }
        }
        MetricKind::Hausdorff | MetricKind::Sspd if spec.space == crate::Space::Euclidean => {
            Strategy::Polylines { a: PolySet::new(a.iter()), b: b.map(|c| PolySet::new(c.iter())) }
        }
        _ => Strategy::Pairwise,
    })
}

/// Sorts (key, position) pairs whose positions are in increasing order, by key then position
/// (`sort_unstable`'s order), for keys of three 20-bit fields. The fields are lengths, whose
/// spread within a chunk is usually small: then a stable counting sort per field, least
/// significant first, takes a few passes over the pairs instead of a comparison sort's
/// log2(len) (a sort of 4,096 short pairs cost as much as their cells).
fn sort_keys(order: &mut Vec<(u64, u32)>) {
    const MASK: u64 = (1 << 20) - 1;
    let field = |k: u64, f: usize| (k >> (20 * f)) & MASK;
    let (mut lo, mut hi) = ([MASK; 3], [0u64; 3]);
    for &(k, _) in order.iter() {
        for f in 0..3 {
            lo[f] = lo[f].min(field(k, f));
            hi[f] = hi[f].max(field(k, f));
        }
    }
    let len = order.len();
    if len < 2 {
        return;
    }
    // Counting costs the spread of values; past a few times the pairs, compare instead.
    if (0..3).any(|f| hi[f].saturating_sub(lo[f]) as usize >= 4 * len.max(64)) {
        order.sort_unstable();
        return;
    }
    let (mut tmp, mut start) = (vec![(0u64, 0u32); len], Vec::new());
    for f in 0..3 {
        if hi[f] == lo[f] {
            continue;
        }
        start.clear();
        start.resize((hi[f] - lo[f]) as usize + 2, 0usize);
        for &(k, _) in order.iter() {
            start[(field(k, f) - lo[f]) as usize + 1] += 1;
        }
        for v in 1..start.len() {
            start[v] += start[v - 1];
        }
        for &e in order.iter() {
            let v = (field(e.0, f) - lo[f]) as usize;
            tmp[start[v]] = e;
            start[v] += 1;
        }
        std::mem::swap(order, &mut tmp);
    }
}

/// `ij` as runs of consecutive columns of one row.
fn row_runs(ij: &[(usize, usize)]) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    for (k, &(i, j)) in ij.iter().enumerate() {
        match runs.last_mut() {
            Some(r) if r.row == i && r.col + r.len == j => r.len += 1,
            _ => runs.push(Run { row: i, col: j, at: k, len: 1 }),
        }
    }
    runs
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
        // The largest pair there can be: the longest of a with the longest of b, or within a,
        // its two longest trajectories.
        let (la, lb) = match &b {
            Some((c, _)) => (longest_two(&a).0, longest_two(c).0),
            None => longest_two(&a),
        };
        metrics::check_memory(spec, la, lb, &format_args!("the longest pair of {a_name}"))?;
        let strategy = strategy(spec, &a, b.as_ref().map(|(c, _)| c))?;
        let extents = extents(spec, &a, b.as_ref().map(|(c, _)| c));
        Ok(Evaluator { spec, a, b: b.map(|(c, _)| c).unwrap_or(a), strategy, extents })
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
        match &self.strategy {
            Strategy::Sowd { a, b } => {
                let b = b.as_ref().unwrap_or(a);
                sowd::sowd(a.get(i), b.get(j), self.spec.variant == crate::Variant::TrajDist)
            }
            Strategy::Polylines { a, b } => {
                let (x, y) = (a.get(i), b.as_ref().unwrap_or(a).get(j));
                let exact_vertices = self.spec.variant == crate::Variant::Standard;
                match self.spec.kind {
                    MetricKind::Hausdorff => hausdorff::hausdorff_packed(x, y, exact_vertices),
                    _ => sspd::sspd_packed(x, y, exact_vertices),
                }
            }
            _ => metrics::distance(self.spec, self.a.get(i), self.b.get(j)),
        }
    }

    /// Whether rows of pairs can go through the across-pairs lane kernels.
    pub fn lanes_apply(&self) -> bool {
        matches!(self.strategy, Strategy::Lanes { .. } | Strategy::EdwpLanes)
    }

    /// Whether a chunk of runs of pairs along rows takes the row path (`rows`), judged from the
    /// mean lengths: a DP lane metric, short pairs, no pair to scale. Each chunk checks its own
    /// pairs again (`eval_runs`); this only sizes the chunks.
    pub fn row_major(&self) -> bool {
        let mean = |points: u64, n: usize| points / n.max(1) as u64;
        let cells = mean(self.total_points_a(), self.a.len()) * mean(self.total_points_b(), self.b.len());
        self.cheap_lanes() && self.extents.is_none() && cells <= ROW_MAJOR_PAIR_CELLS as u64
    }

    /// Whether they go through the DP lane kernels, at a few ns per cell (not EDwP's).
    pub fn cheap_lanes(&self) -> bool {
        matches!(self.strategy, Strategy::Lanes { .. })
    }

    /// out[k] = d(a[i], b[j]) for (i, j) = ij[k], through the lane kernel when it applies.
    pub fn eval_pairs(&self, ij: &[(usize, usize)], out: &mut [f64], scratch: &mut Scratch) {
        // Pairs that follow rows in long runs (a pair list walking a row) take the row path;
        // the runs are counted before any is built.
        let follows = |w: &[(usize, usize)]| w[1].0 == w[0].0 && w[1].1 == w[0].1 + 1;
        if self.cheap_lanes() && ij.len() >= ROW_RUN_PAIRS * (1 + ij.windows(2).filter(|w| !follows(w)).count()) {
            let runs = row_runs(ij);
            if let Some(dp) = self.row_setup(&runs) {
                return self.eval_rows(dp, &runs, out, scratch);
            }
        }
        self.eval_list(ij, out, scratch);
    }

    /// out[run.at + k] = d(a[run.row], b[run.col + k]) for every run: through the row path when
    /// the runs are long and their pairs short, else pair by pair.
    pub fn eval_runs(&self, runs: &[Run], out: &mut [f64], scratch: &mut Scratch) {
        if let Some(dp) = self.row_setup(runs) {
            return self.eval_rows(dp, runs, out, scratch);
        }
        let ij: Vec<(usize, usize)> = runs.iter().flat_map(|r| (r.col..r.col + r.len).map(move |j| (r.row, j))).collect();
        self.eval_list(&ij, out, scratch);
    }

    /// The DP setup the row path needs, when `runs` take it: a DP lane metric, runs of
    /// ROW_RUN_PAIRS pairs or more on average (each at most u32::MAX, as `rows::Columns` keeps
    /// column offsets), at most ROW_MAJOR_PAIR_CELLS cells a pair on average, none to scale.
    fn row_setup(&self, runs: &[Run]) -> Option<&DpSetup> {
        let Strategy::Lanes { dp, .. } = &self.strategy else { return None };
        let pairs: usize = runs.iter().map(|r| r.len).sum();
        if self.extents.is_some() || pairs < ROW_RUN_PAIRS * runs.len() || runs.iter().any(|r| r.len > u32::MAX as usize) {
            return None;
        }
        let cells = runs.iter().fold(0usize, |s, r| s.saturating_add(self.a.traj_len(r.row) * self.b.points(r.col, r.col + r.len)));
        (cells <= ROW_MAJOR_PAIR_CELLS * pairs).then_some(dp)
    }

    /// `eval_pairs` pair by pair: the lane kernels' grouping (`eval_sorted`), or one pair at a
    /// time for the other kernels.
    fn eval_list(&self, ij: &[(usize, usize)], out: &mut [f64], scratch: &mut Scratch) {
        if !self.lanes_apply() {
            for (o, &(i, j)) in out.iter_mut().zip(ij) {
                *o = self.eval(i, j);
            }
            return;
        }
        if ij.len() > u32::MAX as usize {
            let (a, b) = ij.split_at(u32::MAX as usize);
            let (oa, ob) = out.split_at_mut(a.len());
            self.eval_list(a, oa, scratch);
            return self.eval_list(b, ob, scratch);
        }
        self.eval_sorted(ij, out, scratch);
    }

    /// `eval_pairs` through `group_order` and `eval_grouped`.
    fn eval_sorted(&self, ij: &[(usize, usize)], out: &mut [f64], scratch: &mut Scratch) {
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
    /// pairs of similar lengths go together. For the DP kernels, where rows come with many pairs
    /// each (the chunks of a pdist or cdist), a pass takes one row's pairs, by column length: no
    /// row padding, and the row is packed once for all lanes. Otherwise by row length in steps of
    /// ROW_BUCKET,
    /// then column length, pooling the columns of different rows so that no lane idles while
    /// pairs are left.
    pub fn group_order(&self, ij: &[(usize, usize)], order: &mut Vec<(u64, u32)>) {
        // One key per pair: three fields of 20 bits (lengths capped at 2^20 - 1: it only
        // orders), beside the pair's position.
        let cap = |x: usize| x.min((1 << 20) - 1) as u64;
        order.clear();
        let runs = 1 + ij.windows(2).filter(|w| w[0].0 != w[1].0).count();
        if self.cheap_lanes() && ij.len() >= ROW_RUN_PAIRS * runs {
            let first = ij.iter().map(|p| p.0).min().unwrap_or(0);
            order.extend(ij.iter().enumerate().map(|(k, &(i, j))| {
                let key = (cap(i - first) << 40) | (cap(self.b.traj_len(j)) << 20);
                (key, k as u32)
            }));
        } else {
            order.extend(ij.iter().enumerate().map(|(k, &(i, j))| {
                let (n, m) = (self.a.traj_len(i), self.b.traj_len(j));
                let key = (cap(n / ROW_BUCKET) << 40) | (cap(m) << 20) | cap(n);
                (key, k as u32)
            }));
        }
        sort_keys(order);
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
        (n * m * LANES) as u64
    }

    /// res[p] = d(ij[order[p].1]) for a piece of a `group_order`, LANES pairs per pass of the
    /// lane kernel (lane evaluators only).
    pub fn eval_grouped(&self, ij: &[(usize, usize)], order: &[(u64, u32)], res: &mut [f64], scratch: &mut Scratch) {
        match &self.strategy {
            Strategy::Lanes { dp, .. } => with_dp!(*dp, |sp, r| {
                self.grouped(ij, order, res, self.stored_pair(), |rows, cols, o| {
                    dp_kernel::pairs(sp, r, rows, cols, (dp.window, None), o, &mut scratch.dp)
                })
            }),
            Strategy::EdwpLanes => {
                let (a, b) = (Stored::Raw(&self.a), Stored::Raw(&self.b));
                self.grouped(ij, order, res, (a, b), |rows, cols, o| edwp_kernel::pairs(rows, cols, o, &mut scratch.edwp))
            }
            _ => unreachable!("eval_grouped needs a lane kernel"),
        }
    }

    /// `eval_grouped`'s loop: `pass(rows, cols, out)` computes up to LANES pairs.
    #[inline(always)]
    fn grouped(
        &self,
        ij: &[(usize, usize)],
        order: &[(u64, u32)],
        res: &mut [f64],
        (a, b): (Stored, Stored),
        mut pass: impl FnMut(&[Traj], &[Traj], &mut [f64]),
    ) {
        let (mut rows, mut cols) = ([Traj::new(&[], 2); LANES], [Traj::new(&[], 2); LANES]);
        for (group, o) in order.chunks(LANES).zip(res.chunks_mut(LANES)) {
            let k = group.len();
            for (l, &(_, p)) in group.iter().enumerate() {
                let (i, j) = ij[p as usize];
                (rows[l], cols[l]) = (a.get(i), b.get(j));
            }
            pass(&rows[..k], &cols[..k], o);
            if self.extents.is_some() {
                for (v, &(_, p)) in o.iter_mut().zip(group) {
                    let (i, j) = ij[p as usize];
                    if self.scaled(i, j) {
                        *v = metrics::distance(self.spec, self.a.get(i), self.b.get(j));
                    }
                }
            }
        }
    }

    /// The lower bounds of this evaluator's pairs (`metrics::bound`), for the queries'
    /// pruning: None where the metric has none, or where some pair is scaled
    /// (`metrics::scale`: its bounds would be computed on other values than its distance).
    pub fn bounds(&self) -> Option<Bounds<'_>> {
        if self.extents.is_some() {
            return None;
        }
        let dp = match &self.strategy {
            Strategy::Lanes { dp, .. } => Some(dp),
            _ => None,
        };
        let bounder = Bounder::new(self.spec, dp)?;
        let space = match dp.map(|d| d.space) {
            Some(DpSpace::Spherical(s)) => BoundSpace::Spherical(s),
            _ if self.spec.space == crate::Space::Spherical => return None,
            _ => BoundSpace::Euclidean,
        };
        let gap = match dp.map(|d| d.metric) {
            Some(DpMetric::Erp(e)) => Some(e.gap),
            _ => None,
        };
        // Stored as the points are (all three values in spherical space); Facts takes the
        // stored dimension's first values.
        let gap = gap.as_ref().map(|g| &g[..]);
        let (sa, sb) = self.stored_pair();
        let a = Facts::new(space, self.a.iter(), |i| sa.get(i), gap);
        let b = Facts::new(space, self.b.iter(), |j| sb.get(j), gap);
        Some(Bounds { bounder, space, a, b, ev: self })
    }

    /// The trajectories as the DP kernels read them (a's, b's).
    fn stored_pair(&self) -> (Stored<'_>, Stored<'_>) {
        match &self.strategy {
            Strategy::Lanes { stored: Some((sa, sb)), .. } => (Stored::Set(sa), Stored::Set(sb.as_ref().unwrap_or(sa))),
            _ => (Stored::Raw(&self.a), Stored::Raw(&self.b)),
        }
    }

    /// out[k] = d(a[i], b[cols[k]]), except that a pair whose distance is surely above `limit`
    /// may get +inf instead (early abandoning in the DP kernels; the other metrics with bounds,
    /// Fréchet, Hausdorff and SSPD, compute every pair). DP pairs go through the lane kernel
    /// in groups of similar column lengths.
    pub fn eval_limited(&self, i: usize, cols: &[usize], limit: Option<f64>, out: &mut [f64], scratch: &mut Scratch) {
        let Strategy::Lanes { dp, .. } = &self.strategy else {
            for (o, &j) in out.iter_mut().zip(cols) {
                *o = self.eval(i, j);
            }
            return;
        };
        let mut order = std::mem::take(&mut scratch.order);
        order.clear();
        order.extend(cols.iter().enumerate().map(|(k, &j)| (self.b.traj_len(j) as u64, k as u32)));
        order.sort_unstable();
        let (a, b) = self.stored_pair();
        let row = a.get(i);
        let mut res = [0.0; LANES];
        with_dp!(*dp, |sp, r| {
            for group in order.chunks(LANES) {
                let rows = [row; LANES];
                let cs: [Traj; LANES] = std::array::from_fn(|l| b.get(cols[group[l.min(group.len() - 1)].1 as usize]));
                let k = group.len();
                dp_kernel::pairs(sp, r, &rows[..k], &cs[..k], (dp.window, limit), &mut res[..k], &mut scratch.dp);
                for (&(_, p), v) in group.iter().zip(res) {
                    out[p as usize] = v;
                }
            }
        });
        scratch.order = order;
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
        if matches!(self.strategy, Strategy::Sowd { .. }) {
            return u64::MAX; // SOWD: the work is in grid cells, however short the trajectories
        }
        (longest_two(&self.a).0 as u64).saturating_mul(longest_two(&self.b).0 as u64)
    }
    pub fn total_points_b(&self) -> u64 {
        (0..self.b.len()).map(|i| self.b.traj_len(i) as u64).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{run, OutSlice, PairIndex};
    use crate::metrics::spec::Params;

    /// pdist and cdist of many short trajectories (the chunks `eval_rows` takes, with runs of
    /// hundreds of pairs of a few points) give every pair the bits of the single-pair call.
    #[test]
    fn row_major_chunks_give_single_pair_bits() {
        let mut u = crate::test_rng::uniform(77);
        let (mut offsets, mut coords) = (vec![0i64], Vec::new());
        for _ in 0..300 {
            let n = 1 + (u() * 16.0) as usize;
            let (mut x, mut y) = (-122.5 + 0.2 * u(), 37.7 + 0.1 * u());
            for _ in 0..n {
                (x, y) = (x + 0.002 * (u() - 0.5), y + 0.002 * (u() - 0.5));
                coords.extend([x, y]);
            }
            offsets.push(offsets.last().unwrap() + n as i64);
        }
        let c = Collection::new(&offsets, &coords, 2, "X").unwrap();
        let sph = "spherical";
        let specs = [
            ("dtw", Params::new()),
            ("dtw", Params::new().with("space", sph)),
            ("dtw", Params::new().with("window", 2i64)),
            ("discrete_frechet", Params::new().with("space", sph)),
            ("lcss", Params::new().with("eps", 0.0005)),
            ("edr", Params::new().with("eps", 30.0).with("space", sph)),
            ("erp", Params::new().with("g", vec![-122.4, 37.75])),
        ];
        let n = c.len();
        for (name, p) in specs {
            let spec = MetricSpec::parse(name, p).unwrap();
            let ev = Evaluator::new(&spec, c, "X", None).unwrap();
            let mut out = vec![0.0; n * (n - 1) / 2];
            run(&ev, PairIndex::Condensed { n: n as u64, start: 0 }, OutSlice::F64(&mut out), 1, &mut |_, _| Ok(())).unwrap();
            let mut k = 0;
            for i in 0..n {
                for j in i + 1..n {
                    let want = metrics::distance(&spec, c.get(i), c.get(j));
                    assert_eq!(out[k].to_bits(), want.to_bits(), "{name} pdist ({i}, {j})");
                    k += 1;
                }
            }
            // A range starting and ending inside rows, over two threads: chunks with partial
            // first and last rows.
            let (start, len) = (1234u64, 20_000usize);
            let mut part = vec![0.0; len];
            let index = PairIndex::Condensed { n: n as u64, start };
            run(&ev, index, OutSlice::F64(&mut part), 2, &mut |_, _| Ok(())).unwrap();
            assert!(part.iter().zip(&out[start as usize..]).all(|(x, y)| x.to_bits() == y.to_bits()), "{name} range");
            let ev = Evaluator::new(&spec, c, "XA", Some((c, "XB"))).unwrap();
            // One row against 256 columns: a single run, all of it one block, nothing left.
            let mut row = vec![0.0; 256];
            run(&ev, PairIndex::Rect { row0: 7, col0: 0, cols: 256, skip: 0 }, OutSlice::F64(&mut row), 1, &mut |_, _| Ok(())).unwrap();
            for (j, v) in row.iter().enumerate() {
                assert_eq!(v.to_bits(), metrics::distance(&spec, c.get(7), c.get(j)).to_bits(), "{name} row (7, {j})");
            }
            let rect = PairIndex::Rect { row0: 10, col0: 3, cols: 250, skip: 0 };
            let mut out = vec![0.0; 40 * 250];
            run(&ev, rect, OutSlice::F64(&mut out), 1, &mut |_, _| Ok(())).unwrap();
            for (k, v) in out.iter().enumerate() {
                let (i, j) = (10 + k / 250, 3 + k % 250);
                let want = metrics::distance(&spec, c.get(i), c.get(j));
                assert_eq!(v.to_bits(), want.to_bits(), "{name} cdist ({i}, {j})");
            }
        }
    }
}
