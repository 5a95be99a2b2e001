//! Hausdorff distance, vertex-to-polyline: max(h(A->B), h(B->A)).

use crate::geometry::polyline_euclidean::{self, PolyView};
use crate::geometry::{Ground, Reduce};
use crate::traj::Traj;

/// max over a's vertices of the distance to polyline b.
pub fn directed<G: Ground>(g: &G, a: Traj, b: Traj, exact_vertices: bool) -> f64 {
    g.directed(a, b, exact_vertices, Reduce::Max(0.0))
}

/// `exact_vertices`: see `geometry::point_to_polyline` (true in the standard variant).
pub fn hausdorff<G: Ground>(g: &G, a: Traj, b: Traj, exact_vertices: bool) -> f64 {
    // The second direction starts from the first one's max: max(x, max(y...)) is the same value,
    // and points of b that cannot raise it are abandoned early.
    let h = directed(g, a, b, exact_vertices);
    g.directed(b, a, exact_vertices, Reduce::Max(h))
}

/// Euclidean Hausdorff over trajectories laid out once per call (the batch path); the same
/// value as `hausdorff(&Euclidean, ..)`.
pub fn hausdorff_packed(a: PolyView, b: PolyView, exact_vertices: bool) -> f64 {
    let h = polyline_euclidean::directed(a, b, exact_vertices, Reduce::Max(0.0));
    polyline_euclidean::directed(b, a, exact_vertices, Reduce::Max(h))
}
