//! Euclidean pairs at the ends of the double range, computed exactly by power-of-two scaling.
//!
//! A squared difference of coordinates near 1e200 overflows to inf, and one near 1e-200
//! underflows to 0, so DTW, Hausdorff, Fréchet, SSPD and ERP would return inf or 0, and EDwP NaN.
//! Multiplying every coordinate by 2^e changes no rounding while nothing overflows or goes
//! subnormal, and every operation of these metrics is equivariant under it: a length scales by
//! 2^e, EDwP (a length times a length) by 2^2e, and LCSS and EDR count matches, so they do not
//! scale at all once eps does. The exponent is chosen per pair, from that pair's extent, so a
//! pair gives the same bits alone or in a batch next to pairs of other magnitudes. Pairs whose
//! extent lies in [2^-400, 2^400] (everything real data holds) are never scaled: their results
//! keep every bit they had. e is even, so that square roots of scaled squares stay exact.
//!
//! A scaled pair's extent lands in [2^398, 2^400), the top of that range, where every quantity
//! of these metrics (squares, sums of lengths, EDwP's products of lengths) is still finite: that
//! keeps the most room below, so a difference down to about 2^-909 of the extent still has a
//! normal square (1 next to 1e200, say). Smaller differences count as 0, as differences below
//! 2^-511 do in a pair of extent 1.
//! Spherical coordinates are degrees and need none of this.

use super::spec::{MetricKind, MetricSpec, Space};
use crate::traj::Traj;

/// Extents in this range are computed as they are: squares of differences stay normal and
/// finite (2^±800), and so do the sums and EDwP's products over any trajectory that fits in
/// memory.
const LOW: f64 = 1.0 / (1u128 << 100) as f64 / (1u128 << 100) as f64 / (1u128 << 100) as f64 / (1u128 << 100) as f64;
const HIGH: f64 = 1.0 / LOW;

/// The largest coordinate magnitude of `t`.
pub fn extent(t: Traj) -> f64 {
    t.coords.iter().fold(0.0f64, |m, x| m.max(x.abs()))
}

/// Whether a pair (or anything else) of extent `m` needs scaling.
#[inline]
pub fn out_of_range(m: f64) -> bool {
    m > HIGH || (m > 0.0 && m < LOW)
}

/// Whether scaling applies to `spec` at all: Euclidean metrics on coordinates (SOWD counts grid
/// cells over the bounding box, which no scale changes).
pub fn applies(spec: &MetricSpec) -> bool {
    spec.space == Space::Euclidean && spec.kind != MetricKind::Sowd
}

/// The extent of ERP's gap point (0 without one): it is a point of the geometry.
pub fn gap_extent(spec: &MetricSpec) -> f64 {
    spec.g.as_deref().map_or(0.0, |g| g.iter().fold(0.0f64, |m, x| m.max(x.abs())))
}

/// The pair's extent, the gap point included.
pub fn pair_extent(spec: &MetricSpec, a: Traj, b: Traj) -> f64 {
    extent(a).max(extent(b)).max(gap_extent(spec))
}

/// 2^k for |k| <= 1022.
fn pow2(k: i32) -> f64 {
    debug_assert!((-1022..=1023).contains(&k));
    f64::from_bits(((1023 + k) as u64) << 52)
}

/// x * 2^e for an even e, in two exact steps (2^e alone may not be representable).
#[inline]
fn times_pow2(x: f64, e: i32) -> f64 {
    let h = pow2(e / 2);
    x * h * h
}

/// The even exponent that brings extent `m` (> 0) into [2^398, 2^400).
pub fn exponent(m: f64) -> i32 {
    let bits = m.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let k = if biased == 0 {
        // subnormal: the exponent of its leading bit
        -1074 + (63 - (bits & ((1 << 52) - 1)).leading_zeros() as i32)
    } else {
        biased - 1023
    };
    let e = 398 - k;
    e + e.rem_euclid(2)
}

/// The pair's coordinates, eps and gap point times 2^e: what the metric computes instead.
pub fn scaled_pair(spec: &MetricSpec, a: Traj, b: Traj, e: i32) -> (MetricSpec, Vec<f64>, Vec<f64>) {
    let up = |v: &[f64]| v.iter().map(|&x| times_pow2(x, e)).collect::<Vec<f64>>();
    let mut s = spec.clone();
    s.eps = times_pow2(spec.eps, e);
    s.g = spec.g.as_deref().map(up);
    (s, up(a.coords), up(b.coords))
}

/// A value of `kind` computed on coordinates scaled by 2^e, brought back to the caller's units.
pub fn unscale(kind: MetricKind, x: f64, e: i32) -> f64 {
    match kind {
        MetricKind::Lcss | MetricKind::Edr => x,
        MetricKind::Edwp => times_pow2(times_pow2(x, -e), -e),
        _ => times_pow2(x, -e),
    }
}

/// The exponent `spec` needs for the pair (a, b), if any.
pub fn needed(spec: &MetricSpec, a: Traj, b: Traj) -> Option<i32> {
    if !applies(spec) {
        return None;
    }
    let m = pair_extent(spec, a, b);
    out_of_range(m).then(|| exponent(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponents_bring_extents_to_the_top_of_the_range() {
        for m in [1e300, 1e-300, 5e-324, 2.2e-308, 1.7e308, 3.0, 0.3, f64::MAX, f64::MIN_POSITIVE] {
            let e = exponent(m);
            assert_eq!(e % 2, 0);
            let s = times_pow2(m, e);
            assert!(s >= HIGH / 4.0 && s < HIGH, "{m} -> {s} (e = {e})");
        }
        assert!(out_of_range(1e200) && out_of_range(1e-200) && !out_of_range(0.0) && !out_of_range(1e100));
    }
}
