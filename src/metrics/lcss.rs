//! LCSS distance: 1 - (longest common subsequence under threshold eps) / min(n, m).

use super::dp::{DpRule, Matrix};
use crate::geometry::Ground;
use crate::traj::Traj;

pub struct Lcss<'a, G> {
    pub g: &'a G,
    pub a: Traj<'a>,
    pub b: Traj<'a>,
    pub eps: f64,
}

impl<G: Ground> Lcss<'_, G> {
    #[inline(always)]
    fn matches(&self, i: usize, j: usize) -> bool {
        self.g.dist(self.a.p(i - 1), self.b.p(j - 1)) < self.eps
    }
}

impl<G: Ground> DpRule for Lcss<'_, G> {
    fn top(&self, _j: usize) -> f64 {
        0.0
    }
    fn left(&self, _i: usize) -> f64 {
        0.0
    }
    #[inline(always)]
    fn cell(&self, i: usize, j: usize, diag: f64, up: f64, left: f64) -> f64 {
        if self.matches(i, j) {
            diag + 1.0
        } else {
            left.max(up)
        }
    }
    fn finish(&self, c: f64) -> f64 {
        1.0 - c / (self.a.len().min(self.b.len()) as f64)
    }
    fn back(&self, i: usize, j: usize, m: &Matrix) -> (usize, usize, bool) {
        if self.matches(i, j) {
            (i - 1, j - 1, true)
        } else if m.at(i - 1, j) >= m.at(i, j - 1) {
            (i - 1, j, false)
        } else {
            (i, j - 1, false)
        }
    }
}
