//! Pairs that come as runs of consecutive columns of a row (the chunks of a pdist or cdist of
//! short trajectories) through the DP lane kernel, a row in every lane against ROW_LANES
//! columns per pass.
//!
//! A pair of 10-point trajectories is about 100 cells, some 30 ns: sorting pairs by length
//! and packing both trajectories for every pass would cost as much as the cells. Here a
//! chunk's runs share their columns: a pdist's rows all end at column n, a cdist's at the
//! block's edge. The columns [L, hi) that most runs cover are sorted by length and packed once
//! for the whole chunk, each run's row is packed once, and every pass is a row against a group
//! of columns of similar lengths, with no lane computed for nothing. The columns a run has
//! outside [L, hi) (a pdist's triangle by the diagonal, a chunk's partial first and last rows)
//! are sorted and packed for that run alone.

use super::{sort_keys, Evaluator, Stored};
use crate::batch::pairs::Run;
use crate::geometry::lane_space::SphericalSet;
use crate::metrics::dp::{with_dp, DpSetup, Lanes};
use crate::metrics::dp_kernel::{self, Group};
use crate::traj::Traj;

/// Lanes per pass: two AVX-512 registers, so each step of the DP advances two independent
/// chains of dependent cells; a row of ten cells then keeps the vector units busy.
pub const ROW_LANES: usize = 16;

/// Blocks of fewer pairs are not shared: each round of choosing a block sorts the runs left,
/// which costs more than packing a few columns once per run.
const MIN_BLOCK_PAIRS: usize = 4 * ROW_LANES;

/// Buffers of `eval_rows`, one set per thread.
#[derive(Default)]
pub struct RowScratch {
    dp: dp_kernel::Scratch<ROW_LANES>,
    /// A run's row in every lane.
    row: Vec<Lanes<ROW_LANES>>,
    /// The columns being computed, packed.
    cols: Columns,
    /// Results of one run against them, in packing order.
    res: Vec<f64>,
    /// Runs left to compute, and the next round's.
    todo: Vec<Run>,
    rest: Vec<Run>,
    /// `best_block`'s (end, start) of each run.
    starts: Vec<(usize, usize)>,
}

/// Columns sorted by length and packed in groups of ROW_LANES.
#[derive(Default)]
struct Columns {
    /// (length key, column - lo), as `sort_keys` sorts them.
    order: Vec<(u64, u32)>,
    lo: usize,
    groups: Vec<Group<ROW_LANES>>,
    data: Vec<Lanes<ROW_LANES>>,
}

impl Columns {
    /// Columns [lo, hi) of `b`, sorted by length and packed.
    fn pack(&mut self, b: Stored, lo: usize, hi: usize) {
        let cap = |x: usize| x.min((1 << 20) - 1) as u64;
        self.order.clear();
        self.order.extend((lo..hi).map(|j| (cap(b.get(j).len()) << 20, (j - lo) as u32)));
        sort_keys(&mut self.order);
        self.lo = lo;
        self.groups.clear();
        self.data.clear();
        for chunk in self.order.chunks(ROW_LANES) {
            let trajs: [Traj; ROW_LANES] = std::array::from_fn(|l| b.get(lo + chunk[l.min(chunk.len() - 1)].1 as usize));
            self.groups.push(dp_kernel::append_lanes(&trajs[..chunk.len()], &mut self.data));
        }
    }
}

/// The columns [l, hi) that the most pairs of `runs` share: the runs ending at `hi` and
/// starting at or before `l`, as (hi, l, pairs). None when no two runs share a column.
fn best_block(runs: &[Run], starts: &mut Vec<(usize, usize)>) -> Option<(usize, usize, usize)> {
    starts.clear();
    starts.extend(runs.iter().map(|r| (r.col + r.len, r.col)));
    // By end, and within an end by start: the runs ending at hi and starting at or before a
    // start are then the ones before it in its group.
    starts.sort_unstable();
    let mut best: Option<(usize, usize, usize)> = None;
    let mut k = 0;
    for (p, &(end, start)) in starts.iter().enumerate() {
        if p > 0 && starts[p - 1].0 != end {
            k = 0;
        }
        k += 1;
        let pairs = k * (end - start);
        if k >= 2 && pairs >= MIN_BLOCK_PAIRS && best.is_none_or(|b| pairs > b.2) {
            best = Some((end, start, pairs));
        }
    }
    best
}

impl Evaluator<'_> {
    /// `eval_pairs` for `runs` (runs of consecutive columns of a row; `out` indexed as they
    /// say). The block of columns the most pairs share is packed and computed first; the parts
    /// of runs outside it are runs again, until no two of them share a column.
    pub(super) fn eval_rows(
        &self,
        dp: &DpSetup,
        stored: &Option<(SphericalSet, Option<SphericalSet>)>,
        runs: &[Run],
        out: &mut [f64],
        scratch: &mut RowScratch,
    ) {
        let (a, b) = match stored {
            Some((sa, sb)) => (Stored::Set(sa), Stored::Set(sb.as_ref().unwrap_or(sa))),
            None => (Stored::Raw(&self.a), Stored::Raw(&self.b)),
        };
        let RowScratch { dp: dps, row, cols, res, todo, rest, starts } = scratch;
        todo.clear();
        todo.extend_from_slice(runs);
        with_dp!(*dp, |sp, r| {
            // One run against columns [lo, hi) packed in `cols`.
            let mut compute = |run: &Run, cols: &Columns| {
                let t = a.get(run.row);
                let pr = dp_kernel::pack_lanes(&[t; ROW_LANES], row);
                res.resize(cols.order.len(), 0.0);
                dp_kernel::row_groups(sp, r, t.dim, (row, pr), &cols.data, &cols.groups, dp.window, res, dps);
                for (&(_, j), v) in cols.order.iter().zip(res.iter()) {
                    out[run.at + cols.lo + j as usize - run.col] = *v;
                }
            };
            while let Some((hi, lo, _)) = best_block(todo, starts) {
                cols.pack(b, lo, hi);
                rest.clear();
                for run in todo.iter() {
                    if run.col + run.len == hi && run.col <= lo {
                        compute(run, cols);
                        if run.col < lo {
                            rest.push(Run { len: lo - run.col, ..*run });
                        }
                    } else {
                        rest.push(*run);
                    }
                }
                std::mem::swap(todo, rest);
            }
            for run in todo.iter() {
                cols.pack(b, run.col, run.col + run.len);
                compute(run, cols);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(row: usize, col: usize, len: usize) -> Run {
        Run { row, col, at: 0, len }
    }

    #[test]
    fn blocks_cover_the_most_pairs() {
        let mut starts = Vec::new();
        // A pdist chunk of n = 100: a partial first row from column 90, whole rows 5 to 7,
        // a partial last row.
        let runs = [run(4, 90, 10), run(5, 6, 94), run(6, 7, 93), run(7, 8, 92), run(8, 9, 20)];
        assert_eq!(best_block(&runs, &mut starts), Some((100, 8, 3 * 92)));
        // What is left of them shares too little: the triangle by the diagonal.
        let rest = [run(4, 90, 10), run(5, 6, 2), run(6, 7, 1), run(8, 9, 20)];
        assert_eq!(best_block(&rest, &mut starts), None);
        // A staircase: the best block is the middle of it.
        let stairs: Vec<Run> = (0..40).map(|i| run(i, i + 1, 40 - i)).collect();
        assert_eq!(best_block(&stairs, &mut starts), Some((41, 20, 20 * 21)));
        // A lone run shares nothing.
        assert_eq!(best_block(&[run(0, 1, 9)], &mut starts), None);
        // A cdist block's rows all share their columns.
        let runs = [run(0, 3, 50), run(1, 3, 50), run(2, 3, 50)];
        assert_eq!(best_block(&runs, &mut starts), Some((53, 3, 150)));
    }
}
