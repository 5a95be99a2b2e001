//! Which pair each output position holds, without materialising a per-pair index vector.

use super::condensed;
use crate::error::{Error, Result};

#[derive(Clone, Copy, Debug)]
pub enum PairIndex<'a> {
    /// Condensed pdist vector of n items; output position 0 is condensed entry `start`.
    Condensed { n: u64, start: u64 },
    /// Row-major (rows x cols) block of a cdist starting at (row0, col0), `cols` wide; output
    /// position 0 is the block's flat entry `skip` (a worker's share of the block).
    Rect { row0: u64, col0: u64, cols: u64, skip: u64 },
    /// Explicit pairs (i[k], j[k]).
    List { i: &'a [i64], j: &'a [i64] },
}

/// A run of pairs (row, col), (row, col + 1), ..., at output positions at, at + 1, ...
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    pub row: usize,
    pub col: usize,
    pub at: usize,
    pub len: usize,
}

impl PairIndex<'_> {
    /// The pairs of output positions [k0, k0 + len) as runs along rows, in order, positions
    /// counted from k0; None for pair lists (their pairs need not follow rows).
    pub fn runs(&self, k0: u64, len: usize, runs: &mut Vec<Run>) -> Option<()> {
        runs.clear();
        let mut at = 0;
        match *self {
            PairIndex::Condensed { n, start } => {
                if len == 0 {
                    return Some(());
                }
                let (mut i, mut j) = condensed::pair(n, start + k0);
                while at < len {
                    let take = ((n - j) as usize).min(len - at);
                    runs.push(Run { row: i as usize, col: j as usize, at, len: take });
                    at += take;
                    i += 1;
                    j = i + 1;
                }
            }
            PairIndex::Rect { row0, col0, cols, skip } => {
                let (mut r, mut c) = ((skip + k0) / cols, (skip + k0) % cols);
                while at < len {
                    let take = ((cols - c) as usize).min(len - at);
                    runs.push(Run { row: (row0 + r) as usize, col: (col0 + c) as usize, at, len: take });
                    at += take;
                    r += 1;
                    c = 0;
                }
            }
            PairIndex::List { .. } => return None,
        }
        Some(())
    }

    /// Calls `f(position, i, j)` for output positions [k0, k0 + len), walking pairs incrementally.
    #[inline]
    pub fn for_each(&self, k0: u64, len: usize, mut f: impl FnMut(usize, usize, usize)) {
        match *self {
            PairIndex::Condensed { n, start } => {
                if len == 0 {
                    return;
                }
                let (mut i, mut j) = condensed::pair(n, start + k0);
                for pos in 0..len {
                    f(pos, i as usize, j as usize);
                    j += 1;
                    if j == n {
                        i += 1;
                        j = i + 1;
                    }
                }
            }
            PairIndex::Rect { row0, col0, cols, skip } => {
                let (mut r, mut c) = ((skip + k0) / cols, (skip + k0) % cols);
                for pos in 0..len {
                    f(pos, (row0 + r) as usize, (col0 + c) as usize);
                    c += 1;
                    if c == cols {
                        c = 0;
                        r += 1;
                    }
                }
            }
            PairIndex::List { i, j } => {
                let k0 = k0 as usize;
                for pos in 0..len {
                    f(pos, i[k0 + pos] as usize, j[k0 + pos] as usize);
                }
            }
        }
    }

    /// Checks explicit index lists against the collection sizes.
    pub fn check_list(i: &[i64], j: &[i64], n_a: usize, n_b: usize) -> Result<()> {
        if i.len() != j.len() {
            return Err(Error::value(format!(
                "i, j: index arrays must have the same length, got {} and {}",
                i.len(),
                j.len()
            )));
        }
        for (name, idx, n) in [("i", i, n_a), ("j", j, n_b)] {
            if let Some(k) = idx.iter().position(|&v| v < 0 || v as u64 >= n as u64) {
                return Err(Error::value(format!(
                    "{name}[{k}]: index {} is out of range for {n} trajectories",
                    idx[k]
                )));
            }
        }
        Ok(())
    }
}

/// A piece of a task: pairs of rows [rows.0, rows.1) of A with columns [cols.0, cols.1) of B
/// (indices of the whole collections), listed by `index` in indices local to those two views,
/// filling output positions [at, at + len). `same`: both views are one (a triangle of pdist).
#[derive(Clone, Copy, Debug)]
pub struct Piece {
    pub rows: (usize, usize),
    pub cols: (usize, usize),
    pub same: bool,
    pub index: PairIndex<'static>,
    pub at: u64,
    pub len: u64,
}

fn row_piece(i: u64, c0: u64, c1: u64, at: u64) -> Piece {
    Piece {
        rows: (i as usize, i as usize + 1),
        cols: (c0 as usize, c1 as usize),
        same: false,
        index: PairIndex::Rect { row0: 0, col0: 0, cols: c1 - c0, skip: 0 },
        at,
        len: c1 - c0,
    }
}

/// Condensed entries [start, start + len) of n items as pieces that together touch about as
/// many trajectories as the entries hold pairs: one piece when the trajectories from the first
/// row on are that few, else at most three, the end of a first row, whole rows, and the start
/// of a last row. Whole rows [r0, r1) are the condensed triangle of trajectories [r0, n) cut
/// short, in the same order, so a whole pdist is one piece as before.
pub fn condensed_pieces(n: u64, start: u64, len: u64) -> Vec<Piece> {
    if len == 0 {
        return Vec::new();
    }
    let (i0, j0) = condensed::pair(n, start);
    let (i1, j1) = condensed::pair(n, start + len - 1);
    if i0 == i1 {
        return vec![row_piece(i0, j0, j1 + 1, 0)];
    }
    if n - i0 <= len + 1 {
        // Trajectories [i0, n) are no more than the task's pairs: one piece, the condensed
        // triangle of those trajectories from the task's first entry, so that the lane kernel
        // can group all the task's pairs together (pieces of a few pairs would leave lanes idle).
        let at_row = condensed::row_start(n, i0);
        return vec![Piece {
            rows: (i0 as usize, n as usize),
            cols: (i0 as usize, n as usize),
            same: true,
            index: PairIndex::Condensed { n: n - i0, start: start - at_row },
            at: 0,
            len,
        }];
    }
    let mut pieces = Vec::with_capacity(3);
    let (mut at, mut first_whole) = (0, i0);
    if j0 > i0 + 1 {
        pieces.push(row_piece(i0, j0, n, 0));
        at = n - j0;
        first_whole = i0 + 1;
    }
    let whole_end = if j1 + 1 < n { i1 } else { i1 + 1 };
    if first_whole < whole_end {
        let count = condensed::row_start(n, whole_end) - condensed::row_start(n, first_whole);
        let r0 = first_whole as usize;
        pieces.push(Piece {
            rows: (r0, n as usize),
            cols: (r0, n as usize),
            same: true,
            index: PairIndex::Condensed { n: n - first_whole, start: 0 },
            at,
            len: count,
        });
        at += count;
    }
    if j1 + 1 < n {
        pieces.push(row_piece(i1, i1 + 1, j1 + 1, at));
    }
    pieces
}

/// Flat entries [skip, skip + len) of the row-major block rows [row0, ..) x columns
/// [col0, col0 + width) as pieces, like `condensed_pieces`: one when the block is no wider than
/// the entries are many, else the end of a first row, whole rows, the start of a last row.
pub fn rect_pieces(row0: u64, col0: u64, width: u64, skip: u64, len: u64) -> Vec<Piece> {
    if len == 0 || width == 0 {
        return Vec::new();
    }
    let (r_first, c_first) = (skip / width, skip % width);
    let (r_last, c_last) = ((skip + len - 1) / width, (skip + len - 1) % width);
    let piece = |r0: u64, r1: u64, c0: u64, c1: u64, at: u64| Piece {
        rows: ((row0 + r0) as usize, (row0 + r1) as usize),
        cols: ((col0 + c0) as usize, (col0 + c1) as usize),
        same: false,
        index: PairIndex::Rect { row0: 0, col0: 0, cols: c1 - c0, skip: 0 },
        at,
        len: (r1 - r0) * (c1 - c0),
    };
    if r_first == r_last {
        return vec![piece(r_first, r_first + 1, c_first, c_last + 1, 0)];
    }
    if width <= len + 1 {
        // As in `condensed_pieces`: the block's columns are no more than the task's pairs, so
        // one piece over its rows keeps all the pairs together for the lanes.
        return vec![Piece {
            rows: ((row0 + r_first) as usize, (row0 + r_last + 1) as usize),
            cols: (col0 as usize, (col0 + width) as usize),
            same: false,
            index: PairIndex::Rect { row0: 0, col0: 0, cols: width, skip: c_first },
            at: 0,
            len,
        }];
    }
    let mut pieces = Vec::with_capacity(3);
    let (mut at, mut first_whole) = (0, r_first);
    if c_first > 0 {
        pieces.push(piece(r_first, r_first + 1, c_first, width, 0));
        at = width - c_first;
        first_whole = r_first + 1;
    }
    let whole_end = if c_last + 1 < width { r_last } else { r_last + 1 };
    if first_whole < whole_end {
        let p = piece(first_whole, whole_end, 0, width, at);
        at += p.len;
        pieces.push(p);
    }
    if c_last + 1 < width {
        pieces.push(piece(r_last, r_last + 1, 0, c_last + 1, at));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every piece's pairs, mapped back to whole-collection indices, in output order.
    fn flatten(pieces: &[Piece]) -> Vec<(u64, usize, usize)> {
        let mut v = Vec::new();
        for p in pieces {
            p.index.for_each(0, p.len as usize, |k, i, j| v.push((p.at + k as u64, p.rows.0 + i, p.cols.0 + j)));
        }
        v
    }

    #[test]
    fn pieces_cover_ranges_exactly_and_touch_only_their_pairs() {
        for n in 2..9u64 {
            let total = n * (n - 1) / 2;
            for start in 0..total {
                for len in 0..=total - start {
                    let pieces = condensed_pieces(n, start, len);
                    let mut want = Vec::new();
                    PairIndex::Condensed { n, start }.for_each(0, len as usize, |k, i, j| want.push((k as u64, i, j)));
                    assert_eq!(flatten(&pieces), want, "n={n} start={start} len={len}");
                    let touched: usize = pieces.iter().map(|p| (p.rows.1 - p.rows.0) + (p.cols.1 - p.cols.0)).sum();
                    assert!(touched as u64 <= 2 * len + 2, "n={n} start={start} len={len}: {touched}");
                }
            }
        }
        for (w, rows) in [(1u64, 4u64), (3, 3), (5, 2)] {
            for skip in 0..w * rows {
                for len in 0..=w * rows - skip {
                    let pieces = rect_pieces(2, 1, w, skip, len);
                    let mut want = Vec::new();
                    PairIndex::Rect { row0: 2, col0: 1, cols: w, skip }.for_each(0, len as usize, |k, i, j| want.push((k as u64, i, j)));
                    assert_eq!(flatten(&pieces), want, "w={w} skip={skip} len={len}");
                }
            }
        }
    }
}
