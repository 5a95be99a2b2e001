//! Pairs that come as runs of consecutive columns of a row (the chunks of a pdist or cdist of
//! short trajectories) through the DP lane kernel: a row in every lane against ROW_LANES
//! columns per pass.
//!
//! A pair of 10-point trajectories is about 100 cells, some 30 ns: sorting pairs by length and
//! packing both trajectories for every pass would cost as much as the cells. But a chunk's runs
//! share their columns: a pdist's rows all end at column n, a cdist's at the block's edge. So
//! the block of columns that the most pairs share is sorted by length and packed once, and every
//! run that covers it computes against it, its row packed once, with no lane computed for
//! nothing. What those runs have outside the block (a pdist's triangle by the diagonal, a
//! chunk's partial first and last rows) are runs again, and the next block is chosen among
//! them. The few pairs that no two runs share are pooled and go through the pair-by-pair
//! grouping (`Evaluator::eval_sorted`).

use super::{sort_keys, Evaluator, Scratch, Stored};
use crate::batch::pairs::Run;
use crate::batch::tuning::MIN_BLOCK_PAIRS;
use crate::metrics::dp::{with_dp, DpSetup, Lanes};
use crate::metrics::dp_kernel::{self, Group};
use crate::traj::Traj;

/// Lanes per pass: one AVX-512 register. Passes that may (`dp_kernel::row_groups`) take two
/// rows of points at a time, so each step still advances two vectors of independent cells.
pub const ROW_LANES: usize = 8;

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

/// The columns [l, hi) that the most pairs of `runs` share, in whole groups of lanes: the runs
/// ending at `hi` and starting at or before `l`, as (hi, l, pairs). None when no two runs
/// share MIN_BLOCK_PAIRS pairs.
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
        // Whole groups of lanes only: the block starts where its width is a multiple of
        // ROW_LANES, and the columns before that are left to the runs.
        let width = (end - start) / ROW_LANES * ROW_LANES;
        let pairs = k * width;
        if k >= 2 && pairs >= MIN_BLOCK_PAIRS && best.is_none_or(|b| pairs > b.2) {
            best = Some((end, end - width, pairs));
        }
    }
    best
}

impl Evaluator<'_> {
    /// `eval_pairs` for `runs` (runs of consecutive columns of a row; `out` indexed as they
    /// say). The block of columns the most pairs share is packed and computed first; the parts
    /// of runs outside it are runs again, until no block of MIN_BLOCK_PAIRS is shared; then long
    /// runs are blocks of their own, and the rest is pooled.
    pub(super) fn eval_rows(
        &self,
        dp: &DpSetup,
        runs: &[Run],
        out: &mut [f64],
        whole: &mut Scratch,
    ) {
        let (a, b) = self.stored_pair();
        let mut scratch = std::mem::take(&mut whole.rows);
        let RowScratch { dp: dps, row, cols, res, todo, rest, starts } = &mut scratch;
        todo.clear();
        todo.extend_from_slice(runs);
        with_dp!(*dp, |sp, r| {
            // One run against columns [lo, hi) packed in `cols`.
            let mut compute = |run: &Run, cols: &Columns| {
                let t = a.get(run.row);
                let pr = dp_kernel::pack_lanes(&[t; ROW_LANES], row);
                // Blocks are whole groups of lanes, so the results follow `order` position for
                // position.
                res.resize(cols.order.len(), 0.0);
                dp_kernel::row_groups::<_, _, ROW_LANES, { 2 * ROW_LANES }>(sp, r, t.dim, (row, pr), &cols.data, &cols.groups, dp.window, res, dps);
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
            // No two runs share enough columns: the long runs are blocks of their own.
            rest.clear();
            for run in todo.iter() {
                let (width, end) = (run.len / ROW_LANES * ROW_LANES, run.col + run.len);
                if width < MIN_BLOCK_PAIRS {
                    rest.push(*run);
                    continue;
                }
                cols.pack(b, end - width, end);
                compute(run, cols);
                if width < run.len {
                    rest.push(Run { len: run.len - width, ..*run });
                }
            }
            std::mem::swap(todo, rest);
        });
        // What no two runs share goes pair by pair, pooled so that passes fill their lanes.
        let ij: Vec<(usize, usize)> = todo.iter().flat_map(|r| (r.col..r.col + r.len).map(move |j| (r.row, j))).collect();
        let at: Vec<usize> = todo.iter().flat_map(|r| r.at..r.at + r.len).collect();
        whole.rows = scratch;
        if ij.is_empty() {
            return;
        }
        let mut res = vec![0.0; ij.len()];
        self.eval_sorted(&ij, &mut res, whole);
        for (k, v) in at.into_iter().zip(res) {
            out[k] = v;
        }
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
        assert_eq!(best_block(&runs, &mut starts), Some((100, 12, 3 * 88)));
        // What is left of them shares too little: the triangle by the diagonal.
        let rest = [run(4, 90, 10), run(5, 6, 2), run(6, 7, 1), run(8, 9, 20)];
        assert_eq!(best_block(&rest, &mut starts), None);
        // A staircase: the best block of whole groups of lanes is near its middle.
        let stairs: Vec<Run> = (0..40).map(|i| run(i, i + 1, 40 - i)).collect();
        assert_eq!(best_block(&stairs, &mut starts), Some((41, 17, 17 * 24)));
        // A lone run shares nothing.
        assert_eq!(best_block(&[run(0, 1, 9)], &mut starts), None);
        // A cdist block's rows all share their columns.
        let runs = [run(0, 3, 50), run(1, 3, 50), run(2, 3, 50)];
        assert_eq!(best_block(&runs, &mut starts), Some((53, 5, 3 * 48)));
    }
}
