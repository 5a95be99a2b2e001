//! Edit distance on real sequences (Chen et al. 2005), and traj-dist's variant of it.
//! C(i, j) = min(C(i, j-1) + 1, C(i-1, j) + 1, C(i-1, j-1) + sub), sub = 0 when
//! d(a_i, b_j) < eps, else 1; borders i and j (traj-dist: 0); optionally divided by max(n, m).

use super::bound;
use super::dp::{matches, Back, Cell, DpRule, Lanes, Step};
use crate::geometry::lane_space::LaneSpace;

/// `t`: the space's `below(eps)`, so that d < eps is `s <= t` on cell values.
#[derive(Clone, Copy)]
pub struct Edr {
    pub t: Option<f64>,
    /// traj-dist's borders are 0 instead of i and j.
    pub zero_border: bool,
    pub normalize: bool,
}

impl Edr {
    #[inline(always)]
    fn subcost(&self, s: f64) -> f64 {
        if matches(s, self.t) {
            0.0
        } else {
            1.0
        }
    }
}

impl DpRule for Edr {
    fn top(&self, j: usize) -> f64 {
        if self.zero_border { 0.0 } else { j as f64 }
    }
    fn left(&self, i: usize) -> f64 {
        if self.zero_border { 0.0 } else { i as f64 }
    }
    #[inline(always)]
    fn cell<S: LaneSpace, const W: usize>(&self, _sp: &S, cell: Cell<W>) -> Lanes<W> {
        let Cell { s, diag, up, left, .. } = cell;
        let mut c = [0.0; W];
        for l in 0..W {
            let sub = self.subcost(s[l]);
            let a = left[l] + 1.0;
            let b = up[l] + 1.0;
            let ab = if b < a { b } else { a };
            let d = diag[l] + sub;
            c[l] = if d < ab { d } else { ab };
        }
        c
    }
    fn finish(&self, c: f64, n: usize, m: usize) -> f64 {
        if self.normalize { c / (n.max(m) as f64) } else { c }
    }
    fn back<S: LaneSpace>(&self, _sp: &S, at: &Back) -> (Step, bool) {
        if at.c == at.diag + self.subcost(at.s) {
            (Step::Diag, true)
        } else if at.c == at.up + 1.0 {
            (Step::Up, false)
        } else {
            (Step::Left, false)
        }
    }
}

impl Edr {
    /// A lower bound on the computed EDR (`metrics::bound`), exact: counts of edits, each an
    /// integer the kernel computes exactly, through the same `finish`. With the standard
    /// borders, an edit script needs at least |n - m| insertions or deletions, and every point
    /// that no point of the other trajectory matches (its gap to the other's box, through
    /// `Pair::gap_cell`, above t) costs one edit of its own, deleted or substituted, each edit
    /// holding at most one point of each side. traj-dist's zero borders make any prefix free,
    /// so it gets no bound (0). Past `Level::Cheap` the points are counted (by groups, then one
    /// by one); otherwise only the boxes' gap decides, all points or none.
    pub fn lower_bound(&self, p: &bound::Pair, level: bound::Level) -> f64 {
        if self.zero_border {
            return 0.0;
        }
        let (n, m) = (p.n(), p.m());
        let mut edits = n.abs_diff(m);
        let can = |g: f64| self.t.is_some_and(|t| p.gap_cell(g) <= t);
        if !can(p.box_gap_sq()) {
            edits = n.max(m);
        } else if level != bound::Level::Cheap {
            let (ca, cb) = p.to_box(level, 0usize, |s, g, c| s + can(g) as usize * c);
            edits = edits.max(n - ca).max(m - cb);
        }
        self.finish(edits as f64, n, m)
    }
}
