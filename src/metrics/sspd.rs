//! Symmetrized segment-path distance (Besse et al. 2016).

use crate::geometry::polyline_euclidean::{self, PolyView};
use crate::geometry::{Ground, Reduce};
use crate::traj::Traj;

/// SPD(A->B): mean over a's vertices of the distance to polyline b (summed in point order).
pub fn spd<G: Ground>(g: &G, a: Traj, b: Traj, exact_vertices: bool) -> f64 {
    g.directed(a, b, exact_vertices, Reduce::Sum) / a.len() as f64
}

/// (SPD(A->B) + SPD(B->A)) / 2; `sum_only` is traj-dist's spherical variant, which omits the /2.
/// `exact_vertices`: see `geometry::point_to_polyline` (true in the standard variant).
pub fn sspd<G: Ground>(g: &G, a: Traj, b: Traj, sum_only: bool, exact_vertices: bool) -> f64 {
    let s = spd(g, a, b, exact_vertices) + spd(g, b, a, exact_vertices);
    if sum_only {
        s
    } else {
        s / 2.0
    }
}

/// Euclidean SSPD over trajectories laid out once per call (the batch path); the same value as
/// `sspd(&Euclidean, ..)` (traj-dist's sum-only form is spherical, so it never applies here).
pub fn sspd_packed(a: PolyView, b: PolyView, exact_vertices: bool) -> f64 {
    let spd_ab = polyline_euclidean::directed(a, b, exact_vertices, Reduce::Sum) / a.len() as f64;
    let spd_ba = polyline_euclidean::directed(b, a, exact_vertices, Reduce::Sum) / b.len() as f64;
    (spd_ab + spd_ba) / 2.0
}
