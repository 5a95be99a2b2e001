//! Nearest-neighbour and range queries: for each query, the k nearest trajectories of x (ties
//! broken by the smaller index, as a stable argsort of its row of the cdist would), or every
//! trajectory within a radius. A task is a range of query rows, as a pdist task is a range of
//! pairs, so the process backends can split a call the same way.
//!
//! Every distance is the batch engine's (the evaluator and executor that `cdist` uses), so an
//! answer has the bits of the full matrix. Rows are computed in blocks of about BLOCK_ENTRIES
//! distances (one row at least), then reduced to their neighbours (the sinks below): memory is
//! O(block + answer), never O(queries x n).

use std::cmp::Ordering;

use super::{executor, task, Evaluator, OutSlice, PairIndex};
use crate::arena::Arena;
use crate::error::{Error, Result};
use crate::MetricSpec;

/// Distances held at once: 4 M (32 MB). A block is as many query rows as fit, at least one.
const BLOCK_ENTRIES: usize = 1 << 22;

/// A query over arenas: rows [rows.0, rows.1) of `q` against every trajectory of `x`.
/// `exclude_self`: `q` is `x` (queries=None), and query i is never its own neighbour.
pub struct Query<'a> {
    pub spec: &'a MetricSpec,
    pub q: &'a Arena,
    pub x: &'a Arena,
    pub names: (&'a str, &'a str),
    pub rows: (u64, u64),
    pub exclude_self: bool,
}

/// The neighbours of each query row, as rows of the sink's choosing.
trait Sink {
    /// Row `i` (the query's index in `q`) of distances to every trajectory of x.
    fn row(&mut self, i: usize, d: &[f64], exclude_self: bool) -> Result<()>;
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
    let Query { spec, q, x, names, rows: (r0, r1), exclude_self } = *query;
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

/// The candidates of one query: x's trajectories, less the query itself with `exclude_self`.
fn candidates(query: &Query) -> u64 {
    (query.x.len() as u64).saturating_sub(query.exclude_self as u64)
}

/// The k nearest of each query row: (distances, indices), row-major, k per row.
pub fn knn(query: &Query, k: usize, n_jobs: usize, poll: &mut dyn FnMut(u64, u64) -> Result<()>) -> Result<(Vec<f64>, Vec<i64>)> {
    let have = candidates(query);
    if k == 0 || k as u64 > have {
        let who = if query.exclude_self { "other trajectories" } else { "trajectories" };
        return Err(Error::value(format!("k: must be between 1 and the {have} {who} of {}, got {k}", query.names.1)));
    }
    let size = (query.rows.1.saturating_sub(query.rows.0) as usize).saturating_mul(k);
    let mut sink = Nearest { k, dist: Vec::new(), idx: Vec::new(), cand: Vec::new() };
    sink.dist.try_reserve_exact(size).map_err(|_| Error::memory(format!("knn: cannot allocate {size} distances")))?;
    sink.idx.try_reserve_exact(size).map_err(|_| Error::memory(format!("knn: cannot allocate {size} indices")))?;
    run(query, &mut sink, n_jobs, poll)?;
    Ok((sink.dist, sink.idx))
}

/// Every neighbour within `radius` of each query row, as CSR (indptr, indices, data).
pub fn within(query: &Query, radius: f64, n_jobs: usize, poll: &mut dyn FnMut(u64, u64) -> Result<()>) -> Result<(Vec<i64>, Vec<i64>, Vec<f64>)> {
    if radius.is_nan() || radius < 0.0 {
        return Err(Error::value(format!("radius: must be a number >= 0, got {radius}")));
    }
    let mut sink = Within { radius, indptr: vec![0], indices: Vec::new(), data: Vec::new() };
    run(query, &mut sink, n_jobs, poll)?;
    Ok((sink.indptr, sink.indices, sink.data))
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
