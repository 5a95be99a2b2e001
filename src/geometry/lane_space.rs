//! The ground distance as the DP rules see it (`metrics::dp`): one cell value per lane, W pairs
//! side by side (W = 1 for one pair), from the row point and the packed column points.
//!
//! Euclidean cells hand the rules the *squared* distance, so rules that only compare distances
//! skip the square root. Spherical cells hand them the haversine distance itself: it is
//! computed with `geometry::trig`, whose functions vectorise, and its last steps are not a
//! single correctly rounded function whose monotonicity the rules could lean on.

use super::trig::{
    asin_sqrt_far, asin_sqrt_select, asin_sqrt_tiny, sin_sq_select, sin_sq_tiny, ASIN_SQRT_NEAR_MAX,
    ASIN_SQRT_TINY_MAX, SIN_SQ_NEAR_MAX, SIN_SQ_TINY_MAX,
};
use super::{arc_metres, Haversine, HaversinePrepared};
use crate::traj::Traj;

pub trait LaneSpace: Copy + Send + Sync {
    /// Whether the DP kernel may take two rows of points at a time as one vector of twice the
    /// lanes (`dp_kernel::row_groups`). The Euclidean value compiles to whole vectors at any
    /// width; the spherical one, with its tests over all lanes, ran short passes twice as slow
    /// that way.
    const TWO_ROWS: bool;
    /// The cell value of each lane: `p` holds the row points (D stored values), `b` the D
    /// column vectors of one column position.
    fn value<const D: usize, const W: usize>(&self, p: &[[f64; W]; D], b: &[[f64; W]]) -> [f64; W];
    /// The distance a cell value stands for.
    fn dist<const W: usize>(&self, s: [f64; W]) -> [f64; W];
    fn dist1(&self, s: f64) -> f64;
    /// The largest cell value whose distance is `< eps` (LCSS/EDR's match test becomes
    /// `s <= T`); None when no distance is below eps.
    fn below(&self, eps: f64) -> Option<f64>;
}

/// Squared Euclidean distance, coordinate by coordinate from the first, as `Euclidean::dist`
/// sums it before its square root.
#[derive(Clone, Copy)]
pub struct EuclideanLanes;

impl LaneSpace for EuclideanLanes {
    const TWO_ROWS: bool = true;
    #[inline(always)]
    fn value<const D: usize, const W: usize>(&self, p: &[[f64; W]; D], b: &[[f64; W]]) -> [f64; W] {
        let mut s = [0.0f64; W];
        for l in 0..W {
            let d0 = p[0][l] - b[0][l];
            s[l] = d0 * d0;
        }
        for k in 1..D {
            for l in 0..W {
                let d = p[k][l] - b[k][l];
                s[l] += d * d;
            }
        }
        s
    }
    #[inline(always)]
    fn dist<const W: usize>(&self, s: [f64; W]) -> [f64; W] {
        s.map(f64::sqrt)
    }
    fn dist1(&self, s: f64) -> f64 {
        s.sqrt()
    }
    fn below(&self, eps: f64) -> Option<f64> {
        below_threshold(eps)
    }
}

/// The largest double T with sqrt(T) < eps (None when no distance is below eps), so that
/// `sqrt(s) < eps` is exactly `s <= T`: sqrt is monotone on doubles, so the set of s it maps
/// below eps is an interval [0, T].
pub fn below_threshold(eps: f64) -> Option<f64> {
    if eps.is_nan() || eps <= 0.0 {
        return None;
    }
    if eps.is_infinite() {
        return Some(f64::MAX);
    }
    let up = |x: f64| f64::from_bits(x.to_bits() + 1);
    let down = |x: f64| if x > 0.0 { f64::from_bits(x.to_bits() - 1) } else { 0.0 };
    let mut t = (eps * eps).min(f64::MAX);
    while t > 0.0 && t.sqrt() >= eps {
        t = down(t);
    }
    while t < f64::MAX && up(t).sqrt() < eps {
        t = up(t);
    }
    (t.sqrt() < eps).then_some(t)
}

/// Haversine over points stored as [lon, lat, cos(lat)] (`HaversinePrepared::prepare`); the
/// row point is the first argument of `Haversine::hav_c`, as in the one-pair kernels.
#[derive(Clone, Copy)]
pub struct SphericalLanes(pub Haversine);

impl LaneSpace for SphericalLanes {
    const TWO_ROWS: bool = false;
    #[inline(always)]
    fn value<const D: usize, const W: usize>(&self, p: &[[f64; W]; D], b: &[[f64; W]]) -> [f64; W] {
        let h = &self.0;
        if W == 1 {
            // One pair: the scalar function, whose branches compute only the piece each value
            // needs (the same operations as the pieces below, so the same bits).
            let c = h.hav_c(p[0][0], p[1][0], p[2][0], b[0][0], b[1][0], b[2][0]);
            return [c; W];
        }
        let (mut half_lat, mut half_lon) = ([0.0; W], [0.0; W]);
        for l in 0..W {
            (half_lat[l], half_lon[l]) = h.half_diffs(p[0][l], p[1][l], b[0][l], b[1][l]);
        }
        let tiny = |x: &f64| x.abs() <= SIN_SQ_TINY_MAX;
        let mut a = [0.0; W];
        if every(&half_lat, tiny) && every(&half_lon, tiny) {
            for l in 0..W {
                a[l] = Haversine::a_from(sin_sq_tiny(half_lat[l]), p[2][l], b[2][l], sin_sq_tiny(half_lon[l]));
            }
        } else {
            for l in 0..W {
                a[l] = Haversine::a_from(sin_sq_select(half_lat[l]), p[2][l], b[2][l], sin_sq_select(half_lon[l]));
            }
            // Differences of over 10^4 radians (only from unnormalised longitudes) take the
            // scalar path, which is the same function with its rare branch.
            let far = |x: &f64| x.abs() > SIN_SQ_NEAR_MAX;
            if !every(&half_lat, |x| !far(x)) || !every(&half_lon, |x| !far(x)) {
                for l in 0..W {
                    a[l] = h.hav_a(p[0][l], p[1][l], p[2][l], b[0][l], b[1][l], b[2][l]);
                }
            }
        }
        let mut c = [0.0; W];
        if every(&a, |&x| x <= ASIN_SQRT_TINY_MAX) {
            for l in 0..W {
                c[l] = asin_sqrt_tiny(a[l]);
            }
        } else {
            for l in 0..W {
                c[l] = asin_sqrt_select(a[l]);
            }
            // Points over 60 degrees apart: the far branch of `trig::asin_sqrt`, lane by lane.
            if !every(&a, |&x| x <= ASIN_SQRT_NEAR_MAX) {
                for l in 0..W {
                    if a[l] > ASIN_SQRT_NEAR_MAX {
                        c[l] = asin_sqrt_far(a[l]);
                    }
                }
            }
        }
        c.map(arc_metres)
    }
    #[inline(always)]
    fn dist<const W: usize>(&self, s: [f64; W]) -> [f64; W] {
        s
    }
    fn dist1(&self, s: f64) -> f64 {
        s
    }
    fn below(&self, eps: f64) -> Option<f64> {
        // s < eps for s >= 0 is s <= the double just below eps.
        if eps.is_nan() || eps <= 0.0 {
            None
        } else if eps.is_infinite() {
            Some(f64::MAX)
        } else {
            Some(f64::from_bits(eps.to_bits() - 1))
        }
    }
}

/// Whether `f` holds in every lane: evaluated in all of them and combined without branching, so
/// that it compiles to one vector compare (`Iterator::all` stops at the first failure, a chain of
/// scalar compares and branches).
#[inline(always)]
fn every<const W: usize>(x: &[f64; W], f: impl Fn(&f64) -> bool) -> bool {
    x.iter().fold(true, |acc, v| acc & f(v))
}

/// A call's trajectories stored once as [lon, lat, cos(lat)] points, for the spherical DP rules.
pub struct SphericalSet {
    coords: Vec<f64>,
    /// Trajectory i is points offsets[i]..offsets[i + 1].
    offsets: Vec<usize>,
}

impl SphericalSet {
    pub fn new<'a>(h: Haversine, trajs: impl Iterator<Item = Traj<'a>>) -> Self {
        let g = HaversinePrepared(h);
        let (mut coords, mut offsets, mut one) = (Vec::new(), vec![0], Vec::new());
        for t in trajs {
            g.prepare(t, &mut one);
            coords.extend_from_slice(&one);
            offsets.push(coords.len() / 3);
        }
        SphericalSet { coords, offsets }
    }

    #[inline]
    pub fn get(&self, i: usize) -> Traj<'_> {
        Traj::new(&self.coords[self.offsets[i] * 3..self.offsets[i + 1] * 3], 3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_is_exact() {
        for eps in [1e-300, 1e-10, 0.1, 0.3, 1.0, 2.0, 3.0, 7.77, 1e5, 1e150] {
            let t = below_threshold(eps).unwrap();
            assert!(t.sqrt() < eps);
            assert!(f64::from_bits(t.to_bits() + 1).sqrt() >= eps, "{eps}");
            let t = SphericalLanes(Haversine::standard()).below(eps).unwrap();
            assert!(t < eps && f64::from_bits(t.to_bits() + 1) >= eps);
        }
        assert_eq!(below_threshold(0.0), None);
    }
}
