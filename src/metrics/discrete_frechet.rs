//! Discrete Fréchet: the bottleneck (max) version of DTW's recurrence.

use super::dp::{back_to_min, DpRule, Matrix};
use crate::geometry::Ground;
use crate::traj::Traj;

pub struct DiscreteFrechet<'a, G> {
    pub g: &'a G,
    pub a: Traj<'a>,
    pub b: Traj<'a>,
}

impl<G: Ground> DpRule for DiscreteFrechet<'_, G> {
    fn top(&self, _j: usize) -> f64 {
        f64::INFINITY
    }
    fn left(&self, _i: usize) -> f64 {
        f64::INFINITY
    }
    #[inline(always)]
    fn cell(&self, i: usize, j: usize, diag: f64, up: f64, left: f64) -> f64 {
        self.g.dist(self.a.p(i - 1), self.b.p(j - 1)).max(left.min(diag).min(up))
    }
    fn back(&self, i: usize, j: usize, m: &Matrix) -> (usize, usize, bool) {
        back_to_min(i, j, m)
    }
}
