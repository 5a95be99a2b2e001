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

use crate::cpu::has_avx2;
use crate::traj::Traj;

// The states s: V, both start at vertices; PA, A starts at the projection of b_l on its
// segment k; PB, B starts at the projection of a_k on its segment l.

/// The DP over (k, l, s), row by row (k: A's segment). Each row runs in four passes so that
/// three of them vectorise across the columns l:
///  1. projections: b_l onto A's segment k (parameter ta, distance dist_a), a_(k+1) onto B's
///     segment l (ub_next, dist_b_next), and d(a_(k+1), b_l);
///  2. for each cell, the cost of each of the 9 moves (3 states x replace / insert into A /
///     insert into B) and the best move out of states V and PB, which come from the row before;
///  3. a scan along the row for state PA, the one state a cell passes to its right neighbour
///     (insert into A keeps A's segment): the only serial step, one add and one min per cell;
///  4. the moves out of PA joined to the row below.
/// Lengths along a segment are its length times a difference of projection parameters (the
/// points are s + t (e - s)), so a cell takes three square roots. Every projection is computed
/// once per (vertex, segment), every distance once per cell; min is exact, so the order in which
/// moves are joined does not change a result.
pub fn edwp(a: Traj, b: Traj) -> f64 {
    let three = a.dim == 3;
    if has_avx2() {
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: AVX2 and FMA are present (checked at run time); the body is the safe
            // `edwp_in` with its bounds-checked indexing.
            return unsafe {
                if three {
                    edwp_avx2::<3>(a, b)
                } else {
                    edwp_avx2::<2>(a, b)
                }
            };
        }
    }
    if three {
        edwp_in::<3>(a, b)
    } else {
        edwp_in::<2>(a, b)
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn edwp_avx2<const D: usize>(a: Traj, b: Traj) -> f64 {
    // The same code compiled for AVX2; Rust never contracts a * b + c into an FMA by itself,
    // so both builds give the same bits.
    edwp_in::<D>(a, b)
}

/// Vertex k of t; a one-point trajectory's only segment is (p, p), so its vertex 1 is p again.
#[inline(always)]
fn vertex<const D: usize>(t: Traj, k: usize) -> [f64; D] {
    let mut out = [0.0; D];
    out.copy_from_slice(t.p(k.min(t.len() - 1)));
    out
}

/// The smaller of two costs: one vector instruction. Costs are never NaN, and an infinite one
/// (a state not reached) loses to any finite one.
#[inline(always)]
fn min(x: f64, y: f64) -> f64 {
    if y < x { y } else { x }
}

/// The next `w` values of a scratch buffer.
#[inline(always)]
fn take<'a>(rest: &mut &'a mut [f64], w: usize) -> &'a mut [f64] {
    let (head, tail) = std::mem::take(rest).split_at_mut(w);
    *rest = tail;
    head
}

#[inline(always)]
fn edwp_in<const D: usize>(a: Traj, b: Traj) -> f64 {
    let na = (a.len() - 1).max(1);
    let nb = (b.len() - 1).max(1);
    // One scratch buffer per thread, reused from pair to pair: every value is written before it
    // is read, so it needs no clearing. It is taken out and put back rather than borrowed in a
    // closure: a closure would be compiled without the caller's AVX2 target features.
    let mut buf = SCRATCH.take();
    let need = (2 * D + 21) * (nb + 1);
    if buf.len() < need {
        buf.resize(need, 0.0);
    }
    let d = edwp_rows::<D>(a, b, na, nb, &mut buf[..need]);
    SCRATCH.set(buf);
    d
}

thread_local! {
    static SCRATCH: std::cell::Cell<Vec<f64>> = const { std::cell::Cell::new(Vec::new()) };
}

#[inline(always)]
fn edwp_rows<const D: usize>(a: Traj, b: Traj, na: usize, nb: usize, buf: &mut [f64]) -> f64 {
    let w = nb + 1;
    let mut rest = buf;
    // B as columns: coordinates, segment vectors, lengths and 1 / length^2 (0 for a point).
    let bc: [&mut [f64]; D] = std::array::from_fn(|_| take(&mut rest, w));
    let db: [&mut [f64]; D] = std::array::from_fn(|_| take(&mut rest, w));
    let (len_b, inv_len2_b) = (take(&mut rest, w), take(&mut rest, w));
    for l in 0..w {
        let p = vertex::<D>(b, l);
        for c in 0..D {
            bc[c][l] = p[c];
        }
    }
    for l in 0..nb {
        let mut len2 = 0.0;
        for c in 0..D {
            db[c][l] = bc[c][l + 1] - bc[c][l];
            len2 += db[c][l] * db[c][l];
        }
        len_b[l] = len2.sqrt();
        inv_len2_b[l] = if len2 == 0.0 { 0.0 } else { 1.0 / len2 };
    }
    // Per row: a_k and a_(k+1) on B's segments (ub, dist_b; ub_next, dist_b_next), d(a_k, b_l)
    // and d(a_(k+1), b_l) (vv, vv_next), b_l on A's segment (ta, dist_a).
    let (mut ub, mut dist_b, mut vv) = (take(&mut rest, w), take(&mut rest, w), take(&mut rest, w));
    let (mut ub_next, mut dist_b_next, mut vv_next) = (take(&mut rest, w), take(&mut rest, w), take(&mut rest, w));
    let (ta, dist_a) = (take(&mut rest, w), take(&mut rest, w));
    // Costs by state: this row's (V and PB from the row before, PA from its own scan), the next
    // row's V and PB, and the moves out of V and PB (best of the two) and out of PA (each).
    let (mut row_v, row_pa, mut row_pb) = (take(&mut rest, w), take(&mut rest, w), take(&mut rest, w));
    let (mut next_v, mut next_pb) = (take(&mut rest, w), take(&mut rest, w));
    let (vb_rep, vb_ins_a, vb_ins_b) = (take(&mut rest, w), take(&mut rest, w), take(&mut rest, w));
    let (pa_rep, pa_ins_a, pa_ins_b) = (take(&mut rest, w), take(&mut rest, w), take(&mut rest, w));
    let bc: [&[f64]; D] = bc.each_ref().map(|x| &x[..]);
    let db: [&[f64]; D] = db.each_ref().map(|x| &x[..]);

    let a0 = vertex::<D>(a, 0);
    project_on_b::<D>(&a0, &bc, &db, inv_len2_b, ub, dist_b, vv);
    row_v.fill(f64::INFINITY);
    row_pb.fill(f64::INFINITY);
    row_v[0] = 0.0;
    for k in 0..na {
        let (a0, a1) = (vertex::<D>(a, k), vertex::<D>(a, k + 1));
        let mut da = [0.0; D];
        let mut len2_a = 0.0;
        for c in 0..D {
            da[c] = a1[c] - a0[c];
            len2_a += da[c] * da[c];
        }
        let len_a = len2_a.sqrt();
        let inv_len2_a = if len2_a == 0.0 { 0.0 } else { 1.0 / len2_a };
        // Pass 1.
        for l in 0..w {
            let mut dot = 0.0;
            for c in 0..D {
                dot += (bc[c][l] - a0[c]) * da[c];
            }
            let t = (dot * inv_len2_a).clamp(0.0, 1.0);
            let mut h2 = 0.0;
            for c in 0..D {
                let e = (a0[c] + t * da[c]) - bc[c][l];
                h2 += e * e;
            }
            ta[l] = t;
            dist_a[l] = h2.sqrt();
        }
        project_on_b::<D>(&a1, &bc, &db, inv_len2_b, ub_next, dist_b_next, vv_next);
        // Pass 2 (`Cell::moves`).
        {
            // Every slice exactly nb long, so the loop has no bounds checks and vectorises.
            let (vv0, vv1) = (&vv[..nb], &vv_next[1..]);
            let (ta0, ta1, da0, da1) = (&ta[..nb], &ta[1..], &dist_a[..nb], &dist_a[1..]);
            let (ub0, ub1, db0, db1) = (&ub[..nb], &ub_next[..nb], &dist_b[..nb], &dist_b_next[..nb]);
            let (lbs, rv, rpb) = (&len_b[..nb], &row_v[..nb], &row_pb[..nb]);
            let (pr, pia, pib) = (&mut pa_rep[..nb], &mut pa_ins_a[..nb], &mut pa_ins_b[..nb]);
            let (vr, via, vib) = (&mut vb_rep[..nb], &mut vb_ins_a[..nb], &mut vb_ins_b[..nb]);
            for l in 0..nb {
                let c = Cell {
                    len_a,
                    len_b: lbs[l],
                    d11: vv1[l],
                    t1: ta1[l],
                    u1: ub1[l],
                    dp_a: da1[l],
                    dp_b: db1[l],
                    v: rv[l],
                    pb: rpb[l],
                    d_v: vv0[l],
                    d_pb: db0[l],
                    u_pb: ub0[l],
                    d_pa: da0[l],
                    t_pa: ta0[l],
                };
                ([pr[l], pia[l], pib[l]], [vr[l], via[l], vib[l]]) = c.moves();
            }
        }
        // Pass 3: PA at (k, 0) is never reached; PA at (k, l + 1) comes from cell (k, l).
        row_pa[0] = f64::INFINITY;
        for l in 0..nb {
            row_pa[l + 1] = min(vb_ins_a[l], row_pa[l] + pa_ins_a[l]);
        }
        // Pass 4: the row below. V at (k + 1, l + 1) comes from the replace of (k, l); PB at
        // (k + 1, l) from its insert into B.
        next_v[0] = f64::INFINITY;
        next_pb[nb] = f64::INFINITY;
        for l in 0..nb {
            next_v[l + 1] = min(vb_rep[l], row_pa[l] + pa_rep[l]);
            next_pb[l] = min(vb_ins_b[l], row_pa[l] + pa_ins_b[l]);
        }
        std::mem::swap(&mut row_v, &mut next_v);
        std::mem::swap(&mut row_pb, &mut next_pb);
        std::mem::swap(&mut ub, &mut ub_next);
        std::mem::swap(&mut dist_b, &mut dist_b_next);
        std::mem::swap(&mut vv, &mut vv_next);
    }
    row_v[nb]
}

/// What pass 2 needs of one cell (k, l). The remaining parts of a state's segments start at
/// parameters (t0 on A's, u0 on B's): V (0, 0), PA (t_pa, 0), PB (0, u_pb); d_* is the distance
/// between a state's starts. The lane kernel (`batch::edwp_lanes`) runs the same code per lane,
/// so both give the same bits.
pub(crate) struct Cell {
    pub len_a: f64,
    pub len_b: f64,
    /// d(a_(k+1), b_(l+1)), and the projections of b_(l+1) on A's segment and of a_(k+1) on B's
    /// (parameter, distance).
    pub d11: f64,
    pub t1: f64,
    pub u1: f64,
    pub dp_a: f64,
    pub dp_b: f64,
    /// Costs of states V and PB at the cell (from the row before).
    pub v: f64,
    pub pb: f64,
    pub d_v: f64,
    pub d_pb: f64,
    pub u_pb: f64,
    pub d_pa: f64,
    pub t_pa: f64,
}

impl Cell {
    /// (the moves out of PA: replace, insert into A, insert into B; the best of V's and PB's
    /// same three moves).
    #[inline(always)]
    pub(crate) fn moves(&self) -> ([f64; 3], [f64; 3]) {
        let Cell { len_a, len_b, d11, t1, u1, dp_a, dp_b, .. } = *self;
        let mv = |d0: f64, t0: f64, u0: f64| {
            let la = (1.0 - t0) * len_a;
            let lb = (1.0 - u0) * len_b;
            [
                (d0 + d11) * (la + lb),
                // insert into A: split at the projection of b1, consume B's segment
                (d0 + dp_a) * ((t1 - t0).abs() * len_a + lb),
                // insert into B: split at the projection of a1, consume A's segment
                (d0 + dp_b) * (la + (u1 - u0).abs() * len_b),
            ]
        };
        let (from_v, from_pb) = (mv(self.d_v, 0.0, 0.0), mv(self.d_pb, 0.0, self.u_pb));
        let best = std::array::from_fn(|m| min(self.v + from_v[m], self.pb + from_pb[m]));
        (mv(self.d_pa, self.t_pa, 0.0), best)
    }
}

/// p projected on each of B's segments (parameter u, distance), and p's distance to each of B's
/// vertices.
#[inline(always)]
fn project_on_b<const D: usize>(
    p: &[f64; D],
    bc: &[&[f64]; D],
    db: &[&[f64]; D],
    inv_len2_b: &[f64],
    u: &mut [f64],
    dist: &mut [f64],
    vv: &mut [f64],
) {
    let w = u.len();
    for l in 0..w - 1 {
        let mut dot = 0.0;
        for c in 0..D {
            dot += (p[c] - bc[c][l]) * db[c][l];
        }
        let t = (dot * inv_len2_b[l]).clamp(0.0, 1.0);
        let mut h2 = 0.0;
        for c in 0..D {
            let e = p[c] - (bc[c][l] + t * db[c][l]);
            h2 += e * e;
        }
        u[l] = t;
        dist[l] = h2.sqrt();
    }
    for l in 0..w {
        let mut v2 = 0.0;
        for c in 0..D {
            let e = p[c] - bc[c][l];
            v2 += e * e;
        }
        vv[l] = v2.sqrt();
    }
}
