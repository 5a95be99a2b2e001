//! Batch calls over arenas: which trajectories a call touches, checked and prepared once per
//! piece (`pairs::condensed_pieces`, `pairs::rect_pieces`), then run by the executor. A task of a
//! few pairs on a large arena costs what its pairs cost.

use std::ops::Range;

use super::pairs::{self, Piece};
use super::{executor, Evaluator, OutSlice, PairIndex};
use crate::arena::Arena;
use crate::error::{Error, Result};
use crate::metrics::spec::MetricKind;
use crate::MetricSpec;

/// The part [r.start, r.end) of an output buffer.
fn part<'b>(out: &'b mut OutSlice, r: Range<usize>) -> OutSlice<'b> {
    match out {
        OutSlice::F64(s) => OutSlice::F64(&mut s[r]),
        OutSlice::F32(s) => OutSlice::F32(&mut s[r]),
    }
}

/// Whether a metric's batch values depend on more than each pair: SOWD lays one grid over all
/// the trajectories of a call, so its pieces are never cut down.
pub(super) fn whole_call(spec: &MetricSpec) -> bool {
    spec.kind == MetricKind::Sowd
}

/// Checks the views of every piece and makes their evaluators, then runs them in order;
/// `poll` sees progress over all pieces. A call without pairs still checks every trajectory
/// (the `whole` piece), as a call on the whole collections would.
#[allow(clippy::too_many_arguments)]
fn run_pieces(
    spec: &MetricSpec,
    a: &Arena,
    a_name: &str,
    b: Option<(&Arena, &str)>,
    pieces: &[Piece],
    mut out: OutSlice,
    n_jobs: usize,
    poll: &mut dyn FnMut(u64, u64) -> Result<()>,
) -> Result<()> {
    let (bx, b_name) = b.unwrap_or((a, a_name));
    let mut evs = Vec::with_capacity(pieces.len());
    for p in pieces {
        let rows = a.view(p.rows.0, p.rows.1, a_name)?;
        let cols = if p.same { None } else { Some((bx.view(p.cols.0, p.cols.1, b_name)?, b_name)) };
        evs.push(Evaluator::new(spec, rows, a_name, cols)?);
    }
    let total = out.len() as u64;
    let mut before = 0u64;
    for (p, ev) in pieces.iter().zip(&evs) {
        let o = part(&mut out, p.at as usize..(p.at + p.len) as usize);
        executor::run(ev, p.index, o, n_jobs, &mut |done, _| poll(before + done, total))?;
        before += p.len;
    }
    poll(total, total)
}

/// Condensed entries [start, start + len(out)) of the pdist of `x` (`name` labels errors).
pub fn pdist(spec: &MetricSpec, x: &Arena, name: &str, start: u64, out: OutSlice, n_jobs: usize, poll: &mut dyn FnMut(u64, u64) -> Result<()>) -> Result<()> {
    let n = x.len() as u64;
    let m = n * n.saturating_sub(1) / 2;
    let len = out.len() as u64;
    if start.checked_add(len).is_none_or(|e| e > m) {
        return Err(Error::value(format!(
            "start: entries [{start}, {}) are outside the {m} pairs of {n} trajectories",
            start.saturating_add(len)
        )));
    }
    let whole = Piece {
        rows: (0, n as usize),
        cols: (0, n as usize),
        same: true,
        index: PairIndex::Condensed { n, start },
        at: 0,
        len,
    };
    let pieces = if len == 0 || whole_call(spec) { vec![whole] } else { pairs::condensed_pieces(n, start, len) };
    run_pieces(spec, x, name, None, &pieces, out, n_jobs, poll)
}

/// Rows [r0, r1) x columns [c0, c1) of the cdist of `a` and `b`, row-major; `out` receives the
/// block's flat entries [skip, skip + len(out)). `names` label errors.
#[allow(clippy::too_many_arguments)]
pub fn cdist(
    spec: &MetricSpec,
    a: &Arena,
    b: &Arena,
    names: (&str, &str),
    rows: (u64, u64),
    cols: (u64, u64),
    skip: u64,
    out: OutSlice,
    n_jobs: usize,
    poll: &mut dyn FnMut(u64, u64) -> Result<()>,
) -> Result<()> {
    let ((r0, r1), (c0, c1)) = (rows, cols);
    let (na, nb) = (a.len() as u64, b.len() as u64);
    if r0 > r1 || r1 > na || c0 > c1 || c1 > nb {
        return Err(Error::value(format!(
            "rows, cols: block [{r0}, {r1}) x [{c0}, {c1}) is outside the {na} x {nb} output"
        )));
    }
    let block = (r1 - r0) * (c1 - c0);
    let len = out.len() as u64;
    if skip.checked_add(len).is_none_or(|e| e > block) {
        return Err(Error::value(format!(
            "out: entries [{skip}, {}) do not fit the block's {block} entries",
            skip.saturating_add(len)
        )));
    }
    let width = (c1 - c0).max(1);
    let whole = Piece {
        rows: (0, na as usize),
        cols: (0, nb as usize),
        same: false,
        index: PairIndex::Rect { row0: r0, col0: c0, cols: width, skip },
        at: 0,
        len,
    };
    let pieces = if len == 0 || whole_call(spec) { vec![whole] } else { pairs::rect_pieces(r0, c0, width, skip, len) };
    run_pieces(spec, a, names.0, Some((b, names.1)), &pieces, out, n_jobs, poll)
}

/// out[k] = d(x[i[k]], x[j[k]]) (`name` labels errors).
pub fn paired(spec: &MetricSpec, x: &Arena, name: &str, i: &[i64], j: &[i64], out: OutSlice, n_jobs: usize, poll: &mut dyn FnMut(u64, u64) -> Result<()>) -> Result<()> {
    PairIndex::check_list(i, j, x.len(), x.len())?;
    if out.len() != i.len() {
        return Err(Error::value(format!("out: expected {} elements, got {}", i.len(), out.len())));
    }
    let ev = Evaluator::new(spec, x.view(0, x.len(), name)?, name, None)?;
    executor::run(&ev, PairIndex::List { i, j }, out, n_jobs, poll)
}
