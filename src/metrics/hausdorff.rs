//! Hausdorff distance, vertex-to-polyline: max(h(A->B), h(B->A)).

use crate::geometry::{point_to_polyline_above, Ground};
use crate::traj::Traj;

/// max over a's vertices of the distance to polyline b.
pub fn directed<G: Ground>(g: &G, a: Traj, b: Traj, exact_vertices: bool) -> f64 {
    directed_above(g, a, b, exact_vertices, 0.0)
}

/// max(h0, h(A->B)); points that cannot raise the max are abandoned early.
fn directed_above<G: Ground>(g: &G, a: Traj, b: Traj, exact_vertices: bool, h0: f64) -> f64 {
    let mut h = h0;
    for i in 0..a.len() {
        h = h.max(point_to_polyline_above(g, a.p(i), b, exact_vertices, h));
    }
    h
}

/// `exact_vertices`: see `point_to_polyline` (true in the standard variant).
pub fn hausdorff<G: Ground>(g: &G, a: Traj, b: Traj, exact_vertices: bool) -> f64 {
    // The second direction starts from the first one's max: max(x, max(y...)) is the same value.
    let h = directed(g, a, b, exact_vertices);
    directed_above(g, b, a, exact_vertices, h)
}
