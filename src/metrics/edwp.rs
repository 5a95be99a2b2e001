//! EDwP, edit distance with projections (Ranu et al., ICDE 2015), Euclidean.
//!
//! The paper's recursion edits the two polylines segment by segment. A state is what is left of
//! each trajectory: the remaining piece [s, e] of its current segment and the segments after it.
//! EDwP is 0 when neither has a segment left, infinite when only one has. Otherwise the best of
//!  - replace: match the two pieces, cost (d(sa, sb) + d(ea, eb)) * (|sa ea| + |sb eb|); both go
//!    on to their next segments;
//!  - insert into A: split A's remaining piece at p, the projection of eb onto that piece (so p
//!    never lies behind sa), match (sa, p) with B's piece at the same cost formula; B goes on to
//!    its next segment, A continues from p on the same segment;
//!  - insert into B: symmetrically.
//! A one-point trajectory is one zero-length segment [p, p] (the paper would give infinity when
//! exactly one trajectory has no segment). The result is not normalised.
//!
//! The state space. Write t_k(x) for the parameter of x projected on A's whole segment k, clamped
//! to [0, 1] (points are a_k + t (a_(k+1) - a_k)), and u_l(x) likewise on B's segment l. The
//! projection onto a piece [t0, 1] of a segment is the projection onto the line clamped to the
//! piece, max(t0, t_k(x)). Replace leaves both trajectories at vertices, an insert into A leaves B
//! at a vertex and an insert into B leaves A at one, so in every reachable state at least one side
//! starts at a vertex. If A starts inside segment k with B at vertex b_l, a run of inserts into A
//! brought it there from a_k (start 0) at some column j < l, and its start is the running maximum
//! max(t_k(b_(j+1)), ..., t_k(b_l)), one of the values t_k(b_m), m <= l. So the states of cell
//! (k, l) are
//!  - V: both at vertices (a_k, b_l);
//!  - PA: A at t = t_k(b_l), B at b_l: the runs whose maximum is their last projection;
//!  - PB: B at u = u_l(a_k), A at a_k, symmetrically (runs of inserts into B down column l);
//!  - extra PA states: A at a start t > t_k(b_l) left by an earlier b_m, B at b_l; extra PB
//!    states likewise.
//! States with the same start have the same future, so one cost per distinct start is exact.
//! The extra PA states of a row form a stack: moving from column l to l + 1, those with
//! t <= t_k(b_(l+1)) become that column's PA, the others stay, and PA of column l joins them
//! when t_k(b_(l+1)) < t_k(b_l). The extra PB states of a column form one likewise, carried
//! from row to row. There are as many extra states as strict descents of the projections, which
//! trajectories that advance in the same direction rarely have; the worst case (a trajectory
//! that runs backwards inside the other's long segments) holds O(n) of them per row or column.

use crate::cpu::has_avx2;
use crate::traj::Traj;

const INF: f64 = f64::INFINITY;

/// The DP over the states above, row by row (k: A's segment). Each row runs in four passes, three
/// of which vectorise across the columns l:
///  1. projections: b_l onto A's segment k (parameter ta, distance dist_a), a_(k+1) onto B's
///     segment l (ub_next, dist_b_next), and d(a_(k+1), b_l);
///  2. for each cell, the cost of each of the 9 moves (V, PA, PB x replace / insert into A /
///     insert into B) and the best move out of states V and PB, which come from the row before;
///     then (2b) the extra PB states, cell by cell where a column has any;
///  3. a scan along the row for PA and the extra PA states, the states a cell passes to its
///     right neighbour (insert into A keeps A's segment): the serial step, one add and one min
///     per cell when the row has no extra state;
///  4. the moves out of PA joined to the row below.
/// Lengths along a segment are its length times a difference of projection parameters, so a cell
/// takes three square roots (and one per extra state). Every projection is computed once per
/// (vertex, segment), every distance once per cell; min is exact, so the order in which moves are
/// joined does not change a result.
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

/// Appends an extra state; as `grow`, a refused allocation panics instead of aborting.
#[inline]
pub(crate) fn push(v: &mut Vec<Extra>, e: Extra) {
    if v.len() == v.capacity() && v.try_reserve(1).is_err() {
        panic!("EDwP: cannot allocate {} extra states", v.len() + 1);
    }
    v.push(e);
}

/// Per-thread scratch of the one-pair kernel.
struct Scratch {
    buf: Vec<f64>,
    /// The extra PA states of the current column (one stack per row).
    pa: Vec<Extra>,
    /// The extra PB states of the current row by column (ascending), and of the next row.
    pb: Vec<Extra>,
    pb_next: Vec<Extra>,
}

thread_local! {
    static SCRATCH: std::cell::Cell<Scratch> =
        const { std::cell::Cell::new(Scratch { buf: Vec::new(), pa: Vec::new(), pb: Vec::new(), pb_next: Vec::new() }) };
}

impl Default for Scratch {
    fn default() -> Self {
        Scratch { buf: Vec::new(), pa: Vec::new(), pb: Vec::new(), pb_next: Vec::new() }
    }
}

#[inline(always)]
fn edwp_in<const D: usize>(a: Traj, b: Traj) -> f64 {
    let na = (a.len() - 1).max(1);
    let nb = (b.len() - 1).max(1);
    // One scratch per thread, reused from pair to pair: every value is written before it is
    // read, so it needs no clearing. It is taken out and put back rather than borrowed in a
    // closure: a closure would be compiled without the caller's AVX2 target features.
    let mut s = SCRATCH.take();
    let need = (2 * D + 21) * (nb + 1);
    grow(&mut s.buf, need, 0.0);
    let Scratch { buf, pa, pb, pb_next } = &mut s;
    let d = edwp_rows::<D>(a, b, na, nb, &mut buf[..need], [pa, pb, pb_next]);
    SCRATCH.set(s);
    d
}

#[inline(always)]
fn edwp_rows<const D: usize>(a: Traj, b: Traj, na: usize, nb: usize, buf: &mut [f64], extra: [&mut Vec<Extra>; 3]) -> f64 {
    let [pa_extra, mut pb_extra, mut pb_extra_next] = extra;
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
    let col = |x: &[&[f64]; D], l: usize| -> [f64; D] { std::array::from_fn(|c| x[c][l]) };

    let a0 = vertex::<D>(a, 0);
    project_on_b::<D>(&a0, &bc, &db, inv_len2_b, ub, dist_b, vv);
    row_v.fill(INF);
    row_pb.fill(INF);
    row_v[0] = 0.0;
    pb_extra.clear();
    // The rows: one iteration per segment k of A.
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
        let geom = |l: usize| Geom {
            len_a,
            len_b: len_b[l],
            d11: vv_next[l + 1],
            t1: ta[l + 1],
            u1: ub_next[l],
            dp_a: dist_a[l + 1],
            dp_b: dist_b_next[l],
        };
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
        // Pass 2b: the extra PB states of row k, column by column (ascending), and those of row
        // k + 1 (none past A's last segment).
        {
            let carry = k + 1 < na;
            pb_extra_next.clear();
            let mut i = 0;
            for l in 0..nb {
                let here = i < pb_extra.len() && pb_extra[i].col == l;
                let descent = ub_next[l] < ub[l] && row_pb[l] < INF;
                if !(here || descent) {
                    continue;
                }
                let g = geom(l);
                let mut out = [vb_rep[l], vb_ins_a[l], vb_ins_b[l]];
                while i < pb_extra.len() && pb_extra[i].col == l {
                    if let Some(e) = g.pb_extra::<D>(&pb_extra[i], &a1, &mut out) {
                        if carry {
                            push(pb_extra_next, e);
                        }
                    }
                    i += 1;
                }
                [vb_rep[l], vb_ins_a[l], vb_ins_b[l]] = out;
                if descent && carry {
                    let from = Extra { col: l, lane: 0, t: ub[l], p: at(col(&bc, l), col(&db, l), ub[l]), d: dist_b[l], c: row_pb[l] };
                    push(pb_extra_next, g.pb_stay::<D>(&from, &a1));
                }
            }
            std::mem::swap(&mut pb_extra, &mut pb_extra_next);
        }
        // Pass 3: PA at (k, 0) is never reached; PA at (k, l + 1) comes from cell (k, l), and so
        // do the extra PA states of column l + 1 (none at column nb, past B's last segment).
        row_pa[0] = INF;
        pa_extra.clear();
        for l in 0..nb {
            let mut x = min(vb_ins_a[l], row_pa[l] + pa_ins_a[l]);
            if !pa_extra.is_empty() || ta[l + 1] < ta[l] {
                let (g, carry, b1) = (geom(l), l + 1 < nb, col(&bc, l + 1));
                let mut out = [vb_rep[l], x, vb_ins_b[l]];
                let mut n = 0;
                for i in 0..pa_extra.len() {
                    if let Some(e) = g.pa_extra::<D>(&pa_extra[i], &b1, &mut out) {
                        if carry {
                            pa_extra[n] = e;
                            n += 1;
                        }
                    }
                }
                pa_extra.truncate(n);
                if ta[l + 1] < ta[l] && row_pa[l] < INF && carry {
                    let from = Extra { col: l, lane: 0, t: ta[l], p: at(a0, da, ta[l]), d: dist_a[l], c: row_pa[l] };
                    push(pa_extra, g.pa_stay::<D>(&from, &b1));
                }
                [vb_rep[l], x, vb_ins_b[l]] = out;
            }
            row_pa[l + 1] = x;
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

/// The geometry of cell (k, l) that the moves need. Shared with the lane kernel
/// (`batch::edwp_lanes`), which runs the same code per lane, so both give the same bits.
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
/// between a state's starts.
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

/// An extra state (see the module doc): one side starts inside its segment at parameter `t`
/// (point `p`, its first D coordinates), the other at a vertex, `d` apart; `c` is its cost. Extra
/// PB states record their column (and lane, in the lane kernel).
#[derive(Clone, Copy)]
pub(crate) struct Extra {
    pub col: usize,
    pub lane: usize,
    pub t: f64,
    pub p: [f64; 3],
    pub d: f64,
    pub c: f64,
}

/// s + t d, as pass 1 and `project_on_b` compute their projected points.
#[inline(always)]
pub(crate) fn at<const D: usize>(s: [f64; D], d: [f64; D], t: f64) -> [f64; 3] {
    let mut p = [0.0; 3];
    for c in 0..D {
        p[c] = s[c] + t * d[c];
    }
    p
}

#[inline(always)]
fn dist<const D: usize>(p: &[f64; 3], q: &[f64; D]) -> f64 {
    let mut h2 = 0.0;
    for c in 0..D {
        let e = p[c] - q[c];
        h2 += e * e;
    }
    h2.sqrt()
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

    /// An insert into A from a state with A at `e.t` > t1 (B at b_l): the projection of b_(l+1)
    /// is clamped to A's start, so the split-off piece has length 0 and A stays where it is.
    /// The state it reaches, at column l + 1.
    #[inline(always)]
    pub(crate) fn pa_stay<const D: usize>(&self, e: &Extra, b1: &[f64; D]) -> Extra {
        let d1 = dist::<D>(&e.p, b1);
        Extra { d: d1, c: e.c + (e.d + d1) * self.len_b, ..*e }
    }

    /// The same for an insert into B from a state with B at `e.t` > u1 (A at a_k), reaching row
    /// k + 1.
    #[inline(always)]
    pub(crate) fn pb_stay<const D: usize>(&self, e: &Extra, a1: &[f64; D]) -> Extra {
        let d1 = dist::<D>(&e.p, a1);
        Extra { d: d1, c: e.c + (e.d + d1) * self.len_a, ..*e }
    }

    /// The moves out of an extra PA state at (k, l): joins its replace, insert into A (when it
    /// reaches PA at l + 1) and insert into B to `out` (the best of each so far), and returns the
    /// extra state its insert into A reaches otherwise.
    #[inline(always)]
    pub(crate) fn pa_extra<const D: usize>(&self, e: &Extra, b1: &[f64; D], out: &mut [f64; 3]) -> Option<Extra> {
        let m = self.mv(e.d, e.t, 0.0);
        out[0] = min(out[0], e.c + m[0]);
        out[2] = min(out[2], e.c + m[2]);
        if e.t <= self.t1 {
            out[1] = min(out[1], e.c + m[1]);
            None
        } else {
            Some(self.pa_stay::<D>(e, b1))
        }
    }

    /// The same for an extra PB state at (k, l); its insert into B reaches PB at (k + 1, l) or an
    /// extra PB state there.
    #[inline(always)]
    pub(crate) fn pb_extra<const D: usize>(&self, e: &Extra, a1: &[f64; D], out: &mut [f64; 3]) -> Option<Extra> {
        let m = self.mv(e.d, 0.0, e.t);
        out[0] = min(out[0], e.c + m[0]);
        out[1] = min(out[1], e.c + m[1]);
        if e.t <= self.u1 {
            out[2] = min(out[2], e.c + m[2]);
            None
        } else {
            Some(self.pb_stay::<D>(e, a1))
        }
    }
}

impl Cell {
    /// (the moves out of PA: replace, insert into A, insert into B; the best of V's and PB's
    /// same three moves). An insert whose projection falls behind the start (PA's into A when
    /// t1 < t_pa, PB's into B when u1 < u_pb) reaches an extra state, not PA or PB: it is
    /// infinite here, and passes 2b and 3 take it.
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
