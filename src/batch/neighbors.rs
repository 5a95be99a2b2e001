//! Nearest-neighbour and range queries: for each query, the k nearest trajectories of x (ties
//! broken by the smaller index, as a stable argsort of its row of the cdist would), or every
//! trajectory within a radius. A task is a range of query rows, as a pdist task is a range of
//! pairs, so the process backends can split a call the same way.
//!
//! Every distance is the batch engine's (the evaluator and the lane kernels `cdist` uses), so an
//! answer has the bits of the full matrix. Two paths lead there:
//! - **pruned** (`pruned_row`, rows in parallel): each candidate's lower bounds
//!   (`metrics::bound`, levels of growing cost) are compared with the threshold (the k-th best
//!   so far, or the radius), and only pairs whose bound is not strictly above it are computed,
//!   best first for kNN, with early abandoning in the DP kernels. A bound never exceeds the
//!   computed distance, so nothing skipped could have been part of the answer;
//! - **whole** (`run`): rows computed in blocks of about BLOCK_ENTRIES distances (one row at
//!   least) through the row path, then reduced to their neighbours (the sinks below), for the
//!   metrics without bounds and for short pairs that the bounds rarely settle (`answer`).
//!
//! Memory is O(block + answer), never O(queries x n).

use std::cmp::Ordering;

use super::evaluator::{Bounds, Scratch};
use crate::metrics::bound::Level;
use super::{executor, task, Evaluator, OutSlice, PairIndex};
use crate::arena::Arena;
use crate::error::{Error, Result};
use crate::MetricSpec;

/// Distances held at once: 4 M (32 MB). A block is as many query rows as fit, at least one.
const BLOCK_ENTRIES: usize = 1 << 22;

/// `answer`'s probe: at least this many query rows go through the bounds first.
const PRUNE_PROBE_ROWS: u64 = 16;
/// Pairs of at least this many DP cells on average are always pruned.
const PRUNE_MIN_PAIR_CELLS: usize = 1024;
/// Shorter pairs are pruned when the cheap bounds settled this share of the probe's pairs.
const PRUNE_MIN_CHEAP: f64 = 0.9;

/// A query over arenas: rows [rows.0, rows.1) of `q` against every trajectory of `x`.
/// `exclude_self`: `q` is `x` (queries=None), and query i is never its own neighbour.
#[derive(Clone, Copy)]
pub struct Query<'a> {
    pub spec: &'a MetricSpec,
    pub q: &'a Arena,
    pub x: &'a Arena,
    pub names: (&'a str, &'a str),
    pub rows: (u64, u64),
    pub exclude_self: bool,
    /// Whether to prune with lower bounds and early abandoning (the answer is the same; off,
    /// every pair is computed, which the tests and benchmarks compare against).
    pub prune: bool,
}

/// The neighbours of each query row, as rows of the sink's choosing.
trait Sink {
    /// Row `i` (the query's index in `q`) of distances to every trajectory of x.
    fn row(&mut self, i: usize, d: &[f64], exclude_self: bool) -> Result<()>;
    /// The next row's answer, found by the pruned path (`pruned_row`).
    fn answer(&mut self, row: Neighbours) -> Result<()>;
}

/// Orders candidates by distance, then index. `+ 0.0` makes -0.0 and 0.0 one key (a stable
/// argsort sees them equal; `total_cmp` would not).
fn by_distance(a: &(f64, usize), b: &(f64, usize)) -> Ordering {
    (a.0 + 0.0).total_cmp(&(b.0 + 0.0)).then(a.1.cmp(&b.1))
}

/// The k nearest: distances and indices, k per row.
struct Nearest {
    k: usize,
    dist: Vec<f64>,
    idx: Vec<i64>,
    cand: Vec<(f64, usize)>,
}

impl Sink for Nearest {
    fn row(&mut self, i: usize, d: &[f64], exclude_self: bool) -> Result<()> {
        self.cand.clear();
        self.cand.extend(d.iter().enumerate().filter(|&(j, _)| !(exclude_self && j == i)).map(|(j, &v)| (v, j)));
        let k = self.k;
        if k < self.cand.len() {
            self.cand.select_nth_unstable_by(k - 1, by_distance);
            self.cand.truncate(k);
        }
        self.cand.sort_unstable_by(by_distance);
        for &(v, j) in &self.cand {
            self.dist.push(v);
            self.idx.push(j as i64);
        }
        Ok(())
    }
    fn answer(&mut self, row: Neighbours) -> Result<()> {
        self.dist.extend(row.iter().map(|r| r.0));
        self.idx.extend(row.iter().map(|r| r.1 as i64));
        Ok(())
    }
}

/// Every pair within the radius, as the rows of a CSR matrix (column indices ascending).
struct Within {
    radius: f64,
    indptr: Vec<i64>,
    indices: Vec<i64>,
    data: Vec<f64>,
}

impl Sink for Within {
    fn row(&mut self, i: usize, d: &[f64], exclude_self: bool) -> Result<()> {
        for (j, &v) in d.iter().enumerate() {
            if v <= self.radius && !(exclude_self && j == i) {
                self.indices.try_reserve(1).map_err(|_| too_many("radius_neighbors", self.indices.len()))?;
                self.data.try_reserve(1).map_err(|_| too_many("radius_neighbors", self.data.len()))?;
                self.indices.push(j as i64);
                self.data.push(v);
            }
        }
        self.indptr.push(self.indices.len() as i64);
        Ok(())
    }
    fn answer(&mut self, row: Neighbours) -> Result<()> {
        self.indices.try_reserve(row.len()).map_err(|_| too_many("radius_neighbors", self.indices.len()))?;
        self.data.try_reserve(row.len()).map_err(|_| too_many("radius_neighbors", self.data.len()))?;
        self.indices.extend(row.iter().map(|r| r.1 as i64));
        self.data.extend(row.iter().map(|r| r.0));
        self.indptr.push(self.indices.len() as i64);
        Ok(())
    }
}

fn too_many(what: &str, have: usize) -> Error {
    Error::memory(format!("{what}: cannot hold more than {have} neighbours in memory; use a smaller radius"))
}

/// A buffer of `n` values, refused with MemoryError rather than aborting.
fn buffer<T: Clone>(n: usize, fill: T, what: &str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| Error::memory(format!("{what}: cannot allocate {n} entries")))?;
    v.resize(n, fill);
    Ok(v)
}

/// Runs the query's rows block by block through `sink`; `poll` sees progress in pairs.
fn run(query: &Query, sink: &mut dyn Sink, n_jobs: usize, poll: &mut dyn FnMut(u64, u64) -> Result<()>) -> Result<()> {
    let Query { spec, q, x, names, rows: (r0, r1), exclude_self, .. } = *query;
    let (nq, n) = (q.len() as u64, x.len() as u64);
    if r0 > r1 || r1 > nq {
        return Err(Error::value(format!("rows: [{r0}, {r1}) is outside the {nq} queries")));
    }
    // One evaluator for the whole task: it checks every trajectory the task touches before any
    // distance is computed (a bad query is reported at once, X even with no rows) and prepares
    // them once. SOWD's grid spans all the queries, as in a cdist of the same arenas.
    let v0 = if task::whole_call(spec) { 0 } else { r0 };
    let rows = q.view(v0 as usize, r1 as usize, names.0)?;
    let ev = Evaluator::new(spec, rows, names.0, Some((x.view(0, n as usize, names.1)?, names.1)))?;
    let total = (r1 - r0) * n;
    let block = (BLOCK_ENTRIES as u64 / n.max(1)).max(1);
    let mut buf = buffer(((block * n) as usize).min((total as usize).max(1)), 0.0f64, names.1)?;
    let mut b0 = r0;
    while b0 < r1 {
        let b1 = (b0 + block).min(r1);
        let len = ((b1 - b0) * n) as usize;
        let before = (b0 - r0) * n;
        let index = PairIndex::Rect { row0: b0 - v0, col0: 0, cols: n.max(1), skip: 0 };
        let out = OutSlice::F64(&mut buf[..len]);
        executor::run(&ev, index, out, n_jobs, &mut |done, _| poll(before + done, total))?;
        for r in b0..b1 {
            let at = ((r - b0) * n) as usize;
            sink.row(r as usize, &buf[at..at + n as usize], exclude_self)?;
        }
        b0 = b1;
    }
    poll(total, total)
}

/// What the pruning did, in pairs (query, candidate): every pair is counted once, by the first
/// step that settled it.
#[derive(Default, Clone, Copy, Debug)]
pub struct Stats {
    /// Pairs considered: queries times candidates.
    pub pairs: u64,
    /// Settled by the bounds that cost O(1) a pair (ends, boxes' gap, ERP's gap sums), either
    /// one by one or, for kNN, all those left once the smallest bound left was above the k-th.
    pub cheap: u64,
    /// Settled by the boxes of groups of points against the other trajectory's box.
    pub groups: u64,
    /// Settled by each point's gap to the other trajectory's box.
    pub points: u64,
    /// Settled by the groups aligned in order (`bound::Pair::block_path`).
    pub blocks: u64,
    /// Taken from the other orientation, computed for another query (kNN of X over itself).
    pub reused: u64,

    /// Computed, but stopped early by the DP kernels (early abandoning).
    pub abandoned: u64,
    /// Computed to the end.
    pub computed: u64,
}

impl Stats {
    fn add(&mut self, o: &Stats) {
        self.pairs += o.pairs;
        self.cheap += o.cheap;
        self.groups += o.groups;
        self.points += o.points;
        self.blocks += o.blocks;
        self.reused += o.reused;

        self.abandoned += o.abandoned;
        self.computed += o.computed;
    }
}

/// What a query asks of each row.
#[derive(Clone, Copy)]
enum Want {
    Nearest(usize),
    Within(f64),
}

/// Candidates evaluated at once: one pass of the lane kernel, so that the k-th best, and with
/// it the pruning, follow every pass.
const BATCH: usize = 32;

/// One query row through the bounds: its neighbours as (distance, index), by distance then
/// index for kNN, by index for a radius.
// `!(x > limit)` rather than `x <= limit`: a NaN must never count as above the limit.
#[allow(clippy::too_many_arguments, clippy::neg_cmp_op_on_partial_ord)]
fn pruned_row(
    ev: &Evaluator,
    bd: &Bounds,
    i: usize,
    skip: Option<usize>,
    want: Want,
    seeds: Option<&Seeds>,
    sc: &mut Scratch,
    st: &mut Stats,
) -> Result<Neighbours> {
    let n = ev.len_b();
    // What the rows before this one computed of it (kNN over itself only).
    let handed = match (want, seeds, skip) {
        (Want::Nearest(_), Some(s), Some(me)) => s.take(me),
        _ => Vec::new(),
    };
    let known = seeds.is_some_and(|s| s.exact) && !handed.is_empty();
    let mut done = buffer(if known { n } else { 0 }, false, "X")?;
    if known {
        for &(j, _) in &handed {
            done[j] = true;
        }
    }
    let fresh = |j: usize| Some(j) != skip && !(known && done[j]);
    let mut cand: Vec<(f64, usize)> = Vec::new();
    cand.try_reserve_exact(n).map_err(|_| Error::memory(format!("knn: cannot hold the bounds of {n} candidates")))?;
    cand.extend((0..n).filter(|&j| fresh(j)).map(|j| (bd.of(i, j, Level::Cheap), j)));
    st.pairs += (cand.len() + if known { handed.len() } else { 0 }) as u64;
    let full = bd.has_full();
    let (mut batch, mut vals) = (Vec::with_capacity(BATCH), vec![0.0; BATCH]);
    let mut eval = |batch: &mut Vec<usize>, limit: f64, st: &mut Stats, sc: &mut Scratch, keep: &mut dyn FnMut(f64, usize)| {
        let vals = &mut vals[..batch.len()];
        ev.eval_limited(i, batch, limit.is_finite().then_some(limit), vals, sc);
        for (&v, &j) in vals.iter().zip(batch.iter()) {
            if v == f64::INFINITY && limit.is_finite() {
                st.abandoned += 1;
            } else {
                st.computed += 1;
                if let (Some(s), Some(me)) = (seeds, skip) {
                    s.give(me, j, v);
                }
            }
            // Above a finite limit, a value is above the answer's last one (the limit never
            // goes below it): nothing to keep.
            if !(v > limit) {
                keep(v, j);
            }
        }
        batch.clear();
    };
    match want {
        Want::Within(radius) => {
            let mut found = Vec::new();
            cand.retain(|&(b, j)| {
                if b > radius {
                    st.cheap += 1;
                    return false;
                }
                !(full && finer_above(bd, i, j, radius, st))
            });
            // Similar lengths side by side, for the lane kernel's passes.
            cand.sort_unstable_by_key(|&(_, j)| (ev.traj_len_b(j), j));
            for &(_, j) in &cand {
                batch.push(j);
                if batch.len() == BATCH {
                    eval(&mut batch, radius, st, sc, &mut |v, j| if v <= radius { found.push((v, j)) });
                }
            }
            eval(&mut batch, radius, st, sc, &mut |v, j| if v <= radius { found.push((v, j)) });
            found.sort_unstable_by_key(|&(_, j)| j);
            Ok(found)
        }
        Want::Nearest(k) => {
            // The best k so far, worst on top: a candidate enters when it comes before the top.
            let mut best: std::collections::BinaryHeap<Ranked> = std::collections::BinaryHeap::with_capacity(k + 1);
            // The threshold: the k-th best so far, or what other rows found if lower.
            let seeded = match seeds {
                Some(s) if !s.exact && handed.len() >= k => {
                    let mut v: Vec<f64> = handed.iter().map(|&(_, d)| d * (1.0 + s.margin)).collect();
                    *v.select_nth_unstable_by(k - 1, f64::total_cmp).1
                }
                _ => f64::INFINITY,
            };
            let kth = |best: &std::collections::BinaryHeap<Ranked>| {
                let top = if best.len() == k { best.peek().map_or(f64::INFINITY, |r| r.0 .0 + 0.0) } else { f64::INFINITY };
                top.min(seeded)
            };
            let keep = |best: &mut std::collections::BinaryHeap<Ranked>, v: f64, j: usize| {
                if best.len() < k {
                    best.push(Ranked((v, j)));
                } else if best.peek().is_some_and(|t| by_distance(&(v, j), &t.0) == Ordering::Less) {
                    best.pop();
                    best.push(Ranked((v, j)));
                }
            };
            // Best first: the candidate with the smallest bound known is computed next, so the
            // k-th best falls as fast as it can. Candidates come out of `cand` in increasing
            // order of cheap bound (a growing slice sorted at a time); each gets its group
            // bound on the way into `open`, a min-heap by that finer bound. The next to compute
            // is open's smallest, unless the next cheap bound is smaller; everything stops
            // once both are above the k-th best.
            if known {
                st.reused += handed.len() as u64;
                for &(j, v) in &handed {
                    keep(&mut best, v, j);
                }
            }
            let mut open: std::collections::BinaryHeap<std::cmp::Reverse<Ranked>> = std::collections::BinaryHeap::new();
            let mut stream = Stream { rest: &mut cand[..], head: 0, take: (2 * k).max(64), at: 0 };
            loop {
                let limit = kth(&best);
                // Into open: the cheap candidates that come before open's smallest, and enough
                // for a full pass of the lane kernel.
                while let Some((b, j)) = stream.peek().filter(|c| !(c.0 > limit)) {
                    if open.len() >= BATCH && open.peek().is_some_and(|o| !(b < o.0 .0 .0)) {
                        break;
                    }
                    stream.pop();
                    let b = if full { bd.of(i, j, Level::Groups) } else { b };
                    if b > limit {
                        st.groups += 1;
                    } else {
                        open.push(std::cmp::Reverse(Ranked((b, j))));
                    }
                }
                if open.peek().is_none_or(|o| o.0 .0 .0 > limit) {
                    st.cheap += stream.left() as u64;
                    st.groups += open.len() as u64;
                    break;
                }
                // Open's smallest bounds, a pass of the lane kernel.
                while batch.len() < BATCH {
                    let Some(std::cmp::Reverse(Ranked((b, j)))) = open.pop() else { break };
                    if b > limit {
                        st.groups += 1;
                    } else if full && bd.of(i, j, Level::Points) > limit {
                        st.points += 1;
                    } else if bd.has_blocks() && bd.of(i, j, Level::Blocks) > limit {
                        st.blocks += 1;
                    } else {
                        batch.push(j);
                    }
                }
                eval(&mut batch, limit, st, sc, &mut |v, j| keep(&mut best, v, j));
            }
            let limit = kth(&best);
            eval(&mut batch, limit, st, sc, &mut |v, j| keep(&mut best, v, j));
            let mut v: Vec<(f64, usize)> = best.into_iter().map(|r| r.0).collect();
            v.sort_unstable_by(by_distance);
            Ok(v)
        }
    }
}

/// Candidates in increasing order of (bound, index), sorted a growing slice at a time: a query
/// usually stops long before the end.
struct Stream<'c> {
    rest: &'c mut [(f64, usize)],
    /// rest[..head] is sorted and rest[at..head] not yet taken.
    head: usize,
    take: usize,
    at: usize,
}

impl Stream<'_> {
    fn peek(&mut self) -> Option<(f64, usize)> {
        if self.at == self.head {
            let rest = std::mem::take(&mut self.rest);
            self.rest = &mut rest[self.head..];
            (self.at, self.head) = (0, self.take.min(self.rest.len()));
            if self.head == 0 {
                return None;
            }
            if self.head < self.rest.len() {
                self.rest.select_nth_unstable_by(self.head - 1, by_distance);
            }
            self.rest[..self.head].sort_unstable_by(by_distance);
            self.take *= 2;
        }
        Some(self.rest[self.at])
    }
    fn pop(&mut self) -> Option<(f64, usize)> {
        let c = self.peek()?;
        self.at += 1;
        Some(c)
    }
    /// Candidates not taken.
    fn left(&self) -> usize {
        self.rest.len() - self.at
    }
}

/// Whether the bounds past the cheap ones put (a[i], b[j]) above `limit`: group boxes first,
/// then points, counted in `st` by the one that did.
fn finer_above(bd: &Bounds, i: usize, j: usize, limit: f64, st: &mut Stats) -> bool {
    if bd.of(i, j, Level::Groups) > limit {
        st.groups += 1;
        return true;
    }
    if bd.of(i, j, Level::Points) > limit {
        st.points += 1;
        return true;
    }
    if bd.has_blocks() && bd.of(i, j, Level::Blocks) > limit {
        st.blocks += 1;
        return true;
    }

    false
}

/// For a kNN of x over itself: the distances each row has computed, handed to the rows of the
/// candidates, whose own distance to it they are (d(i, j) and d(j, i) compute the same value,
/// with the points in the other role). Only metrics whose two orientations are the same value
/// (registry: symmetric), not LCSS and EDR, whose match tests at eps could count one more
/// match in one orientation than in the other.
/// - `exact`: the two orientations give the same bits, so a row takes what it is handed as
///   computed. Euclidean DTW, discrete Fréchet and ERP: their cells are min/max/sums of the
///   same operands in both orientations (the row and column predecessors trade places inside
///   a min, which is exact; (x - y)^2 = (y - x)^2; ERP's gap costs trade places likewise), by
///   induction over the cells. tests/test_queries.py checks cdist(X, X) == cdist(X, X).T.
/// - otherwise a row that has been handed k of them starts with their k-th smallest, raised
///   by `margin` above any rounding difference, as its threshold: it stays at or above the
///   row's k-th best distance, so nothing it prunes could have been an answer. The margin:
///   both orientations lie within (n + m)·u (sums), a few u (one ground distance, maxima) or
///   the search's tolerance 1e-10 (Fréchet) of the same exact value, far below 2^-20 for
///   trajectories of fewer than 2^30 points; spherical ground distances lose up to about
///   sqrt(u) relative near antipodes (asin's conditioning), so spherical space takes 2^-10.
struct Seeds {
    rows: Vec<std::sync::Mutex<Vec<(usize, f64)>>>,
    r0: usize,
    exact: bool,
    margin: f64,
}

impl Seeds {
    /// Seeds for rows [r0, r1) of a kNN over itself, where the metric allows.
    fn new(spec: &MetricSpec, rows: (u64, u64), exclude_self: bool) -> Option<Seeds> {
        use crate::{MetricKind, Space};
        if !exclude_self || !spec.symmetric() || matches!(spec.kind, MetricKind::Lcss | MetricKind::Edr) {
            return None;
        }
        let euclidean = spec.space == Space::Euclidean;
        let exact = euclidean && matches!(spec.kind, MetricKind::Dtw | MetricKind::DiscreteFrechet | MetricKind::Erp);
        let margin = if euclidean { 1.0 / (1u64 << 20) as f64 } else { 1.0 / 1024.0 };
        let rows_ = (rows.0..rows.1).map(|_| std::sync::Mutex::new(Vec::new())).collect();
        Some(Seeds { rows: rows_, r0: rows.0 as usize, exact, margin })
    }
    /// Row i's distance to candidate j (both indices of x), for j's row.
    fn give(&self, i: usize, j: usize, v: f64) {
        if let Some(r) = j.checked_sub(self.r0).and_then(|k| self.rows.get(k)) {
            r.lock().unwrap_or_else(|e| e.into_inner()).push((i, v));
        }
    }
    /// What row `me` has been handed: (candidate, distance).
    fn take(&self, me: usize) -> Vec<(usize, f64)> {
        match me.checked_sub(self.r0).and_then(|k| self.rows.get(k)) {
            Some(r) => std::mem::take(&mut *r.lock().unwrap_or_else(|e| e.into_inner())),
            None => Vec::new(),
        }
    }
}

/// One query row's answer: (distance, index) pairs.
type Neighbours = Vec<(f64, usize)>;

/// A candidate in the kNN heap, ordered as `by_distance`.
#[derive(Clone, Copy)]
struct Ranked((f64, usize));

impl PartialEq for Ranked {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Ranked {
    fn cmp(&self, o: &Self) -> Ordering {
        by_distance(&self.0, &o.0)
    }
}

/// The query's rows through the bounds (`pruned_row`), rows in parallel; None when the
/// evaluator has no bounds (the rows are then computed whole, `run`).
fn run_pruned(query: &Query, want: Want, n_jobs: usize, poll: &mut dyn FnMut(u64, u64) -> Result<()>) -> Result<Option<(Vec<Neighbours>, Stats)>> {
    let Query { spec, q, x, names, rows: (r0, r1), exclude_self, .. } = *query;
    let (nq, n) = (q.len() as u64, x.len() as u64);
    if r0 > r1 || r1 > nq {
        return Err(Error::value(format!("rows: [{r0}, {r1}) is outside the {nq} queries")));
    }
    if task::whole_call(spec) {
        return Ok(None);
    }
    let ev = Evaluator::new(spec, q.view(r0 as usize, r1 as usize, names.0)?, names.0, Some((x.view(0, n as usize, names.1)?, names.1)))?;
    let Some(bd) = ev.bounds() else { return Ok(None) };
    let seeds = Seeds::new(spec, (r0, r1), exclude_self);
    let stats = std::sync::Mutex::new(Stats::default());
    let rows = executor::map_rows((r1 - r0) as usize, n, n_jobs, poll, |k, sc| {
        let mut st = Stats::default();
        let skip = exclude_self.then_some(r0 as usize + k);
        let row = pruned_row(&ev, &bd, k, skip, want, seeds.as_ref(), sc, &mut st);
        stats.lock().unwrap_or_else(|e| e.into_inner()).add(&st);
        row
    })?;
    let rows = rows.into_iter().collect::<Result<Vec<Neighbours>>>()?;
    poll(n * (r1 - r0), n * (r1 - r0))?;
    Ok(Some((rows, stats.into_inner().unwrap_or_else(|e| e.into_inner()))))
}

/// The candidates of one query: x's trajectories, less the query itself with `exclude_self`.
fn candidates(query: &Query) -> u64 {
    (query.x.len() as u64).saturating_sub(query.exclude_self as u64)
}

/// The k nearest of each query row: (distances, indices), row-major, k per row.
pub fn knn(query: &Query, k: usize, n_jobs: usize, poll: &mut dyn FnMut(u64, u64) -> Result<()>) -> Result<(Vec<f64>, Vec<i64>, Stats)> {
    let have = candidates(query);
    if k == 0 || k as u64 > have {
        let who = if query.exclude_self { "other trajectories" } else { "trajectories" };
        return Err(Error::value(format!("k: must be between 1 and the {have} {who} of {}, got {k}", query.names.1)));
    }
    let size = (query.rows.1.saturating_sub(query.rows.0) as usize).saturating_mul(k);
    let mut sink = Nearest { k, dist: Vec::new(), idx: Vec::new(), cand: Vec::new() };
    sink.dist.try_reserve_exact(size).map_err(|_| Error::memory(format!("knn: cannot allocate {size} distances")))?;
    sink.idx.try_reserve_exact(size).map_err(|_| Error::memory(format!("knn: cannot allocate {size} indices")))?;
    let stats = answer(query, Want::Nearest(k), &mut sink, n_jobs, poll)?;
    Ok((sink.dist, sink.idx, stats))
}

/// The query's rows into `sink`: pruned where it pays, else computed whole (`run`). The first
/// rows (PRUNE_PROBE_ROWS, or a 32nd of the task) go through the bounds; the rest follow them
/// when pairs are long (PRUNE_MIN_PAIR_CELLS cells on average: a pair's DP then costs far more
/// than its bounds), or when the cheap bounds alone settled PRUNE_MIN_CHEAP of the probe's
/// pairs. Short pairs that the cheap bounds rarely settle cost less computed whole, in the
/// row path, than bounded one by one.
fn answer(query: &Query, want: Want, sink: &mut dyn Sink, n_jobs: usize, poll: &mut dyn FnMut(u64, u64) -> Result<()>) -> Result<Stats> {
    let (r0, r1) = query.rows;
    if !query.prune || r0 >= r1 {
        run(query, sink, n_jobs, poll)?;
        return Ok(brute_stats(query));
    }
    let n = query.x.len() as u64;
    let total = (r1 - r0) * n;
    let probe_end = r1.min(r0 + PRUNE_PROBE_ROWS.max((r1 - r0) / 32));
    let probe = Query { rows: (r0, probe_end), ..*query };
    let Some((rows, mut stats)) = run_pruned(&probe, want, n_jobs, &mut |d, _| poll(d, total))? else {
        run(query, sink, n_jobs, poll)?;
        return Ok(brute_stats(query));
    };
    for row in rows {
        sink.answer(row)?;
    }
    if probe_end == r1 {
        return Ok(stats);
    }
    let rest = Query { rows: (probe_end, r1), ..*query };
    let before = (probe_end - r0) * n;
    let mut poll_rest = |d: u64, _: u64| poll(before + d, total);
    let points = |a: &Arena, lo: usize, hi: usize| -> Result<f64> {
        let c = a.view(lo, hi, "X")?;
        Ok((0..c.len()).map(|i| c.traj_len(i) as f64).sum::<f64>() / c.len().max(1) as f64)
    };
    let cells = points(query.q, r0 as usize, r1 as usize)? * points(query.x, 0, n as usize)?;
    let cheap = stats.cheap as f64 >= PRUNE_MIN_CHEAP * stats.pairs as f64;
    if cells >= PRUNE_MIN_PAIR_CELLS as f64 || cheap {
        let (rows, more) = run_pruned(&rest, want, n_jobs, &mut poll_rest)?.expect("the probe had bounds");
        for row in rows {
            sink.answer(row)?;
        }
        stats.add(&more);
    } else {
        run(&rest, sink, n_jobs, &mut poll_rest)?;
        stats.add(&brute_stats(&rest));
    }
    Ok(stats)
}

/// A query computed whole: every pair computed.
fn brute_stats(query: &Query) -> Stats {
    let pairs = (query.rows.1 - query.rows.0) * candidates(query);
    Stats { pairs, computed: pairs, ..Stats::default() }
}

/// Every neighbour within `radius` of each query row, as CSR (indptr, indices, data).
#[allow(clippy::type_complexity)]
pub fn within(query: &Query, radius: f64, n_jobs: usize, poll: &mut dyn FnMut(u64, u64) -> Result<()>) -> Result<(Vec<i64>, Vec<i64>, Vec<f64>, Stats)> {
    if radius.is_nan() || radius < 0.0 {
        return Err(Error::value(format!("radius: must be a number >= 0, got {radius}")));
    }
    let mut sink = Within { radius, indptr: vec![0], indices: Vec::new(), data: Vec::new() };
    let stats = answer(query, Want::Within(radius), &mut sink, n_jobs, poll)?;
    Ok((sink.indptr, sink.indices, sink.data, stats))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_orders_by_distance_then_index_and_skips_itself() {
        let mut s = Nearest { k: 3, dist: Vec::new(), idx: Vec::new(), cand: Vec::new() };
        s.row(1, &[2.0, 0.0, -0.0, 2.0, 0.0, 5.0], true).unwrap();
        assert_eq!(s.idx, [2, 4, 0]);
        assert_eq!(s.dist, [-0.0, 0.0, 2.0]);
        let mut w = Within { radius: 2.0, indptr: vec![0], indices: Vec::new(), data: Vec::new() };
        w.row(1, &[2.0, 0.0, -0.0, 2.5, 0.0], true).unwrap();
        assert_eq!((w.indptr, w.indices), (vec![0, 3], vec![0, 2, 4]));
    }
}
