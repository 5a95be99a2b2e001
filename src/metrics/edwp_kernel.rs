//! The EDwP kernel: `metrics::edwp`'s passes per row (see `edwp::edwp`), with every per-column
//! value a vector of W pairs side by side. `edwp::edwp` runs it at W = 1 for one pair; the batch
//! calls at W = LANES, where a pass of two short trajectories (San Francisco's are about 10
//! points), otherwise spent in loop set-up and scalar remainders of its column loops, fills
//! every vector, and the serial scan of state PA runs LANES chains at once.
//!
//! The states are `metrics::edwp`'s (see its module doc): V, PA and PB of each cell run on whole
//! vectors of lanes; the extra states (where an insert's projection is clamped to the start of
//! what is left of a segment) run one lane at a time in `edwp::Row`: a lane's extra PA states as
//! chains along the row from the columns where they start, its extra PB states in a list
//! updated row by row. The columns where some lane starts one are found with vector compares,
//! and the scan of PA runs on whole vectors between them.
//!
//! Exactness: each lane performs the same operations in the same order on the same values
//! whatever W is (`edwp::Cell::moves` for the 9 moves, `edwp::Row` for the extra states), so a
//! batch gives each pair the bits of `edwp::edwp` (the test below and tests/test_lanes.py check
//! it). Lanes are padded past their own lengths by repeating their last vertex (a one-point
//! trajectory's only segment is (p, p) the same way); a lane's result is read at its own last
//! row and column, which the padding cells never feed (the DP moves right and down only, and V
//! at column l comes from column l - 1). A lane gets extra states only inside its own rows and
//! columns.

use crate::metrics::dp::vmin;
use crate::metrics::edwp::{grow, Cell, Extra, Geom, Row};
use crate::traj::Traj;

/// Reusable buffers for one thread.
pub struct Scratch<const W: usize> {
    rows: Vec<V<W>>,
    cols: Vec<V<W>>,
    work: Vec<V<W>>,
    /// Each lane's extra PB states.
    pb: [Vec<Extra>; W],
    /// Columns where a row's PB or PA starts an extra state in some lane, with those lanes as bits.
    starts: Vec<(u32, u32)>,
}

impl<const W: usize> Default for Scratch<W> {
    fn default() -> Self {
        let pb = std::array::from_fn(|_| Vec::new());
        Scratch { rows: Vec::new(), cols: Vec::new(), work: Vec::new(), pb, starts: Vec::new() }
    }
}

#[inline(always)]
fn map2<const W: usize>(a: V<W>, b: V<W>, f: impl Fn(f64, f64) -> f64) -> V<W> {
    let mut r = a;
    for l in 0..W {
        r[l] = f(a[l], b[l]);
    }
    r
}

#[inline(always)]
fn map1<const W: usize>(a: V<W>, f: impl Fn(f64) -> f64) -> V<W> {
    let mut r = a;
    for l in 0..W {
        r[l] = f(a[l]);
    }
    r
}

#[inline(always)]
fn add<const W: usize>(a: V<W>, b: V<W>) -> V<W> {
    map2(a, b, |x, y| x + y)
}

#[inline(always)]
fn sub<const W: usize>(a: V<W>, b: V<W>) -> V<W> {
    map2(a, b, |x, y| x - y)
}

#[inline(always)]
fn mul<const W: usize>(a: V<W>, b: V<W>) -> V<W> {
    map2(a, b, |x, y| x * y)
}

/// W values, one per pair.
type V<const W: usize> = [f64; W];

/// Lanes as bits (bit j: lane j): the lanes' bools as bytes, gathered by one multiply (bit 0 of byte j
/// lands on bit 56 + j, and no two products meet), where a shift and an or per lane compile
/// to scalar code.
#[inline(always)]
fn bits<const W: usize>(f: [bool; W]) -> u32 {
    const { assert!(W <= 8) };
    let b: [u8; 8] = std::array::from_fn(|j| if j < W { f[j] as u8 } else { 0 });
    (u64::from_le_bytes(b).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u32
}

/// The lanes j where x[j] < y[j], as bits.
#[inline(always)]
fn below<const W: usize>(x: V<W>, y: V<W>) -> u32 {
    bits::<W>(std::array::from_fn(|j| x[j] < y[j]))
}

/// The lanes j where f(j), as bits.
#[inline(always)]
fn lanes_where<const W: usize>(f: impl Fn(usize) -> bool) -> u32 {
    bits::<W>(std::array::from_fn(f))
}

/// The lanes of `bits`, in order.
#[inline(always)]
fn each(mut bits: u32) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (bits != 0).then(|| {
            let j = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            j
        })
    })
}

/// Packs up to W trajectories' vertices lane-interleaved into `dst`: `len` vertices of D
/// vectors, lane l repeating its last vertex past its own length (unused lanes copy lane 0).
fn pack<const D: usize, const W: usize>(trajs: &[Traj], len: usize, dst: &mut Vec<V<W>>) {
    dst.clear();
    grow(dst, len * D, [0.0; W]);
    for l in 0..W {
        let t = trajs.get(l).copied().unwrap_or(trajs[0]);
        let n = t.len();
        for k in 0..len {
            let p = t.p(k.min(n - 1));
            for c in 0..D {
                dst[k * D + c][l] = p[c];
            }
        }
    }
}

/// The next `w` vectors of a scratch buffer.
#[inline(always)]
fn take<'a, const W: usize>(rest: &mut &'a mut [V<W>], w: usize) -> &'a mut [V<W>] {
    let (head, tail) = std::mem::take(rest).split_at_mut(w);
    *rest = tail;
    head
}

/// `out[l]` = EDwP(rows[l], cols[l]) for up to W pairs of D-dimensional trajectories.
#[inline(always)]
fn kernel<const D: usize, const W: usize>(rows: &[Traj], cols: &[Traj], out: &mut [f64], s: &mut Scratch<W>) {
    // Segments per lane, as edwp_in counts them (a one-point trajectory has one); unused lanes
    // copy lane 0.
    let segments = |ts: &[Traj], l: usize| (ts.get(l).unwrap_or(&ts[0]).len() - 1).max(1);
    let na_l: [usize; W] = std::array::from_fn(|l| segments(rows, l));
    let nb_l: [usize; W] = std::array::from_fn(|l| segments(cols, l));
    let na = *na_l.iter().max().unwrap();
    let nb = *nb_l.iter().max().unwrap();
    let w = nb + 1;
    pack::<D, W>(rows, na + 1, &mut s.rows);
    pack::<D, W>(cols, w, &mut s.cols);
    let need = (3 * D + 23) * w;
    grow(&mut s.work, need, [0.0; W]);
    let mut rest = &mut s.work[..need];
    let pb_extra = &mut s.pb;
    grow(&mut s.starts, w, (0, 0));
    let starts = &mut s.starts[..w];
    let (rv, cv) = (&s.rows[..], &s.cols[..]);
    // B's vertices again, coordinate by coordinate, so that the column loops vectorise across
    // columns at W = 1 (the rows stay vertex by vertex: each row reads one vertex).
    let bcs: [&mut [V<W>]; D] = std::array::from_fn(|_| take(&mut rest, w));
    for l in 0..w {
        for c in 0..D {
            bcs[c][l] = cv[l * D + c];
        }
    }
    let bcs: [&[V<W>]; D] = bcs.map(|x| &*x);
    let bc = |c: usize, l: usize| bcs[c][l];
    let db: [&mut [V<W>]; D] = std::array::from_fn(|_| take(&mut rest, w));
    let (len_b, inv_len2_b) = (take(&mut rest, w), take(&mut rest, w));
    for l in 0..nb {
        let mut len2 = [0.0; W];
        for c in 0..D {
            db[c][l] = sub(bc(c, l + 1), bc(c, l));
            len2 = add(len2, mul(db[c][l], db[c][l]));
        }
        len_b[l] = map1(len2, f64::sqrt);
        inv_len2_b[l] = map1(len2, |x| if x == 0.0 { 0.0 } else { 1.0 / x });
    }
    let db: [&[V<W>]; D] = db.map(|x| &*x);
    let inv_len2_b = &*inv_len2_b;
    let (mut ub, mut dist_b, mut vv) = (take(&mut rest, w), take(&mut rest, w), take(&mut rest, w));
    let (mut ub_next, mut dist_b_next, mut vv_next) = (take(&mut rest, w), take(&mut rest, w), take(&mut rest, w));
    let (ta, dist_a) = (take(&mut rest, w), take(&mut rest, w));
    let (mut row_v, row_pa, mut row_pb) = (take(&mut rest, w), take(&mut rest, w), take(&mut rest, w));
    let (mut next_v, mut next_pb) = (take(&mut rest, w), take(&mut rest, w));
    let (vb_rep, vb_ins_a, vb_ins_b) = (take(&mut rest, w), take(&mut rest, w), take(&mut rest, w));
    let (pa_rep, pa_ins_a, pa_ins_b) = (take(&mut rest, w), take(&mut rest, w), take(&mut rest, w));
    let len_a_rep = take(&mut rest, w);
    let pend = take(&mut rest, w);

    let vertex = |k: usize| -> [V<W>; D] { std::array::from_fn(|c| rv[k * D + c]) };
    let cols = Cols { bc: bcs, db, inv_len2_b };
    project_on_b(&cols, &vertex(0), ub, dist_b, vv);
    row_v.fill([f64::INFINITY; W]);
    row_pb.fill([f64::INFINITY; W]);
    row_v[0] = [0.0; W];
    for list in pb_extra.iter_mut() {
        list.clear();
    }
    let mut res = [0.0; W];
    // The rows: one iteration per segment k of A (in every lane).
    for k in 0..na {
        crate::cancel::tick(W * nb);
        // The lanes whose own row k this is (unused lanes copy lane 0 and are not read); only they
        // get extra states.
        let live = lanes_where::<W>(|j| j < out.len() && k < na_l[j]);
        let (a0, a1) = (vertex(k), vertex(k + 1));
        let mut da = [[0.0; W]; D];
        let mut len2_a = [0.0; W];
        for c in 0..D {
            da[c] = sub(a1[c], a0[c]);
            len2_a = add(len2_a, mul(da[c], da[c]));
        }
        let len_a = map1(len2_a, f64::sqrt);
        let inv_len2_a = map1(len2_a, |x| if x == 0.0 { 0.0 } else { 1.0 / x });
        // Pass 1: B's vertices on A's segment k.
        let (ta, dist_a) = (&mut ta[..w], &mut dist_a[..w]);
        for l in 0..w {
            let mut dot = [0.0; W];
            for c in 0..D {
                dot = add(dot, mul(sub(bc(c, l), a0[c]), da[c]));
            }
            let t = map1(mul(dot, inv_len2_a), |x| x.clamp(0.0, 1.0));
            let mut h2 = [0.0; W];
            for c in 0..D {
                let e = sub(add(a0[c], mul(t, da[c])), bc(c, l));
                h2 = add(h2, mul(e, e));
            }
            ta[l] = t;
            dist_a[l] = map1(h2, f64::sqrt);
        }
        project_on_b(&cols, &a1, ub_next, dist_b_next, vv_next);
        // Pass 2: the 9 move costs, and the best moves out of V and PB. Written on flat slices of
        // numbers (lane j of column l at l * W + j, A's segment length repeated per column): the
        // loop vectoriser handles that well, where the same code on whole lane vectors is left
        // scalar.
        for v in len_a_rep[..nb].iter_mut() {
            *v = len_a;
        }
        {
            let n8 = nb * W;
            let (vv0, vv1) = (&vv.as_flattened()[..n8], &vv_next.as_flattened()[W..]);
            let (ta0, ta1) = (&ta.as_flattened()[..n8], &ta.as_flattened()[W..]);
            let (da0, da1) = (&dist_a.as_flattened()[..n8], &dist_a.as_flattened()[W..]);
            let (ub0, ub1) = (&ub.as_flattened()[..n8], &ub_next.as_flattened()[..n8]);
            let (db0, db1) = (&dist_b.as_flattened()[..n8], &dist_b_next.as_flattened()[..n8]);
            let (lbs, las) = (&len_b.as_flattened()[..n8], &len_a_rep.as_flattened()[..n8]);
            let (rv, rpb) = (&row_v.as_flattened()[..n8], &row_pb.as_flattened()[..n8]);
            let pr = &mut pa_rep.as_flattened_mut()[..n8];
            let pia = &mut pa_ins_a.as_flattened_mut()[..n8];
            let pib = &mut pa_ins_b.as_flattened_mut()[..n8];
            let vr = &mut vb_rep.as_flattened_mut()[..n8];
            let via = &mut vb_ins_a.as_flattened_mut()[..n8];
            let vib = &mut vb_ins_b.as_flattened_mut()[..n8];
            let (vv1, ta1, da1) = (&vv1[..n8], &ta1[..n8], &da1[..n8]);
            for i in 0..n8 {
                let c = Cell {
                    g: Geom { len_a: las[i], len_b: lbs[i], d11: vv1[i], t1: ta1[i], u1: ub1[i], dp_a: da1[i], dp_b: db1[i] },
                    v: rv[i],
                    pb: rpb[i],
                    d_v: vv0[i],
                    d_pb: db0[i],
                    u_pb: ub0[i],
                    d_pa: da0[i],
                    t_pa: ta0[i],
                };
                ([pr[i], pia[i], pib[i]], [vr[i], via[i], vib[i]]) = c.moves();
            }
        }
        // The row as the extra states see it, one lane at a time (`edwp::Row`).
        let row = Row::<D> {
            stride: W,
            len_a: &len_a,
            a0: a0.as_flattened(),
            da: da.as_flattened(),
            a1: a1.as_flattened(),
            bc: bcs.map(|x| x.as_flattened()),
            db: db.map(|x| x.as_flattened()),
            len_b: len_b.as_flattened(),
            vv_next: vv_next.as_flattened(),
            ta: ta.as_flattened(),
            dist_a: dist_a.as_flattened(),
            ub: ub.as_flattened(),
            dist_b: dist_b.as_flattened(),
            ub_next: ub_next.as_flattened(),
            dist_b_next: dist_b_next.as_flattened(),
            row_pb: row_pb.as_flattened(),
        };
        // Pass 2b: the extra PB states of the lanes that have any; then PB joins them where
        // u_l(a_(k+1)) < u_l(a_k), in the lanes of a real cell (k, l) whose row k + 1 is real.
        let keep = lanes_where::<W>(|j| k + 1 < na_l[j]);
        let listed = lanes_where::<W>(|j| !pb_extra[j].is_empty());
        for j in each(live & listed) {
            let vb = [vb_rep.as_flattened_mut(), vb_ins_a.as_flattened_mut(), vb_ins_b.as_flattened_mut()];
            row.pb_extra(j, &mut pb_extra[j], keep >> j & 1 == 1, vb);
        }
        if live & keep != 0 {
            // The columns with any such lane first, without a branch per column.
            let mut n = 0;
            let on: [bool; W] = std::array::from_fn(|j| (live & keep) >> j & 1 == 1);
            for l in 0..nb {
                let (u, u1, pb) = (ub[l], ub_next[l], row_pb[l]);
                let b = bits::<W>(std::array::from_fn(|j| on[j] & (u1[j] < u[j]) & (pb[j] < f64::INFINITY) & (l < nb_l[j])));
                starts[n] = (l as u32, b);
                n += (b != 0) as usize;
            }
            for &(l, b) in &starts[..n] {
                for j in each(b) {
                    row.pb_push(j, l as usize, &mut pb_extra[j]);
                }
            }
        }
        // Pass 3: the scan along the row for state PA, and the extra PA states of the lanes where
        // PA at column m starts one.
        row_pa[0] = [f64::INFINITY; W];
        pend.fill([f64::INFINITY; W]);
        // The columns m < nb - 1 where t_k(b_(m+1)) < t_k(b_m) in some lane, without a branch
        // per column; the scan runs from one to the next in a loop of its own, where PA's costs
        // stay in registers.
        let mut n = 0;
        for m in 1..nb.saturating_sub(1) {
            let b = below(ta[m + 1], ta[m]) & live;
            if W == 1 {
                // One lane: a branch, taken at the descents only, costs less than a store per column.
                if b != 0 {
                    starts[n] = (m as u32, b);
                    n += 1;
                }
            } else {
                starts[n] = (m as u32, b);
                n += (b != 0) as usize;
            }
        }
        let mut l = 0;
        for start in starts[..n].iter().map(Some).chain([None]) {
            let m = start.map_or(nb, |&(m, _)| m as usize);
            let mut x = row_pa[l];
            for i in l..m {
                x = vmin(vmin(vb_ins_a[i], pend[i + 1]), add(x, pa_ins_a[i]));
                row_pa[i + 1] = x;
            }
            l = m;
            if let Some(&(_, descent)) = start {
                let x = row_pa[m];
                let bits = descent & below(x, [f64::INFINITY; W]) & lanes_where::<W>(|j| m + 1 < nb_l[j]);
                for j in each(bits) {
                    row.pa_chain(j, nb_l[j], m, x[j], vb_rep.as_flattened_mut(), vb_ins_b.as_flattened_mut(), pend.as_flattened_mut());
                }
            }
        }
        // Pass 4: the row below.
        next_v[0] = [f64::INFINITY; W];
        next_pb[nb] = [f64::INFINITY; W];
        for l in 0..nb {
            next_v[l + 1] = vmin(vb_rep[l], add(row_pa[l], pa_rep[l]));
            next_pb[l] = vmin(vb_ins_b[l], add(row_pa[l], pa_ins_b[l]));
        }
        std::mem::swap(&mut row_v, &mut next_v);
        std::mem::swap(&mut row_pb, &mut next_pb);
        std::mem::swap(&mut ub, &mut ub_next);
        std::mem::swap(&mut dist_b, &mut dist_b_next);
        std::mem::swap(&mut vv, &mut vv_next);
        // Lanes whose row trajectory ends here read their result now.
        for l in 0..W {
            if na_l[l] == k + 1 {
                res[l] = row_v[nb_l[l]][l];
            }
        }
    }
    out.copy_from_slice(&res[..out.len()]);
}

/// B as the columns of a pass: packed vertices, segment vectors and 1 / length² (0 for none).
struct Cols<'s, const D: usize, const W: usize> {
    bc: [&'s [V<W>]; D],
    db: [&'s [V<W>]; D],
    inv_len2_b: &'s [V<W>],
}

/// p (one vertex per lane) projected on each of B's segments (parameter u, distance), and p's
/// distance to each of B's vertices. A function, not a closure: a
/// closure would be compiled without the caller's target features.
#[inline(always)]
fn project_on_b<const D: usize, const W: usize>(cols: &Cols<D, W>, p: &[V<W>; D], u: &mut [V<W>], dist: &mut [V<W>], vv: &mut [V<W>]) {
    let Cols { bc, db, inv_len2_b } = cols;
    let nb = u.len() - 1;
    // Every slice cut to the loop's length, so that the loops have no bounds checks and
    // vectorise across columns at W = 1.
    let (bc0, db, inv_len2_b) = (bc.map(|x| &x[..nb]), db.map(|x| &x[..nb]), &inv_len2_b[..nb]);
    let (u, dist) = (&mut u[..nb], &mut dist[..nb]);
    for l in 0..nb {
        let mut dot = [0.0; W];
        for c in 0..D {
            dot = add(dot, mul(sub(p[c], bc0[c][l]), db[c][l]));
        }
        let t = map1(mul(dot, inv_len2_b[l]), |x| x.clamp(0.0, 1.0));
        let mut h2 = [0.0; W];
        for c in 0..D {
            let e = sub(p[c], add(bc0[c][l], mul(t, db[c][l])));
            h2 = add(h2, mul(e, e));
        }
        u[l] = t;
        dist[l] = map1(h2, f64::sqrt);
    }
    let (bc, vv) = (bc.map(|x| &x[..nb + 1]), &mut vv[..nb + 1]);
    for l in 0..nb + 1 {
        let mut v2 = [0.0; W];
        for c in 0..D {
            let e = sub(p[c], bc[c][l]);
            v2 = add(v2, mul(e, e));
        }
        vv[l] = map1(v2, f64::sqrt);
    }
}

/// `kernel` as a `cpu::Kernel`, built per instruction set and dimension by `cpu::dispatch`.
struct Run<'a, 't, const W: usize> {
    rows: &'a [Traj<'t>],
    cols: &'a [Traj<'t>],
    out: &'a mut [f64],
    s: &'a mut Scratch<W>,
}

impl<const W: usize> crate::cpu::Kernel for Run<'_, '_, W> {
    type Out = ();
    const AVX512: bool = W > 1;
    #[inline(always)]
    fn run<const D: usize>(self) {
        kernel::<D, W>(self.rows, self.cols, self.out, self.s)
    }
}

/// EDwP of up to W pairs: `out[l]` = EDwP(rows[l], cols[l]); all 2-D or all 3-D.
pub fn pairs<const W: usize>(rows: &[Traj], cols: &[Traj], out: &mut [f64], scratch: &mut Scratch<W>) {
    debug_assert!(!cols.is_empty() && cols.len() <= W && out.len() == cols.len() && rows.len() == cols.len());
    crate::cpu::dispatch(rows[0].dim, Run { rows, cols, out, s: scratch })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::dp_kernel::LANES;
    use crate::metrics::edwp::edwp;

    #[test]
    fn bit_identical_to_the_one_pair_kernel() {
        let mut u = crate::test_rng::uniform(2024u64);
        let mut scratch = Scratch::<LANES>::default();
        for d in [2usize, 3] {
            for round in 0..200 {
                let k = 1 + round % LANES;
                // 1 to 23 points; some repeated points (zero-length segments).
                let mut gen = |len: usize| -> Vec<f64> {
                    let mut t: Vec<f64> = (0..len * d).map(|_| u() * 20.0 - 10.0).collect();
                    if len > 2 && round % 3 == 0 {
                        let (x, y) = t.split_at_mut(d);
                        y[..d].copy_from_slice(x);
                    }
                    t
                };
                let rows: Vec<Vec<f64>> = (0..k).map(|c| gen(1 + (c * 5 + round) % 19)).collect();
                let cols: Vec<Vec<f64>> = (0..k).map(|c| gen(1 + (c * 7 + round * 3) % 23)).collect();
                let tr: Vec<Traj> = rows.iter().map(|c| Traj::new(c, d)).collect();
                let tc: Vec<Traj> = cols.iter().map(|c| Traj::new(c, d)).collect();
                let mut out = vec![0.0; k];
                pairs(&tr, &tc, &mut out, &mut scratch);
                for l in 0..k {
                    let want = edwp(tr[l], tc[l]);
                    assert_eq!(out[l].to_bits(), want.to_bits(), "d={d} round={round} lane={l}: {} vs {want}", out[l]);
                }
            }
        }
    }
}

