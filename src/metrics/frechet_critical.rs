//! The search for the exact Fréchet distance: the smallest double the decision procedure accepts.
//!
//! Plain bisection between max(endpoint distances) and the discrete Fréchet distance needs about
//! 60 decisions per pair, one per bit. Alt and Godau show the answer is a critical value: an
//! endpoint distance (type a), a vertex-to-segment distance (type b: a free interval opens), or
//! the distance from two vertices of one curve to the point of a segment of the other that is
//! equidistant from both (type c: a monotone passage opens). So the search
//!  1. binary-searches the O(nm) type-b values, about log2(2nm) decisions;
//!  2. checks the double just below the bracket's top: if it is rejected, the top is the answer;
//!  3. otherwise enumerates the type-c values inside the bracket only (pruned: a passage along a
//!     segment needs every vertex in between within eps of it) and searches those;
//!  4. finishes, if a bracket is still open (rounding, or a budget exceeded on long curves), by
//!     bisecting the doubles that remain.
//! Every step keeps "lo is rejected, hi is accepted", and the search stops only when no double
//! lies between them, so the result is the one plain bisection finds; the critical values only
//! decide how fast the bracket closes.

/// Relative tolerance of the search over critical values. A critical value computed in closed
/// form is exact to an ulp or two, but the decision procedure's own boundary can sit about 1e-12
/// away from it (the free interval's chord is a square root of a difference that vanishes at
/// the critical value). A candidate c counts as accepted when eps = c (1 + TOL) is.
pub const TOL: f64 = 1e-10;

/// A bracket: `lo` is rejected and `hi` accepted by the decision procedure in use.
#[derive(Clone, Copy, Debug)]
pub struct Bracket {
    pub lo: f64,
    pub hi: f64,
}

impl Bracket {
    /// Narrows the bracket by binary search over candidate values (any order, any range).
    pub fn search(&mut self, cands: &mut Vec<f64>, mut accepts: impl FnMut(f64) -> bool) {
        let (lo, hi) = (self.lo, self.hi);
        cands.retain(|&v| lo < v && v < hi);
        cands.sort_unstable_by(f64::total_cmp);
        cands.dedup();
        let (mut i, mut j) = (0, cands.len());
        while i < j {
            let mid = i + (j - i) / 2;
            if accepts(cands[mid]) {
                self.hi = cands[mid];
                j = mid;
            } else {
                self.lo = cands[mid];
                i = mid + 1;
            }
        }
    }

    /// Bisection over the doubles left in the bracket, down to adjacent ones; returns `hi`.
    /// Non-negative doubles order like their bit patterns, so the midpoint of the patterns
    /// halves the count of doubles in between.
    pub fn bisect(mut self, mut accepts: impl FnMut(f64) -> bool) -> f64 {
        debug_assert!(self.lo >= 0.0);
        loop {
            let (l, h) = (self.lo.to_bits(), self.hi.to_bits());
            if h - l <= 1 {
                return self.hi;
            }
            let mid = f64::from_bits(l + (h - l) / 2);
            if accepts(mid) {
                self.hi = mid;
            } else {
                self.lo = mid;
            }
        }
    }
}

/// Distance from p to segment [s, e]: the eps at which p's free interval on it opens.
#[inline(always)]
pub fn segment_distance<const D: usize>(p: &[f64; D], s: &[f64; D], e: &[f64; D]) -> f64 {
    let (mut len2, mut dot) = (0.0, 0.0);
    for k in 0..D {
        let d = e[k] - s[k];
        len2 += d * d;
        dot += (p[k] - s[k]) * d;
    }
    let t = if len2 == 0.0 { 0.0 } else { (dot / len2).clamp(0.0, 1.0) };
    let mut h2 = 0.0;
    for k in 0..D {
        let d = p[k] - (s[k] + t * (e[k] - s[k]));
        h2 += d * d;
    }
    h2.sqrt()
}

/// Type-b values: `out[i * (ys.len() - 1) + j]` = distance from xs[i] to segment j of ys.
pub fn vertex_segment_distances<const D: usize>(xs: &[[f64; D]], ys: &[[f64; D]], out: &mut Vec<f64>) {
    out.clear();
    for p in xs {
        crate::cancel::tick(ys.len());
        for w in ys.windows(2) {
            out.push(segment_distance(p, &w[0], &w[1]));
        }
    }
}

/// Type-c values in (lo, hi) for vertices xs against the segments of ys, pushed onto `out`.
/// `dist` holds the type-b values of (xs, ys). Returns false, leaving `out` partial, once more
/// than `budget` vertex pairs were examined.
pub fn passage_values<const D: usize>(
    xs: &[[f64; D]],
    ys: &[[f64; D]],
    dist: &[f64],
    lo: f64,
    hi: f64,
    mut budget: usize,
    out: &mut Vec<f64>,
) -> bool {
    let segs = ys.len() - 1;
    for j in 0..segs {
        let (s, e) = (&ys[j], &ys[j + 1]);
        let mut d = [0.0; D];
        for k in 0..D {
            d[k] = e[k] - s[k];
        }
        for k in 0..xs.len() {
            crate::cancel::tick(xs.len() - k);
            // A passage from x_k is at least as far as x_k is from the segment.
            if dist[k * segs + j] >= hi {
                continue;
            }
            let rk = rel(&xs[k], s);
            let rk2 = dot(&rk, &rk);
            for l in k + 1..xs.len() {
                // x_l's own value is at least its distance, and as a vertex in between it must
                // lie within eps of the segment for every later l: nothing below hi remains.
                if dist[l * segs + j] >= hi {
                    break;
                }
                if budget == 0 {
                    return false;
                }
                budget -= 1;
                // The point s + t d with |s + t d - x_k| = |s + t d - x_l|, from s's frame.
                let rl = rel(&xs[l], s);
                let mut w = [0.0; D];
                for c in 0..D {
                    w[c] = rl[c] - rk[c];
                }
                let den = 2.0 * dot(&d, &w);
                if den == 0.0 {
                    continue;
                }
                let t = (dot(&rl, &rl) - rk2) / den;
                if !(0.0..=1.0).contains(&t) {
                    continue;
                }
                let mut h2 = 0.0;
                for c in 0..D {
                    let q = t * d[c] - rk[c];
                    h2 += q * q;
                }
                let v = h2.sqrt();
                if lo < v && v < hi {
                    out.push(v);
                }
            }
        }
    }
    true
}

#[inline(always)]
fn rel<const D: usize>(p: &[f64; D], s: &[f64; D]) -> [f64; D] {
    let mut r = [0.0; D];
    for k in 0..D {
        r[k] = p[k] - s[k];
    }
    r
}

#[inline(always)]
fn dot<const D: usize>(x: &[f64; D], y: &[f64; D]) -> f64 {
    let mut s = 0.0;
    for k in 0..D {
        s += x[k] * y[k];
    }
    s
}
