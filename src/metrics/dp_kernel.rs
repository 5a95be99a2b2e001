//! The DP driver: a rule (`dp::DpRule`) run over W pairs side by side, one SIMD lane per pair,
//! a row of points at a time. `one` runs it at W = 1 for a single pair; `pairs` at W = LANES
//! for the batch calls, where LANES pairs (row trajectory, column trajectory), both packed
//! lane-interleaved, advance through the DP together: the min-then-add chain that bounds one
//! pair (each cell waits for its left neighbour) is paid once per LANES cells, and the ground
//! distance is computed LANES cells at a time. Each lane's result is read at its own row and
//! column lengths; cells past them are padding and never feed a result (the DP only moves right
//! and down). The batch evaluator groups pairs of similar lengths, so padding wastes little.
//! `row_groups` runs one row against many groups of columns, and its short passes, where the
//! space and the rule allow it, take two rows of points at a time (`kernel_two`): rows of ten
//! cells would otherwise wait on the chain.
//!
//! Exactness: every lane performs the same operations in the same order on the same values
//! whatever W is (no fused multiply-add, IEEE sqrt, min, max, add; spherical trigonometry from
//! `geometry::trig`), so a batch gives each pair the bits of the single-pair call
//! (tests/test_lanes.py checks it on random data, and the test below here).

use super::dp::{effective_window, Borders, Cell, DpRule, Lanes};
use crate::batch::tuning::CHECKED_PASS_CELLS;
use crate::geometry::lane_space::LaneSpace;
use crate::traj::Traj;
use std::sync::atomic::{AtomicBool, Ordering};

/// Pairs per pass of the batch kernel: 8 f64, one AVX-512 register (two AVX2 ones).
pub const LANES: usize = 8;

/// Rows between two early-abandoning checks.
const ABANDON_EVERY: usize = 16;

/// A trajectory's stored values as width-1 lanes, without a copy.
#[inline(always)]
pub fn as_lanes(coords: &[f64]) -> &[[f64; 1]] {
    coords.as_chunks::<1>().0
}

/// Reusable buffers of the batch kernel, one set per thread.
pub struct Scratch<const W: usize> {
    rows: Vec<Lanes<W>>,
    cols: Vec<Lanes<W>>,
    prev: Vec<Lanes<W>>,
    cur: Vec<Lanes<W>>,
    borders: Borders<W>,
}

impl<const W: usize> Default for Scratch<W> {
    fn default() -> Self {
        Scratch { rows: Vec::new(), cols: Vec::new(), prev: Vec::new(), cur: Vec::new(), borders: Borders::default() }
    }
}

/// One pass: the packed rows (`n` points, `nlens[l]` in lane l), the packed columns (`m`
/// points, `lens[l]` in lane l) and, for ERP, the borders.
struct Pass<'a, const W: usize> {
    rows: &'a [Lanes<W>],
    n: usize,
    nlens: [usize; W],
    cols: &'a [Lanes<W>],
    m: usize,
    lens: [usize; W],
    bd: Option<&'a Borders<W>>,
    /// DTW's Sakoe-Chiba band: each lane's effective half-width (`dp::effective_window`).
    win: Option<[f64; W]>,
    /// The cancel flag (`cancel::with_flag`), read once a row by passes long enough to need it.
    stop: &'a AtomicBool,
    /// Early abandoning (queries): the pass stops once no lane can end at or below this value.
    limit: Option<f64>,
}

/// The DP of one pass, a row of lanes at a time.
#[inline(always)]
fn kernel<S: LaneSpace, R: DpRule, const D: usize, const W: usize, const CHECK: bool>(
    sp: S,
    r: R,
    pass: &Pass<W>,
    prev: &mut [Lanes<W>],
    cur: &mut [Lanes<W>],
) -> Lanes<W> {
    let Pass { rows, n, nlens, cols, m, lens, bd, win, stop, limit } = *pass;
    // With a band, a row only visits the columns some lane's band reaches; the cells just
    // outside that range are set to +inf, and the cells inside it are masked to +inf per lane.
    let wmax = win.map(|w| w.iter().fold(0.0f64, |x, &y| x.max(y)) as usize);
    let mut out = [0.0; W];
    let first_end = nlens.iter().copied().min().unwrap_or(0);
    prev[0] = [r.corner(); W];
    match bd {
        Some(b) => prev[1..=m].copy_from_slice(&b.top[1..=m]),
        None => top_row(r, &mut prev[1..=m]),
    }
    let (mut prev, mut cur) = (prev, cur);
    for i in 0..n {
        if CHECK && stop.load(Ordering::Relaxed) {
            break; // the caller unwinds (`run`)
        }
        one_row::<S, R, D, W>(sp, r, i, rows, cols, m, bd, win, wmax, &mut *prev, &mut *cur);
        std::mem::swap(&mut prev, &mut cur);
        read_ends(sp, r, i, first_end, (&nlens, &lens), prev, &mut out);
        // Every ABANDON_EVERY rows: the check reads the whole row, as dear as a row of
        // cheap cells.
        if let Some(limit) = limit.filter(|_| i % ABANDON_EVERY == ABANDON_EVERY - 1) {
            if abandoned(sp, r, i, (&nlens, &lens), &prev[..=m], limit, &mut out) {
                break;
            }
        }
    }
    out
}

/// Early abandoning after DP row i + 1 (`row`): whether every lane either has its result or
/// can no longer end at or below `limit` (`DpRule::row_bound`, strictly above it); if so, the
/// unfinished lanes get +inf. One lane that may still end below keeps the whole pass going.
/// (`!(b > limit)`: a NaN bound never stops a lane.)
#[inline(always)]
#[allow(clippy::neg_cmp_op_on_partial_ord)]
fn abandoned<S: LaneSpace, R: DpRule, const W: usize>(
    sp: S,
    r: R,
    i: usize,
    (nlens, lens): (&[usize; W], &[usize; W]),
    row: &[Lanes<W>],
    limit: f64,
    out: &mut Lanes<W>,
) -> bool {
    let b = r.row_bound(&sp, row, i + 1, nlens, lens);
    if (0..W).any(|l| nlens[l] > i + 1 && !(b[l] > limit)) {
        return false;
    }
    for l in 0..W {
        if nlens[l] > i + 1 {
            out[l] = f64::INFINITY;
        }
    }
    true
}

/// Lanes whose row trajectory ends at point row i read their result from `row`, DP row i + 1
/// (none before the shortest row ends: one test a row instead of one a lane).
#[inline(always)]
fn read_ends<S: LaneSpace, R: DpRule, const W: usize>(
    sp: S,
    r: R,
    i: usize,
    first_end: usize,
    (nlens, lens): (&[usize; W], &[usize; W]),
    row: &[Lanes<W>],
    out: &mut Lanes<W>,
) {
    if i + 1 >= first_end {
        for l in 0..W {
            if nlens[l] == i + 1 {
                out[l] = r.finish(r.cost(&sp, row[lens[l]][l]), nlens[l], lens[l]);
            }
        }
    }
}

/// `kernel` for a pass without borders or band, two rows of points at a time: rows i and
/// i + 1 (DP rows i + 1 and i + 2) go through the columns together, the second one column
/// behind, as one vector of W2 = 2W lanes, so that each step advances two independent chains
/// of dependent cells and a row of ten cells pays half a loop. DP row i is in `prev`; row
/// i + 1 goes to `cur` and row i + 2 back to `prev`, over the cells of row i that the step has
/// read for the last time. Each lane performs the operations of `one_row` on the same values,
/// so the bits are the same.
#[inline(always)]
fn kernel_two<S: LaneSpace, R: DpRule, const D: usize, const W: usize, const W2: usize>(
    sp: S,
    r: R,
    pass: &Pass<W>,
    prev: &mut [Lanes<W>],
    cur: &mut [Lanes<W>],
) -> Lanes<W> {
    const { assert!(W2 == 2 * W) };
    let Pass { rows, n, nlens, cols, m, lens, .. } = *pass;
    let join = |x: &Lanes<W>, y: &Lanes<W>| -> Lanes<W2> { std::array::from_fn(|l| if l < W { x[l] } else { y[l - W] }) };
    let mut out = [0.0; W];
    let first_end = nlens.iter().copied().min().unwrap_or(0);
    let (prev, cur) = (&mut prev[..=m], &mut cur[..=m]);
    let cols = &cols[..m * D];
    prev[0] = [r.corner(); W];
    top_row(r, &mut prev[1..=m]);
    let (zero, zero2) = ([0.0; W], [0.0; W2]);
    let finish = |out: &mut Lanes<W>, i: usize, row: &[Lanes<W>]| read_ends(sp, r, i, first_end, (&nlens, &lens), row, out);
    let mut i = 0;
    while i + 1 < n {
        let (p0, p1) = (&rows[i * D..i * D + D], &rows[(i + 1) * D..(i + 1) * D + D]);
        let mut pk = [[0.0; W]; D];
        pk.copy_from_slice(p0);
        let p2: [Lanes<W2>; D] = std::array::from_fn(|k| join(&p0[k], &p1[k]));
        let mut a = [r.left(i + 1); W];
        cur[0] = a;
        a = r.cell(&sp, Cell { s: sp.value::<D, W>(&pk, &cols[..D]), diag: prev[0], up: prev[1], left: a, ga: zero, gb: zero });
        cur[1] = a;
        let mut b = [r.left(i + 2); W];
        prev[0] = b;
        // Column points as whole arrays, whose indices the compiler sees are in bounds.
        let pts = &cols.as_chunks::<D>().0[..m];
        for j in 2..m + 1 {
            let c2: [Lanes<W2>; D] = std::array::from_fn(|k| join(&pts[j - 1][k], &pts[j - 2][k]));
            let s = sp.value::<D, W2>(&p2, &c2);
            let c = r.cell(&sp, Cell { s, diag: join(&prev[j - 1], &cur[j - 2]), up: join(&prev[j], &cur[j - 1]), left: join(&a, &b), ga: zero2, gb: zero2 });
            a = std::array::from_fn(|l| c[l]);
            b = std::array::from_fn(|l| c[W + l]);
            cur[j] = a;
            prev[j - 1] = b;
        }
        pk.copy_from_slice(p1);
        let s = sp.value::<D, W>(&pk, &cols[(m - 1) * D..m * D]);
        prev[m] = r.cell(&sp, Cell { s, diag: cur[m - 1], up: cur[m], left: b, ga: zero, gb: zero });
        finish(&mut out, i, cur);
        finish(&mut out, i + 1, prev);
        i += 2;
    }
    if i < n {
        one_row::<S, R, D, W>(sp, r, i, rows, cols, m, None, None, None, &mut *prev, &mut *cur);
        finish(&mut out, i, cur);
    }
    out
}

/// Row i of the points (DP row i + 1) from DP row i in `prev` into `cur`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn one_row<S: LaneSpace, R: DpRule, const D: usize, const W: usize>(
    sp: S,
    r: R,
    i: usize,
    rows: &[Lanes<W>],
    cols: &[Lanes<W>],
    m: usize,
    bd: Option<&Borders<W>>,
    win: Option<[f64; W]>,
    wmax: Option<usize>,
    prev: &mut [Lanes<W>],
    cur: &mut [Lanes<W>],
) {
    let zero = [0.0; W];
    let mut pk = [[0.0; W]; D];
    pk.copy_from_slice(&rows[i * D..i * D + D]);
    let (mut left, ga) = match bd {
        Some(b) => (b.left[i + 1], b.ga[i]),
        None => ([r.left(i + 1); W], zero),
    };
    let (lo, hi) = match wmax {
        Some(w) => ((i + 1).saturating_sub(w).max(1), (i + 1 + w).min(m)),
        None => (1, m),
    };
    cur[0] = left;
    if lo > 1 {
        left = [f64::INFINITY; W];
        cur[lo - 1] = left;
    }
    if hi < m {
        cur[hi + 1] = [f64::INFINITY; W];
    }
    for j in lo..=hi {
        let s = sp.value::<D, W>(&pk, &cols[(j - 1) * D..(j - 1) * D + D]);
        let gb = match bd {
            Some(b) => b.gb[j - 1],
            None => zero,
        };
        let mut c = r.cell(&sp, Cell { s, diag: prev[j - 1], up: prev[j], left, ga, gb });
        if let Some(w) = win {
            let off = (i + 1) as f64 - j as f64;
            for l in 0..W {
                c[l] = if off.abs() <= w[l] { c[l] } else { f64::INFINITY };
            }
        }
        cur[j] = c;
        left = c;
    }
}

/// C(0, j) for j = 1, 2, ... into `row`. Kept out of the instruction-set builds: there the
/// loop is vectorised across j into scatters, one per lane, which cost short passes 5%.
#[inline(never)]
fn top_row<R: DpRule, const W: usize>(r: R, row: &mut [Lanes<W>]) {
    for (j, v) in row.iter_mut().enumerate() {
        *v = [r.top(j + 1); W];
    }
}

/// `kernel` as a `cpu::Kernel`, built per instruction set and dimension by `cpu::dispatch`.
struct Run<'a, 'p, S, R, const W: usize, const CHECK: bool> {
    sp: S,
    r: R,
    pass: &'a Pass<'p, W>,
    prev: &'a mut [Lanes<W>],
    cur: &'a mut [Lanes<W>],
}

impl<S: LaneSpace, R: DpRule, const W: usize, const CHECK: bool> crate::cpu::Kernel for Run<'_, '_, S, R, W, CHECK> {
    type Out = Lanes<W>;
    #[inline(always)]
    fn run<const D: usize>(self) -> Lanes<W> {
        kernel::<S, R, D, W, CHECK>(self.sp, self.r, self.pass, self.prev, self.cur)
    }
}

/// Runs one pass of `d`-valued points. Passes that can take long (a few ms and more) read the
/// cancel flag at every row; the others run a build without the check, which costs short
/// spherical passes a quarter.
#[allow(clippy::too_many_arguments)]
fn run<S: LaneSpace, R: DpRule, const W: usize>(
    sp: S,
    r: R,
    d: usize,
    rows: (&[Lanes<W>], usize, [usize; W]),
    cols: (&[Lanes<W>], usize, [usize; W]),
    bd: Option<&Borders<W>>,
    (window, limit): (Option<usize>, Option<f64>),
    prev: &mut [Lanes<W>],
    cur: &mut [Lanes<W>],
) -> Lanes<W> {
    let ((rows, n, nlens), (cols, m, lens)) = (rows, cols);
    let win = window.map(|w| std::array::from_fn(|l| effective_window(Some(w), nlens[l], lens[l]).unwrap() as f64));
    if n * m * W >= CHECKED_PASS_CELLS {
        let (out, stopped) = crate::cancel::with_flag(|stop| {
            let pass = Pass { rows, n, nlens, cols, m, lens, bd, win, stop, limit };
            let out = build::<_, W>(d, Run::<S, R, W, true> { sp, r, pass: &pass, prev, cur });
            (out, stop.load(Ordering::Relaxed))
        });
        if stopped {
            crate::cancel::stop();
        }
        out
    } else {
        static NEVER: AtomicBool = AtomicBool::new(false);
        let pass = Pass { rows, n, nlens, cols, m, lens, bd, win, stop: &NEVER, limit };
        build::<_, W>(d, Run::<S, R, W, false> { sp, r, pass: &pass, prev, cur })
    }
}

/// Lanes run the build for the best instruction set; one pair (W = 1), a single chain of
/// dependent scalar cells, runs fastest in the plain build.
#[inline(always)]
fn build<K: crate::cpu::Kernel, const W: usize>(d: usize, k: K) -> K::Out {
    if W == 1 { crate::cpu::by_dim(d, k) } else { crate::cpu::dispatch(d, k) }
}

/// The rule's value for one pair (points as `sp` stores them). `window`: DTW's Sakoe-Chiba
/// half-width.
pub fn one<S: LaneSpace, R: DpRule>(sp: S, r: R, a: Traj, b: Traj, window: Option<usize>) -> f64 {
    let (n, m) = (a.len(), b.len());
    let (rows, cols) = (as_lanes(a.coords), as_lanes(b.coords));
    let mut bd = Borders::default();
    let has_borders = r.borders(&sp, a.dim, (rows, &[n]), (cols, &[m]), &mut bd);
    let (mut prev, mut cur) = (vec![[0.0]; m + 1], vec![[0.0]; m + 1]);
    let bd = has_borders.then_some(&bd);
    run(sp, r, a.dim, (rows, n, [n]), (cols, m, [m]), bd, (window, None), &mut prev, &mut cur)[0]
}

/// Packs up to W trajectories lane-interleaved into `dst` (`len` points); returns each
/// lane's length, unused lanes repeating lane 0's so that their reads stay in bounds. Points
/// past a lane's length are left as the buffer holds them (earlier coordinates, finite): cells
/// past a lane's lengths never feed its result, so they need no clearing.
fn pack<const W: usize>(trajs: &[Traj], dst: &mut Vec<Lanes<W>>) -> (usize, [usize; W]) {
    let d = trajs[0].dim;
    let len = trajs.iter().map(|t| t.len()).max().unwrap_or(0);
    let mut lens = [trajs[0].len(); W];
    if dst.len() < len * d {
        dst.resize(len * d, [0.0; W]);
    }
    if trajs.iter().all(|t| std::ptr::eq(t.coords, trajs[0].coords)) {
        // One trajectory in every lane (a row with its columns): whole vectors.
        for (v, x) in dst.iter_mut().zip(trajs[0].coords) {
            *v = [*x; W];
        }
        return (len, lens);
    }
    // Lane by lane, each copy running over its own trajectory's values only.
    for (l, t) in trajs.iter().enumerate() {
        lens[l] = t.len();
        for (v, x) in dst.iter_mut().zip(t.coords) {
            v[l] = *x;
        }
    }
    (len, lens)
}

/// Trajectories packed for `pairs_packed`: their point count, each lane's, and how many lanes
/// are used.
#[derive(Clone, Copy)]
pub struct Packed<const W: usize = LANES> {
    len: usize,
    lens: [usize; W],
    count: usize,
}

/// Packs up to W trajectories into `dst`, for any number of `pairs_packed` passes.
pub fn pack_lanes<const W: usize>(trajs: &[Traj], dst: &mut Vec<Lanes<W>>) -> Packed<W> {
    debug_assert!(!trajs.is_empty() && trajs.len() <= W);
    let (len, lens) = pack(trajs, dst);
    Packed { len, lens, count: trajs.len() }
}

/// The rule's value for up to LANES pairs: `out[l]` gets d(rows[l], cols[l]) (points as `sp`
/// stores them). `window`: DTW's Sakoe-Chiba half-width. `limit` (queries): a pair that can no
/// longer end at or below it may stop early and get +inf instead of its value.
pub fn pairs<S: LaneSpace, R: DpRule>(
    sp: S,
    r: R,
    rows: &[Traj],
    cols: &[Traj],
    (window, limit): (Option<usize>, Option<f64>),
    out: &mut [f64],
    scratch: &mut Scratch<LANES>,
) {
    let d = rows[0].dim;
    let (mut rv, mut cv) = (std::mem::take(&mut scratch.rows), std::mem::take(&mut scratch.cols));
    let (pr, pc) = (pack_lanes(rows, &mut rv), pack_lanes(cols, &mut cv));
    pairs_packed(sp, r, d, (&rv, pr), (&cv, pc), (window, limit), out, scratch);
    (scratch.rows, scratch.cols) = (rv, cv);
}

/// `pairs` on rows and columns packed by `pack_lanes` (`d` values per point; the rows fill at
/// least the lanes the columns use, and the results are the columns' lanes).
#[allow(clippy::too_many_arguments)]
pub fn pairs_packed<S: LaneSpace, R: DpRule, const W: usize>(
    sp: S,
    r: R,
    d: usize,
    rows: (&[Lanes<W>], Packed<W>),
    cols: (&[Lanes<W>], Packed<W>),
    window: (Option<usize>, Option<f64>),
    out: &mut [f64],
    scratch: &mut Scratch<W>,
) {
    let ((rows, Packed { len: n, lens: nlens, count: nrows }), (cols, Packed { len: m, lens, count })) = (rows, cols);
    debug_assert!(out.len() == count && nrows >= count);
    scratch.prev.resize(m + 1, [0.0; W]);
    scratch.cur.resize(m + 1, [0.0; W]);
    let (rows, cols) = (&rows[..n * d], &cols[..m * d]);
    let has_borders = r.borders(&sp, d, (rows, &nlens), (cols, &lens), &mut scratch.borders);
    let bd = has_borders.then_some(&scratch.borders);
    let (prev, cur) = (&mut scratch.prev[..], &mut scratch.cur[..]);
    let res = run(sp, r, d, (rows, n, nlens), (cols, m, lens), bd, window, prev, cur);
    out.copy_from_slice(&res[..count]);
}

/// Trajectories packed by `append_lanes`: where they start in the buffer, and as `Packed`.
#[derive(Clone, Copy)]
pub struct Group<const W: usize> {
    at: usize,
    packed: Packed<W>,
}

impl<const W: usize> Group<W> {
    /// How many lanes hold a trajectory.
    pub fn count(&self) -> usize {
        self.packed.count
    }
}

/// Appends up to W trajectories, packed lane-interleaved, to `dst`. Past its length a lane
/// repeats its last point, and unused lanes hold lane 0's trajectory: padding cells never feed
/// a result, but they take part in the spherical value's all-lanes tests, which a far-away
/// filler (zeros: the Gulf of Guinea) would send down the slow path for the whole pass.
pub fn append_lanes<const W: usize>(trajs: &[Traj], dst: &mut Vec<Lanes<W>>) -> Group<W> {
    debug_assert!(!trajs.is_empty() && trajs.len() <= W);
    let d = trajs[0].dim;
    let len = trajs.iter().map(|t| t.len()).max().unwrap_or(0);
    let at = dst.len();
    dst.resize(at + len * d, [0.0; W]);
    let mut lens = [trajs[0].len(); W];
    for l in 0..W {
        let t = trajs.get(l).unwrap_or(&trajs[0]);
        lens[l] = t.len();
        let last = &t.coords[t.coords.len() - d..];
        let values = t.coords.iter().chain(last.iter().cycle().take((len - t.len()) * d));
        for (v, x) in dst[at..].iter_mut().zip(values) {
            v[l] = *x;
        }
    }
    Group { at, packed: Packed { len, lens, count: trajs.len() } }
}

/// `pairs_packed` of one row, packed in every lane (`pack_lanes`), against each group of
/// columns appended to `cols` (`append_lanes`); `out` gets W values per group, the results in
/// its first `count()`. The short passes run in one call of the instruction-set build, so a
/// pass of a few hundred cells pays no call of its own; those without borders or band take
/// `kernel_two` (W2 = 2W) where the space and the rule allow it (their `TWO_ROWS`).
#[allow(clippy::too_many_arguments)]
pub fn row_groups<S: LaneSpace, R: DpRule, const W: usize, const W2: usize>(
    sp: S,
    r: R,
    d: usize,
    row: (&[Lanes<W>], Packed<W>),
    cols: &[Lanes<W>],
    groups: &[Group<W>],
    window: Option<usize>,
    out: &mut [f64],
    scratch: &mut Scratch<W>,
) {
    let n = row.1.len;
    let m = groups.iter().map(|g| g.packed.len).max().unwrap_or(0);
    scratch.prev.resize(m + 1, [0.0; W]);
    scratch.cur.resize(m + 1, [0.0; W]);
    let (mut k, mut at) = (0, 0);
    while k < groups.len() {
        // Passes long enough to need the cancel check go one by one through `run`.
        let short = groups[k..].iter().take_while(|g| n * g.packed.len * W < CHECKED_PASS_CELLS).count();
        if short == 0 {
            let g = groups[k];
            pairs_packed(sp, r, d, row, (&cols[g.at..], g.packed), (window, None), &mut out[at..at + g.count()], scratch);
            at += W;
            k += 1;
            continue;
        }
        let batch = &groups[k..k + short];
        let len = batch.len() * W;
        build::<_, W>(d, RowGroups::<S, R, W, W2> { sp, r, row, cols, groups: batch, window, out: &mut out[at..at + len], scratch });
        at += len;
        k += short;
    }
}

/// `row_groups`' short passes as one `cpu::Kernel`.
struct RowGroups<'a, 'p, S, R, const W: usize, const W2: usize> {
    sp: S,
    r: R,
    row: (&'p [Lanes<W>], Packed<W>),
    cols: &'p [Lanes<W>],
    groups: &'p [Group<W>],
    window: Option<usize>,
    out: &'a mut [f64],
    scratch: &'a mut Scratch<W>,
}

impl<S: LaneSpace, R: DpRule, const W: usize, const W2: usize> crate::cpu::Kernel for RowGroups<'_, '_, S, R, W, W2> {
    type Out = ();
    #[inline(always)]
    fn run<const D: usize>(self) {
        static NEVER: AtomicBool = AtomicBool::new(false);
        let RowGroups { sp, r, row: (rows, Packed { len: n, lens: nlens, .. }), cols, groups, window, out, scratch } = self;
        let rows = &rows[..n * D];
        let mut at = 0;
        for g in groups {
            let Packed { len: m, lens, .. } = g.packed;
            let cols = &cols[g.at..g.at + m * D];
            let has_borders = r.borders(&sp, D, (rows, &nlens), (cols, &lens), &mut scratch.borders);
            let bd = has_borders.then_some(&scratch.borders);
            let win = window.map(|w| std::array::from_fn(|l| effective_window(Some(w), nlens[l], lens[l]).unwrap() as f64));
            let pass = Pass { rows, n, nlens, cols, m, lens, bd, win, stop: &NEVER, limit: None };
            let res = if S::TWO_ROWS && R::TWO_ROWS && bd.is_none() && win.is_none() {
                kernel_two::<S, R, D, W, W2>(sp, r, &pass, &mut scratch.prev, &mut scratch.cur)
            } else {
                kernel::<S, R, D, W, false>(sp, r, &pass, &mut scratch.prev, &mut scratch.cur)
            };
            out[at..at + W].copy_from_slice(&res);
            at += W;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::lane_space::{EuclideanLanes, SphericalLanes};
    use crate::geometry::{Euclidean, Ground, Haversine, HaversinePrepared};
    use crate::metrics::dtw::Dtw;

    /// DTW as the textbook writes it, on the ground distance of `geometry`: the reference the
    /// kernel at width 1 must match bit for bit.
    fn textbook_dtw(g: &impl Ground, a: Traj, b: Traj, window: Option<usize>) -> f64 {
        let (n, m) = (a.len(), b.len());
        let w = effective_window(window, n, m).unwrap_or(n.max(m));
        let mut c = vec![vec![f64::INFINITY; m + 1]; n + 1];
        c[0][0] = 0.0;
        for i in 1..=n {
            for j in 1..=m {
                if i.abs_diff(j) <= w {
                    c[i][j] = g.dist(a.p(i - 1), b.p(j - 1)) + c[i][j - 1].min(c[i - 1][j - 1]).min(c[i - 1][j]);
                }
            }
        }
        c[n][m]
    }

    /// Random trajectories of 1 to 17 points: `d`-D in [-100, 100), or for `spherical` 2-D
    /// [lon, lat] over the whole globe, prepared as the spherical lanes store them.
    fn sample(u: &mut impl FnMut() -> f64, n: usize, d: usize, spherical: bool) -> Vec<f64> {
        let coord = |k: usize, x: f64| match (spherical, k % 2) {
            (false, _) => x * 200.0 - 100.0,
            (true, 0) => (x - 0.5) * 360.0,
            (true, _) => (x - 0.5) * 180.0,
        };
        let raw: Vec<f64> = (0..n * d).map(|k| coord(k, u())).collect();
        if !spherical {
            return raw;
        }
        let mut out = Vec::new();
        HaversinePrepared(Haversine::standard()).prepare(Traj::new(&raw, 2), &mut out);
        out
    }

    /// Early abandoning never changes a value it keeps, and stops only pairs that end above
    /// the limit: every DP rule (both EDR and ERP borders), both spaces, limits around the
    /// values themselves.
    #[test]
    fn abandoning_keeps_exact_bits_and_stops_only_pairs_above_the_limit() {
        use crate::metrics::{discrete_frechet::DiscreteFrechet, edr::Edr, erp::Erp, lcss::Lcss};
        let mut u = crate::test_rng::uniform(99u64);
        let mut scratch = Scratch::default();
        let mut stopped = 0;
        for spherical in [false, true] {
            let sph = SphericalLanes(Haversine::standard());
            let t = if spherical { sph.below(2.0e6) } else { EuclideanLanes.below(40.0) };
            for round in 0..40 {
                let k = 1 + round % LANES;
                let rows: Vec<Vec<f64>> = (0..k).map(|c| sample(&mut u, 1 + (c * 5 + round) % 30, 2, spherical)).collect();
                let cols: Vec<Vec<f64>> = (0..k).map(|c| sample(&mut u, 1 + (c * 7 + round) % 30, 2, spherical)).collect();
                let d = if spherical { 3 } else { 2 };
                let tr: Vec<Traj> = rows.iter().map(|c| Traj::new(c, d)).collect();
                let tc: Vec<Traj> = cols.iter().map(|c| Traj::new(c, d)).collect();
                macro_rules! check {
                    ($sp:expr, $r:expr) => {{
                        let mut exact = vec![0.0; k];
                        pairs($sp, $r, &tr, &tc, (None, None), &mut exact, &mut scratch);
                        let mut sorted = exact.clone();
                        sorted.sort_by(f64::total_cmp);
                        for limit in [0.0, sorted[0], sorted[k / 2], sorted[k - 1] * 0.999, f64::MAX] {
                            let mut got = vec![0.0; k];
                            pairs($sp, $r, &tr, &tc, (None, Some(limit)), &mut got, &mut scratch);
                            for l in 0..k {
                                if got[l] == f64::INFINITY && exact[l] != f64::INFINITY {
                                    assert!(exact[l] > limit, "lane {l} stopped at {limit} but is {}", exact[l]);
                                    stopped += 1;
                                } else {
                                    assert_eq!(got[l].to_bits(), exact[l].to_bits(), "lane {l} limit {limit}");
                                }
                            }
                        }
                    }};
                }
                let gap = if spherical { [0.0, 0.0, 1.0] } else { [0.0; 3] };
                macro_rules! every_rule {
                    ($sp:expr) => {{
                        check!($sp, Dtw);
                        check!($sp, DiscreteFrechet);
                        check!($sp, Lcss { t });
                        check!($sp, Edr { t, zero_border: false, normalize: true });
                        check!($sp, Edr { t, zero_border: true, normalize: false });
                        check!($sp, Erp { gap, total_border: false });
                        check!($sp, Erp { gap, total_border: true });
                    }};
                }
                if spherical {
                    every_rule!(sph);
                } else {
                    every_rule!(EuclideanLanes);
                }
            }
        }
        assert!(stopped > 100, "only {stopped} lanes stopped early");
    }

    #[test]
    fn lanes_give_each_pair_its_width_one_and_textbook_bits() {
        let mut u = crate::test_rng::uniform(12345u64);
        let mut scratch = Scratch::default();
        for (d, spherical) in [(2usize, false), (3, false), (2, true)] {
            let stored = if spherical { 3 } else { d };
            for round in 0..30 {
                // Up to LANES pairs with their own row and column lengths (1 to 17 points).
                let k = 1 + round % LANES;
                let rows: Vec<Vec<f64>> = (0..k).map(|c| sample(&mut u, 1 + (c * 5 + round) % 13, d, spherical)).collect();
                let cols: Vec<Vec<f64>> = (0..k).map(|c| sample(&mut u, 1 + (c * 7 + round) % 17, d, spherical)).collect();
                let tr: Vec<Traj> = rows.iter().map(|c| Traj::new(c, stored)).collect();
                let tc: Vec<Traj> = cols.iter().map(|c| Traj::new(c, stored)).collect();
                let mut out = vec![0.0; k];
                for window in [None, Some(0), Some(1), Some(3)] {
                    let sph = SphericalLanes(Haversine::standard());
                    if spherical {
                        pairs(sph, Dtw, &tr, &tc, (window, None), &mut out, &mut scratch);
                    } else {
                        pairs(EuclideanLanes, Dtw, &tr, &tc, (window, None), &mut out, &mut scratch);
                    }
                    for l in 0..k {
                        let (want, textbook) = if spherical {
                            let g = HaversinePrepared(Haversine::standard());
                            (one(sph, Dtw, tr[l], tc[l], window), textbook_dtw(&g, tr[l], tc[l], window))
                        } else {
                            (one(EuclideanLanes, Dtw, tr[l], tc[l], window), textbook_dtw(&Euclidean, tr[l], tc[l], window))
                        };
                        assert_eq!(out[l].to_bits(), want.to_bits(), "d={d} round={round} lane={l} {window:?}");
                        assert_eq!(want.to_bits(), textbook.to_bits(), "d={d} round={round} lane={l} {window:?}");
                    }
                }
            }
        }
    }
}
