//! Edit distance with real penalty (Chen & Ng 2004): gaps cost the distance to a gap point g.

use super::dp::{DpRule, Matrix};
use crate::geometry::Ground;
use crate::traj::Traj;

pub struct Erp<'a, G> {
    pub g: &'a G,
    pub a: Traj<'a>,
    pub b: Traj<'a>,
    /// d(a_i, gap) and d(b_j, gap), 0-based.
    ga: Vec<f64>,
    gb: Vec<f64>,
    /// C(i, 0) and C(0, j), index 0 unused.
    left: Vec<f64>,
    top: Vec<f64>,
}

impl<'a, G: Ground> Erp<'a, G> {
    /// `total_border`: traj-dist's variant, where every border cell holds the whole sum.
    pub fn new(g: &'a G, a: Traj<'a>, b: Traj<'a>, gap: &[f64], total_border: bool) -> Self {
        let ga: Vec<f64> = (0..a.len()).map(|i| g.dist(a.p(i), gap)).collect();
        let gb: Vec<f64> = (0..b.len()).map(|j| g.dist(b.p(j), gap)).collect();
        let border = |d: &[f64]| {
            let mut out = vec![0.0; d.len() + 1];
            let mut acc = 0.0;
            for (k, v) in d.iter().enumerate() {
                acc += v;
                out[k + 1] = acc;
            }
            if total_border {
                let total = acc;
                out[1..].iter_mut().for_each(|x| *x = total);
            }
            out
        };
        let left = border(&ga);
        let top = border(&gb);
        Erp { g, a, b, ga, gb, left, top }
    }
}

impl<G: Ground> DpRule for Erp<'_, G> {
    fn top(&self, j: usize) -> f64 {
        self.top[j]
    }
    fn left(&self, i: usize) -> f64 {
        self.left[i]
    }
    #[inline(always)]
    fn cell(&self, i: usize, j: usize, diag: f64, up: f64, left: f64) -> f64 {
        let sub = diag + self.g.dist(self.a.p(i - 1), self.b.p(j - 1));
        (up + self.ga[i - 1]).min((left + self.gb[j - 1]).min(sub))
    }
    fn back(&self, i: usize, j: usize, m: &Matrix) -> (usize, usize, bool) {
        let c = m.at(i, j);
        if c == m.at(i - 1, j - 1) + self.g.dist(self.a.p(i - 1), self.b.p(j - 1)) {
            (i - 1, j - 1, true)
        } else if c == m.at(i - 1, j) + self.ga[i - 1] {
            (i - 1, j, false)
        } else {
            (i, j - 1, false)
        }
    }
}
