//! Exact continuous Fréchet distance (Alt & Godau 1995), Euclidean, 2-D and 3-D.
//!
//! The decision procedure sweeps the free-space diagram cell by cell, carrying the reachable part
//! of each cell's left and bottom edge. The distance is the smallest eps it accepts: it lies
//! between max(d(a_0,b_0), d(a_n,b_m)) and the discrete Fréchet distance, and is found by
//! bisection down to adjacent floating-point values, so the result is the exact critical value
//! up to the rounding of the decision procedure itself (a few ulps).

use super::dp::{self};
use super::discrete_frechet::DiscreteFrechet;
use crate::geometry::{Euclidean, Ground};
use crate::traj::Traj;

/// Empty when lo > hi.
#[derive(Clone, Copy, Debug)]
struct Interval {
    lo: f64,
    hi: f64,
}

const EMPTY: Interval = Interval { lo: 1.0, hi: 0.0 };

impl Interval {
    #[inline(always)]
    fn is_empty(self) -> bool {
        self.lo > self.hi
    }
}

/// Parameters t in [0, 1] with |s + t (e - s) - p| <= eps.
#[inline(always)]
fn free_interval<const D: usize>(p: &[f64; D], s: &[f64; D], e: &[f64; D], eps: f64) -> Interval {
    let dim = D;
    let mut len2 = 0.0;
    let mut dot = 0.0;
    for k in 0..dim {
        let d = e[k] - s[k];
        len2 += d * d;
        dot += (p[k] - s[k]) * d;
    }
    if len2 == 0.0 {
        return if Euclidean.dist(p, s) <= eps { Interval { lo: 0.0, hi: 1.0 } } else { EMPTY };
    }
    // Project p on the line, then take the chord of the eps-ball around p: computing the
    // perpendicular distance directly avoids the cancellation of the quadratic formula.
    let t0 = dot / len2;
    let mut h2 = 0.0;
    for k in 0..dim {
        let d = p[k] - (s[k] + t0 * (e[k] - s[k]));
        h2 += d * d;
    }
    let r2 = eps * eps - h2;
    if r2 < 0.0 {
        return EMPTY;
    }
    let w = (r2 / len2).sqrt();
    let lo = (t0 - w).max(0.0);
    let hi = (t0 + w).min(1.0);
    if lo > hi {
        EMPTY
    } else {
        Interval { lo, hi }
    }
}

/// Point i of t as a fixed-size array (t has D coordinates per point).
#[inline(always)]
fn pt<'a, const D: usize>(t: Traj<'a>, i: usize) -> &'a [f64; D] {
    t.p(i).try_into().expect("dimension checked by the caller")
}

/// Is the Fréchet distance between polylines a and b (both >= 2 points) at most eps?
pub fn decide(a: Traj, b: Traj, eps: f64) -> bool {
    // Compiled per dimension: the free-space intervals become straight-line code.
    if a.dim == 2 {
        decide_in::<2>(a, b, eps)
    } else {
        decide_in::<3>(a, b, eps)
    }
}

fn decide_in<const D: usize>(a: Traj, b: Traj, eps: f64) -> bool {
    let g = Euclidean;
    let (n, m) = (a.len(), b.len());
    if g.dist(a.p(0), b.p(0)) > eps || g.dist(a.p(n - 1), b.p(m - 1)) > eps {
        return false;
    }
    let (a, b) = (|i| pt::<D>(a, i), |j| pt::<D>(b, j));
    // Cell (i, j): a's segment i (x axis) against b's segment j (y axis).
    // left[j]: reachable part of cell (i, j)'s left edge (a_i against b's segment j),
    // bottom: reachable part of cell (i, j)'s bottom edge (b_j against a's segment i).
    let mut left = vec![EMPTY; m - 1];
    // Column i = 0: climb the left side of the diagram from (0, 0).
    let mut open = true;
    for (j, l) in left.iter_mut().enumerate() {
        let f = free_interval(a(0), b(j), b(j + 1), eps);
        if open && !f.is_empty() && f.lo == 0.0 {
            *l = f;
            open = f.hi == 1.0;
        } else {
            open = false;
        }
    }
    let mut bottom_open = true;
    for i in 0..n - 1 {
        // bottom edge of cell (i, 0): reachable along the bottom of the diagram.
        let mut bottom = EMPTY;
        let f = free_interval(b(0), a(i), a(i + 1), eps);
        if bottom_open && !f.is_empty() && f.lo == 0.0 {
            bottom = f;
            bottom_open = f.hi == 1.0;
        } else {
            bottom_open = false;
        }
        let mut any_right = false;
        for j in 0..m - 1 {
            let l = left[j];
            // Right edge of cell (i, j) = left edge of cell (i+1, j).
            let fr = free_interval(a(i + 1), b(j), b(j + 1), eps);
            let right = if fr.is_empty() {
                EMPTY
            } else if !bottom.is_empty() {
                fr
            } else if !l.is_empty() {
                Interval { lo: fr.lo.max(l.lo), hi: fr.hi }
            } else {
                EMPTY
            };
            // Top edge of cell (i, j) = bottom edge of cell (i, j+1).
            let ft = free_interval(b(j + 1), a(i), a(i + 1), eps);
            let top = if ft.is_empty() {
                EMPTY
            } else if !l.is_empty() {
                ft
            } else if !bottom.is_empty() {
                Interval { lo: ft.lo.max(bottom.lo), hi: ft.hi }
            } else {
                EMPTY
            };
            left[j] = if right.is_empty() || right.lo > right.hi { EMPTY } else { right };
            any_right |= !left[j].is_empty();
            bottom = if top.is_empty() || top.lo > top.hi { EMPTY } else { top };
        }
        // `bottom` is now the top edge of the column's last cell: (i, m-1) reached from below.
        if i == n - 2 && !bottom.is_empty() && bottom.hi == 1.0 {
            return true;
        }
        // Nothing reaches the next column (no left edge, and the diagram's bottom row is cut):
        // no later cell can be reached either.
        if !any_right && !bottom_open {
            return false;
        }
    }
    let last = left[m - 2];
    !last.is_empty() && last.hi == 1.0
}

pub fn frechet(a: Traj, b: Traj) -> f64 {
    let g = Euclidean;
    let (n, m) = (a.len(), b.len());
    if n == 1 || m == 1 {
        // A point against a curve: every point of the curve is matched to it.
        let (p, t) = if n == 1 { (a.p(0), b) } else { (b.p(0), a) };
        return (0..t.len()).map(|k| g.dist(p, t.p(k))).fold(0.0, f64::max);
    }
    if a.coords == b.coords {
        // The decision procedure sees a vertex on its own segment at ~1e-17 and would return
        // that instead of the exact 0.
        return 0.0;
    }
    let mut lo = g.dist(a.p(0), b.p(0)).max(g.dist(a.p(n - 1), b.p(m - 1)));
    if decide(a, b, lo) {
        return lo;
    }
    let mut hi = dp::run(&DiscreteFrechet { g: &g, a, b }, n, m, None);
    // Rounding in the decision procedure can reject the discrete value (a point that lies on a
    // segment computes at 1e-17 from it); widen by a doubling step until it accepts. The step
    // must grow geometrically: from hi = 0 a fixed relative step never gets anywhere.
    let mut step = (hi * f64::EPSILON).max(f64::MIN_POSITIVE);
    while !decide(a, b, hi) {
        hi += step;
        step *= 2.0;
    }
    loop {
        let mid = lo + (hi - lo) / 2.0;
        if mid <= lo || mid >= hi {
            return hi;
        }
        if decide(a, b, mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
}
