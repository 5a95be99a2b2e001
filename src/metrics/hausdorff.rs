//! Hausdorff distance, vertex-to-polyline: max(h(A->B), h(B->A)).

use crate::geometry::{point_to_polyline, Ground};
use crate::traj::Traj;

/// max over a's vertices of the distance to polyline b.
pub fn directed<G: Ground>(g: &G, a: Traj, b: Traj, exact_vertices: bool) -> f64 {
    let mut h = 0.0f64;
    for i in 0..a.len() {
        h = h.max(point_to_polyline(g, a.p(i), b, exact_vertices));
    }
    h
}

/// `exact_vertices`: see `point_to_polyline` (true in the standard variant).
pub fn hausdorff<G: Ground>(g: &G, a: Traj, b: Traj, exact_vertices: bool) -> f64 {
    directed(g, a, b, exact_vertices).max(directed(g, b, a, exact_vertices))
}
