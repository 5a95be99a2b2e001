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
#[derive(Clone, Copy, Debug)]
pub struct Collection<'a> {
    offsets: &'a [i64],
    coords: &'a [f64],
    dim: usize,
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
        Ok(Collection { offsets, coords, dim })
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
    /// The offsets as given (n + 1 entries, in points).
    pub fn raw_offsets(&self) -> &'a [i64] {
        self.offsets
    }
    /// All coordinates, point-major.
    pub fn raw_coords(&self) -> &'a [f64] {
        self.coords
    }
    pub fn iter(&self) -> impl Iterator<Item = Traj<'a>> + '_ {
        (0..self.len()).map(move |i| self.get(i))
    }
}
