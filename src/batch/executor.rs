//! Runs an evaluator over an output buffer: serially in the calling thread for small jobs, else
//! on a rayon pool of exactly `n_jobs` threads. Results are written straight into the caller's
//! buffer; each chunk of output positions is an independent task. The calling thread stays free
//! to poll (progress, Ctrl-C) while the pool works.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Instant;

use rayon::prelude::*;
use rayon::ThreadPool;

use super::evaluator::Scratch;
use super::tuning::{
    CHUNK_CELLS, GROUPED_MAX_PAIRS, GROUPED_MIN_PAIR_CELLS, GROUPED_WEIGHT_DP, GROUPED_WEIGHT_EDWP, LANE_CHUNK_CELLS,
    LANE_TASKS_PER_THREAD, MAX_CHUNK_PAIRS, MAX_SERIAL_CHUNK_PAIRS, POLL_EVERY, ROW_CHUNK_PAIRS, SERIAL_CELLS,
    TASKS_PER_THREAD,
};
use super::pairs::Run;
use super::{Evaluator, PairIndex};
use crate::metrics::dp_kernel::LANES;
use crate::error::{Error, Result};

/// The caller's output buffer, in the dtype it asked for.
pub enum OutSlice<'a> {
    F64(&'a mut [f64]),
    F32(&'a mut [f32]),
}

impl OutSlice<'_> {
    pub fn len(&self) -> usize {
        match self {
            OutSlice::F64(s) => s.len(),
            OutSlice::F32(s) => s.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Progress and cancellation shared between the workers and the polling thread.
/// `cancel` is also the flag the kernels poll inside long pairs (`crate::cancel`).
#[derive(Default)]
pub struct Control {
    pub done: AtomicU64,
    pub cancel: Arc<AtomicBool>,
}

fn chunk_cells(ev: &Evaluator) -> u64 {
    if ev.cheap_lanes() { LANE_CHUNK_CELLS } else { CHUNK_CELLS }
}

/// `poll(done, total)` is called about every 100 ms from the calling thread; an error from it
/// cancels the computation and is returned.
pub fn run(
    ev: &Evaluator,
    pairs: PairIndex,
    out: OutSlice,
    n_jobs: usize,
    poll: &mut dyn FnMut(u64, u64) -> Result<()>,
) -> Result<()> {
    let total = out.len() as u64;
    if total == 0 {
        return poll(0, 0);
    }
    let ctl = Control::default();
    let cells = estimate_cells(ev, &pairs, total);
    let serial = n_jobs <= 1 || total < 2 || cells < SERIAL_CELLS;
    let serial_chunk = serial_chunk_len(ev, total, cells);
    // Lane jobs whose chunks would be small are grouped whole (`run_grouped`) when their pairs
    // are costly enough for the serial bookkeeping (sorting and scattering every pair) not to
    // show; a serial job that fits one chunk is grouped whole by the plain path.
    let weight = if ev.cheap_lanes() { GROUPED_WEIGHT_DP } else { GROUPED_WEIGHT_EDWP };
    // A serial job with a pair longer than a chunk computes in a thread of its own (below).
    let long_pair = serial && ev.max_pair_cells() > chunk_cells(ev);
    let grouped = !long_pair
        && ev.lanes_apply()
        && total <= GROUPED_MAX_PAIRS
        && cells * weight >= GROUPED_MIN_PAIR_CELLS * total
        && cells < n_jobs.max(1) as u64 * LANE_TASKS_PER_THREAD * chunk_cells(ev)
        && !(serial && serial_chunk as u64 >= total);
    let result = if grouped {
        let pool = if serial { None } else { Some(pool(n_jobs)?) };
        run_grouped(pool.as_deref(), ev, &pairs, out, n_jobs, &ctl, poll)
    } else if long_pair {
        // One pair may hold more work than a poll period: compute in a thread of its own while
        // this one polls and, on Ctrl-C, sets the flag the kernel checks inside the pair.
        drive(None, total, &ctl, poll, || {
            let _ = run_serial(ev, &pairs, out, serial_chunk, &ctl, &mut |_, _| Ok(()));
        })
    } else if serial {
        run_serial(ev, &pairs, out, serial_chunk, &ctl, poll)
    } else {
        let pool = pool(n_jobs)?;
        let chunks = cost_chunks(ev, &pairs, total, n_jobs);
        run_parallel(&pool, ev, &pairs, out, &chunks, &ctl, poll)
    };
    result?;
    poll(total, total)
}

/// Runs one computation (a single pair) in a thread of its own while the calling thread polls
/// about every POLL_EVERY; an error from `poll` stops the computation inside its kernel and is
/// returned. Every call has its own thread, so that Python threads computing pairs at the same
/// time (the GIL released) do not queue behind one another.
pub fn run_one<T: Send>(poll: &mut dyn FnMut(u64, u64) -> Result<()>, work: impl FnOnce() -> T + Send) -> Result<T> {
    let ctl = Control::default();
    let mut res = None;
    drive(None, 1, &ctl, poll, || res = Some(crate::cancel::scope(&ctl.cancel, work)))?;
    // `drive` returns Ok only once `work` has run to its end.
    res.unwrap_or(Err(Error::Cancelled))
}

/// Cheap estimate of the work: mean cost per pair times pairs.
fn estimate_cells(ev: &Evaluator, pairs: &PairIndex, total: u64) -> u64 {
    match pairs {
        PairIndex::List { .. } | PairIndex::Condensed { .. } | PairIndex::Rect { .. } => {
            let na = ev.len_a().max(1) as u64;
            let nb = ev.len_b().max(1) as u64;
            let mean = (ev.total_points_a() / na).max(1) * (ev.total_points_b() / nb).max(1);
            mean.saturating_mul(total)
        }
    }
}

/// Output ranges [start, end) for the threads, cut by cost (n_i * n_j + plan::PAIR_OVERHEAD per
/// pair), not by count, so that skewed lengths still give chunks of similar work: about
/// (LANE_)TASKS_PER_THREAD per thread for work stealing to even out, none above `chunk_cells`
/// (the cancel latency) unless a single pair is, and none under a full set of lanes (bar the
/// last).
fn cost_chunks(ev: &Evaluator, pairs: &PairIndex, total: u64, threads: usize) -> Vec<(u64, u64)> {
    let bounds = cost_bounds(ev, pairs, total, threads);
    if ev.lanes_apply() { whole_lanes(&bounds, total) } else { bounds }
}

/// Moves each cut to the nearest multiple of LANES output positions: a chunk of 9 pairs costs
/// two passes of the lane kernel, as 16 do. Where lengths are alike this halves the passes of
/// short chunks; where they differ, a cut moves by at most 4 pairs.
fn whole_lanes(bounds: &[(u64, u64)], total: u64) -> Vec<(u64, u64)> {
    let w = LANES as u64;
    let mut out: Vec<(u64, u64)> = Vec::with_capacity(bounds.len());
    let mut start = 0;
    for &(_, end) in bounds {
        let end = if end >= total { total } else { (end + w / 2) / w * w };
        if end > start {
            out.push((start, end));
            start = end;
        }
    }
    if start < total {
        out.push((start, total));
    }
    out
}

fn cost_bounds(ev: &Evaluator, pairs: &PairIndex, total: u64, threads: usize) -> Vec<(u64, u64)> {
    let per_thread = if ev.cheap_lanes() { LANE_TASKS_PER_THREAD } else { TASKS_PER_THREAD };
    let most = if ev.row_major() { ROW_CHUNK_PAIRS } else { MAX_CHUNK_PAIRS };
    let tasks = ((threads as u64 * per_thread).max(estimate_cells(ev, pairs, total) / chunk_cells(ev)).max(total / most))
        .min(total / LANES as u64)
        .max(1) as usize;
    let (na, nb) = (ev.len_a(), ev.len_b());
    let lengths_a = || (0..na).map(|i| ev.traj_len_a(i) as u64).collect::<Vec<u64>>();
    // A whole pdist or cdist: `plan` cuts it in closed form from the lengths.
    match *pairs {
        PairIndex::Condensed { n, start: 0 } if n == na as u64 && total == n * n.saturating_sub(1) / 2 => {
            return super::plan::condensed_ranges(&lengths_a(), tasks);
        }
        PairIndex::Rect { row0: 0, col0: 0, cols, skip: 0 } if cols == nb as u64 && total == (na * nb) as u64 => {
            let lengths_b: Vec<u64> = (0..nb).map(|j| ev.traj_len_b(j) as u64).collect();
            return super::plan::rect_ranges(&lengths_a(), &lengths_b, tasks);
        }
        _ => {}
    }
    // Anything else (ranges, blocks, pair lists): walk the pairs.
    let target = (estimate_cells(ev, pairs, total) / tasks as u64).clamp(1, chunk_cells(ev));
    let mut bounds = Vec::with_capacity(tasks + 1);
    let (mut start, mut acc) = (0u64, 0u64);
    pairs.for_each(0, total as usize, |p, i, j| {
        acc += ev.cost(i, j) + super::plan::PAIR_OVERHEAD;
        let end = p as u64 + 1;
        if acc >= target && end - start >= LANES as u64 {
            bounds.push((start, end));
            start = end;
            acc = 0;
        }
    });
    if start < total {
        bounds.push((start, total));
    }
    bounds
}

/// Serial chunks: small enough to poll for progress and Ctrl-C often (at most `chunk_cells`),
/// large enough that bookkeeping vanishes and that the lane kernel has many
/// pairs to group by length.
fn serial_chunk_len(ev: &Evaluator, total: u64, cells: u64) -> usize {
    let mean_cells = (cells / total.max(1)).max(1);
    let most = if ev.row_major() { ROW_CHUNK_PAIRS } else { MAX_SERIAL_CHUNK_PAIRS };
    // at least a full set of lanes, so the lane kernel sees whole groups
    (chunk_cells(ev) / mean_cells).clamp(LANES as u64, most) as usize
}

#[inline]
fn fill_chunk(ev: &Evaluator, pairs: &PairIndex, k0: u64, out: &mut OutChunk) {
    if ev.lanes_apply() {
        return fill_lanes(ev, pairs, k0, out);
    }
    match out {
        OutChunk::F64(s) => pairs.for_each(k0, s.len(), |p, i, j| s[p] = ev.eval(i, j)),
        OutChunk::F32(s) => pairs.for_each(k0, s.len(), |p, i, j| s[p] = ev.eval(i, j) as f32),
    }
}

/// A thread's buffers for `fill_lanes`: the kernels', the chunk's pairs as a list or as runs,
/// and f64 results on their way to an f32 output.
type ChunkBuffers = (Scratch, Vec<(usize, usize)>, Vec<Run>, Vec<f64>);

/// The chunk's pairs through the lane kernel, which groups them by length.
fn fill_lanes(ev: &Evaluator, pairs: &PairIndex, k0: u64, out: &mut OutChunk) {
    thread_local! {
        static SCRATCH: std::cell::RefCell<ChunkBuffers> = Default::default();
    }
    SCRATCH.with(|s| {
        let (scratch, ij, runs, buf) = &mut *s.borrow_mut();
        let len = match out {
            OutChunk::F64(o) => o.len(),
            OutChunk::F32(o) => o.len(),
        };
        let by_runs = pairs.runs(k0, len, runs).is_some();
        if !by_runs {
            ij.clear();
            pairs.for_each(k0, len, |_, i, j| ij.push((i, j)));
        }
        let mut eval = |o: &mut [f64]| if by_runs { ev.eval_runs(runs, o, scratch) } else { ev.eval_pairs(ij, o, scratch) };
        match out {
            OutChunk::F64(o) => eval(o),
            OutChunk::F32(o) => {
                buf.resize(len, 0.0);
                eval(buf);
                for (dst, v) in o.iter_mut().zip(buf.iter()) {
                    *dst = *v as f32;
                }
            }
        }
    })
}

enum OutChunk<'a> {
    F64(&'a mut [f64]),
    F32(&'a mut [f32]),
}

fn run_serial(
    ev: &Evaluator,
    pairs: &PairIndex,
    out: OutSlice,
    chunk: usize,
    ctl: &Control,
    poll: &mut dyn FnMut(u64, u64) -> Result<()>,
) -> Result<()> {
    let total = out.len() as u64;
    let mut last = Instant::now();
    let mut step = |k0: u64, mut c: OutChunk, n: usize| -> Result<()> {
        crate::cancel::scope(&ctl.cancel, || fill_chunk(ev, pairs, k0, &mut c))?;
        let done = ctl.done.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if last.elapsed() >= POLL_EVERY {
            last = Instant::now();
            poll(done, total)?;
        }
        Ok(())
    };
    match out {
        OutSlice::F64(s) => {
            for (c, part) in s.chunks_mut(chunk).enumerate() {
                let n = part.len();
                step((c * chunk) as u64, OutChunk::F64(part), n)?;
            }
        }
        OutSlice::F32(s) => {
            for (c, part) in s.chunks_mut(chunk).enumerate() {
                let n = part.len();
                step((c * chunk) as u64, OutChunk::F32(part), n)?;
            }
        }
    }
    Ok(())
}

/// Splits `s` at the chunk bounds (which cover it in order) into (start, piece) tasks.
fn split_at_bounds<'s, T>(mut s: &'s mut [T], chunks: &[(u64, u64)]) -> Vec<(u64, &'s mut [T])> {
    let mut parts = Vec::with_capacity(chunks.len());
    for &(a, b) in chunks {
        let (head, tail) = std::mem::take(&mut s).split_at_mut((b - a) as usize);
        parts.push((a, head));
        s = tail;
    }
    parts
}

fn run_parallel(
    pool: &ThreadPool,
    ev: &Evaluator,
    pairs: &PairIndex,
    out: OutSlice,
    chunks: &[(u64, u64)],
    ctl: &Control,
    poll: &mut dyn FnMut(u64, u64) -> Result<()>,
) -> Result<()> {
    let total = out.len() as u64;
    drive(Some(pool), total, ctl, poll, move || {
        let work = |k0: u64, mut part: OutChunk, n: usize| {
            if crate::cancel::scope(&ctl.cancel, || fill_chunk(ev, pairs, k0, &mut part)).is_ok() {
                ctl.done.fetch_add(n as u64, Ordering::Relaxed);
            }
        };
        match out {
            OutSlice::F64(s) => split_at_bounds(s, chunks).into_par_iter().for_each(|(k0, p)| {
                let n = p.len();
                work(k0, OutChunk::F64(p), n)
            }),
            OutSlice::F32(s) => split_at_bounds(s, chunks).into_par_iter().for_each(|(k0, p)| {
                let n = p.len();
                work(k0, OutChunk::F32(p), n)
            }),
        }
    })
}

/// A lane job too small for large chunks: its pairs are put in the lane kernel's order all at
/// once, and the threads share out its passes, cut by their exact cost (longest row times
/// longest column, in every lane). Cutting the output into small chunks first would group each
/// chunk's few pairs on their own, with more padding. The results are written to the output
/// when every pass is done.
fn run_grouped(
    pool: Option<&ThreadPool>,
    ev: &Evaluator,
    pairs: &PairIndex,
    out: OutSlice,
    threads: usize,
    ctl: &Control,
    poll: &mut dyn FnMut(u64, u64) -> Result<()>,
) -> Result<()> {
    let total = out.len();
    let mut ij = Vec::with_capacity(total);
    pairs.for_each(0, total, |_, i, j| ij.push((i, j)));
    let mut order = Vec::new();
    ev.group_order(&ij, &mut order);
    let w = LANES;
    let costs: Vec<u64> =
        order.chunks(w).map(|g| ev.group_cost(&ij, g) + super::plan::PAIR_OVERHEAD * g.len() as u64).collect();
    let sum: u64 = costs.iter().sum();
    let tasks = (threads as u64 * TASKS_PER_THREAD).max(sum / chunk_cells(ev)).max(1);
    let target = (sum / tasks).clamp(1, chunk_cells(ev));
    let mut bounds = Vec::with_capacity(tasks as usize + 1);
    let (mut start, mut acc) = (0usize, 0u64);
    for (g, c) in costs.iter().enumerate() {
        acc += c;
        if acc >= target {
            let end = ((g + 1) * w).min(total);
            bounds.push((start as u64, end as u64));
            (start, acc) = (end, 0);
        }
    }
    if start < total {
        bounds.push((start as u64, total as u64));
    }
    let mut res = vec![0.0f64; total];
    let (ij, order) = (&ij[..], &order[..]);
    thread_local! {
        static SCRATCH: std::cell::RefCell<Scratch> = Default::default();
    }
    let part = |k0: u64, part: &mut [f64]| {
        let o = &order[k0 as usize..k0 as usize + part.len()];
        let run = || SCRATCH.with(|s| ev.eval_grouped(ij, o, part, &mut s.borrow_mut()));
        if crate::cancel::scope(&ctl.cancel, run).is_ok() {
            ctl.done.fetch_add(o.len() as u64, Ordering::Relaxed);
        }
    };
    let parts = split_at_bounds(&mut res, &bounds);
    match pool {
        Some(pool) => drive(Some(pool), total as u64, ctl, poll, || parts.into_par_iter().for_each(|(k0, p)| part(k0, p)))?,
        None => {
            let mut last = Instant::now();
            for (k0, p) in parts {
                part(k0, p);
                if last.elapsed() >= POLL_EVERY {
                    last = Instant::now();
                    poll(ctl.done.load(Ordering::Relaxed), total as u64)?;
                }
            }
        }
    }
    match out {
        OutSlice::F64(s) => order.iter().zip(&res).for_each(|(&(_, k), &v)| s[k as usize] = v),
        OutSlice::F32(s) => order.iter().zip(&res).for_each(|(&(_, k), &v)| s[k as usize] = v as f32),
    }
    Ok(())
}

/// `work(k, scratch)` for every k in 0..count, one k at a time per thread on a pool of n_jobs
/// threads (serially in one worker thread for n_jobs = 1), while the calling thread polls:
/// progress counts `weight` per k done, out of `count * weight`. Results in the order of k.
pub fn map_rows<T: Send>(
    count: usize,
    weight: u64,
    n_jobs: usize,
    poll: &mut dyn FnMut(u64, u64) -> Result<()>,
    work: impl Fn(usize, &mut Scratch) -> T + Sync,
) -> Result<Vec<T>> {
    let ctl = Control::default();
    let results: Mutex<Vec<Option<T>>> = Mutex::new(Vec::new());
    let one = |k: usize, s: &mut Scratch| {
        let r = crate::cancel::scope(&ctl.cancel, || work(k, s)).ok();
        ctl.done.fetch_add(weight, Ordering::Relaxed);
        r
    };
    let pool = if n_jobs > 1 { Some(pool(n_jobs)?) } else { None };
    let total = count as u64 * weight;
    drive(pool.as_deref(), total, &ctl, poll, || {
        let v: Vec<Option<T>> = if n_jobs > 1 {
            (0..count).into_par_iter().with_max_len(1).map_init(Scratch::default, |s, k| one(k, s)).collect()
        } else {
            let mut s = Scratch::default();
            (0..count).map(|k| one(k, &mut s)).collect()
        };
        *results.lock().unwrap_or_else(|e| e.into_inner()) = v;
    })?;
    let v = results.into_inner().unwrap_or_else(|e| e.into_inner());
    // A row missing without an error from `poll` means a cancelled scope: Ctrl-C.
    v.into_iter().map(|r| r.ok_or(Error::Cancelled)).collect()
}

/// Runs `work` on the pool (or, with None, in a new thread) while the calling thread (not a
/// pool thread) waits and polls about every POLL_EVERY; an error from `poll` sets `ctl.cancel`
/// (the workers skip what is left, and the kernels stop inside the pair they are on) and is
/// returned once they stop.
fn drive(
    pool: Option<&ThreadPool>,
    total: u64,
    ctl: &Control,
    poll: &mut dyn FnMut(u64, u64) -> Result<()>,
    work: impl FnOnce() + Send,
) -> Result<()> {
    // The worker sends its panic, if any, so that it reaches the caller with its own message.
    let (tx, rx) = mpsc::channel::<Option<Box<dyn std::any::Any + Send>>>();
    let mut outcome = Ok(());
    let mut panicked = None;
    let mut wait = || loop {
        match rx.recv_timeout(POLL_EVERY) {
            Ok(p) => {
                panicked = p;
                break;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if outcome.is_ok() {
                    if let Err(e) = poll(ctl.done.load(Ordering::Relaxed), total) {
                        ctl.cancel.store(true, Ordering::Relaxed);
                        outcome = Err(e);
                    }
                }
            }
        }
    };
    let job = move || {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
        let _ = tx.send(r.err());
    };
    match pool {
        Some(pool) => pool.in_place_scope(|scope| {
            scope.spawn(move |_| job());
            wait();
        }),
        None => std::thread::scope(|scope| -> Result<()> {
            std::thread::Builder::new()
                .name("trajarena-pair".into())
                .spawn_scoped(scope, job)
                .map_err(|e| Error::os(format!("cannot start a thread: {e}")))?;
            wait();
            Ok(())
        })?,
    }
    if let Some(p) = panicked {
        std::panic::resume_unwind(p);
    }
    outcome
}

/// One pool per thread count, rebuilt in a forked child: a pool inherited through fork has no
/// threads behind it and would hang.
fn pool(n: usize) -> Result<Arc<ThreadPool>> {
    static POOLS: Mutex<Vec<(u32, usize, Arc<ThreadPool>)>> = Mutex::new(Vec::new());
    let pid = std::process::id();
    let mut pools = POOLS.lock().unwrap_or_else(|e| e.into_inner());
    if pools.iter().any(|(p, _, _)| *p != pid) {
        // Dropping a pool whose threads live only in the parent would wait on them forever.
        for entry in pools.drain(..) {
            std::mem::forget(entry);
        }
    }
    if let Some((_, _, p)) = pools.iter().find(|(_, k, _)| *k == n) {
        return Ok(p.clone());
    }
    let p = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("trajarena-{i}"))
        .build()
        .map_err(|e| Error::value(format!("n_jobs: cannot start {n} threads: {e}")))?;
    let p = Arc::new(p);
    pools.push((pid, n, p.clone()));
    Ok(p)
}

/// The number of threads "all cores" means here. Read once per process: on Linux the standard
/// library reads the cgroup's CPU quota files on every call, a dozen system calls.
pub fn available_cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
}
