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

use super::edwp_kernel::{self, Scratch};
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
///
/// The kernel (`edwp_kernel`) runs W pairs side by side; one pair is its run at W = 1, so a
/// batch gives each pair the bits of this call.
pub fn edwp(a: Traj, b: Traj) -> f64 {
    thread_local! {
        static SCRATCH: std::cell::Cell<Scratch<1>> = std::cell::Cell::new(Scratch::default());
    }
    // One scratch per thread, reused from pair to pair: every value is written before it is read.
    let mut s = SCRATCH.take();
    let mut out = [0.0];
    edwp_kernel::pairs::<1>(&[a], &[b], &mut out, &mut s);
    SCRATCH.set(s);
    out[0]
}

/// The smaller of two costs: one vector instruction. Costs are never NaN, and an infinite one
/// (a state not reached) loses to any finite one.
#[inline(always)]
fn min(x: f64, y: f64) -> f64 {
    if y < x { y } else { x }
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

/// Row k as the extra states see it: the kernel's per-column slices of W lanes (stride W: lane j
/// of column l at l * W + j; B's vertices by coordinate, the same way; A's vertices at
/// c * W + j).
/// The extra states run here, one pair (lane) at a time, with the same code at every W, so a
/// pair gets the same bits whatever W it ran at.
pub(crate) struct Row<'a, const D: usize> {
    pub stride: usize,
    /// Per lane: the length of A's segment k; a_k, a_(k+1) - a_k and a_(k+1).
    pub len_a: &'a [f64],
    pub a0: &'a [f64],
    pub da: &'a [f64],
    pub a1: &'a [f64],
    pub bc: [&'a [f64]; D],
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
        std::array::from_fn(|c| self.bc[c][l * self.stride + j])
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
