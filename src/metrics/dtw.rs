//! Dynamic time warping: sum of ground distances along the best monotone alignment.

use super::dp::{back_to_min, DpRule, Matrix};
use crate::geometry::Ground;
use crate::traj::Traj;

pub struct Dtw<'a, G> {
    pub g: &'a G,
    pub a: Traj<'a>,
    pub b: Traj<'a>,
}

impl<G: Ground> DpRule for Dtw<'_, G> {
    fn top(&self, _j: usize) -> f64 {
        f64::INFINITY
    }
    fn left(&self, _i: usize) -> f64 {
        f64::INFINITY
    }
    #[inline(always)]
    fn cell(&self, i: usize, j: usize, diag: f64, up: f64, left: f64) -> f64 {
        self.g.dist(self.a.p(i - 1), self.b.p(j - 1)) + left.min(diag).min(up)
    }
    fn back(&self, i: usize, j: usize, m: &Matrix) -> (usize, usize, bool) {
        back_to_min(i, j, m)
    }
}
