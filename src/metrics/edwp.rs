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
#[inline(always)]
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

/// Vertex k of t; a one-point trajectory's only segment is (p, p), so its vertex 1 is p again.
#[inline]
fn vertex<const D: usize>(t: Traj, k: usize) -> [f64; D] {
    let mut out = [0.0; D];
    out.copy_from_slice(t.p(k.min(t.len() - 1)));
    out
}

/// The DP over (k, l, s). Everything a cell needs that does not depend on its state s is
/// computed once per cell, and every projection once per (vertex, segment): the insert moves of
/// cell (k, l) project the same points as the projection states of the cells they lead to. Each
/// value is the same expression on the same inputs as in the plain recursion (distances are
/// symmetric bit for bit), and the states are relaxed in the same order, so results do not
/// depend on this sharing.
pub fn edwp(a: Traj, b: Traj) -> f64 {
    // Compiled per dimension so that every distance and projection is straight-line code.
    if a.dim == 2 {
        edwp_in::<2>(a, b)
    } else {
        edwp_in::<3>(a, b)
    }
}

fn edwp_in<const D: usize>(a: Traj, b: Traj) -> f64 {
    let d = |x: &[f64; D], y: &[f64; D]| Euclidean.dist(x, y);
    let proj = |p: &[f64; D], s: &[f64; D], e: &[f64; D]| {
        let mut q = [0.0; 3];
        project(p, s, e, &mut q);
        let mut out = [0.0; D];
        out.copy_from_slice(&q[..D]);
        out
    };
    let na = (a.len() - 1).max(1);
    let nb = (b.len() - 1).max(1);
    let va: Vec<[f64; D]> = (0..=na).map(|k| vertex(a, k)).collect();
    let vb: Vec<[f64; D]> = (0..=nb).map(|l| vertex(b, l)).collect();
    let len_b: Vec<f64> = (0..nb).map(|l| d(&vb[l], &vb[l + 1])).collect();
    let idx = |k: usize, l: usize, s: usize| (k * (nb + 1) + l) * 3 + s;
    let mut c = vec![f64::INFINITY; (na + 1) * (nb + 1) * 3];
    c[idx(0, 0, V)] = 0.0;
    // Row k: proj_a[l] = b_l projected on A's segment k, and its distance to b_l; proj_b[l] =
    // a_k projected on B's segment l (the start of state PB), proj_b_next[l] = a_(k+1)'s.
    let (mut proj_a, mut dist_a) = (vec![[0.0; D]; nb + 1], vec![0.0; nb + 1]);
    let mut proj_b: Vec<[f64; D]> = (0..nb).map(|l| proj(&va[0], &vb[l], &vb[l + 1])).collect();
    let mut dist_b: Vec<f64> = (0..nb).map(|l| d(&va[0], &proj_b[l])).collect();
    let (mut proj_b_next, mut dist_b_next) = (vec![[0.0; D]; nb], vec![0.0; nb]);
    for k in 0..na {
        let (a0, a1) = (&va[k], &va[k + 1]);
        let len_a = d(a0, a1);
        for l in 0..=nb {
            proj_a[l] = proj(&vb[l], a0, a1);
            dist_a[l] = d(&proj_a[l], &vb[l]);
        }
        for l in 0..nb {
            proj_b_next[l] = proj(a1, &vb[l], &vb[l + 1]);
            dist_b_next[l] = d(a1, &proj_b_next[l]);
        }
        for l in 0..nb {
            let (b0, b1) = (&vb[l], &vb[l + 1]);
            let d11 = d(a1, b1);
            let (qa, qb) = (&proj_a[l + 1], &proj_b_next[l]);
            for s in [V, PA, PB] {
                let cur = c[idx(k, l, s)];
                if !cur.is_finite() {
                    continue;
                }
                // The remaining parts start at sa and sb; d0 = d(sa, sb), la/lb their lengths.
                let (sa, sb, d0, la, lb) = match s {
                    V => (a0, b0, d(a0, b0), len_a, len_b[l]),
                    PA => (&proj_a[l], b0, dist_a[l], d(&proj_a[l], a1), len_b[l]),
                    _ => (a0, &proj_b[l], dist_b[l], len_a, d(&proj_b[l], b1)),
                };
                // replace
                let v = cur + (d0 + d11) * (la + lb);
                let t = idx(k + 1, l + 1, V);
                c[t] = c[t].min(v);
                // insert into A: split at the projection of b1, consume B's segment
                let v = cur + (d0 + dist_a[l + 1]) * (d(sa, qa) + lb);
                let t = idx(k, l + 1, PA);
                c[t] = c[t].min(v);
                // insert into B: split at the projection of a1, consume A's segment
                let v = cur + (d0 + dist_b_next[l]) * (la + d(sb, qb));
                let t = idx(k + 1, l, PB);
                c[t] = c[t].min(v);
            }
        }
        std::mem::swap(&mut proj_b, &mut proj_b_next);
        std::mem::swap(&mut dist_b, &mut dist_b_next);
    }
    c[idx(na, nb, V)]
}
