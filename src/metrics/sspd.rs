//! Symmetrized segment-path distance (Besse et al. 2016).

use crate::geometry::{point_to_polyline, Ground};
use crate::traj::Traj;

/// SPD(A->B): mean over a's vertices of the distance to polyline b (summed in point order).
pub fn spd<G: Ground>(g: &G, a: Traj, b: Traj, exact_vertices: bool) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += point_to_polyline(g, a.p(i), b, exact_vertices);
    }
    s / a.len() as f64
}

/// (SPD(A->B) + SPD(B->A)) / 2; `sum_only` is traj-dist's spherical variant, which omits the /2.
/// `exact_vertices`: see `point_to_polyline` (true in the standard variant).
pub fn sspd<G: Ground>(g: &G, a: Traj, b: Traj, sum_only: bool, exact_vertices: bool) -> f64 {
    let s = spd(g, a, b, exact_vertices) + spd(g, b, a, exact_vertices);
    if sum_only {
        s
    } else {
        s / 2.0
    }
}
