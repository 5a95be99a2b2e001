//! The dynamic-programming skeleton shared by DTW, discrete Fréchet, LCSS, EDR and ERP.
//!
//! A metric supplies its borders and its cell rule; the same rule drives the two-row kernel used
//! for distances and the full-matrix version used for `return_path`, so both give identical bits.

use bincode::{Decode, Encode};

pub trait DpRule {
    /// C(0, 0).
    fn corner(&self) -> f64 {
        0.0
    }
    /// C(0, j) for j >= 1.
    fn top(&self, j: usize) -> f64;
    /// C(i, 0) for i >= 1.
    fn left(&self, i: usize) -> f64;
    /// C(i, j) for i, j >= 1 from its three predecessors (points a_{i-1}, b_{j-1} 0-based).
    fn cell(&self, i: usize, j: usize, diag: f64, up: f64, left: f64) -> f64;
    /// The metric's value from C(n, m).
    fn finish(&self, c: f64) -> f64 {
        c
    }
    /// One traceback step from (i, j), i, j >= 1: the predecessor and whether (i-1, j-1) is an
    /// aligned pair that belongs in the path.
    fn back(&self, i: usize, j: usize, m: &Matrix) -> (usize, usize, bool);
}

/// Sakoe-Chiba band: the j range (1-based, inclusive) of row i, or all of 1..=m.
#[inline(always)]
fn band(i: usize, m: usize, w: Option<usize>) -> (usize, usize) {
    match w {
        None => (1, m),
        Some(w) => (i.saturating_sub(w).max(1), (i + w).min(m)),
    }
}

/// The band half-width actually used: at least |n - m| so that (n, m) stays reachable.
pub fn effective_window(w: Option<usize>, n: usize, m: usize) -> Option<usize> {
    w.map(|w| w.max(n.abs_diff(m)))
}

/// Two-row evaluation; O(m) memory.
pub fn run<R: DpRule>(r: &R, n: usize, m: usize, window: Option<usize>) -> f64 {
    let w = effective_window(window, n, m);
    let mut prev = vec![0.0f64; m + 1];
    let mut cur = vec![0.0f64; m + 1];
    prev[0] = r.corner();
    for (j, v) in prev.iter_mut().enumerate().skip(1) {
        *v = r.top(j);
    }
    for i in 1..=n {
        crate::cancel::tick(m);
        cur[0] = r.left(i);
        let (lo, hi) = band(i, m, w);
        for v in &mut cur[1..lo] {
            *v = f64::INFINITY;
        }
        for j in lo..=hi {
            cur[j] = r.cell(i, j, prev[j - 1], prev[j], cur[j - 1]);
        }
        for v in &mut cur[hi + 1..] {
            *v = f64::INFINITY;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    r.finish(prev[m])
}

/// The full (n+1) x (m+1) accumulated matrix, row-major.
#[derive(Clone, Debug, PartialEq, Encode, Decode)]
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f64>,
}

impl Matrix {
    #[inline(always)]
    pub fn at(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.cols + j]
    }
}

pub fn full<R: DpRule>(r: &R, n: usize, m: usize, window: Option<usize>) -> Matrix {
    let w = effective_window(window, n, m);
    let cols = m + 1;
    let mut c = vec![f64::INFINITY; (n + 1) * cols];
    c[0] = r.corner();
    for j in 1..=m {
        c[j] = r.top(j);
    }
    for i in 1..=n {
        crate::cancel::tick(m);
        c[i * cols] = r.left(i);
        let (lo, hi) = band(i, m, w);
        for j in lo..=hi {
            let v = r.cell(i, j, c[(i - 1) * cols + j - 1], c[(i - 1) * cols + j], c[i * cols + j - 1]);
            c[i * cols + j] = v;
        }
    }
    Matrix { rows: n + 1, cols, data: c }
}

/// Distance, accumulated matrix and optimal alignment of one pair.
#[derive(Clone, Debug, PartialEq, Encode, Decode)]
pub struct DpDetails {
    pub distance: f64,
    pub matrix: Matrix,
    /// Aligned (i, j) point pairs, 0-based, from the start of both trajectories to their end.
    pub path: Vec<[i64; 2]>,
}

pub fn details<R: DpRule>(r: &R, n: usize, m: usize, window: Option<usize>) -> DpDetails {
    let matrix = full(r, n, m, window);
    let distance = r.finish(matrix.at(n, m));
    let mut path = Vec::with_capacity(n + m);
    let (mut i, mut j) = (n, m);
    while i > 0 && j > 0 {
        let (pi, pj, keep) = r.back(i, j, &matrix);
        if keep {
            path.push([(i - 1) as i64, (j - 1) as i64]);
        }
        debug_assert!(pi + pj < i + j);
        i = pi;
        j = pj;
    }
    path.reverse();
    DpDetails { distance, matrix, path }
}

/// Traceback for the min-plus rules (DTW, discrete Fréchet): the smallest predecessor, the
/// diagonal first on ties.
#[inline]
pub fn back_to_min(i: usize, j: usize, m: &Matrix) -> (usize, usize, bool) {
    let (d, u, l) = (m.at(i - 1, j - 1), m.at(i - 1, j), m.at(i, j - 1));
    if d <= u && d <= l {
        (i - 1, j - 1, true)
    } else if u <= l {
        (i - 1, j, true)
    } else {
        (i, j - 1, true)
    }
}
