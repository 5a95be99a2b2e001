//! Exact continuous Fréchet distance (Alt & Godau 1995), Euclidean, 2-D and 3-D.
//!
//! The decision procedure sweeps the free-space diagram cell by cell, carrying the reachable part
//! of each cell's left and bottom edge. The distance is the smallest critical value of Alt and
//! Godau (types a, b and c, computed in closed form) that it accepts, with a relative slack of
//! `frechet_critical::TOL` for its own rounding. It lies between max(d(a_0,b_0), d(a_n,b_m)) and
//! the discrete Fréchet distance. The search (frechet_critical.rs) takes about a dozen decisions
//! per pair; where it cannot settle, the doubles left are bisected and the result is the
//! smallest double the decision procedure accepts.

use super::dp_kernel;
use crate::geometry::lane_space::EuclideanLanes;
use super::discrete_frechet::DiscreteFrechet;
use super::frechet_critical::{self as critical, Bracket};
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
        crate::cancel::tick(m);
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
    // The endpoints' distance is the first critical value (type a).
    let lo = g.dist(a.p(0), b.p(0)).max(g.dist(a.p(n - 1), b.p(m - 1)));
    if decide(a, b, lo * (1.0 + critical::TOL)) {
        return lo;
    }
    let hi = accepted_upper_bound(a, b);
    if a.dim == 2 {
        search::<2>(a, b, lo, hi)
    } else {
        search::<3>(a, b, lo, hi)
    }
}

/// The discrete Fréchet distance, widened until the decision procedure accepts it.
fn accepted_upper_bound(a: Traj, b: Traj) -> f64 {
    let mut hi = dp_kernel::one(EuclideanLanes, DiscreteFrechet, a, b, None);
    // Rounding in the decision procedure can reject the discrete value (a point that lies on a
    // segment computes at 1e-17 from it); widen by a doubling step until it accepts. The step
    // must grow geometrically: from hi = 0 a fixed relative step never gets anywhere.
    let mut step = (hi * f64::EPSILON).max(f64::MIN_POSITIVE);
    while !decide(a, b, hi) {
        hi += step;
        step *= 2.0;
    }
    hi
}

/// The smallest critical value in (lo, hi] the decision procedure accepts (with the relative
/// tolerance `critical::TOL`), where lo is rejected and hi accepted (frechet_critical.rs).
fn search<const D: usize>(a: Traj, b: Traj, lo: f64, hi: f64) -> f64 {
    let decide = |eps: f64| decide_in::<D>(a, b, eps);
    let accepts = |c: f64| decide(c * (1.0 + critical::TOL));
    let va: Vec<[f64; D]> = (0..a.len()).map(|i| *pt::<D>(a, i)).collect();
    let vb: Vec<[f64; D]> = (0..b.len()).map(|j| *pt::<D>(b, j)).collect();
    let mut br = Bracket { lo, hi };
    let (mut dab, mut dba) = (Vec::new(), Vec::new());
    critical::vertex_segment_distances(&va, &vb, &mut dab);
    critical::vertex_segment_distances(&vb, &va, &mut dba);
    let mut cands: Vec<f64> = dab.iter().chain(&dba).copied().collect();
    br.search(&mut cands, accepts);
    // Type c. The budget keeps the enumeration (O(n^2 m) at worst, for long curves that stay
    // close) within a few sweeps' worth of work; past it the doubles are bisected instead.
    let budget = 8 * a.len() * b.len() + 4096;
    cands.clear();
    let complete = critical::passage_values(&va, &vb, &dab, br.lo, br.hi, budget, &mut cands)
        && critical::passage_values(&vb, &va, &dba, br.lo, br.hi, budget, &mut cands);
    // The same bracket in the plain decision procedure's terms.
    let below = Bracket { lo: br.lo * (1.0 + critical::TOL), hi: br.hi * (1.0 + critical::TOL) };
    if complete {
        br.search(&mut cands, accepts);
        // The answer is hi unless some eps clearly below it is accepted: a critical value the
        // closed forms missed.
        let probe = br.hi * (1.0 - critical::TOL);
        if probe <= below.lo || !decide(probe) {
            return br.hi;
        }
        return Bracket { lo: below.lo, hi: probe }.bisect(decide);
    }
    below.bisect(decide)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain bisection of [lo, hi] down to adjacent doubles: the decision procedure's boundary.
    fn by_bisection(a: Traj, b: Traj) -> f64 {
        let g = Euclidean;
        let (n, m) = (a.len(), b.len());
        let lo = g.dist(a.p(0), b.p(0)).max(g.dist(a.p(n - 1), b.p(m - 1)));
        if decide(a, b, lo) {
            return lo;
        }
        Bracket { lo, hi: accepted_upper_bound(a, b) }.bisect(|eps| decide(a, b, eps))
    }

    #[test]
    fn critical_value_search_agrees_with_bisection() {
        let mut u = crate::test_rng::uniform(7u64);
        for d in [2usize, 3] {
            for round in 0..600 {
                let (n, m) = (2 + round % 17, 2 + (round * 7) % 23);
                // Random walks (close curves: many type-c answers), scattered points, and
                // curves that share their endpoints (lo = 0).
                let kind = round % 3;
                let mut gen = |len: usize| -> Vec<f64> {
                    let mut p = vec![0.0; d];
                    let mut t: Vec<f64> = (0..len)
                        .flat_map(|_| {
                            for c in p.iter_mut() {
                                *c = if kind == 1 { u() * 4.0 } else { *c + u() - 0.5 };
                            }
                            p.clone()
                        })
                        .collect();
                    if kind == 2 {
                        t[..d].fill(0.0);
                        let k = t.len() - d;
                        t[k..].fill(1.0);
                    }
                    t
                };
                let (a, b) = (gen(n), gen(m));
                let (ta, tb) = (Traj::new(&a, d), Traj::new(&b, d));
                let (got, want) = (frechet(ta, tb), by_bisection(ta, tb));
                assert!((got - want).abs() <= 1e-9 * want, "d={d} round={round}: {got} vs {want}");
                assert!(decide(ta, tb, got * (1.0 + critical::TOL)), "d={d} round={round}");
            }
        }
    }
}

/// A lower bound on the computed Fréchet distance (`metrics::bound`): the matching pairs the
/// two first and the two last points, and sends each vertex of a to a point of b's polyline,
/// which lies inside b's box (and the same from b). The search over critical values stops
/// within its tolerance of the exact value: `geometric_margin`.
pub fn lower_bound(p: &super::bound::Pair, level: super::bound::Level) -> f64 {
    let (c0, c1) = p.end_cells();
    let mut g = c0.max(c1).max(p.box_gap_sq());
    if level != super::bound::Level::Cheap {
        let (ga, gb) = p.to_box(level, 0.0f64, |s, g, _| s.max(g));
        g = g.max(ga).max(gb);
    }
    super::bound::geometric_margin(g.sqrt(), p.extent(), p.n() + p.m())
}
