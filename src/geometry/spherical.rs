use super::{polyline_spherical, Ground, Reduce};
use crate::traj::Traj;

/// Earth radius used by traj-dist and by the standard definition (metres).
pub(super) const R: f64 = 6_378_137.0;

/// Haversine distance on [longitude, latitude] in degrees, in metres.
///
/// The standard variant uses double-precision constants; the traj-dist variant rounds pi and the
/// degree-to-radian factor to float32 exactly as traj-dist's Cython source declares them.
#[derive(Clone, Copy, Debug)]
pub struct Haversine {
    rad: f64,
    pub(super) trajdist: bool,
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
    pub(super) fn hav(&self, lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
        let rad = self.rad;
        let dlat = (lat2 - lat1) * rad;
        let dlon = rad * (lon2 - lon1);
        let s_lat = (dlat / 2.0).sin();
        let s_lon = (dlon / 2.0).sin();
        let a = s_lat * s_lat + (rad * lat1).cos() * (rad * lat2).cos() * s_lon * s_lon;
        let c = 2.0 * a.sqrt().atan2((1.0 - a).sqrt());
        R * c
    }

    #[inline(always)]
    pub(super) fn bearing(&self, lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
        let rad = self.rad;
        let dlon = rad * (lon2 - lon1);
        let y = dlon.sin() * (rad * lat2).cos();
        let x = (rad * lat1).cos() * (rad * lat2).sin()
            - (rad * lat1).sin() * (rad * lat2).cos() * dlon.cos();
        y.atan2(x)
    }

    #[inline(always)]
    pub(super) fn along_track(&self, d: f64, crt: f64) -> f64 {
        let ratio = (d / R).cos() / (crt / R).cos();
        // Rounding can push the ratio past 1; acos would give NaN. NaN fails the comparison in
        // point_to_segment exactly like the 0 it is clamped to here, so results do not change.
        let ratio = if self.trajdist { ratio } else { ratio.min(1.0) };
        ratio.acos() * R
    }
}

impl Ground for Haversine {
    #[inline(always)]
    fn dist(&self, a: &[f64], b: &[f64]) -> f64 {
        self.hav(a[0], a[1], b[0], b[1])
    }

    /// Cross-track distance when the projection falls on the segment, else the nearer end.
    fn point_to_segment(&self, p: &[f64], s: &[f64], e: &[f64]) -> f64 {
        if !self.trajdist && s == e {
            return self.dist(p, s);
        }
        let d13 = self.hav(s[0], s[1], p[0], p[1]);
        let d23 = self.hav(e[0], e[1], p[0], p[1]);
        let d12 = self.hav(s[0], s[1], e[0], e[1]);
        let t12 = self.bearing(s[0], s[1], e[0], e[1]);
        self.segment_from(p, s, d13, d23, d12, t12)
    }

    fn directed(&self, a: Traj, b: Traj, exact_vertices: bool, red: Reduce) -> f64 {
        polyline_spherical::directed(self, a, b, exact_vertices, red)
    }
}

impl Haversine {
    /// The rest of `point_to_segment` once the distances from both ends (d13, d23), the
    /// segment's length d12 and its initial bearing t12 are known; the polyline kernel shares
    /// them between neighbouring segments.
    #[inline(always)]
    pub(super) fn segment_from(&self, p: &[f64], s: &[f64], d13: f64, d23: f64, d12: f64, t12: f64) -> f64 {
        let t13 = self.bearing(s[0], s[1], p[0], p[1]);
        let crt = ((d13 / R).sin() * (t13 - t12).sin()).asin() * R;
        let d1p = self.along_track(d13, crt);
        let d2p = self.along_track(d23, crt);
        if d1p > d12 || d2p > d12 {
            d13.min(d23)
        } else {
            crt.abs()
        }
    }
}
