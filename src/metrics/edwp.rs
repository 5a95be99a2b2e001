//! EDwP, edit distance with projections (Ranu et al., ICDE 2015), Euclidean.
//!
//! The paper's recursion edits the two polylines segment by segment. Its moves are
//!  - replace: match the current segments, cost (d(s1, s2) + d(e1, e2)) * (|s1 e1| + |s2 e2|);
//!  - insert into A: split A's current segment at p, the projection of B's current segment end
//!    onto it, and match (s1, p) with B's segment; symmetrically insert into B.
//! After an insert into A, B's segment is consumed and A continues from p on the same segment;
//! p is determined by (A's segment, B's vertex), so the recursion is a dynamic programme over
//! states (k, l, s): A on segment k, B on segment l, and s saying which side (if any) starts at
//! a projection (of B_l onto A's segment k, or of A_k onto B's segment l). Projections are onto the
//! whole segment, clamped to its ends. A one-point trajectory is one zero-length segment.
//! The result is the cost of consuming both trajectories; it is not normalised.

use crate::geometry::{Euclidean, Ground};
use crate::traj::Traj;

const V: usize = 0; // both start at vertices
const PA: usize = 1; // A starts at proj(B_l -> segment A_k)
const PB: usize = 2; // B starts at proj(A_k -> segment B_l)

/// Closest point to p on segment [s, e].
fn project(p: &[f64], s: &[f64], e: &[f64], out: &mut [f64; 3]) {
    let dim = p.len();
    let mut len2 = 0.0;
    let mut dot = 0.0;
    for k in 0..dim {
        let d = e[k] - s[k];
        len2 += d * d;
        dot += (p[k] - s[k]) * d;
    }
    let t = if len2 == 0.0 { 0.0 } else { (dot / len2).clamp(0.0, 1.0) };
    for k in 0..dim {
        out[k] = s[k] + t * (e[k] - s[k]);
    }
}

/// Segment k of t as (start, end); a one-point trajectory is the segment (p, p).
#[inline]
fn seg<'a>(t: Traj<'a>, k: usize) -> (&'a [f64], &'a [f64]) {
    if t.len() == 1 {
        (t.p(0), t.p(0))
    } else {
        (t.p(k), t.p(k + 1))
    }
}

pub fn edwp(a: Traj, b: Traj) -> f64 {
    let g = Euclidean;
    let dim = a.dim;
    let na = (a.len() - 1).max(1);
    let nb = (b.len() - 1).max(1);
    let idx = |k: usize, l: usize, s: usize| (k * (nb + 1) + l) * 3 + s;
    let mut c = vec![f64::INFINITY; (na + 1) * (nb + 1) * 3];
    c[idx(0, 0, V)] = 0.0;
    let (mut pa, mut pb, mut q) = ([0.0; 3], [0.0; 3], [0.0; 3]);
    for k in 0..=na {
        for l in 0..=nb {
            for s in [V, PA, PB] {
                let cur = c[idx(k, l, s)];
                if !cur.is_finite() || k == na || l == nb {
                    continue;
                }
                let (a0, a1) = seg(a, k);
                let (b0, b1) = seg(b, l);
                // start points of the remaining parts
                let sa: &[f64] = if s == PA {
                    project(b0, a0, a1, &mut pa);
                    &pa[..dim]
                } else {
                    a0
                };
                let sb: &[f64] = if s == PB {
                    project(a0, b0, b1, &mut pb);
                    &pb[..dim]
                } else {
                    b0
                };
                let d0 = g.dist(sa, sb);
                let (la, lb) = (g.dist(sa, a1), g.dist(sb, b1));
                // replace
                let v = cur + (d0 + g.dist(a1, b1)) * (la + lb);
                let t = idx(k + 1, l + 1, V);
                c[t] = c[t].min(v);
                // insert into A: split at the projection of b1, consume B's segment
                project(b1, a0, a1, &mut q);
                let p = &q[..dim];
                let v = cur + (d0 + g.dist(p, b1)) * (g.dist(sa, p) + lb);
                let t = idx(k, l + 1, PA);
                c[t] = c[t].min(v);
                // insert into B: split at the projection of a1, consume A's segment
                project(a1, b0, b1, &mut q);
                let p = &q[..dim];
                let v = cur + (d0 + g.dist(a1, p)) * (la + g.dist(sb, p));
                let t = idx(k + 1, l, PB);
                c[t] = c[t].min(v);
            }
        }
    }
    c[idx(na, nb, V)]
}
