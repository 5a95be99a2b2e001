//! Batch EDwP across pairs: `metrics::edwp`'s passes per row, with every per-column value a
//! vector of LANES pairs instead of one number. A one-pair EDwP of two short trajectories
//! (San Francisco's are about 10 points) spends much of its time in loop set-up and in the
//! scalar remainders of its column loops; LANES pairs side by side fill every vector, and the
//! serial scan of state PA runs LANES chains at once.
//!
//! The states are `metrics::edwp`'s (see its module doc): V, PA and PB per cell, the paper's
//! recursion with the start of the remaining piece in the state, plus the extra states where a
//! projection was clamped to the start of what is left of a segment. The extra states are
//! handled lane by lane (a stack of extra PA states per lane, one list of extra PB states by
//! column), only at the cells that have any or where the projections descend; the rest of the
//! row stays on whole vectors.
//!
//! Exactness: each lane performs the one-pair kernel's operations in the same order on the same
//! values (the moves, extra states included, are `edwp::Geom`'s and `edwp::Cell`'s code), so
//! results are bit-identical to `metrics::edwp::edwp` (the test below and tests/test_lanes.py
//! check it). Lanes are padded past their own lengths by repeating their last vertex (what
//! `edwp::vertex` does for a one-point trajectory); a lane's result is read at its own last row
//! and column, which the padding cells never feed (the DP moves right and down only, and V at
//! column l comes from column l - 1). Extra states are kept only inside a lane's own rows and
//! columns, so padding costs no work on them.

use super::lanes::{vmin, LANES, V};
use crate::metrics::edwp::{at, grow, push, Cell, Extra, Geom};
use crate::traj::Traj;

/// Reusable buffers for one thread.
#[derive(Default)]
pub struct Scratch {
    rows: Vec<V>,
    cols: Vec<V>,
    work: Vec<V>,
    /// Per lane, the extra PA states of the current column.
    pa: [Vec<Extra>; LANES],
    /// The extra PB states of the current row and of the next, by column (ascending).
    pb: Vec<Extra>,
    pb_next: Vec<Extra>,
}

#[inline(always)]
fn map2(a: V, b: V, f: impl Fn(f64, f64) -> f64) -> V {
    let mut r = a;
    for l in 0..LANES {
        r[l] = f(a[l], b[l]);
    }
    r
}

#[inline(always)]
fn map1(a: V, f: impl Fn(f64) -> f64) -> V {
    let mut r = a;
    for l in 0..LANES {
        r[l] = f(a[l]);
    }
    r
}

#[inline(always)]
fn add(a: V, b: V) -> V {
    map2(a, b, |x, y| x + y)
}

#[inline(always)]
fn sub(a: V, b: V) -> V {
    map2(a, b, |x, y| x - y)
}

#[inline(always)]
fn mul(a: V, b: V) -> V {
    map2(a, b, |x, y| x * y)
}

const ZERO: V = [0.0; LANES];
const INF: V = [f64::INFINITY; LANES];

/// The lanes j where x[j] < y[j], as bits.
#[inline(always)]
fn below(x: V, y: V) -> u32 {
    let mut m = 0;
    for j in 0..LANES {
        m |= ((x[j] < y[j]) as u32) << j;
    }
    m
}

/// Lane j of D lane vectors.
#[inline(always)]
fn lane<const D: usize>(x: &[V; D], j: usize) -> [f64; D] {
    std::array::from_fn(|c| x[c][j])
}

/// Packs up to LANES trajectories' vertices lane-interleaved into `dst`: `len` vertices of D
/// vectors, lane l repeating its last vertex past its own length (unused lanes copy lane 0).
fn pack<const D: usize>(trajs: &[Traj], len: usize, dst: &mut Vec<V>) {
    dst.clear();
    grow(dst, len * D, ZERO);
    for l in 0..LANES {
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
fn take<'a>(rest: &mut &'a mut [V], w: usize) -> &'a mut [V] {
    let (head, tail) = std::mem::take(rest).split_at_mut(w);
    *rest = tail;
    head
}

/// `out[l]` = EDwP(rows[l], cols[l]) for up to LANES pairs of D-dimensional trajectories.
#[inline(always)]
fn kernel<const D: usize>(rows: &[Traj], cols: &[Traj], out: &mut [f64], s: &mut Scratch) {
    // Segments per lane, as edwp_in counts them (a one-point trajectory has one); unused lanes
    // copy lane 0.
    let segments = |ts: &[Traj], l: usize| (ts.get(l).unwrap_or(&ts[0]).len() - 1).max(1);
    let na_l: [usize; LANES] = std::array::from_fn(|l| segments(rows, l));
    let nb_l: [usize; LANES] = std::array::from_fn(|l| segments(cols, l));
    let na = *na_l.iter().max().unwrap();
    let nb = *nb_l.iter().max().unwrap();
    let w = nb + 1;
    pack::<D>(rows, na + 1, &mut s.rows);
    pack::<D>(cols, w, &mut s.cols);
    let need = (2 * D + 22) * w;
    grow(&mut s.work, need, ZERO);
    let mut rest = &mut s.work[..need];
    let (pa_extra, mut pb_extra, mut pb_extra_next) = (&mut s.pa, &mut s.pb, &mut s.pb_next);
    let (rv, cv) = (&s.rows[..], &s.cols[..]);
    let bc = |c: usize, l: usize| cv[l * D + c];
    let db: [&mut [V]; D] = std::array::from_fn(|_| take(&mut rest, w));
    let (len_b, inv_len2_b) = (take(&mut rest, w), take(&mut rest, w));
    for l in 0..nb {
        let mut len2 = ZERO;
        for c in 0..D {
            db[c][l] = sub(bc(c, l + 1), bc(c, l));
            len2 = add(len2, mul(db[c][l], db[c][l]));
        }
        len_b[l] = map1(len2, f64::sqrt);
        inv_len2_b[l] = map1(len2, |x| if x == 0.0 { 0.0 } else { 1.0 / x });
    }
    let db: [&[V]; D] = db.map(|x| &*x);
    let inv_len2_b = &*inv_len2_b;
    let (mut ub, mut dist_b, mut vv) = (take(&mut rest, w), take(&mut rest, w), take(&mut rest, w));
    let (mut ub_next, mut dist_b_next, mut vv_next) = (take(&mut rest, w), take(&mut rest, w), take(&mut rest, w));
    let (ta, dist_a) = (take(&mut rest, w), take(&mut rest, w));
    let (mut row_v, row_pa, mut row_pb) = (take(&mut rest, w), take(&mut rest, w), take(&mut rest, w));
    let (mut next_v, mut next_pb) = (take(&mut rest, w), take(&mut rest, w));
    let (vb_rep, vb_ins_a, vb_ins_b) = (take(&mut rest, w), take(&mut rest, w), take(&mut rest, w));
    let (pa_rep, pa_ins_a, pa_ins_b) = (take(&mut rest, w), take(&mut rest, w), take(&mut rest, w));
    let len_a_rep = take(&mut rest, w);

    let vertex = |k: usize| -> [V; D] { std::array::from_fn(|c| rv[k * D + c]) };
    let cols = Cols { bc: cv, db, inv_len2_b };
    project_on_b(&cols, &vertex(0), ub, dist_b, vv);
    row_v.fill(INF);
    row_pb.fill(INF);
    row_v[0] = ZERO;
    pb_extra.clear();
    let mut res = [0.0; LANES];
    // The rows: one iteration per segment k of A (in every lane).
    for k in 0..na {
        // The lanes whose own row k this is (unused lanes copy lane 0 and are not read); only they
        // keep extra states.
        let live = (0..out.len()).filter(|&j| k < na_l[j]).fold(0u32, |m, j| m | 1 << j);
        let (a0, a1) = (vertex(k), vertex(k + 1));
        let mut da = [ZERO; D];
        let mut len2_a = ZERO;
        for c in 0..D {
            da[c] = sub(a1[c], a0[c]);
            len2_a = add(len2_a, mul(da[c], da[c]));
        }
        let len_a = map1(len2_a, f64::sqrt);
        let inv_len2_a = map1(len2_a, |x| if x == 0.0 { 0.0 } else { 1.0 / x });
        // Pass 1: B's vertices on A's segment k.
        for l in 0..w {
            let mut dot = ZERO;
            for c in 0..D {
                dot = add(dot, mul(sub(bc(c, l), a0[c]), da[c]));
            }
            let t = map1(mul(dot, inv_len2_a), |x| x.clamp(0.0, 1.0));
            let mut h2 = ZERO;
            for c in 0..D {
                let e = sub(add(a0[c], mul(t, da[c])), bc(c, l));
                h2 = add(h2, mul(e, e));
            }
            ta[l] = t;
            dist_a[l] = map1(h2, f64::sqrt);
        }
        project_on_b(&cols, &a1, ub_next, dist_b_next, vv_next);
        // Pass 2: the 9 move costs, and the best moves out of V and PB. Written on flat slices of
        // numbers, exactly as edwp_rows is (lane j of column l at l * LANES + j, A's segment
        // length repeated per column): the loop vectoriser handles that well, where the same
        // code on whole lane vectors is left scalar.
        for v in len_a_rep[..nb].iter_mut() {
            *v = len_a;
        }
        {
            let n8 = nb * LANES;
            let (vv0, vv1) = (&vv.as_flattened()[..n8], &vv_next.as_flattened()[LANES..]);
            let (ta0, ta1) = (&ta.as_flattened()[..n8], &ta.as_flattened()[LANES..]);
            let (da0, da1) = (&dist_a.as_flattened()[..n8], &dist_a.as_flattened()[LANES..]);
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
        // Lane j of cell (k, l), as edwp_rows's `geom`.
        let geom = |l: usize, j: usize| Geom {
            len_a: len_a[j],
            len_b: len_b[l][j],
            d11: vv_next[l + 1][j],
            t1: ta[l + 1][j],
            u1: ub_next[l][j],
            dp_a: dist_a[l + 1][j],
            dp_b: dist_b_next[l][j],
        };
        let b_at = |l: usize, j: usize| -> [f64; D] { std::array::from_fn(|c| bc(c, l)[j]) };
        // Pass 2b: the extra PB states of row k by column, lane by lane, and those of row k + 1.
        {
            pb_extra_next.clear();
            let mut i = 0;
            for l in 0..nb {
                let here = i < pb_extra.len() && pb_extra[i].col == l;
                let descent = below(ub_next[l], ub[l]) & live;
                if !here && descent == 0 {
                    continue;
                }
                while i < pb_extra.len() && pb_extra[i].col == l {
                    let j = pb_extra[i].lane;
                    let mut o = [vb_rep[l][j], vb_ins_a[l][j], vb_ins_b[l][j]];
                    if let Some(e) = geom(l, j).pb_extra::<D>(&pb_extra[i], &lane(&a1, j), &mut o) {
                        if k + 1 < na_l[j] {
                            push(pb_extra_next, e);
                        }
                    }
                    [vb_rep[l][j], vb_ins_a[l][j], vb_ins_b[l][j]] = o;
                    i += 1;
                }
                for j in (0..LANES).filter(|&j| descent >> j & 1 == 1) {
                    if l < nb_l[j] && row_pb[l][j] < f64::INFINITY && k + 1 < na_l[j] {
                        let t = ub[l][j];
                        let p = at(b_at(l, j), std::array::from_fn(|c| db[c][l][j]), t);
                        let from = Extra { col: l, lane: j, t, p, d: dist_b[l][j], c: row_pb[l][j] };
                        push(pb_extra_next, geom(l, j).pb_stay::<D>(&from, &lane(&a1, j)));
                    }
                }
            }
            std::mem::swap(&mut pb_extra, &mut pb_extra_next);
        }
        // Pass 3: the scan along the row for state PA, and lane by lane for the extra PA states
        // where a lane has any or its projections descend.
        row_pa[0] = INF;
        let mut stacked = 0u32;
        for st in pa_extra.iter_mut() {
            st.clear();
        }
        for l in 0..nb {
            let mut x = vmin(vb_ins_a[l], add(row_pa[l], pa_ins_a[l]));
            let descent = below(ta[l + 1], ta[l]) & live;
            let todo = descent | stacked;
            if todo != 0 {
                for j in (0..LANES).filter(|&j| todo >> j & 1 == 1) {
                    if l >= nb_l[j] {
                        continue;
                    }
                    let (g, carry, b1) = (geom(l, j), l + 1 < nb_l[j], b_at(l + 1, j));
                    let mut o = [vb_rep[l][j], x[j], vb_ins_b[l][j]];
                    let st = &mut pa_extra[j];
                    let mut n = 0;
                    for i in 0..st.len() {
                        if let Some(e) = g.pa_extra::<D>(&st[i], &b1, &mut o) {
                            if carry {
                                st[n] = e;
                                n += 1;
                            }
                        }
                    }
                    st.truncate(n);
                    if descent >> j & 1 == 1 && row_pa[l][j] < f64::INFINITY && carry {
                        let t = ta[l][j];
                        let from = Extra { col: l, lane: j, t, p: at(lane(&a0, j), lane(&da, j), t), d: dist_a[l][j], c: row_pa[l][j] };
                        push(st, g.pa_stay::<D>(&from, &b1));
                    }
                    [vb_rep[l][j], x[j], vb_ins_b[l][j]] = o;
                    stacked = if st.is_empty() { stacked & !(1 << j) } else { stacked | 1 << j };
                }
            }
            row_pa[l + 1] = x;
        }
        // Pass 4: the row below.
        next_v[0] = INF;
        next_pb[nb] = INF;
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
        for l in 0..LANES {
            if na_l[l] == k + 1 {
                res[l] = row_v[nb_l[l]][l];
            }
        }
    }
    out.copy_from_slice(&res[..out.len()]);
}

/// B as the columns of a pass: packed vertices, segment vectors and 1 / length² (0 for none).
struct Cols<'s, const D: usize> {
    bc: &'s [V],
    db: [&'s [V]; D],
    inv_len2_b: &'s [V],
}

/// p (one vertex per lane) projected on each of B's segments (parameter u, distance), and p's
/// distance to each of B's vertices, as `edwp::project_on_b`. A function, not a closure: a
/// closure would be compiled without the caller's target features.
#[inline(always)]
fn project_on_b<const D: usize>(cols: &Cols<D>, p: &[V; D], u: &mut [V], dist: &mut [V], vv: &mut [V]) {
    let Cols { bc, db, inv_len2_b } = cols;
    let nb = u.len() - 1;
    for l in 0..nb {
        let mut dot = ZERO;
        for c in 0..D {
            dot = add(dot, mul(sub(p[c], bc[l * D + c]), db[c][l]));
        }
        let t = map1(mul(dot, inv_len2_b[l]), |x| x.clamp(0.0, 1.0));
        let mut h2 = ZERO;
        for c in 0..D {
            let e = sub(p[c], add(bc[l * D + c], mul(t, db[c][l])));
            h2 = add(h2, mul(e, e));
        }
        u[l] = t;
        dist[l] = map1(h2, f64::sqrt);
    }
    for l in 0..=nb {
        let mut v2 = ZERO;
        for c in 0..D {
            let e = sub(p[c], bc[l * D + c]);
            v2 = add(v2, mul(e, e));
        }
        vv[l] = map1(v2, f64::sqrt);
    }
}

/// `kernel` compiled with target features (FMA enabled, never contracted into: Rust does not
/// fuse a * b + c by itself, so every build computes the same bits).
macro_rules! kernel_with_features {
    ($name:ident, $features:literal) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $features)]
        unsafe fn $name<const D: usize>(rows: &[Traj], cols: &[Traj], out: &mut [f64], s: &mut Scratch) {
            kernel::<D>(rows, cols, out, s)
        }
    };
}

kernel_with_features!(kernel_avx2, "avx2,fma");
kernel_with_features!(kernel_avx512, "avx512f,avx512dq,avx512vl,avx2,fma");

/// EDwP of up to LANES pairs: `out[l]` = EDwP(rows[l], cols[l]); all 2-D or all 3-D.
pub fn pairs(rows: &[Traj], cols: &[Traj], out: &mut [f64], scratch: &mut Scratch) {
    debug_assert!(!cols.is_empty() && cols.len() <= LANES && out.len() == cols.len() && rows.len() == cols.len());
    macro_rules! by_dim {
        ($k:ident) => {
            if rows[0].dim == 2 {
                $k::<2>(rows, cols, out, scratch)
            } else {
                $k::<3>(rows, cols, out, scratch)
            }
        };
    }
    #[cfg(target_arch = "x86_64")]
    if crate::cpu::has_avx512() {
        // SAFETY: the CPU supports AVX-512 F/DQ/VL, AVX2 and FMA (checked at run time); the
        // function is otherwise the safe `kernel`, with the same bounds-checked indexing.
        return unsafe { by_dim!(kernel_avx512) };
    } else if crate::cpu::has_avx2() {
        // SAFETY: the CPU supports AVX2 and FMA (checked at run time); as above.
        return unsafe { by_dim!(kernel_avx2) };
    }
    by_dim!(kernel)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::edwp::edwp;

    #[test]
    fn bit_identical_to_the_one_pair_kernel() {
        let mut u = crate::test_rng::uniform(2024u64);
        let mut scratch = Scratch::default();
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
