//! EDwP, edit distance with projections (Ranu et al., ICDE 2015), Euclidean: the paper's
//! recursion, computed exactly.
//!
//! The recursion edits the two polylines segment by segment. A state is what is left of each
//! trajectory: the remaining piece [s, e] of its current segment and the segments after it.
//! EDwP is 0 when neither has a segment left, infinite when only one has, and otherwise the
//! best of
//!
//!  - replace: match the two pieces, cost (d(sa, sb) + d(ea, eb)) * (|sa ea| + |sb eb|); both go
//!    on to their next segments;
//!  - insert into A: split A's remaining piece at p, the projection of eb onto that piece (so p
//!    never lies behind sa), match (sa, p) with B's piece at the same cost formula; B goes on to
//!    its next segment, A continues from p on the same segment;
//!  - insert into B: symmetrically.
//!
//! A one-point trajectory is one zero-length segment [p, p] (the paper would give infinity when
//! exactly one trajectory has no segment). The result is not normalised.
//!
//! # States
//!
//! Points of A's segment k are a_k + t (a_(k+1) - a_k); t_k(x) is the parameter of x projected
//! on the whole segment, clamped to [0, 1], and u_l(x) the same on B's segment l. Projected on a
//! piece [t0, 1] of the segment, x lands at max(t0, t_k(x)): the projection on the line, clamped
//! to the piece. Every move but an insert into A leaves A at a vertex, and every move but an
//! insert into B leaves B at one, so in a reachable state at least one side starts at a vertex.
//! While A is inside segment k, the only moves that keep it there are inserts into A, each of
//! which takes B to its next vertex; so with B at b_l, A got there from a_k through inserts at
//! columns j + 1, ..., l, and starts at the running maximum max(t_k(b_(j+1)), ..., t_k(b_l)).
//! That is one of the t_k(b_m), m <= l, that exceed every later one up to l. The states of cell
//! (k, l) are therefore
//!
//!  - V: A at a_k, B at b_l;
//!  - PA: A at t_k(b_l), B at b_l (the maximum is the last projection);
//!  - extra PA states: A at t_k(b_m) for an m < l with t_k(b_m) > t_k(b_i) for all m < i <= l,
//!    B at b_l;
//!  - PB and extra PB states: the same with the roles of A and B swapped (B inside segment l,
//!    A at a_k, the running maxima of u_l(a_i) down column l).
//!
//! The value of a state depends on the state alone, and every move takes at least one segment
//! (a DAG), so the minimum over paths of the sum of move costs, computed forward over all
//! reachable states and all their moves, is the recursion's value; states with the same starts
//! are the same state and keep one cost.
//!
//! An extra PA state comes from PA at (k, m) when t_k(b_(m+1)) < t_k(b_m) (its insert into A
//! is clamped to its start, a split-off piece of length 0), keeps t = t_k(b_m) while the next
//! projections fall behind it, and joins PA at the first column l with t_k(b_l) >= t. Its cost
//! depends on no other state, so it is run along its columns as soon as PA at m is known
//! (`Row::pa_chain`). Extra PB states run down their column, one row at a time (`Row::pb_extra`).
//! There are as many as there are such runs of projections behind an earlier one, which
//! trajectories advancing in the same direction have few of; at worst (one trajectory running
//! back and forth inside the other's long segments) O(n) per row or column, O(n^3) time.

use crate::cpu::has_avx2;
use crate::traj::Traj;

const INF: f64 = f64::INFINITY;

/// The DP over the states above, row by row (k: A's segment). Each row runs in passes, three of
/// which vectorise across the columns l:
///
///  1. projections: b_l onto A's segment k (parameter ta, distance dist_a), a_(k+1) onto B's
///     segment l (ub_next, dist_b_next), and d(a_(k+1), b_l);
///  2. for each cell, the cost of each of the 9 moves (V, PA, PB x replace / insert into A /
///     insert into B) and the best move out of states V and PB, which come from the row before;
///     then (2b) the extra PB states;
///  3. a scan along the row for PA, the state a cell passes to its right neighbour (insert into A
///     keeps A's segment): the serial step, one add and two mins per cell, stopping where PA
///     starts an extra PA state to run it;
///  4. the moves out of PA joined to the row below.
///
/// Lengths along a segment are its length times a difference of projection parameters, so a cell
/// takes three square roots, and an extra state one for each cell it lives in. Every projection
/// is computed once per (vertex, segment), every distance once per cell; min is exact, so the
/// order in which moves are joined does not change a result.
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

/// Grows a scratch buffer to `need` values. A size the allocator refuses stops the call with a
/// panic (a Python exception), not an abort of the process.
pub(crate) fn grow<T: Clone>(v: &mut Vec<T>, need: usize, fill: T) {
    if v.len() < need {
        if v.try_reserve_exact(need - v.len()).is_err() {
            panic!("EDwP: cannot allocate scratch for {need} values");
        }
        v.resize(need, fill);
    }
}

/// Per-thread scratch of the one-pair kernel.
#[derive(Default)]
struct Scratch {
    buf: Vec<f64>,
    /// The extra PB states.
    pb: Vec<Extra>,
}

thread_local! {
    static SCRATCH: std::cell::Cell<Scratch> = const { std::cell::Cell::new(Scratch { buf: Vec::new(), pb: Vec::new() }) };
}

#[inline(always)]
fn edwp_in<const D: usize>(a: Traj, b: Traj) -> f64 {
    let na = (a.len() - 1).max(1);
    let nb = (b.len() - 1).max(1);
    // One scratch per thread, reused from pair to pair: every value is written before it is
    // read, so it needs no clearing. It is taken out and put back rather than borrowed in a
    // closure: a closure would be compiled without the caller's AVX2 target features.
    let mut s = SCRATCH.take();
    let need = (3 * D + 22) * (nb + 1);
    grow(&mut s.buf, need, 0.0);
    let d = edwp_rows::<D>(a, b, na, nb, &mut s.buf[..need], &mut s.pb);
    SCRATCH.set(s);
    d
}

#[inline(always)]
fn edwp_rows<const D: usize>(a: Traj, b: Traj, na: usize, nb: usize, buf: &mut [f64], pb_extra: &mut Vec<Extra>) -> f64 {
    let w = nb + 1;
    let mut rest = buf;
    // B as columns: coordinates (by coordinate, and by vertex for `Row`), segment vectors,
    // lengths and 1 / length^2 (0 for a point).
    let bc: [&mut [f64]; D] = std::array::from_fn(|_| take(&mut rest, w));
    let bv = take(&mut rest, D * w);
    let db: [&mut [f64]; D] = std::array::from_fn(|_| take(&mut rest, w));
    let (len_b, inv_len2_b) = (take(&mut rest, w), take(&mut rest, w));
    for l in 0..w {
        let p = vertex::<D>(b, l);
        for c in 0..D {
            bc[c][l] = p[c];
            bv[l * D + c] = p[c];
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
    // row's V and PB, and the moves out of V and PB (best of the two) and out of PA (each); the
    // inserts into A of extra PA states, by the column of PA they reach.
    let (mut row_v, row_pa, mut row_pb) = (take(&mut rest, w), take(&mut rest, w), take(&mut rest, w));
    let (mut next_v, mut next_pb) = (take(&mut rest, w), take(&mut rest, w));
    let (vb_rep, vb_ins_a, vb_ins_b) = (take(&mut rest, w), take(&mut rest, w), take(&mut rest, w));
    let (pa_rep, pa_ins_a, pa_ins_b) = (take(&mut rest, w), take(&mut rest, w), take(&mut rest, w));
    let pend = take(&mut rest, w);
    let bc: [&[f64]; D] = bc.each_ref().map(|x| &x[..]);
    let db: [&[f64]; D] = db.each_ref().map(|x| &x[..]);
    let bv = &*bv;

    let a0 = vertex::<D>(a, 0);
    project_on_b::<D>(&a0, &bc, &db, inv_len2_b, ub, dist_b, vv);
    row_v.fill(INF);
    row_pb.fill(INF);
    row_v[0] = 0.0;
    pb_extra.clear();
    // The rows: one iteration per segment k of A.
    for k in 0..na {
        crate::cancel::tick(nb);
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
                    g: Geom { len_a, len_b: lbs[l], d11: vv1[l], t1: ta1[l], u1: ub1[l], dp_a: da1[l], dp_b: db1[l] },
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
        let row = Row::<D> {
            stride: 1,
            len_a: std::slice::from_ref(&len_a),
            a0: &a0,
            da: &da,
            a1: &a1,
            bv,
            db,
            len_b,
            vv_next,
            ta,
            dist_a,
            ub,
            dist_b,
            ub_next,
            dist_b_next,
            row_pb,
        };
        // Pass 2b: the extra PB states, which become those of row k + 1 (none past A's last
        // segment), and PB where u_l(a_(k+1)) < u_l(a_k) joins them.
        let keep = k + 1 < na;
        if !pb_extra.is_empty() {
            row.pb_extra(0, pb_extra, keep, [vb_rep, vb_ins_a, vb_ins_b]);
        }
        if keep {
            for l in 0..nb {
                if ub_next[l] < ub[l] && row_pb[l] < INF {
                    row.pb_push(0, l, pb_extra);
                }
            }
        }
        // Pass 3: PA at (k, 0) is never reached; PA at (k, l + 1) comes from cell (k, l), and
        // from the extra PA states that reach it (`pend`). An extra PA state starts where
        // t_k(b_(m+1)) < t_k(b_m) and is run as soon as PA at m is known (`Row::pa_chain`).
        row_pa[0] = INF;
        pend.fill(INF);
        let mut l = 0;
        while l < nb {
            // The next column m < nb - 1 where t_k(b_(m+1)) < t_k(b_m); the scan runs up to PA at
            // m in a loop of its own, where PA's cost stays in a register.
            let mut m = l + 1;
            while m + 1 < nb && ta[m + 1] >= ta[m] {
                m += 1;
            }
            let stop = m.min(nb);
            let mut x = row_pa[l];
            for i in l..stop {
                // PA's cost from the left last, off the chain of serial dependences.
                x = min(min(vb_ins_a[i], pend[i + 1]), x + pa_ins_a[i]);
                row_pa[i + 1] = x;
            }
            l = stop;
            if m + 1 < nb && row_pa[m] < INF {
                row.pa_chain(0, nb, m, row_pa[m], vb_rep, vb_ins_b, pend);
            }
        }
        // Pass 4: the row below. V at (k + 1, l + 1) comes from the replace of (k, l); PB at
        // (k + 1, l) from its insert into B.
        next_v[0] = INF;
        next_pb[nb] = INF;
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

/// The geometry of cell (k, l) that the moves need.
#[derive(Clone, Copy)]
pub(crate) struct Geom {
    pub len_a: f64,
    pub len_b: f64,
    /// d(a_(k+1), b_(l+1)), and the projections of b_(l+1) on A's segment and of a_(k+1) on B's
    /// (parameter, distance).
    pub d11: f64,
    pub t1: f64,
    pub u1: f64,
    pub dp_a: f64,
    pub dp_b: f64,
}

/// What pass 2 needs of one cell (k, l). The remaining pieces of a state's segments start at
/// parameters (t0 on A's, u0 on B's): V (0, 0), PA (t_pa, 0), PB (0, u_pb); d_* is the distance
/// between a state's starts. The lane kernel runs the same code per lane, so both give the same
/// bits.
pub(crate) struct Cell {
    pub g: Geom,
    /// Costs of states V and PB at the cell (from the row before).
    pub v: f64,
    pub pb: f64,
    pub d_v: f64,
    pub d_pb: f64,
    pub u_pb: f64,
    pub d_pa: f64,
    pub t_pa: f64,
}

impl Geom {
    /// The three moves out of a state whose remaining pieces start at t0 (A) and u0 (B), d0
    /// apart: replace, insert into A (to the projection t1 of b_(l+1); valid when t1 >= t0),
    /// insert into B (to u1; valid when u1 >= u0).
    #[inline(always)]
    pub(crate) fn mv(&self, d0: f64, t0: f64, u0: f64) -> [f64; 3] {
        let Geom { len_a, len_b, d11, t1, u1, dp_a, dp_b } = *self;
        let la = (1.0 - t0) * len_a;
        let lb = (1.0 - u0) * len_b;
        [
            (d0 + d11) * (la + lb),
            // insert into A: split at the projection of b_(l+1), consume B's piece
            (d0 + dp_a) * ((t1 - t0) * len_a + lb),
            // insert into B: split at the projection of a_(k+1), consume A's piece
            (d0 + dp_b) * (la + (u1 - u0) * len_b),
        ]
    }

    /// The cost after an insert along an extra state's own segment whose projection is clamped
    /// to the state's start: the split-off piece has length 0 and the other side's whole
    /// segment is matched against the start point, d0 and then d1 from it. `A`: the extra state
    /// is A's (inside A's segment, B at b_l), else B's (inside B's, A at a_k).
    #[inline(always)]
    fn stay<const A: bool>(&self, c: f64, d0: f64, d1: f64) -> f64 {
        c + (d0 + d1) * if A { self.len_b } else { self.len_a }
    }
}

impl Cell {
    /// (the moves out of PA: replace, insert into A, insert into B; the best of V's and PB's
    /// same three moves). An insert whose projection falls behind the start (PA's into A when
    /// t1 < t_pa, PB's into B when u1 < u_pb) reaches an extra state, not PA or PB: it is
    /// infinite here, and `Row` takes it.
    #[inline(always)]
    pub(crate) fn moves(&self) -> ([f64; 3], [f64; 3]) {
        let g = &self.g;
        let from_v = g.mv(self.d_v, 0.0, 0.0);
        let mut from_pb = g.mv(self.d_pb, 0.0, self.u_pb);
        if g.u1 < self.u_pb {
            from_pb[2] = INF;
        }
        let mut from_pa = g.mv(self.d_pa, self.t_pa, 0.0);
        if g.t1 < self.t_pa {
            from_pa[1] = INF;
        }
        let best = std::array::from_fn(|m| min(self.v + from_v[m], self.pb + from_pb[m]));
        (from_pa, best)
    }
}

/// p's distance to q.
#[inline(always)]
fn dist<const D: usize>(p: &[f64; D], q: &[f64; D]) -> f64 {
    let mut h2 = 0.0;
    for c in 0..D {
        let e = p[c] - q[c];
        h2 += e * e;
    }
    h2.sqrt()
}

/// s + t d, as pass 1 and `project_on_b` compute their projected points.
#[inline(always)]
fn at<const D: usize>(s: [f64; D], d: [f64; D], t: f64) -> [f64; D] {
    std::array::from_fn(|c| s[c] + t * d[c])
}

/// An extra PB state: B inside its segment `col` at parameter t (point p, its first D
/// coordinates), A at a_k, d apart; cost c.
#[derive(Clone, Copy)]
pub(crate) struct Extra {
    col: usize,
    t: f64,
    p: [f64; 3],
    d: f64,
    c: f64,
}

/// Row k as the extra states see it: the one-pair kernel's per-column slices (stride 1, lane 0),
/// or the lane kernel's (stride LANES: lane j of column l at l * LANES + j; B's vertices at
/// (l * D + c) * LANES + j; A's vertices at c * LANES + j). The extra states run here, one pair
/// (lane) at a time, with the same code for both kernels, so both give the same bits.
pub(crate) struct Row<'a, const D: usize> {
    pub stride: usize,
    /// Per lane: the length of A's segment k; a_k, a_(k+1) - a_k and a_(k+1).
    pub len_a: &'a [f64],
    pub a0: &'a [f64],
    pub da: &'a [f64],
    pub a1: &'a [f64],
    pub bv: &'a [f64],
    pub db: [&'a [f64]; D],
    pub len_b: &'a [f64],
    pub vv_next: &'a [f64],
    pub ta: &'a [f64],
    pub dist_a: &'a [f64],
    pub ub: &'a [f64],
    pub dist_b: &'a [f64],
    pub ub_next: &'a [f64],
    pub dist_b_next: &'a [f64],
    pub row_pb: &'a [f64],
}

impl<const D: usize> Row<'_, D> {
    /// Where lane j's value of column l is.
    #[inline(always)]
    fn ix(&self, l: usize, j: usize) -> usize {
        l * self.stride + j
    }

    #[inline(always)]
    fn geom(&self, l: usize, j: usize) -> Geom {
        let (i, i1) = (self.ix(l, j), self.ix(l + 1, j));
        Geom {
            len_a: self.len_a[j],
            len_b: self.len_b[i],
            d11: self.vv_next[i1],
            t1: self.ta[i1],
            u1: self.ub_next[i],
            dp_a: self.dist_a[i1],
            dp_b: self.dist_b_next[i],
        }
    }

    /// Lane j's point c * stride + j of `x` (A's vertices).
    #[inline(always)]
    fn a(&self, x: &[f64], j: usize) -> [f64; D] {
        std::array::from_fn(|c| x[c * self.stride + j])
    }

    /// B's vertex l.
    #[inline(always)]
    fn b(&self, l: usize, j: usize) -> [f64; D] {
        std::array::from_fn(|c| self.bv[(l * D + c) * self.stride + j])
    }

    /// The extra PA state that PA at (k, m) (cost x) becomes when t_k(b_(m+1)) < t_k(b_m), in
    /// lane j whose B has nb segments: A stays at t = t_k(b_m) (point p) while the projections of
    /// the next vertices of B fall behind it, each insert into A matching B's whole segment
    /// against p. It depends on no other state, so it is run to its end at once: its replace and
    /// insert into B at each of its columns are joined to `vb_rep` and `vb_ins_b`, and its insert
    /// into A that reaches PA (at the first column whose projection is at t or beyond) to
    /// `pend`. It ends there or at column nb - 1 (past it B has no segment).
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    pub(crate) fn pa_chain(&self, j: usize, nb: usize, m: usize, x: f64, vb_rep: &mut [f64], vb_ins_b: &mut [f64], pend: &mut [f64]) {
        let t = self.ta[self.ix(m, j)];
        let p = at(self.a(self.a0, j), self.a(self.da, j), t);
        let mut l = m + 1;
        let mut d = dist(&p, &self.b(l, j));
        let mut c = self.geom(m, j).stay::<true>(x, self.dist_a[self.ix(m, j)], d);
        loop {
            // A chain can cross a whole row: pathological inputs have O(n) of them per row.
            crate::cancel::tick(1);
            let g = self.geom(l, j);
            let mv = g.mv(d, t, 0.0);
            let i = self.ix(l, j);
            vb_rep[i] = min(vb_rep[i], c + mv[0]);
            vb_ins_b[i] = min(vb_ins_b[i], c + mv[2]);
            if t <= g.t1 {
                let i1 = self.ix(l + 1, j);
                pend[i1] = min(pend[i1], c + mv[1]);
                return;
            }
            if l + 1 >= nb {
                return;
            }
            let d1 = dist(&p, &self.b(l + 1, j));
            c = g.stay::<true>(c, d, d1);
            d = d1;
            l += 1;
        }
    }

    /// Lane j's extra PB states of row k (`list`): joins their moves to `vb` (replace, insert
    /// into A, insert into B); those whose insert into B stays on B's segment (the projection of
    /// a_(k+1) falls behind their start) become extra PB states of row k + 1, if `keep`.
    #[inline(always)]
    pub(crate) fn pb_extra(&self, j: usize, list: &mut Vec<Extra>, keep: bool, vb: [&mut [f64]; 3]) {
        let [vb_rep, vb_ins_a, vb_ins_b] = vb;
        let a1 = self.a(self.a1, j);
        crate::cancel::tick(list.len());
        let mut n = 0;
        for e in 0..list.len() {
            let Extra { col, t, p, d, c } = list[e];
            let p: [f64; D] = std::array::from_fn(|c| p[c]);
            let g = self.geom(col, j);
            let mv = g.mv(d, 0.0, t);
            let d1 = dist(&p, &a1);
            let i = self.ix(col, j);
            vb_rep[i] = min(vb_rep[i], c + mv[0]);
            vb_ins_a[i] = min(vb_ins_a[i], c + mv[1]);
            let moves_on = t <= g.u1;
            vb_ins_b[i] = min(vb_ins_b[i], if moves_on { c + mv[2] } else { INF });
            list[n] = Extra { d: d1, c: g.stay::<false>(c, d, d1), ..list[e] };
            n += (!moves_on && keep) as usize;
        }
        list.truncate(n);
    }

    /// PB at (k, l) in lane j, where u_l(a_(k+1)) < u_l(a_k): its insert into B stays at its
    /// start, an extra PB state of row k + 1 added to `list`.
    #[inline(always)]
    pub(crate) fn pb_push(&self, j: usize, l: usize, list: &mut Vec<Extra>) {
        let i = self.ix(l, j);
        let t = self.ub[i];
        let p = at(self.b(l, j), std::array::from_fn(|c| self.db[c][i]), t);
        let d1 = dist(&p, &self.a(self.a1, j));
        let c = self.geom(l, j).stay::<false>(self.row_pb[i], self.dist_b[i], d1);
        if list.len() == list.capacity() && list.try_reserve(1).is_err() {
            panic!("EDwP: cannot allocate {} extra states", list.len() + 1);
        }
        list.push(Extra { col: l, t, p: std::array::from_fn(|c| if c < D { p[c] } else { 0.0 }), d: d1, c });
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

#[cfg(test)]
mod tests {
    use super::*;

    fn run(a: &[f64], b: &[f64]) -> f64 {
        edwp(Traj::new(a, 2), Traj::new(b, 2))
    }

    /// Values of the paper's recursion (tests/reference.py) where a projection would move back
    /// behind the start of the remaining piece.
    #[test]
    fn projections_never_move_back() {
        let (a, b) = ([1.0, 1.0, 2.0, 0.0, 0.0, 3.0, 0.0, 0.0], [0.0, 2.0, 3.0, 2.0]);
        assert!((run(&a, &b) - 50.29669156057403).abs() < 1e-12);
        assert!((run(&b, &a) - 50.29669156057403).abs() < 1e-12);
        let (a, b) = ([0.0, 0.0, 10.0, 0.0], [0.0, 1.0, 6.0, 1.0, 3.0, 1.0, 10.0, 1.0]);
        assert!((run(&a, &b) - 82.27188724235732).abs() < 1e-11);
        assert!((run(&b, &a) - 82.27188724235732).abs() < 1e-11);
    }

    #[test]
    fn one_point_is_a_zero_length_segment() {
        // [p, p] against a segment: replace (d(p, s) + d(p, e)) * |s e|, or better.
        assert_eq!(run(&[0.0, 0.0], &[0.0, 0.0]), 0.0);
        assert_eq!(run(&[0.0, 0.0], &[0.0, 0.0, 4.0, 0.0]), 16.0);
    }
}
