//! traj-dist 1.15's approximation of the Fréchet distance, reproduced operation by operation for
//! `compat="traj-dist"` (defined in docs/metrics.md, "Continuous Fréchet"): candidate values are
//! the endpoint distance and the vertex-to-segment distances above it, searched with
//! k = len/2 - 1, and the reachability sweep only asks whether free intervals are non-empty. It
//! can over- or underestimate the true distance; the standard definition is in `frechet.rs`.
//!
//! Speed without changing a bit: everything in traj-dist's free interval that does not depend on
//! eps (the point-to-segment distance, the line's slope and intercept, the squared segment length)
//! is computed once per pair instead of once per decision, and inside the diagram, where the sweep
//! only asks "empty or not", the interval's end points are never formed: two distinct circle-line
//! intersections always give a non-empty interval, so only the tangent case is worked out.

use std::cell::Cell;

use crate::geometry::{Euclidean, Ground};
use crate::traj::Traj;

const NONE: [f64; 2] = [-1.0, -1.0];

/// A segment with what traj-dist's `_free_line` derives from it alone.
#[derive(Clone, Copy, Default)]
struct Seg {
    s1x: f64,
    s1y: f64,
    s2x: f64,
    s2y: f64,
    /// |s2 - s1|², formed as sqrt(...)² like traj-dist.
    segl2: f64,
    /// Slope and intercept of the line (unused when vertical), and m·c.
    m: f64,
    c: f64,
    mc: f64,
}

impl Seg {
    fn new(s: &[f64], e: &[f64]) -> Self {
        let (s1x, s1y, s2x, s2y) = (s[0], s[1], e[0], e[1]);
        let segl = Euclidean.dist(s, e);
        let (mut m, mut c) = (0.0, 0.0);
        if s2x != s1x {
            m = (s2y - s1y) / (s2x - s1x);
            c = s2y - m * s2x;
        }
        Seg { s1x, s1y, s2x, s2y, segl2: segl * segl, m, c, mc: m * c }
    }

    /// `Euclidean::point_to_segment(x, s1, s2)` with the segment's length and the two vertex
    /// distances `ds1`, `ds2` already computed (the same operations, so the same bits).
    #[inline(always)]
    fn point_to_segment(&self, x: &[f64], ds1: f64, ds2: f64) -> f64 {
        if self.degenerate() {
            return ds1;
        }
        let (dx, dy) = (self.s2x - self.s1x, self.s2y - self.s1y);
        let mut dot = 0.0;
        dot += (x[0] - self.s1x) * dx;
        dot += (x[1] - self.s1y) * dy;
        let u = dot / self.segl2;
        if !(0.00001..=1.0).contains(&u) {
            ds1.min(ds2)
        } else {
            let (ex, ey) = (x[0] - (self.s1x + u * dx), x[1] - (self.s1y + u * dy));
            let mut sq = 0.0;
            sq += ex * ex;
            sq += ey * ey;
            sq.sqrt()
        }
    }

    #[inline(always)]
    fn degenerate(&self) -> bool {
        self.s1x == self.s2x && self.s1y == self.s2y
    }

    #[inline(always)]
    fn param(&self, ix: f64, iy: f64) -> f64 {
        ((ix - self.s1x) * (self.s2x - self.s1x) + (iy - self.s1y) * (self.s2y - self.s1y)) / self.segl2
    }

    /// The two intersections of the circle (p, eps) with the segment's line (equal when tangent or
    /// when the line misses the circle, as traj-dist returns them).
    #[inline(always)]
    fn circle_line(&self, px: f64, py: f64, eps: f64) -> [[f64; 2]; 2] {
        if self.s2x == self.s1x {
            let rac = (eps * eps - (self.s1x - px) * (self.s1x - px)).sqrt();
            [[self.s1x, py + rac], [self.s1x, py - rac]]
        } else {
            let (m, c) = (self.m, self.c);
            let a = m * m + 1.0;
            let b = 2.0 * (self.mc - m * py - px);
            let cc = py * py - eps * eps + px * px - 2.0 * c * py + c * c;
            let delta = b * b - 4.0 * a * cc;
            if delta > 0.0 {
                let sd = delta.sqrt();
                let x1 = (-b + sd) / (2.0 * a);
                let x2 = (-b - sd) / (2.0 * a);
                [[x1, m * x1 + c], [x2, m * x2 + c]]
            } else {
                let x = -b / (2.0 * a);
                [[x, m * x + c], [x, m * x + c]]
            }
        }
    }

    /// traj-dist's `_free_line(p, eps, segment)`, given the point-to-segment distance `ptseg`.
    fn free_line(&self, px: f64, py: f64, ptseg: f64, eps: f64) -> [f64; 2] {
        // For a degenerate segment `ptseg` is the point distance traj-dist compares.
        if self.degenerate() {
            return if ptseg > eps { NONE } else { [0.0, 1.0] };
        }
        if ptseg > eps {
            return NONE;
        }
        let [[i1x, i1y], [i2x, i2y]] = self.circle_line(px, py, eps);
        if i1x != i2x || i1y != i2y {
            let mut v = [0.0, 1.0, self.param(i1x, i1y), self.param(i2x, i2y)];
            // Python's sorted() on four numbers; insertion sort with `<` orders them the same way.
            for k in 1..4 {
                let mut q = k;
                while q > 0 && v[q] < v[q - 1] {
                    v.swap(q, q - 1);
                    q -= 1;
                }
            }
            [v[1], v[2]]
        } else {
            self.tangent(px, py, i1x, i1y)
        }
    }

    fn tangent(&self, px: f64, py: f64, ix: f64, iy: f64) -> [f64; 2] {
        if px == self.s1x && py == self.s1y {
            [0.0, 0.0]
        } else if px == self.s2x && py == self.s2y {
            [1.0, 1.0]
        } else {
            let u = self.param(ix, iy);
            if (0.0..=1.0).contains(&u) {
                [u, u]
            } else {
                NONE
            }
        }
    }

    /// `free_line(..) != [-1, -1]`. With two distinct intersections the interval is the middle two
    /// of the sorted {0, 1, t1, t2}, which can never both be -1 (0 and 1 are among the four), so
    /// the parameters and the sort are only needed in the tangent case.
    #[inline(always)]
    fn non_empty(&self, px: f64, py: f64, ptseg: f64, eps: f64) -> bool {
        if ptseg > eps {
            return false;
        }
        if self.degenerate() {
            return true;
        }
        if self.surely_two_points(px, py, eps) {
            return true;
        }
        let [[i1x, i1y], [i2x, i2y]] = self.circle_line(px, py, eps);
        i1x != i2x || i1y != i2y || self.tangent(px, py, i1x, i1y) != NONE
    }

    /// Whether `circle_line` would return two different points, decided without its square root
    /// and divisions (most cells of a diagram). x1,2 = (-b ± √Δ) / 2a: when √Δ > |b|·2⁻³⁰ the two
    /// numerators differ by far more than their rounding, and with Δ > 1e-300 and a < 1e100 the
    /// larger quotient is a normal number, so the rounded quotients differ too. Likewise
    /// py ± rac for a vertical line. Anything closer is left to the exact computation.
    #[inline(always)]
    fn surely_two_points(&self, px: f64, py: f64, eps: f64) -> bool {
        const REL: f64 = 1.0 / (1u64 << 60) as f64; // (2⁻³⁰)², a power of two: exact scaling
        if self.s2x == self.s1x {
            let r = eps * eps - (self.s1x - px) * (self.s1x - px);
            r > 1e-300 && r > py * py * REL
        } else {
            let m = self.m;
            let a = m * m + 1.0;
            let b = 2.0 * (self.mc - m * py - px);
            let cc = py * py - eps * eps + px * px - 2.0 * self.c * py + self.c * self.c;
            let delta = b * b - 4.0 * a * cc;
            a < 1e100 && delta > 1e-300 && delta > b * b * REL
        }
    }
}

/// One pair's eps-independent data, laid out once and reused by every decision of the search.
struct Diagram<'s> {
    p: usize,
    q: usize,
    pc: &'s [f64],
    qc: &'s [f64],
    pseg: &'s [Seg],
    qseg: &'s [Seg],
    /// l[i·q + j], i < p-1, j < q: distance from Q_j to segment P_i P_{i+1}.
    l: &'s [f64],
    /// b[i·(q-1) + j], i < p, j < q-1: distance from P_i to segment Q_j Q_{j+1}.
    b: &'s [f64],
}

impl Diagram<'_> {
    #[inline(always)]
    fn lf(&self, i: usize, j: usize, eps: f64) -> [f64; 2] {
        self.pseg[i].free_line(self.qc[2 * j], self.qc[2 * j + 1], self.l[i * self.q + j], eps)
    }

    #[inline(always)]
    fn bf(&self, i: usize, j: usize, eps: f64) -> [f64; 2] {
        self.qseg[j].free_line(self.pc[2 * i], self.pc[2 * i + 1], self.b[i * (self.q - 1) + j], eps)
    }

    #[inline(always)]
    fn lf_open(&self, i: usize, j: usize, eps: f64) -> bool {
        self.pseg[i].non_empty(self.qc[2 * j], self.qc[2 * j + 1], self.l[i * self.q + j], eps)
    }

    #[inline(always)]
    fn bf_open(&self, i: usize, j: usize, eps: f64) -> bool {
        self.qseg[j].non_empty(self.pc[2 * i], self.pc[2 * i + 1], self.b[i * (self.q - 1) + j], eps)
    }

    /// traj-dist's reachability sweep. Free intervals are pure functions of (point, segment, eps),
    /// so they are asked for only where the sweep looks at them (the corners, the first row and
    /// column, and the cells next to a reachable one): the answer is the same.
    /// `lr` holds (p-1)·q flags and `br` p·(q-1), row-major.
    fn decision(&self, eps: f64, lr: &mut [bool], br: &mut [bool]) -> bool {
        let (p, q) = (self.p, self.q);
        if !(self.lf(0, 0, eps)[0] <= 0.0
            && self.bf(0, 0, eps)[0] <= 0.0
            && self.lf(p - 2, q - 1, eps)[1] >= 1.0
            && self.bf(p - 1, q - 2, eps)[1] >= 1.0)
        {
            return false;
        }
        let (l_at, b_at) = (|i: usize, j: usize| i * q + j, |i: usize, j: usize| i * (q - 1) + j);
        lr[0] = true;
        br[0] = true;
        let mut prev = self.lf(0, 0, eps);
        for i in 1..p - 1 {
            let f = self.lf(i, 0, eps);
            lr[l_at(i, 0)] = f != NONE && prev == [0.0, 1.0];
            prev = f;
        }
        let mut prev = self.bf(0, 0, eps);
        for j in 1..q - 1 {
            let f = self.bf(0, j, eps);
            br[b_at(0, j)] = f != NONE && prev == [0.0, 1.0];
            prev = f;
        }
        for i in 0..p - 1 {
            crate::cancel::tick(q);
            for j in 0..q - 1 {
                let reach = lr[l_at(i, j)] || br[b_at(i, j)];
                lr[l_at(i, j + 1)] = reach && self.lf_open(i, j + 1, eps);
                br[b_at(i + 1, j)] = reach && self.bf_open(i + 1, j, eps);
            }
        }
        br[b_at(p - 2, q - 2)] || lr[l_at(p - 2, q - 2)]
    }
}

#[derive(Default)]
struct Scratch {
    segs: Vec<Seg>,
    dists: Vec<f64>,
    candidates: Vec<u64>,
    flags: Vec<bool>,
}

thread_local! {
    // Reused across the pairs a thread computes; taken out while in use, so no borrow is held.
    static SCRATCH: Cell<Scratch> = Cell::new(Scratch::default());
}

/// Requires both trajectories 2-D with at least 2 points (checked by the spec).
pub fn frechet(pt: Traj, qt: Traj) -> f64 {
    let mut s = SCRATCH.with(|c| c.take());
    let d = frechet_with(pt, qt, &mut s);
    SCRATCH.with(|c| c.set(s));
    d
}

fn frechet_with(pt: Traj, qt: Traj, s: &mut Scratch) -> f64 {
    let g = Euclidean;
    let (p, q) = (pt.len(), qt.len());
    s.segs.clear();
    s.segs.extend((0..p - 1).map(|i| Seg::new(pt.p(i), pt.p(i + 1))));
    s.segs.extend((0..q - 1).map(|j| Seg::new(qt.p(j), qt.p(j + 1))));
    let (pseg, qseg) = s.segs.split_at(p - 1);
    // Vertex distances first: `point_to_segment` falls back to one of them whenever the foot of
    // the perpendicular is off the segment.
    s.dists.clear();
    s.dists.resize(p * q + (p - 1) * q + p * (q - 1), 0.0);
    for i in 0..p {
        crate::cancel::tick(3 * q);
        for j in 0..q {
            s.dists[i * q + j] = g.dist(pt.p(i), qt.p(j));
        }
    }
    let (v, rest) = s.dists.split_at_mut(p * q);
    let (l, b) = rest.split_at_mut((p - 1) * q);
    for i in 0..p - 1 {
        for j in 0..q {
            let (a, e) = (v[i * q + j], v[(i + 1) * q + j]);
            l[i * q + j] = pseg[i].point_to_segment(qt.p(j), a, e);
        }
    }
    for i in 0..p {
        for j in 0..q - 1 {
            let (a, e) = (v[i * q + j], v[i * q + j + 1]);
            b[i * (q - 1) + j] = qseg[j].point_to_segment(pt.p(i), a, e);
        }
    }
    let (l, b) = (&*l, &*b);
    let origin = g.dist(pt.p(0), qt.p(0));
    let end = g.dist(pt.p(p - 1), qt.p(q - 1));
    let end_point = origin.max(end);
    // Candidates above end_point are positive finite doubles, ordered like their bit patterns.
    let cc = &mut s.candidates;
    cc.clear();
    cc.push(end_point.to_bits());
    for i in 0..p - 1 {
        for j in 0..q - 1 {
            for v in [l[i * q + j], b[i * (q - 1) + j]] {
                if v > end_point {
                    cc.push(v.to_bits());
                }
            }
        }
    }
    cc.sort_unstable();
    cc.dedup();
    let dg = Diagram { p, q, pc: pt.coords, qc: qt.coords, pseg, qseg, l, b };
    s.flags.clear();
    s.flags.resize((p - 1) * q + p * (q - 1), false);
    let (lr, br) = s.flags.split_at_mut((p - 1) * q);
    let mut cc = &cc[..];
    let mut eps = f64::from_bits(cc[0]);
    while cc.len() != 1 {
        let k = cc.len() / 2 - 1;
        eps = f64::from_bits(cc[k]);
        if dg.decision(eps, lr, br) {
            cc = &cc[..k + 1];
        } else {
            cc = &cc[k + 1..];
        }
    }
    eps
}

#[cfg(test)]
mod tests {
    use super::*;

    /// traj-dist's algorithm transcribed plainly: every free interval in full, computed from
    /// scratch at every decision. The fast version must agree with it bit for bit.
    mod reference {
        use super::super::{Seg, NONE};
        use crate::geometry::{Euclidean, Ground};
        use crate::traj::Traj;

        fn free_line(x: &[f64], eps: f64, s: &[f64], e: &[f64]) -> [f64; 2] {
            if s == e {
                return if Euclidean.dist(x, s) > eps { NONE } else { [0.0, 1.0] };
            }
            if Euclidean.point_to_segment(x, s, e) > eps {
                return NONE;
            }
            let seg = Seg::new(s, e);
            let [[i1x, i1y], [i2x, i2y]] = seg.circle_line(x[0], x[1], eps);
            if i1x != i2x || i1y != i2y {
                let mut v = [0.0, 1.0, seg.param(i1x, i1y), seg.param(i2x, i2y)];
                v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
                [v[1], v[2]]
            } else {
                seg.tangent(x[0], x[1], i1x, i1y)
            }
        }

        fn decision(pt: Traj, qt: Traj, eps: f64) -> bool {
            let (p, q) = (pt.len(), qt.len());
            let lf = |i: usize, j: usize| free_line(qt.p(j), eps, pt.p(i), pt.p(i + 1));
            let bf = |i: usize, j: usize| free_line(pt.p(i), eps, qt.p(j), qt.p(j + 1));
            if !(lf(0, 0)[0] <= 0.0 && bf(0, 0)[0] <= 0.0 && lf(p - 2, q - 1)[1] >= 1.0 && bf(p - 1, q - 2)[1] >= 1.0) {
                return false;
            }
            let mut lr = vec![vec![false; q]; p - 1];
            let mut br = vec![vec![false; q - 1]; p];
            lr[0][0] = true;
            br[0][0] = true;
            for i in 1..p - 1 {
                lr[i][0] = lf(i, 0) != NONE && lf(i - 1, 0) == [0.0, 1.0];
            }
            for j in 1..q - 1 {
                br[0][j] = bf(0, j) != NONE && bf(0, j - 1) == [0.0, 1.0];
            }
            for i in 0..p - 1 {
                for j in 0..q - 1 {
                    let reach = lr[i][j] || br[i][j];
                    lr[i][j + 1] = reach && lf(i, j + 1) != NONE;
                    br[i + 1][j] = reach && bf(i + 1, j) != NONE;
                }
            }
            br[p - 2][q - 2] || lr[p - 2][q - 2]
        }

        pub fn frechet(pt: Traj, qt: Traj) -> f64 {
            let g = Euclidean;
            let (p, q) = (pt.len(), qt.len());
            let end_point = g.dist(pt.p(0), qt.p(0)).max(g.dist(pt.p(p - 1), qt.p(q - 1)));
            let mut cc = vec![end_point];
            for i in 0..p - 1 {
                for j in 0..q - 1 {
                    cc.push(g.point_to_segment(qt.p(j), pt.p(i), pt.p(i + 1)));
                    cc.push(g.point_to_segment(pt.p(i), qt.p(j), qt.p(j + 1)));
                }
            }
            cc.retain(|&v| v >= end_point);
            cc.sort_by(|x, y| x.partial_cmp(y).unwrap());
            cc.dedup();
            let mut cc = &cc[..];
            let mut eps = cc[0];
            while cc.len() != 1 {
                let k = cc.len() / 2 - 1;
                eps = cc[k];
                cc = if decision(pt, qt, eps) { &cc[..k + 1] } else { &cc[k + 1..] };
            }
            eps
        }
    }

    #[test]
    fn matches_the_plain_transcription_bit_for_bit() {
        let mut u = crate::test_rng::uniform(11u64);
        let mut checked = 0;
        for round in 0..3000 {
            let (n, m) = (2 + round % 13, 2 + (round * 5) % 17);
            // 0: random walks; 1: small integer grid (vertical, horizontal and repeated points,
            // tangent circles: the exact paths of the free interval); 2: GPS-like, nearly
            // vertical segments with huge slopes; 3: one curve a copy of the other.
            let kind = round % 4;
            let mut gen = |len: usize| -> Vec<f64> {
                let (mut x, mut y) = (0.0, 0.0);
                (0..len)
                    .flat_map(|_| {
                        match kind {
                            1 => {
                                x = (u() * 4.0).floor();
                                y = (u() * 4.0).floor();
                            }
                            2 => {
                                x = -122.4 + (u() * 3.0).floor() * 1e-13;
                                y = 37.7 + u() * 1e-3;
                            }
                            _ => {
                                x += u() - 0.5;
                                y += u() - 0.5;
                            }
                        }
                        [x, y]
                    })
                    .collect()
            };
            let a = gen(n);
            let b = if kind == 3 { a.clone() } else { gen(m) };
            let (ta, tb) = (Traj::new(&a, 2), Traj::new(&b, 2));
            for (x, y) in [(ta, tb), (tb, ta)] {
                let (fast, slow) = (frechet(x, y), reference::frechet(x, y));
                assert_eq!(fast.to_bits(), slow.to_bits(), "round {round}: {fast} vs {slow}");
                checked += 1;
            }
        }
        assert_eq!(checked, 6000);
    }
}
