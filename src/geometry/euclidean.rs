use super::{polyline_euclidean, Ground, Reduce};
use crate::traj::Traj;

/// Straight-line distance in 2-D or 3-D.
#[derive(Clone, Copy, Debug, Default)]
pub struct Euclidean;

impl Euclidean {
    #[inline(always)]
    pub fn sq(a: &[f64], b: &[f64]) -> f64 {
        // Summed from 0.0 in coordinate order: for 2-D this is bit-identical to dx*dx + dy*dy.
        let mut s = 0.0;
        for k in 0..a.len() {
            let d = a[k] - b[k];
            s += d * d;
        }
        s
    }
}

impl Ground for Euclidean {
    #[inline(always)]
    fn dist(&self, a: &[f64], b: &[f64]) -> f64 {
        Self::sq(a, b).sqrt()
    }

    #[inline]
    fn point_to_segment(&self, p: &[f64], s: &[f64], e: &[f64]) -> f64 {
        if s == e {
            return self.dist(p, s);
        }
        // |e-s|^2 is formed as sqrt(...)^2, as traj-dist does, so both variants share one formula.
        let segl = self.dist(s, e);
        let mut dot = 0.0;
        for k in 0..p.len() {
            dot += (p[k] - s[k]) * (e[k] - s[k]);
        }
        let u = dot / (segl * segl);
        if !(0.00001..=1.0).contains(&u) {
            self.dist(p, s).min(self.dist(p, e))
        } else {
            let mut sq = 0.0;
            for k in 0..p.len() {
                let d = p[k] - (s[k] + u * (e[k] - s[k]));
                sq += d * d;
            }
            sq.sqrt()
        }
    }

    fn directed(&self, a: Traj, b: Traj, exact_vertices: bool, red: Reduce) -> f64 {
        // One-off layout; batch calls lay out every trajectory once (`PolySet` in the evaluator).
        let set = polyline_euclidean::PolySet::new([a, b].into_iter());
        polyline_euclidean::directed(set.get(0), set.get(1), exact_vertices, red)
    }
}
