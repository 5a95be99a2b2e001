use super::trig::{asin_sqrt, sin_sq};
use super::{polyline_spherical, Ground, Reduce};
use crate::traj::Traj;

/// Earth radius used by traj-dist and by the standard definition (metres).
pub const R: f64 = 6_378_137.0;

/// `a` limited to [0, 1], as compares (not min/max) so that it vectorises the same everywhere.
#[inline(always)]
fn clamp_unit(a: f64) -> f64 {
    let a = if a < 0.0 { 0.0 } else { a };
    if a > 1.0 { 1.0 } else { a }
}

/// Metres of great-circle arc for a half central angle asin(sqrt(a)).
#[inline(always)]
pub fn arc_metres(half_angle: f64) -> f64 {
    R * (2.0 * half_angle)
}

/// Haversine distance on [longitude, latitude] in degrees, in metres.
///
/// The standard variant uses double-precision constants; the traj-dist variant rounds pi and the
/// degree-to-radian factor to float32 exactly as traj-dist's Cython source declares them.
///
/// Every formula takes each point's latitude trigonometry (`Pt`) as an input, so kernels that
/// meet a point many times compute it once: the values are the same whether it was computed on
/// the spot or in advance.
#[derive(Clone, Copy, Debug)]
pub struct Haversine {
    rad: f64,
    pub(super) trajdist: bool,
}

/// A point with cos and sin of its latitude in radians (`Haversine::pt`).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Pt {
    pub lon: f64,
    pub lat: f64,
    pub cos: f64,
    pub sin: f64,
}

impl Haversine {
    pub fn standard() -> Self {
        Haversine { rad: std::f64::consts::PI / 180.0, trajdist: false }
    }
    pub fn trajdist() -> Self {
        // `cdef float pi = 3.14159265; cdef float rad = pi/180.0`: the division happens in double,
        // the result is stored in a float.
        let pi32 = 3.14159265_f32 as f64;
        Haversine { rad: (pi32 / 180.0) as f32 as f64, trajdist: true }
    }

    #[inline(always)]
    pub(super) fn pt(&self, p: &[f64]) -> Pt {
        let phi = self.rad * p[1];
        Pt { lon: p[0], lat: p[1], cos: phi.cos(), sin: phi.sin() }
    }

    /// The haversine's `a` (sin^2 of half the central angle), clamped to [0, 1] so that rounding
    /// (or a latitude beyond the poles) cannot make the angle NaN. The lane kernels call this
    /// per lane; `trig` keeps it bit-identical to the scalar path.
    #[inline(always)]
    pub fn hav_a(&self, lon1: f64, lat1: f64, cos1: f64, lon2: f64, lat2: f64, cos2: f64) -> f64 {
        let (half_lat, half_lon) = self.half_diffs(lon1, lat1, lon2, lat2);
        Self::a_from(sin_sq(half_lat), cos1, cos2, sin_sq(half_lon))
    }

    /// Half the latitude and longitude differences from point 1 to point 2, in radians.
    #[inline(always)]
    pub fn half_diffs(&self, lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> (f64, f64) {
        let rad = self.rad;
        ((lat2 - lat1) * rad / 2.0, rad * (lon2 - lon1) / 2.0)
    }

    /// `a` from sin^2 of the half differences and the latitudes' cosines; every path to `a`
    /// (scalar, or lanes with another sin^2 piece) goes through here, so the bits agree.
    #[inline(always)]
    pub fn a_from(sin_sq_lat: f64, cos1: f64, cos2: f64, sin_sq_lon: f64) -> f64 {
        clamp_unit(sin_sq_lat + cos1 * cos2 * sin_sq_lon)
    }

    /// Haversine distance; only the cosines of the latitudes are used.
    #[inline(always)]
    pub fn hav_c(&self, lon1: f64, lat1: f64, cos1: f64, lon2: f64, lat2: f64, cos2: f64) -> f64 {
        arc_metres(asin_sqrt(self.hav_a(lon1, lat1, cos1, lon2, lat2, cos2)))
    }

    /// The radian factor (float32-rounded in the traj-dist variant).
    #[inline(always)]
    pub fn rad(&self) -> f64 {
        self.rad
    }

    #[inline(always)]
    pub(super) fn hav(&self, p1: &Pt, p2: &Pt) -> f64 {
        self.hav_c(p1.lon, p1.lat, p1.cos, p2.lon, p2.lat, p2.cos)
    }

    /// Initial bearing from p1 to p2.
    #[inline(always)]
    pub(super) fn bearing(&self, p1: &Pt, p2: &Pt) -> f64 {
        let dlon = self.rad * (p2.lon - p1.lon);
        let y = dlon.sin() * p2.cos;
        let x = p1.cos * p2.sin - p1.sin * p2.cos * dlon.cos();
        y.atan2(x)
    }

    /// Along-track distance from an end at distance d (given as cos(d / R)) for a cross-track
    /// distance crt (given as cos(crt / R)).
    #[inline(always)]
    fn along_track(&self, cos_d: f64, cos_crt: f64) -> f64 {
        let ratio = cos_d / cos_crt;
        // Rounding can push the ratio past 1; acos would give NaN. NaN fails the comparison in
        // point_to_segment exactly like the 0 it is clamped to here, so results do not change.
        let ratio = if self.trajdist { ratio } else { ratio.min(1.0) };
        ratio.acos() * R
    }

    /// Distance from p to segment [s, e] given everything that depends on one end only:
    /// `s` and `e` are (d, sin(d / R), cos(d / R)) of the distance from each end to p, `t13` the
    /// bearing from s to p, and (d12, t12) the segment's length and bearing. The polyline kernel
    /// shares these between neighbouring segments; `point_to_segment` computes them on the spot.
    #[inline(always)]
    pub(super) fn segment_core(&self, s: (f64, f64, f64), e: (f64, f64, f64), t13: f64, d12: f64, t12: f64) -> f64 {
        let crt = (s.1 * (t13 - t12).sin()).asin() * R;
        let cos_crt = (crt / R).cos();
        let d1p = self.along_track(s.2, cos_crt);
        let d2p = self.along_track(e.2, cos_crt);
        if d1p > d12 || d2p > d12 {
            s.0.min(e.0)
        } else {
            crt.abs()
        }
    }

    #[inline(always)]
    pub(super) fn end_terms(d: f64) -> (f64, f64, f64) {
        (d, (d / R).sin(), (d / R).cos())
    }
}

impl Ground for Haversine {
    #[inline(always)]
    fn dist(&self, a: &[f64], b: &[f64]) -> f64 {
        let rad = self.rad;
        self.hav_c(a[0], a[1], (rad * a[1]).cos(), b[0], b[1], (rad * b[1]).cos())
    }

    /// Cross-track distance when the projection falls on the segment, else the nearer end.
    fn point_to_segment(&self, p: &[f64], s: &[f64], e: &[f64]) -> f64 {
        if !self.trajdist && s == e {
            return self.dist(p, s);
        }
        let (p, s, e) = (self.pt(p), self.pt(s), self.pt(e));
        let d13 = Self::end_terms(self.hav(&s, &p));
        let d23 = Self::end_terms(self.hav(&e, &p));
        self.segment_core(d13, d23, self.bearing(&s, &p), self.hav(&s, &e), self.bearing(&s, &e))
    }

    fn directed(&self, a: Traj, b: Traj, exact_vertices: bool, red: Reduce) -> f64 {
        polyline_spherical::directed(self, a, b, exact_vertices, red)
    }
}

/// Haversine over points stored as [lon, lat, cos(rad * lat)] (`prepare`): the DP metrics meet
/// every point n or m times, so the cosine is computed once per point instead of twice per cell.
/// Same formula, same values as `Haversine`.
#[derive(Clone, Copy, Debug)]
pub struct HaversinePrepared(pub Haversine);

impl HaversinePrepared {
    /// `t`'s points as [lon, lat, cos(rad * lat)] rows.
    pub fn prepare(&self, t: Traj, out: &mut Vec<f64>) {
        out.clear();
        for i in 0..t.len() {
            let p = t.p(i);
            out.extend_from_slice(&[p[0], p[1], (self.0.rad * p[1]).cos()]);
        }
    }
}

impl Ground for HaversinePrepared {
    #[inline(always)]
    fn dist(&self, a: &[f64], b: &[f64]) -> f64 {
        self.0.hav_c(a[0], a[1], a[2], b[0], b[1], b[2])
    }

    fn point_to_segment(&self, p: &[f64], s: &[f64], e: &[f64]) -> f64 {
        self.0.point_to_segment(&p[..2], &s[..2], &e[..2])
    }
}
