//! Discrete Fréchet: the bottleneck (max) version of DTW's recurrence,
//! C(i, j) = max(d(a_i, b_j), min(C(i-1, j-1), C(i-1, j), C(i, j-1))).
//!
//! The cells hold the space's cell values (squared distances in Euclidean space): max and min
//! commute with the monotone, correctly rounded sqrt, so the one square root at the end gives
//! the bits the distances would.

use super::dp::{back_to_min, vmax, vmin, Back, Cell, DpRule, Lanes, Step};
use crate::geometry::lane_space::LaneSpace;

#[derive(Clone, Copy)]
pub struct DiscreteFrechet;

impl DpRule for DiscreteFrechet {
    #[inline(always)]
    fn cell<S: LaneSpace, const W: usize>(&self, _sp: &S, cell: Cell<W>) -> Lanes<W> {
        let Cell { s, diag, up, left, .. } = cell;
        vmax(s, vmin(left, vmin(diag, up)))
    }
    #[inline(always)]
    fn cost<S: LaneSpace>(&self, sp: &S, c: f64) -> f64 {
        sp.dist1(c)
    }
    fn back<S: LaneSpace>(&self, _sp: &S, at: &Back) -> (Step, bool) {
        back_to_min(at)
    }
}
