//! Ground distances between points and from a point to a segment or polyline.
//!
//! Every metric is generic over [`Ground`], so each (metric, space) pair is compiled into its own
//! monomorphised kernel with the distance inlined.

mod euclidean;
mod spherical;

pub use euclidean::Euclidean;
pub use spherical::Haversine;

use crate::traj::Traj;

pub trait Ground: Sync + Send {
    /// Distance between two points of the same dimension.
    fn dist(&self, a: &[f64], b: &[f64]) -> f64;
    /// Distance from `p` to the segment [s, e] (METRICS.md, "Point to segment").
    fn point_to_segment(&self, p: &[f64], s: &[f64], e: &[f64]) -> f64;
}

/// Minimum distance from `p` to the segments of `t`; a one-point polyline has no segment, so the
/// distance to its point is used.
///
/// `exact_vertices` (the standard variant) returns 0 for a point that is one of t's vertices: the
/// projection formula can land an ulp short of a segment's end and give 1e-20 there, which would
/// make Hausdorff(A, A) non-zero. traj-dist keeps that rounding, so its variant passes false.
#[inline]
pub fn point_to_polyline<G: Ground>(g: &G, p: &[f64], t: Traj, exact_vertices: bool) -> f64 {
    point_to_polyline_above(g, p, t, exact_vertices, f64::NEG_INFINITY)
}

/// Like `point_to_polyline`, but may stop as soon as the distance is known to be below `bound`,
/// returning some value below it. Hausdorff takes a max of these minima: a point whose distance
/// is below the max so far cannot change it, so its exact minimum is never needed, and the
/// point that sets the max is always measured in full (bit-identical result, far fewer tests).
#[inline]
pub fn point_to_polyline_above<G: Ground>(g: &G, p: &[f64], t: Traj, exact_vertices: bool, bound: f64) -> f64 {
    let n = t.len();
    if n == 1 {
        return g.dist(p, t.p(0));
    }
    let mut best = f64::INFINITY;
    for k in 0..n - 1 {
        if exact_vertices && (p == t.p(k) || p == t.p(k + 1)) {
            return 0.0;
        }
        let d = g.point_to_segment(p, t.p(k), t.p(k + 1));
        if d < best {
            best = d;
            if best < bound {
                return best;
            }
        }
    }
    best
}
