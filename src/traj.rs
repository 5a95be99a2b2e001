//! Borrowed views of trajectories: one trajectory (`Traj`) and a packed set (`Collection`,
//! offsets + point-major coordinates, the arena layout).

use crate::error::{Error, Result};

/// One trajectory: `coords` holds `len() * dim` values, point-major (x0 y0 x1 y1 ...).
#[derive(Clone, Copy, Debug)]
pub struct Traj<'a> {
    pub coords: &'a [f64],
    pub dim: usize,
}

impl<'a> Traj<'a> {
    pub fn new(coords: &'a [f64], dim: usize) -> Self {
        debug_assert!(dim == 2 || dim == 3);
        debug_assert_eq!(coords.len() % dim, 0);
        Traj { coords, dim }
    }
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.coords.len() / self.dim
    }
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.coords.is_empty()
    }
    #[inline(always)]
    pub fn p(&self, i: usize) -> &'a [f64] {
        &self.coords[i * self.dim..(i + 1) * self.dim]
    }
}

/// Checks one trajectory's values; `label` names it in the message ("a", "X[12]").
pub fn check_traj(coords: &[f64], dim: usize, label: &str) -> Result<()> {
    if dim != 2 && dim != 3 {
        return Err(Error::value(format!(
            "{label}: points must have 2 or 3 coordinates, got {dim}"
        )));
    }
    if coords.is_empty() {
        return Err(Error::value(format!("{label}: trajectory is empty (0 points)")));
    }
    if let Some(k) = coords.iter().position(|v| !v.is_finite()) {
        return Err(Error::value(format!(
            "{label}: point {} has a non-finite coordinate ({})",
            k / dim,
            coords[k]
        )));
    }
    Ok(())
}

/// A packed set of trajectories: trajectory i is `coords[offsets[i]*dim .. offsets[i+1]*dim]`.
/// A collection may be a view of trajectories [base, base + len) of a larger one (`span`): its
/// offsets then start where that trajectory starts, and `base` keeps the indices of messages the
/// caller's.
#[derive(Clone, Copy, Debug)]
pub struct Collection<'a> {
    offsets: &'a [i64],
    coords: &'a [f64],
    dim: usize,
    base: usize,
}

impl<'a> Collection<'a> {
    /// Validates everything once (monotone offsets inside the buffer, no empty trajectory,
    /// finite values) so that later accesses need no checks beyond slice bounds.
    /// `name` is the argument's name for messages ("X", "XA").
    pub fn new(offsets: &'a [i64], coords: &'a [f64], dim: usize, name: &str) -> Result<Self> {
        if dim != 2 && dim != 3 {
            return Err(Error::value(format!(
                "{name}: points must have 2 or 3 coordinates, got {dim}"
            )));
        }
        if offsets.is_empty() || offsets[0] != 0 {
            return Err(Error::value(format!("{name}: offsets must start with 0")));
        }
        if coords.len() % dim != 0 {
            return Err(Error::value(format!(
                "{name}: coordinate buffer length {} is not a multiple of dim {dim}",
                coords.len()
            )));
        }
        let n_points = (coords.len() / dim) as i64;
        for (i, w) in offsets.windows(2).enumerate() {
            if w[1] < w[0] {
                return Err(Error::value(format!("{name}: offsets decrease at trajectory {i}")));
            }
            if w[1] == w[0] {
                return Err(Error::value(format!("{name}[{i}]: trajectory is empty (0 points)")));
            }
        }
        if *offsets.last().unwrap() != n_points {
            return Err(Error::value(format!(
                "{name}: offsets end at {} but there are {n_points} points",
                offsets.last().unwrap()
            )));
        }
        if let Some(k) = coords.iter().position(|v| !v.is_finite()) {
            let point = (k / dim) as i64;
            // the trajectory holding this point: last i with offsets[i] <= point
            let i = offsets.partition_point(|&o| o <= point) - 1;
            return Err(Error::value(format!(
                "{name}[{i}]: point {} has a non-finite coordinate ({})",
                point - offsets[i],
                coords[k]
            )));
        }
        Ok(Collection { offsets, coords, dim, base: 0 })
    }

    /// A collection over buffers that were validated as a whole before (an arena), without a
    /// second scan. The caller guarantees what `new` checks; a slip is a bounds panic at worst.
    pub fn trusted(offsets: &'a [i64], coords: &'a [f64], dim: usize) -> Self {
        debug_assert!(!offsets.is_empty() && (dim == 2 || dim == 3));
        Collection { offsets, coords, dim, base: 0 }
    }

    /// Trajectories [lo, hi) as a collection of their own, indexed from 0. Unchecked: use it on
    /// validated collections, or check the view with `check_span` first.
    pub fn span(&self, lo: usize, hi: usize) -> Self {
        Collection { offsets: &self.offsets[lo..=hi], coords: self.coords, dim: self.dim, base: self.base + lo }
    }

    /// Checks trajectories [lo, hi) the way `new` checks a whole collection (offsets inside the
    /// buffer and increasing, finite values), reading only their offsets and points: the check
    /// for a task over an arena whose header alone was verified. Returns the view.
    pub fn check_span(&self, lo: usize, hi: usize, name: &str) -> Result<Self> {
        let n_points = (self.coords.len() / self.dim) as i64;
        let off = self.offsets.get(lo..=hi).ok_or_else(|| {
            Error::value(format!("{name}: trajectories [{lo}, {hi}) are outside the {} held", self.len()))
        })?;
        for (k, w) in off.windows(2).enumerate() {
            let i = self.base + lo + k;
            if w[0] < 0 || w[1] > n_points {
                return Err(Error::value(format!(
                    "{name}[{i}]: offsets [{}, {}) lie outside the {n_points} points held",
                    w[0], w[1]
                )));
            }
            if w[1] < w[0] {
                return Err(Error::value(format!("{name}: offsets decrease at trajectory {i}")));
            }
            if w[1] == w[0] {
                return Err(Error::value(format!("{name}[{i}]: trajectory is empty (0 points)")));
            }
            let t = &self.coords[w[0] as usize * self.dim..w[1] as usize * self.dim];
            if let Some(p) = t.iter().position(|v| !v.is_finite()) {
                return Err(Error::value(format!(
                    "{name}[{i}]: point {} has a non-finite coordinate ({})",
                    p / self.dim,
                    t[p]
                )));
            }
        }
        Ok(self.span(lo, hi))
    }

    /// The index, in the collection this one is a view of, of trajectory 0 (labels errors).
    #[inline(always)]
    pub fn base(&self) -> usize {
        self.base
    }

    #[inline(always)]
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    #[inline(always)]
    pub fn dim(&self) -> usize {
        self.dim
    }
    #[inline(always)]
    pub fn get(&self, i: usize) -> Traj<'a> {
        let (s, e) = (self.offsets[i] as usize, self.offsets[i + 1] as usize);
        Traj { coords: &self.coords[s * self.dim..e * self.dim], dim: self.dim }
    }
    #[inline(always)]
    pub fn traj_len(&self, i: usize) -> usize {
        (self.offsets[i + 1] - self.offsets[i]) as usize
    }
    /// The points of trajectories lo..hi, together.
    #[inline(always)]
    pub fn points(&self, lo: usize, hi: usize) -> usize {
        (self.offsets[hi] - self.offsets[lo]) as usize
    }
    /// The coordinates of this collection's trajectories, point-major.
    pub fn raw_coords(&self) -> &'a [f64] {
        let (s, e) = (self.offsets[0] as usize, self.offsets[self.offsets.len() - 1] as usize);
        &self.coords[s * self.dim..e * self.dim]
    }
    pub fn iter(&self) -> impl Iterator<Item = Traj<'a>> + '_ {
        (0..self.len()).map(move |i| self.get(i))
    }
}
