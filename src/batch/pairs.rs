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

impl PairIndex<'_> {
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
