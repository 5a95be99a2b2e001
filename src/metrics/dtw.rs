//! Dynamic time warping: the sum of ground distances along the best monotone alignment.
//! C(i, j) = d(a_i, b_j) + min(C(i-1, j-1), C(i-1, j), C(i, j-1)); borders 0 at the corner,
//! +inf elsewhere. An optional Sakoe-Chiba band (`window`) is applied by the kernel.

use super::bound;
use super::dp::{back_to_min, vmin, Back, Cell, DpRule, Lanes, Step};
use crate::geometry::lane_space::LaneSpace;

#[derive(Clone, Copy)]
pub struct Dtw;

impl DpRule for Dtw {
    #[inline(always)]
    fn cell<S: LaneSpace, const W: usize>(&self, sp: &S, cell: Cell<W>) -> Lanes<W> {
        let Cell { s, diag, up, left, .. } = cell;
        // min(diag, up) is off the critical path; the chain is min(left, .) then the add.
        let mm = vmin(left, vmin(diag, up));
        let d = sp.dist(s);
        let mut c = [0.0; W];
        for l in 0..W {
            c[l] = d[l] + mm[l];
        }
        c
    }
    fn back<S: LaneSpace>(&self, _sp: &S, at: &Back) -> (Step, bool) {
        back_to_min(at)
    }
}

impl Dtw {
    /// A lower bound on the computed DTW (`metrics::bound`), at `level`.
    /// - Ends: every alignment holds (0, 0) and (n-1, m-1), distinct cells once max(n, m) >= 2.
    ///   The kernel's C(1, 1) is d00 + 0 = d00 exactly, every later cell adds a non-negative
    ///   distance to a minimum of cells, each at least d00, so the result
    ///   fl(d_end + min(..)) >= fl(d_end + d00): exactly the bound, by monotone rounding.
    ///   With n = m = 1 the result is d00 itself.
    /// - Boxes: every point of a is aligned with some point of b, so the sum over a's points
    ///   of their distance to b's box is at most DTW, and so is the same sum for b (or with
    ///   groups of points for points, or the groups aligned in order: `Pair::block_path`); an
    ///   alignment has at least max(n, m) cells, each at least the boxes' gap. A gap's distance
    ///   is `Pair::gap_cell`'s (in spherical space, boxes of unit vectors, whose chords are
    ///   below the arcs). The sums are taken in another order than the kernel's: `sum_margin`.
    pub fn lower_bound(p: &bound::Pair, level: bound::Level) -> f64 {
        let (n, m) = (p.n(), p.m());
        let (c0, c1) = p.end_cells();
        let ends = if n.max(m) >= 2 { p.dist(c0) + p.dist(c1) } else { p.dist(c0) };
        let gap = |g: f64| p.dist(p.gap_cell(g));
        let mut boxed = n.max(m) as f64 * gap(p.box_gap_sq());
        if level == bound::Level::Blocks {
            boxed = boxed.max(p.block_path(true, gap));
        } else if level != bound::Level::Cheap {
            let (sa, sb) = p.to_box(level, 0.0, |s, g, c| s + c as f64 * gap(g));
            boxed = boxed.max(sa).max(sb);
        }
        ends.max(bound::sum_margin(boxed, n + m))
    }
}
