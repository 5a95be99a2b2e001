//! Euclidean point-to-polyline distances, W points of one trajectory at a time.
//!
//! A `PolySet` lays out every trajectory of a call once: its points lane-interleaved in groups
//! of W (the last group padded with copies, whose results are dropped) and its segments with
//! their vectors and squared lengths. Each segment of `b` is broadcast to all lanes, so the
//! loop over segments is branch-free vector code with no per-point horizontal step. Each lane
//! evaluates `Euclidean::point_to_segment`'s formula with the same operations in the same order,
//! in squared form (the projection test, then the nearer end or the foot), and the square root
//! is taken once on each point's minimum. sqrt is monotone and correctly rounded, so
//! sqrt(min s) = min sqrt(s): values are bit-identical to the reference `directed_generic`
//! (the unit test below and tests/test_lanes.py compare them).

use super::{Euclidean, Ground, Reduce};
use crate::traj::Traj;

const W: usize = 4;

/// One segment of `b`: start, end, end - start (by coordinate) and the squared length.
#[derive(Clone, Copy, Default)]
struct Segment {
    s: [f64; 3],
    e: [f64; 3],
    d: [f64; 3],
    l2: f64,
}

/// Points and segments of a set of trajectories, laid out for the kernel.
#[derive(Default)]
pub struct PolySet {
    dim: usize,
    /// Points: group g, coordinate c is `pts[g * 3 + c]`; trajectory i's groups start at
    /// `pt_start[i]` and it has `n[i]` points.
    pts: Vec<[f64; W]>,
    pt_start: Vec<usize>,
    n: Vec<usize>,
    /// Trajectory i's segments are `segs[seg_start[i]..seg_start[i + 1]]`. A one-point
    /// trajectory gets one zero-length segment on its point: its NaN projection takes the
    /// nearer end, which is the distance to the point, as the reference's one-point case.
    segs: Vec<Segment>,
    seg_start: Vec<usize>,
}

/// One trajectory of a `PolySet`.
#[derive(Clone, Copy)]
pub struct PolyView<'a> {
    dim: usize,
    pts: &'a [[f64; W]],
    n: usize,
    segs: &'a [Segment],
}

impl PolyView<'_> {
    pub fn len(&self) -> usize {
        self.n
    }
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }
}

impl PolySet {
    pub fn new<'t>(trajs: impl Iterator<Item = Traj<'t>>) -> Self {
        let mut set = PolySet { seg_start: vec![0], ..Default::default() };
        for t in trajs {
            set.push(t);
        }
        set
    }

    fn push(&mut self, t: Traj) {
        let n = t.len();
        self.dim = t.dim;
        self.pt_start.push(self.pts.len() / 3);
        self.n.push(n);
        let base = self.pts.len();
        self.pts.resize(base + n.div_ceil(W) * 3, [0.0; W]);
        for i in 0..n.div_ceil(W) * W {
            let p = t.p(i.min(n - 1));
            for c in 0..t.dim {
                self.pts[base + (i / W) * 3 + c][i % W] = p[c];
            }
        }
        for k in 0..n.max(2) - 1 {
            let (s, e) = (t.p(k), t.p((k + 1).min(n - 1)));
            let mut sg = Segment::default();
            for c in 0..t.dim {
                sg.s[c] = s[c];
                sg.e[c] = e[c];
                sg.d[c] = e[c] - s[c];
            }
            // The reference forms |e-s|^2 as sqrt(...)^2 (traj-dist does); keep its rounding.
            let segl = Euclidean.dist(s, e);
            sg.l2 = segl * segl;
            self.segs.push(sg);
        }
        self.seg_start.push(self.segs.len());
    }

    pub fn get(&self, i: usize) -> PolyView<'_> {
        let g = self.pt_start[i];
        PolyView {
            dim: self.dim,
            pts: &self.pts[g * 3..(g + self.n[i].div_ceil(W)) * 3],
            n: self.n[i],
            segs: &self.segs[self.seg_start[i]..self.seg_start[i + 1]],
        }
    }
}

/// Squared distance from each lane's point to the nearest segment. Stops early, returning
/// upper bounds, once every lane is at or below `stop` (only used when that cannot matter).
#[inline(always)]
fn group_min<const D: usize, const ABANDON: bool>(
    p: &[[f64; W]; D],
    segs: &[Segment],
    exact_vertices: bool,
    stop: f64,
) -> [f64; W] {
    let mut best = [f64::INFINITY; W];
    for (k, sg) in segs.iter().enumerate() {
        for l in 0..W {
            let mut a = [0.0; D];
            let mut b = [0.0; D];
            for c in 0..D {
                a[c] = p[c][l] - sg.s[c];
                b[c] = p[c][l] - sg.e[c];
            }
            // The reference starts its sums from 0.0; 0.0 + x differs from x only in the sign
            // of a zero, which moves u between +0 and -0, outside [1e-5, 1] either way.
            let mut dot = a[0] * sg.d[0];
            let mut sqs = a[0] * a[0];
            let mut sqe = b[0] * b[0];
            for c in 1..D {
                dot += a[c] * sg.d[c];
                sqs += a[c] * a[c];
                sqe += b[c] * b[c];
            }
            // A zero-length segment gives u = NaN, which fails the range test and takes the
            // nearer end: the reference's `s == e` case.
            let u = dot / sg.l2;
            let mut sqp = 0.0;
            for c in 0..D {
                let q = p[c][l] - (sg.s[c] + u * sg.d[c]);
                sqp += q * q;
            }
            let end = if sqe < sqs { sqe } else { sqs };
            let on_segment = u >= 0.00001 && u <= 1.0;
            let mut v = if on_segment { sqp } else { end };
            if exact_vertices {
                // x - y == 0 exactly when x == y for finite doubles (gradual underflow).
                let at_s = (0..D).all(|c| a[c] == 0.0);
                let at_e = (0..D).all(|c| b[c] == 0.0);
                if at_s || at_e {
                    v = 0.0;
                }
            }
            best[l] = if v < best[l] { v } else { best[l] };
        }
        // Checked every 4th segment, on a lane-wise max, so the loop stays in registers.
        if ABANDON && k % 4 == 3 {
            let top = best.iter().fold(0.0f64, |m, &x| if x > m { x } else { m });
            if top <= stop {
                break;
            }
        }
    }
    best
}

/// A squared value at or below which the distance is surely below `h` (> 0): h^2 shrunk by far
/// more than the rounding of h*h and of sqrt. Abandoning is only ever allowed, never required,
/// so a threshold a few ulps low costs nothing but a little work.
#[inline(always)]
fn surely_below(h: f64) -> f64 {
    if h > 0.0 {
        h * h * (1.0 - 1.0 / (1u64 << 48) as f64)
    } else {
        -1.0
    }
}

#[inline(always)]
fn directed_kernel<const D: usize>(a: PolyView, b: PolyView, exact_vertices: bool, red: Reduce) -> f64 {
    let n = a.n;
    let mut acc = match red {
        Reduce::Max(h0) => h0,
        Reduce::Sum => 0.0,
    };
    for g in 0..n.div_ceil(W) {
        crate::cancel::tick(W * b.segs.len());
        let mut p = [[0.0; W]; D];
        p.copy_from_slice(&a.pts[g * 3..g * 3 + D]);
        let best = match red {
            Reduce::Max(_) => group_min::<D, true>(&p, b.segs, exact_vertices, surely_below(acc)),
            Reduce::Sum => group_min::<D, false>(&p, b.segs, exact_vertices, 0.0),
        };
        let mut d = [0.0; W];
        for l in 0..W {
            d[l] = best[l].sqrt();
        }
        for &v in &d[..W.min(n - g * W)] {
            match red {
                // Points that stopped early are below the max at the group's start: no effect.
                Reduce::Max(_) => acc = acc.max(v),
                Reduce::Sum => acc += v,
            }
        }
    }
    acc
}

/// `directed_kernel` as a `cpu::Kernel`: 4-wide vectors, so AVX2 at most.
struct Directed<'a> {
    a: PolyView<'a>,
    b: PolyView<'a>,
    exact_vertices: bool,
    red: Reduce,
}

impl crate::cpu::Kernel for Directed<'_> {
    type Out = f64;
    const AVX512: bool = false;
    #[inline(always)]
    fn run<const D: usize>(self) -> f64 {
        directed_kernel::<D>(self.a, self.b, self.exact_vertices, self.red)
    }
}

/// `red` over a's points of their distance to polyline b (`Ground::directed`).
pub fn directed(a: PolyView, b: PolyView, exact_vertices: bool, red: Reduce) -> f64 {
    crate::cpu::dispatch(a.dim, Directed { a, b, exact_vertices, red })
}

#[cfg(test)]
mod tests {
    use super::super::polyline;
    use super::*;

    #[test]
    fn matches_the_reference_bit_for_bit() {
        let mut u = crate::test_rng::uniform(99u64);
        let mut rnd = || u() * 20.0 - 10.0;
        for d in [2usize, 3] {
            for round in 0..300 {
                let (n, m) = (1 + round % 13, 1 + (round * 5) % 11);
                let mut a: Vec<f64> = (0..n * d).map(|_| rnd()).collect();
                let mut b: Vec<f64> = (0..m * d).map(|_| rnd()).collect();
                if round % 3 == 0 {
                    // shared vertices and a repeated point (zero-length segment)
                    a[..d].copy_from_slice(&b[(m - 1) * d..]);
                    if m > 1 {
                        let (x, y) = b.split_at_mut(d);
                        y[..d].copy_from_slice(x);
                    }
                }
                let (ta, tb) = (Traj::new(&a, d), Traj::new(&b, d));
                for exact in [false, true] {
                    for red in [Reduce::Sum, Reduce::Max(0.0), Reduce::Max(3.0), Reduce::Max(30.0)] {
                        let want = polyline::directed_generic(&Euclidean, ta, tb, exact, red);
                        let set = PolySet::new([ta, tb].into_iter());
                        let got = directed(set.get(0), set.get(1), exact, red);
                        assert_eq!(got.to_bits(), want.to_bits(), "d={d} round={round} {red:?}");
                    }
                }
            }
        }
    }
}
