//! Discrete Fréchet: the bottleneck (max) version of DTW's recurrence,
//! C(i, j) = max(d(a_i, b_j), min(C(i-1, j-1), C(i-1, j), C(i, j-1))).
//!
//! The cells hold the space's cell values (squared distances in Euclidean space): max and min
//! commute with the monotone, correctly rounded sqrt, so the one square root at the end gives
//! the bits the distances would.

use super::bound;
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

impl DiscreteFrechet {
    /// A lower bound on the computed discrete Fréchet distance (`metrics::bound`), exact: the
    /// kernel's result is the cost of one cell value on the best alignment (max and min pick
    /// values without rounding), and every alignment holds (0, 0), (n-1, m-1) and every point
    /// of each trajectory. So the result is at least the cell values of the two ends, and of
    /// each point's gap to the other's box (`Pair::gap_cell`, at most its cell value with any
    /// point there; in Euclidean space exactly the squared gap), or the groups aligned in order
    /// (`Pair::block_path`). `cost` (the square root) is monotone.
    pub fn lower_bound(p: &bound::Pair, level: bound::Level) -> f64 {
        let (c0, c1) = p.end_cells();
        let gap = |g: f64| p.gap_cell(g);
        let mut c = c0.max(c1).max(gap(p.box_gap_sq()));
        if level == bound::Level::Blocks {
            c = c.max(p.block_path(false, gap));
        } else if level != bound::Level::Cheap {
            let (ga, gb) = p.to_box(level, 0.0f64, |s, g, _| s.max(gap(g)));
            c = c.max(ga).max(gb);
        }
        p.dist(c)
    }
}
