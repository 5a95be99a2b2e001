//! Ground distances between points and from a point to a segment or polyline.
//!
//! The polyline metrics are generic over [`Ground`], the DP metrics over
//! [`lane_space::LaneSpace`] (cell values for W pairs side by side), so each (metric, space)
//! pair is compiled into its own monomorphised kernel with the distance inlined.

mod euclidean;
pub mod lane_space;
mod polyline;
pub mod polyline_euclidean;
mod polyline_spherical;
mod spherical;
pub mod trig;

pub use euclidean::Euclidean;
pub use polyline::{point_to_polyline, Reduce};
pub use spherical::{arc_metres, Haversine, HaversinePrepared, R as EARTH_RADIUS};

use crate::traj::Traj;

pub trait Ground: Sync + Send {
    /// Distance between two points of the same dimension.
    fn dist(&self, a: &[f64], b: &[f64]) -> f64;
    /// Distance from `p` to the segment [s, e] (docs/metrics.md, "Point to segment").
    fn point_to_segment(&self, p: &[f64], s: &[f64], e: &[f64]) -> f64;
    /// `red` over a's points of their distance to polyline `b` (see `point_to_polyline` for
    /// `exact_vertices`). Each space overrides it with a kernel that shares work across the
    /// points and segments; all give the value of `polyline::directed_generic` bit for bit.
    fn directed(&self, a: Traj, b: Traj, exact_vertices: bool, red: Reduce) -> f64
    where
        Self: Sized,
    {
        polyline::directed_generic(self, a, b, exact_vertices, red)
    }
}
