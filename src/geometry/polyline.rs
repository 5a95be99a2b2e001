//! Distances from points to a polyline, reduced over the points: the one loop Hausdorff and
//! SSPD share. This generic form is the reference the per-space kernels must match bit for bit.

use super::Ground;
use crate::traj::Traj;

/// How the per-point distances are combined.
#[derive(Clone, Copy, Debug)]
pub enum Reduce {
    /// max(h0, max_i d_i) (Hausdorff). A point whose distance is known to be below the max so
    /// far cannot change it, so its exact minimum is never needed: it is abandoned early.
    Max(f64),
    /// sum_i d_i in point order (SPD).
    Sum,
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
/// returning some value below it.
#[inline]
fn point_to_polyline_above<G: Ground>(g: &G, p: &[f64], t: Traj, exact_vertices: bool, bound: f64) -> f64 {
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

/// The reference `Ground::directed`: one point and one segment at a time.
pub fn directed_generic<G: Ground>(g: &G, a: Traj, b: Traj, exact_vertices: bool, red: Reduce) -> f64 {
    match red {
        Reduce::Max(h0) => {
            let mut h = h0;
            for i in 0..a.len() {
                crate::cancel::tick(b.len());
                h = h.max(point_to_polyline_above(g, a.p(i), b, exact_vertices, h));
            }
            h
        }
        Reduce::Sum => {
            let mut s = 0.0;
            for i in 0..a.len() {
                crate::cancel::tick(b.len());
                s += point_to_polyline(g, a.p(i), b, exact_vertices);
            }
            s
        }
    }
}
