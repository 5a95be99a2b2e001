//! Symmetrized segment-path distance (Besse et al. 2016).

use crate::geometry::polyline_euclidean::{self, PolyView};
use crate::geometry::{Ground, Reduce};
use crate::traj::Traj;

/// (SPD(A->B) + SPD(B->A)) / 2 from the per-direction sums of point-to-polyline distances
/// (SPD is their mean, summed in point order); `sum_only` is traj-dist's spherical variant,
/// which omits the /2.
fn symmetrize(sum_ab: f64, n_a: usize, sum_ba: f64, n_b: usize, sum_only: bool) -> f64 {
    let s = sum_ab / n_a as f64 + sum_ba / n_b as f64;
    if sum_only {
        s
    } else {
        s / 2.0
    }
}

/// `exact_vertices`: see `geometry::point_to_polyline` (true in the standard variant).
pub fn sspd<G: Ground>(g: &G, a: Traj, b: Traj, sum_only: bool, exact_vertices: bool) -> f64 {
    let ab = g.directed(a, b, exact_vertices, Reduce::Sum);
    let ba = g.directed(b, a, exact_vertices, Reduce::Sum);
    symmetrize(ab, a.len(), ba, b.len(), sum_only)
}

/// Euclidean SSPD over trajectories laid out once per call (the batch path); the same value as
/// `sspd(&Euclidean, ..)` (traj-dist's sum-only form is spherical, so it never applies here).
pub fn sspd_packed(a: PolyView, b: PolyView, exact_vertices: bool) -> f64 {
    let ab = polyline_euclidean::directed(a, b, exact_vertices, Reduce::Sum);
    let ba = polyline_euclidean::directed(b, a, exact_vertices, Reduce::Sum);
    symmetrize(ab, a.len(), ba, b.len(), false)
}

/// A lower bound on the computed SSPD (`metrics::bound`), Euclidean: each vertex's distance
/// to the other polyline is at least its gap to the other's box (a polyline lies inside the
/// box of its vertices), so each direction's mean is at least the mean of those gaps, and
/// every gap at least the boxes' gap. Projections, sums and means in floating point:
/// `geometric_margin`.
pub fn lower_bound(p: &super::bound::Pair, level: super::bound::Level) -> f64 {
    if !p.euclidean() {
        return 0.0;
    }
    let (n, m) = (p.n(), p.m());
    let mut s = p.box_gap_sq().sqrt();
    if level != super::bound::Level::Cheap {
        let (sa, sb) = p.to_box(level, 0.0, |s, g, c| s + c as f64 * g.sqrt());
        s = s.max(symmetrize(sa, n, sb, m, false));
    }
    super::bound::geometric_margin(s, p.extent(), n + m)
}
