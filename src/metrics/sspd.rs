//! Symmetrized segment-path distance (Besse et al. 2016).

use crate::geometry::{point_to_polyline, Ground};
use crate::traj::Traj;

/// SPD(A->B): mean over a's vertices of the distance to polyline b (summed in point order).
pub fn spd<G: Ground>(g: &G, a: Traj, b: Traj) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += point_to_polyline(g, a.p(i), b);
    }
    s / a.len() as f64
}

/// (SPD(A->B) + SPD(B->A)) / 2; `sum_only` is traj-dist's spherical variant, which omits the /2.
pub fn sspd<G: Ground>(g: &G, a: Traj, b: Traj, sum_only: bool) -> f64 {
    let s = spd(g, a, b) + spd(g, b, a);
    if sum_only {
        s
    } else {
        s / 2.0
    }
}
