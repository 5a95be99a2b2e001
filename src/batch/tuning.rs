//! The batch engine's tuning constants, in one place, each with the reason it exists. The
//! measurements behind their values are in benchmarks/README.md ("Why the executor's constants
//! have their values"). None of them changes a result: they decide which thread computes a
//! pair, in which order and in which group of lanes, never how.

use std::time::Duration;

/// Jobs below this many DP cells run in the calling thread: waking a pool costs more than
/// their work.
pub const SERIAL_CELLS: u64 = 300_000;

/// Cells per chunk of output for the DP lane kernels (under 10 ns per cell). Workers check for
/// cancellation between chunks, so a chunk bounds the delay between Ctrl-C and the stop (here
/// ~160 ms at worst); within that bound chunks are large, so each holds many rows of pairs for
/// the lane kernel to group by length.
pub const LANE_CHUNK_CELLS: u64 = 16_000_000;

/// Cells per chunk for every other kernel (up to ~150 ns per cell, spherical Hausdorff; EDwP's
/// lanes ~12): the same cancel-latency bound at their cost per cell.
pub const CHUNK_CELLS: u64 = 4_000_000;

/// Chunks per thread for the DP lane kernels. Chunks are cut by estimated cost, so a few per
/// thread let work stealing even out the rest, and few chunks means large ones, with many
/// rows of pairs to group by length.
pub const LANE_TASKS_PER_THREAD: u64 = 4;

/// Chunks per thread for the other kernels (EDwP's lanes included): they gain nothing from
/// large chunks, and more chunks balance better.
pub const TASKS_PER_THREAD: u64 = 16;

/// Pairs per chunk at most: a chunk's pairs are sorted by length for the lanes, and a sort that
/// leaves the cache costs a cheap metric more than better groups save.
pub const MAX_CHUNK_PAIRS: u64 = 8192;

/// Pairs per serial chunk at most (the serial path's counterpart of MAX_CHUNK_PAIRS: it has no
/// second thread to hide the sort behind).
pub const MAX_SERIAL_CHUNK_PAIRS: u64 = 4096;

/// Pairs per chunk at most, serial or not, when the pairs are short enough for the row path
/// (`Evaluator::row_major`): it sorts and packs a chunk's columns once for all its rows, so
/// the more rows a chunk holds, the less that costs per pair; it never sorts the pairs.
pub const ROW_CHUNK_PAIRS: u64 = 1 << 16;

/// Lane jobs of at most this many pairs (about 10 MB of bookkeeping) may be grouped as a whole
/// (`executor::run_grouped`) rather than chunk by chunk: beyond it, sorting every pair in the
/// calling thread costs more than the better groups save.
pub const GROUPED_MAX_PAIRS: u64 = 1 << 18;

/// ... and only if a pair costs at least this many DP cells on average (weighted by the
/// kernel's cost per cell, `GROUPED_WEIGHT_*`): cheaper pairs spend more on the whole-job sort
/// and scatter than on their cells.
pub const GROUPED_MIN_PAIR_CELLS: u64 = 512;

/// The cost per cell of the DP lane kernels and of EDwP's, relative to each other (~1.5 and
/// ~13 ns), for the GROUPED_MIN_PAIR_CELLS test.
pub const GROUPED_WEIGHT_DP: u64 = 1;
pub const GROUPED_WEIGHT_EDWP: u64 = 8;

/// How often the poll callback runs (progress refresh, KeyboardInterrupt check): often enough
/// for a prompt Ctrl-C and a live progress bar, rarely enough to cost nothing.
pub const POLL_EVERY: Duration = Duration::from_millis(100);

/// Row lengths within this many points share a grouping key in the lane kernels' order: rows
/// of different lengths then pool their columns, so a group's column lengths are closer and
/// no lane idles while pairs are left.
pub const ROW_BUCKET: usize = 16;

/// Rows with at least this many pairs each, on average, in a chunk have their pairs grouped
/// row by row (one row in every lane of a pass: no row padding, one packing of the row); with
/// fewer, the columns of one row are too few to find eight of similar lengths.
pub const ROW_RUN_PAIRS: usize = 64;

/// Chunks whose pairs average at most this many DP cells, in runs of ROW_RUN_PAIRS or more,
/// take the row path (`Evaluator::eval_rows`): their bookkeeping per pair is a large share of
/// their cells' time. Above it that share is small and the per-pair grouping is kept; sending
/// such chunks through the row path made no difference one run could tell (benchmarks/README.md).
pub const ROW_MAJOR_PAIR_CELLS: usize = 2048;

/// Pairs a block of the row path holds at least (`Evaluator::eval_rows`: columns shared by
/// runs, packed once); smaller ones go to the pooled pair-by-pair path: each round of choosing
/// a block sorts the runs left, which costs more than such a block saves.
pub const MIN_BLOCK_PAIRS: usize = 32;

/// Lane passes of at least this many cells (a few ms) read the cancel flag at every row; shorter
/// ones run a build without the check, which would cost short spherical passes a quarter.
pub const CHECKED_PASS_CELLS: usize = 1 << 22;
