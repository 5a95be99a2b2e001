//! Dynamic time warping: the sum of ground distances along the best monotone alignment.
//! C(i, j) = d(a_i, b_j) + min(C(i-1, j-1), C(i-1, j), C(i, j-1)); borders 0 at the corner,
//! +inf elsewhere. An optional Sakoe-Chiba band (`window`) is applied by the kernel.

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
