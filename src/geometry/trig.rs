//! The two transcendental functions of the haversine distance, written out so that a loop over
//! SIMD lanes vectorises them (glibc's `sin` and `atan2` are opaque calls, 45% of a spherical
//! DTW's time before this file existed).
//!
//! Each function is split into a branch-free part that covers the usual inputs and a rare part.
//! The lane kernels run the branch-free part on every lane and redo, lane by lane, only the lanes
//! that need the rare part; scalar code calls the whole function. Both perform the same
//! operations in the same order (plain `*` and `+`, never a fused multiply-add, which Rust does
//! not introduce on its own), so a distance is bit-identical whichever path computed it.
//!
//! Points of one trajectory data set are nearly always under a degree apart, so each function
//! has a short polynomial for such arguments (`*_tiny`) beside the general one; the lane kernels
//! take the short one alone when every lane qualifies.
//!
//! Accuracy, measured against 40-digit mpmath on 22,000-26,000 arguments per piece (the unit
//! tests compare with libm): `sin_sq` within 2.2 ulp (1.5 on the tiny piece), `asin_sqrt`
//! within 2.2 ulp (1.0 on the tiny piece).

/// Largest |x| `sin_sq_near` accepts: the Cody-Waite reduction below loses nothing up to here
/// (k * PIO2_1 is exact for |k| < 2^20, and the dropped tail of pi/2 costs under 2e-17).
pub const SIN_SQ_NEAR_MAX: f64 = 1.0e4;

/// 1.5 * 2^52: adding it rounds a double of magnitude below 2^51 to an integer (ties to even),
/// whose parity is then the lowest mantissa bit.
const ROUND_MAGIC: f64 = 6_755_399_441_055_744.0;
/// pi/2 split as in fdlibm: the first 33 bits and the next 53.
const PIO2_1: f64 = 1.570_796_326_734_125_614_17;
const PIO2_1T: f64 = 6.077_100_506_506_192_249_32e-11;
/// fdlibm's `__kernel_sin` minimax coefficients on [-pi/4, pi/4].
const S1: f64 = -1.666_666_666_666_663_243_48e-01;
const S2: f64 = 8.333_333_333_322_489_461_24e-03;
const S3: f64 = -1.984_126_982_985_794_931_34e-04;
const S4: f64 = 2.755_731_370_707_006_767_89e-06;
const S5: f64 = -2.505_076_025_340_686_341_95e-08;
const S6: f64 = 1.589_690_995_211_550_102_21e-10;

/// sin(x)^2 for |x| <= SIN_SQ_NEAR_MAX, branch-free.
///
/// x = k * pi/2 + r with |r| <= pi/4; sin^2(x) is sin^2(r) for even k and cos^2(r) = 1 - sin^2(r)
/// for odd k (there sin^2(r) <= 1/2, so the subtraction loses nothing).
#[inline(always)]
pub fn sin_sq_near(x: f64) -> f64 {
    let kq = x * std::f64::consts::FRAC_2_PI + ROUND_MAGIC;
    let k = kq - ROUND_MAGIC;
    let odd = kq.to_bits() & 1 == 1;
    let r = (x - k * PIO2_1) - k * PIO2_1T;
    let z = r * r;
    let s = r + (z * r) * (S1 + z * (S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)))));
    let s2 = s * s;
    if odd { 1.0 - s2 } else { s2 }
}

/// Largest |x| `sin_sq_tiny` takes (half an angle of 1.15 degrees).
pub const SIN_SQ_TINY_MAX: f64 = 0.01;

/// sin(x)^2 for |x| <= SIN_SQ_TINY_MAX: Taylor to x^7, whose next term is below 3e-22 relative.
#[inline(always)]
pub fn sin_sq_tiny(x: f64) -> f64 {
    const T1: f64 = -1.0 / 6.0;
    const T2: f64 = 1.0 / 120.0;
    const T3: f64 = -1.0 / 5040.0;
    let z = x * x;
    let s = x + (z * x) * (T1 + z * (T2 + z * T3));
    s * s
}

/// sin(x)^2 for |x| <= SIN_SQ_NEAR_MAX, branch-free (both pieces computed, one kept).
#[inline(always)]
pub fn sin_sq_select(x: f64) -> f64 {
    let (t, n) = (sin_sq_tiny(x), sin_sq_near(x));
    if x.abs() <= SIN_SQ_TINY_MAX { t } else { n }
}

/// sin(x)^2 for any finite x.
#[inline(always)]
pub fn sin_sq(x: f64) -> f64 {
    if x.abs() <= SIN_SQ_TINY_MAX {
        sin_sq_tiny(x)
    } else if x.abs() <= SIN_SQ_NEAR_MAX {
        sin_sq_near(x)
    } else {
        sin_sq_far(x)
    }
}

#[cold]
#[inline(never)]
pub fn sin_sq_far(x: f64) -> f64 {
    let s = x.sin();
    s * s
}

/// Coefficients of P in asin(z) = z + z * t * P(t), t = z^2, on z in [0, 1/2]: a weighted
/// least-squares fit at 400 Chebyshev nodes in 50-digit arithmetic (degree 11; degree 12 gains
/// nothing once the evaluation's own rounding is counted).
const ASIN_P: [f64; 12] = [
    0.166_666_666_666_657_64,
    0.075_000_000_002_706_12,
    0.044_642_856_874_701_86,
    0.030_381_957_457_479_042,
    0.022_371_794_266_608_604,
    0.017_359_205_513_194_004,
    0.013_889_797_380_640_547,
    0.012_141_248_937_279_41,
    0.006_641_694_896_664_508,
    0.019_233_905_769_243_31,
    -0.015_785_232_383_351_562,
    0.031_625_088_981_163_63,
];

#[inline(always)]
fn asin_poly(t: f64) -> f64 {
    let mut p = ASIN_P[11];
    let mut k = 11;
    while k > 0 {
        k -= 1;
        p = ASIN_P[k] + t * p;
    }
    p
}

/// asin(sqrt(a)) for a in [0, 1/4], branch-free. `a` itself stands in for sqrt(a)^2.
#[inline(always)]
pub fn asin_sqrt_near(a: f64) -> f64 {
    let z = a.sqrt();
    z + z * a * asin_poly(a)
}

/// asin(sqrt(a)) for a in (1/4, 1]: pi/2 - 2 asin(sqrt(t)) with t = (1 - sqrt(a)) / 2, written
/// as (1 - a) / (2 (1 + sqrt(a))) so that points near the antipode keep their precision.
#[cold]
#[inline(never)]
pub fn asin_sqrt_far(a: f64) -> f64 {
    const PIO2_HI: f64 = 1.570_796_326_794_896_558_00;
    const PIO2_LO: f64 = 6.123_233_995_736_766_035_87e-17;
    let z = a.sqrt();
    let t = (1.0 - a) / (2.0 * (1.0 + z));
    let u = t.sqrt();
    PIO2_HI - (2.0 * (u + u * t * asin_poly(t)) - PIO2_LO)
}

/// Where `asin_sqrt` leaves the branch-free part.
pub const ASIN_SQRT_NEAR_MAX: f64 = 0.25;
/// Largest `a` `asin_sqrt_tiny` takes (points up to 1.15 degrees apart).
pub const ASIN_SQRT_TINY_MAX: f64 = 1.0e-4;

/// asin(sqrt(a)) for a <= ASIN_SQRT_TINY_MAX: Taylor to a^3, whose next term is below 3e-18
/// relative.
#[inline(always)]
pub fn asin_sqrt_tiny(a: f64) -> f64 {
    const A0: f64 = 1.0 / 6.0;
    const A1: f64 = 3.0 / 40.0;
    const A2: f64 = 5.0 / 112.0;
    const A3: f64 = 35.0 / 1152.0;
    let z = a.sqrt();
    z + z * a * (A0 + a * (A1 + a * (A2 + a * A3)))
}

/// asin(sqrt(a)) for a in [0, ASIN_SQRT_NEAR_MAX], branch-free (both pieces computed, one kept).
#[inline(always)]
pub fn asin_sqrt_select(a: f64) -> f64 {
    let (t, n) = (asin_sqrt_tiny(a), asin_sqrt_near(a));
    if a <= ASIN_SQRT_TINY_MAX { t } else { n }
}

/// asin(sqrt(a)) for a in [0, 1] (the haversine's central half-angle; 2 asin(sqrt(a)) equals
/// the usual 2 atan2(sqrt(a), sqrt(1 - a)) on that interval: docs/metrics.md, "Spherical ground
/// distance").
#[inline(always)]
pub fn asin_sqrt(a: f64) -> f64 {
    if a <= ASIN_SQRT_TINY_MAX {
        asin_sqrt_tiny(a)
    } else if a <= ASIN_SQRT_NEAR_MAX {
        asin_sqrt_near(a)
    } else {
        asin_sqrt_far(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(x: f64, want: f64) -> f64 {
        if want == 0.0 {
            return if x == 0.0 { 0.0 } else { f64::INFINITY };
        }
        ((x - want) / want).abs() / f64::EPSILON
    }

    #[test]
    fn sin_sq_matches_libm() {
        let mut u = crate::test_rng::uniform(7);
        let mut worst: f64 = 0.0;
        for i in 0..200_000 {
            let x = match i % 5 {
                0 => (u() - 0.5) * 8.0,
                1 => (u() - 0.5) * 2e-6,
                2 => (u() - 0.5) * 2e4,
                3 => (u() - 0.5) * 0.04,
                _ => (u() - 0.5) * 1e9,
            };
            let s = x.sin();
            // libm's own error is under 1 ulp; sin^2 near a zero of sin is ill-conditioned, so
            // compare where sin^2 is not tiny against the reduction's absolute error.
            if s * s > 1e-10 || x.abs() < 1.0 {
                worst = worst.max(ulps(sin_sq(x), s * s));
            }
        }
        assert!(worst < 6.0, "worst {worst} ulp");
        assert_eq!(sin_sq(0.0), 0.0);
        assert_eq!(sin_sq(-1e-300), 1e-300 * 1e-300);
    }

    #[test]
    fn asin_sqrt_matches_libm() {
        let mut u = crate::test_rng::uniform(9);
        let mut worst: f64 = 0.0;
        for i in 0..200_000 {
            let a = match i % 4 {
                0 => u(),
                1 => u() * 1e-9,
                2 => u() * 4e-4,
                _ => 1.0 - u() * 1e-9,
            };
            let want = a.sqrt().atan2((1.0 - a).sqrt());
            worst = worst.max(ulps(asin_sqrt(a), want));
        }
        assert!(worst < 4.0, "worst {worst} ulp");
        assert_eq!(asin_sqrt(0.0), 0.0);
        assert_eq!(asin_sqrt(1.0), std::f64::consts::FRAC_PI_2);
    }

    #[test]
    fn select_is_the_piecewise_function() {
        let mut u = crate::test_rng::uniform(5);
        for _ in 0..100_000 {
            let x = (u() - 0.5) * 0.05;
            assert_eq!(sin_sq_select(x).to_bits(), sin_sq(x).to_bits());
            let a = u() * 5e-4;
            assert_eq!(asin_sqrt_select(a).to_bits(), asin_sqrt(a).to_bits());
        }
    }
}
