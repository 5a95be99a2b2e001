//! Spherical point-to-polyline distances with the work shared between segments.
//!
//! `Haversine::point_to_segment` spends most of its time in trigonometry that does not depend
//! on the pair (point, segment): each segment's length and bearing depend on the polyline only,
//! and the distance from the point to a segment's end is the distance to the next segment's
//! start. Here the first are computed once per polyline and the second once per vertex, and the
//! remaining formula (`Haversine::segment_from`) is the reference's, so results are bit-identical
//! to `directed_generic` (the unit test below and tests/test_lanes.py check it).

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
}

thread_local! {
    static PREPARED: RefCell<Prepared> = RefCell::default();
}

fn point_min(g: &Haversine, p: &[f64], pp: &Pt, t: Traj, pr: &Prepared, exact_vertices: bool, bound: f64) -> f64 {
    let mut best = f64::INFINITY;
    let v = &pr.verts;
    // (distance, its sin and cos over R) from the start of segment k to p, carried from the end
    // of segment k - 1.
    let mut d_s = Haversine::end_terms(g.hav(&v[0], pp));
    for k in 0..t.len() - 1 {
        let (s, e) = (t.p(k), t.p(k + 1));
        if exact_vertices && (p == s || p == e) {
            return 0.0;
        }
        let d_e = Haversine::end_terms(g.hav(&v[k + 1], pp));
        let d = if !g.trajdist && s == e {
            g.hav(pp, &v[k])
        } else {
            g.segment_core(d_s, d_e, g.bearing(&v[k], pp), pr.d12[k], pr.t12[k])
        };
        d_s = d_e;
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
        let pr = &*pr;
        match red {
            Reduce::Max(h0) => {
                let mut h = h0;
                for i in 0..a.len() {
                    h = h.max(point_min(g, a.p(i), &pr.pts[i], b, pr, exact_vertices, h));
                }
                h
            }
            Reduce::Sum => {
                let mut s = 0.0;
                for i in 0..a.len() {
                    s += point_min(g, a.p(i), &pr.pts[i], b, pr, exact_vertices, f64::NEG_INFINITY);
                }
                s
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_bit_for_bit() {
        let mut rnd = crate::test_rng::uniform(7u64);
        for g in [Haversine::standard(), Haversine::trajdist()] {
            for round in 0..200 {
                let (n, m) = (1 + round % 7, 1 + (round * 5) % 11);
                let mut pt = |k: usize| -> Vec<f64> {
                    (0..k).flat_map(|_| [-122.5 + 0.1 * rnd(), 37.7 + 0.1 * rnd()]).collect()
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
