//! Spherical point-to-polyline distances with the work shared between segments.
//!
//! `Haversine::point_to_segment` spends most of its time in trigonometry that does not depend
//! on the pair (point, segment): each segment's length and bearing depend on the polyline only,
//! and the distance from the point to a segment's end is the distance to the next segment's
//! start. Here the first are computed once per polyline and the second once per vertex, and the
//! remaining formula (`Haversine::segment_core`) is the reference's. Most segments are far
//! from the point and never reach that formula: a lower bound from the vertex distances rules
//! them out (`point_min`). Results are bit-identical to `directed_generic` (the unit test below
//! and tests/test_lanes.py check it).

use std::cell::RefCell;

use super::spherical::Pt;
use super::{polyline, Haversine, Reduce};
use crate::traj::Traj;

/// One polyline's vertices with their latitude trigonometry, each segment's length and bearing,
/// and the points of the other trajectory, prepared once per call of `directed`.
#[derive(Default)]
struct Prepared {
    verts: Vec<Pt>,
    d12: Vec<f64>,
    t12: Vec<f64>,
    pts: Vec<Pt>,
    /// Distances from the current point to every vertex.
    dv: Vec<f64>,
}

thread_local! {
    static PREPARED: RefCell<Prepared> = RefCell::default();
}

/// How far below the ellipse bound a segment's computed distance can fall: the formula is the
/// exact distance to the arc except where its along-track test (an acos near 1, off by up to
/// 2e-8 rad = 0.13 m) misjudges whether the foot lies on the segment; rounding elsewhere is
/// relative and about 1e-15.
#[inline(always)]
fn prune_margin(best: f64) -> f64 {
    1.0 + best * 1e-9
}

/// The distance from p to polyline t (at least 2 points). Segments are visited nearest vertex
/// first, and a segment is skipped when its lower bound (the two end distances less its
/// length, halved: the triangle inequality) exceeds the best distance found by more than
/// `prune_margin`, so the segments it skips could not have been the minimum and the result is
/// the plain minimum over all segments, bit for bit.
#[allow(clippy::too_many_arguments)]
fn point_min(
    g: &Haversine,
    p: &[f64],
    pp: &Pt,
    t: Traj,
    pr: &Prepared,
    dv: &mut Vec<f64>,
    exact_vertices: bool,
    bound: f64,
) -> f64 {
    let v = &pr.verts;
    let m = v.len();
    dv.clear();
    let mut nearest = 0;
    for k in 0..m {
        if exact_vertices && p == t.p(k) {
            return 0.0;
        }
        dv.push(g.hav(&v[k], pp));
        if dv[k] < dv[nearest] {
            nearest = k;
        }
    }
    let segment = |k: usize| -> f64 {
        if !g.trajdist && t.p(k) == t.p(k + 1) {
            g.hav(pp, &v[k])
        } else {
            let (d_s, d_e) = (Haversine::end_terms(dv[k]), Haversine::end_terms(dv[k + 1]));
            g.segment_core(d_s, d_e, g.bearing(&v[k], pp), pr.d12[k], pr.t12[k])
        }
    };
    let seeds = [nearest.checked_sub(1), (nearest + 1 < m).then_some(nearest)];
    let mut best = f64::INFINITY;
    for k in seeds.into_iter().flatten() {
        best = best.min(segment(k));
    }
    if best < bound {
        return best;
    }
    for k in 0..m - 1 {
        if seeds.contains(&Some(k)) {
            continue;
        }
        let lower = 0.5 * (dv[k] + dv[k + 1] - pr.d12[k]);
        if lower > best + prune_margin(best) {
            continue;
        }
        let d = segment(k);
        if d < best {
            best = d;
            if best < bound {
                return best;
            }
        }
    }
    best
}

/// `Ground::directed` for the spherical space.
pub fn directed(g: &Haversine, a: Traj, b: Traj, exact_vertices: bool, red: Reduce) -> f64 {
    if b.len() < 2 {
        return polyline::directed_generic(g, a, b, exact_vertices, red);
    }
    PREPARED.with_borrow_mut(|pr| {
        pr.verts.clear();
        pr.verts.extend((0..b.len()).map(|k| g.pt(b.p(k))));
        pr.pts.clear();
        pr.pts.extend((0..a.len()).map(|i| g.pt(a.p(i))));
        pr.d12.clear();
        pr.t12.clear();
        for k in 0..b.len() - 1 {
            pr.d12.push(g.hav(&pr.verts[k], &pr.verts[k + 1]));
            pr.t12.push(g.bearing(&pr.verts[k], &pr.verts[k + 1]));
        }
        let mut dv = std::mem::take(&mut pr.dv);
        let pr_ref = &*pr;
        let out = match red {
            Reduce::Max(h0) => {
                let mut h = h0;
                for i in 0..a.len() {
                    crate::cancel::tick(b.len());
                    h = h.max(point_min(g, a.p(i), &pr_ref.pts[i], b, pr_ref, &mut dv, exact_vertices, h));
                }
                h
            }
            Reduce::Sum => {
                let mut s = 0.0;
                for i in 0..a.len() {
                    crate::cancel::tick(b.len());
                    s += point_min(g, a.p(i), &pr_ref.pts[i], b, pr_ref, &mut dv, exact_vertices, f64::NEG_INFINITY);
                }
                s
            }
        };
        pr.dv = dv;
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_bit_for_bit() {
        let mut rnd = crate::test_rng::uniform(7u64);
        for g in [Haversine::standard(), Haversine::trajdist()] {
            for round in 0..400 {
                // Short polylines, and long ones where most segments are pruned; city-sized
                // and continent-sized spreads.
                let (n, m) = (1 + round % 7, 1 + (round * 5) % if round % 2 == 0 { 11 } else { 61 });
                let spread = if round % 4 < 2 { 0.1 } else { 40.0 };
                let mut pt = |k: usize| -> Vec<f64> {
                    (0..k).flat_map(|_| [-122.5 + spread * rnd(), 37.7 + spread * rnd()]).collect()
                };
                let mut a = pt(n);
                let mut b = pt(m);
                if round % 3 == 0 {
                    a[..2].copy_from_slice(&b[(m - 1) * 2..]);
                    if m > 1 {
                        let (x, y) = b.split_at_mut(2);
                        y[..2].copy_from_slice(x);
                    }
                }
                let (ta, tb) = (Traj::new(&a, 2), Traj::new(&b, 2));
                for exact in [false, true] {
                    for red in [Reduce::Sum, Reduce::Max(0.0), Reduce::Max(500.0)] {
                        let want = polyline::directed_generic(&g, ta, tb, exact, red);
                        let got = directed(&g, ta, tb, exact, red);
                        assert_eq!(got.to_bits(), want.to_bits(), "round={round} {red:?}");
                    }
                }
            }
        }
    }
}
