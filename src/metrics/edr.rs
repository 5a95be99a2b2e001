//! Edit distance on real sequences (Chen et al. 2005), and traj-dist's variant of it.

use super::dp::{DpRule, Matrix};
use crate::geometry::Ground;
use crate::traj::Traj;

pub struct Edr<'a, G> {
    pub g: &'a G,
    pub a: Traj<'a>,
    pub b: Traj<'a>,
    pub eps: f64,
    /// traj-dist's borders are 0 instead of i and j.
    pub zero_border: bool,
    pub normalize: bool,
}

impl<G: Ground> Edr<'_, G> {
    #[inline(always)]
    fn subcost(&self, i: usize, j: usize) -> f64 {
        if self.g.dist(self.a.p(i - 1), self.b.p(j - 1)) < self.eps {
            0.0
        } else {
            1.0
        }
    }
}

impl<G: Ground> DpRule for Edr<'_, G> {
    fn top(&self, j: usize) -> f64 {
        if self.zero_border {
            0.0
        } else {
            j as f64
        }
    }
    fn left(&self, i: usize) -> f64 {
        if self.zero_border {
            0.0
        } else {
            i as f64
        }
    }
    #[inline(always)]
    fn cell(&self, i: usize, j: usize, diag: f64, up: f64, left: f64) -> f64 {
        (left + 1.0).min(up + 1.0).min(diag + self.subcost(i, j))
    }
    fn finish(&self, c: f64) -> f64 {
        if self.normalize {
            c / (self.a.len().max(self.b.len()) as f64)
        } else {
            c
        }
    }
    fn back(&self, i: usize, j: usize, m: &Matrix) -> (usize, usize, bool) {
        let c = m.at(i, j);
        if c == m.at(i - 1, j - 1) + self.subcost(i, j) {
            (i - 1, j - 1, true)
        } else if c == m.at(i - 1, j) + 1.0 {
            (i - 1, j, false)
        } else {
            (i, j - 1, false)
        }
    }
}
