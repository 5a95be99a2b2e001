//! Hausdorff distance, vertex-to-polyline: max(h(A->B), h(B->A)).

use crate::geometry::polyline_euclidean::{self, PolyView};
use crate::geometry::{Ground, Reduce};
use crate::traj::Traj;

/// Both directions from `directed(forward, red)`, forward meaning A->B. The second direction
/// starts from the first one's max: max(x, max(y...)) is the same value, and points of B that
/// cannot raise it are abandoned early.
fn both_ways(directed: impl Fn(bool, Reduce) -> f64) -> f64 {
    let h = directed(true, Reduce::Max(0.0));
    directed(false, Reduce::Max(h))
}

/// `exact_vertices`: see `geometry::point_to_polyline` (true in the standard variant).
pub fn hausdorff<G: Ground>(g: &G, a: Traj, b: Traj, exact_vertices: bool) -> f64 {
    both_ways(|fwd, red| {
        let (x, y) = if fwd { (a, b) } else { (b, a) };
        g.directed(x, y, exact_vertices, red)
    })
}

/// Euclidean Hausdorff over trajectories laid out once per call (the batch path); the same
/// value as `hausdorff(&Euclidean, ..)`.
pub fn hausdorff_packed(a: PolyView, b: PolyView, exact_vertices: bool) -> f64 {
    both_ways(|fwd, red| {
        let (x, y) = if fwd { (a, b) } else { (b, a) };
        polyline_euclidean::directed(x, y, exact_vertices, red)
    })
}

/// A lower bound on the computed Hausdorff distance (`metrics::bound`), Euclidean: each vertex
/// of a is at least its gap to b's box from b's polyline (a polyline lies inside the box of
/// its vertices), so h(a -> b) is at least the largest such gap, and the same from b. Points
/// are projected on segments in floating point: `geometric_margin`.
pub fn lower_bound(p: &super::bound::Pair, level: super::bound::Level) -> f64 {
    if !p.euclidean() {
        return 0.0;
    }
    let mut g = p.box_gap_sq();
    if level != super::bound::Level::Cheap {
        let (ga, gb) = p.to_box(level, 0.0f64, |s, g, _| s.max(g));
        g = g.max(ga).max(gb);
    }
    super::bound::geometric_margin(g.sqrt(), p.extent(), p.n() + p.m())
}
