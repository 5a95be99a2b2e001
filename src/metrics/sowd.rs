//! SOWD, the symmetrised one-way distance on a grid (traj-dist's `sowd_grid`).
//!
//! Trajectories ([lon, lat] degrees) are rasterised into the ordered cells they cross on a grid
//! whose cell size is that of a geohash of the given precision, laid over the bounding box of
//! every trajectory in the call. OWD(A->B) is the mean over A's cells of the distance (in cells)
//! to the nearest cell of B; SOWD = (OWD(A->B) + OWD(B->A)) / 2. The standard variant takes that
//! minimum exactly; traj-dist's variant reproduces its local-minimum scan, which can miss it.

use crate::error::{Error, Result};
use crate::traj::Traj;

pub type Cell = [i64; 2];

/// The most cells a grid may have over the bounding box of the trajectories it serves. Each
/// precision level multiplies the cells by 32 (and a pair's work by about that much): precision
/// 7 over San Francisco (0.3° x 0.3°) is about 50,000 cells, precision 12 over a 3.6° x 0.6° box
/// 4·10¹³, minutes of work. 2^30 leaves every precision up to 8 for boxes of a few degrees.
pub const MAX_GRID_CELLS: f64 = (1u64 << 30) as f64;

/// Cell boundaries of the grid, in degrees, ascending.
#[derive(Clone, Debug)]
pub struct Grid {
    lons: Vec<f64>,
    lats: Vec<f64>,
    dlon: f64,
    dlat: f64,
}

/// The geohash cell holding (lat, lon): centre and half sizes, by the standard bisection
/// (longitude first, strict `>` going to the upper half), all exact in binary.
fn geohash_cell(lat: f64, lon: f64, precision: u32) -> (f64, f64, f64, f64) {
    let (mut lat_lo, mut lat_hi) = (-90.0f64, 90.0f64);
    let (mut lon_lo, mut lon_hi) = (-180.0f64, 180.0f64);
    let (mut lat_err, mut lon_err) = (90.0f64, 180.0f64);
    for bit in 0..5 * precision {
        if bit % 2 == 0 {
            let mid = (lon_lo + lon_hi) / 2.0;
            lon_err /= 2.0;
            if lon > mid {
                lon_lo = mid;
            } else {
                lon_hi = mid;
            }
        } else {
            let mid = (lat_lo + lat_hi) / 2.0;
            lat_err /= 2.0;
            if lat > mid {
                lat_lo = mid;
            } else {
                lat_hi = mid;
            }
        }
    }
    ((lat_lo + lat_hi) / 2.0, (lon_lo + lon_hi) / 2.0, lat_err, lon_err)
}

/// numpy.arange(start, stop, step) for floats, value for value: the length is
/// ceil((stop - start) / step) and element i >= 2 is start + i * ((start + step) - start).
fn arange(start: f64, stop: f64, step: f64) -> Vec<f64> {
    let len = ((stop - start) / step).ceil().max(0.0) as usize;
    let mut v = Vec::with_capacity(len);
    if len > 0 {
        v.push(start);
    }
    if len > 1 {
        v.push(start + step);
    }
    if len > 2 {
        let delta = v[1] - start;
        for i in 2..len {
            v.push(start + i as f64 * delta);
        }
    }
    v
}

/// Last index with a[i] < v (a ascending), 0 if none.
#[inline]
fn last_below(a: &[f64], v: f64) -> usize {
    a.partition_point(|&x| x < v).saturating_sub(1)
}

/// First index with a[i] > v (a ascending), the last index if none.
#[inline]
fn first_above(a: &[f64], v: f64) -> usize {
    a.partition_point(|&x| x <= v).min(a.len() - 1)
}

/// The grid lines from the last one below `lo` to the first one above `hi`.
#[inline]
fn span(a: &[f64], lo: f64, hi: f64) -> &[f64] {
    let (s, e) = (last_below(a, lo), first_above(a, hi));
    &a[s.min(e)..=e.max(s)]
}

impl Grid {
    /// The grid over the bounding box of `trajs` (non-empty, 2-D); an error when it would have
    /// more than MAX_GRID_CELLS cells.
    pub fn over<'a>(trajs: impl Iterator<Item = Traj<'a>>, precision: u32) -> Result<Grid> {
        let (mut min_lon, mut min_lat) = (f64::INFINITY, f64::INFINITY);
        let (mut max_lon, mut max_lat) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        for t in trajs {
            for i in 0..t.len() {
                let p = t.p(i);
                min_lon = min_lon.min(p[0]);
                max_lon = max_lon.max(p[0]);
                min_lat = min_lat.min(p[1]);
                max_lat = max_lat.max(p[1]);
            }
        }
        let (lat_ble, lon_ble, dlat, dlon) = geohash_cell(min_lat, min_lon, precision);
        let (lat_tre, lon_tre, _, _) = geohash_cell(max_lat, max_lon, precision);
        let lines = |lo: f64, hi: f64, half: f64| ((hi + 3.0 * half - (lo - half)) / (2.0 * half)).ceil();
        let cells = lines(lon_ble, lon_tre, dlon) * lines(lat_ble, lat_tre, dlat);
        if !(cells <= MAX_GRID_CELLS) {
            return Err(Error::value(format!(
                "precision: {precision} lays {cells:.3e} geohash cells over the bounding box \
                 ({:.4}° x {:.4}°), more than the {MAX_GRID_CELLS:.3e} allowed; use a lower precision",
                max_lon - min_lon,
                max_lat - min_lat
            )));
        }
        Ok(Grid {
            lats: arange(lat_ble - dlat, lat_tre + 3.0 * dlat, dlat * 2.0),
            lons: arange(lon_ble - dlon, lon_tre + 3.0 * dlon, dlon * 2.0),
            dlon,
            dlat,
        })
    }

    /// The ordered cells crossed by `t`, consecutive duplicates merged.
    pub fn rasterise(&self, t: Traj) -> Vec<Cell> {
        let p0 = t.p(0);
        let mut start: Cell = [last_below(&self.lons, p0[0]) as i64, last_below(&self.lats, p0[1]) as i64];
        let mut cells: Vec<Cell> = Vec::with_capacity(t.len() * 2);
        for k in 0..t.len().saturating_sub(1) {
            let (s, e) = (t.p(k), t.p(k + 1));
            let seg = if (s[0] - e[0]).abs() / self.dlon > (s[1] - e[1]).abs() / self.dlat {
                self.walk(s, e, start, 0)
            } else {
                self.walk(s, e, start, 1)
            };
            crate::cancel::tick(seg.len());
            if cells.last() != Some(&seg[0]) {
                cells.push(seg[0]);
            }
            if seg.len() > 2 {
                cells.extend_from_slice(&seg[1..seg.len() - 1]);
            }
            start = *seg.last().unwrap();
        }
        if cells.last() != Some(&start) {
            cells.push(start);
        }
        cells
    }

    /// The cells from s to e stepping along `major` (0: longitude, 1: latitude), the axis on which
    /// the segment crosses more cells: traj-dist's linecell_*_bigger_step for either axis.
    fn walk(&self, s: &[f64], e: &[f64], cell_start: Cell, major: usize) -> Vec<Cell> {
        let minor = 1 - major;
        let axis = |k: usize| if k == 0 { &self.lons[..] } else { &self.lats[..] };
        let (mut p1, mut p2) = (s, e);
        let reverse = p2[minor] < p1[minor];
        if reverse {
            std::mem::swap(&mut p1, &mut p2);
        }
        let minor_lines = span(axis(minor), p1[minor], p2[minor]);
        let ma = axis(major);
        let increasing = p1[major] < p2[major];
        let (step, major_lines): (i64, Vec<f64>) = if increasing {
            (1, span(ma, p1[major], p2[major]).to_vec())
        } else {
            (-1, span(ma, p2[major], p1[major]).iter().rev().copied().collect())
        };
        let n_major = major_lines.len() as i64 - 2;
        let n_minor = minor_lines.len() as i64 - 2;
        let first: Cell = if !reverse {
            cell_start
        } else {
            let mut c = cell_start;
            c[minor] -= n_minor;
            // The walk starts from the far end, whose cell is offset from the known one.
            c[major] += if increasing { -n_major } else { n_major };
            c
        };
        let mut cells = vec![first];
        // Where the segment's line crosses each inner major grid line, on the minor axis.
        let mut idx_minor = 0usize;
        let (dx_major, dx_minor) = (p2[major] - p1[major], p2[minor] - p1[minor]);
        for &l in major_lines.iter().skip(1).take(major_lines.len().saturating_sub(2)) {
            let cross = p1[minor] + (l - p1[major]) * dx_minor / dx_major;
            let last = *cells.last().unwrap();
            let bound = minor_lines.get(idx_minor + 1).copied().unwrap_or(f64::INFINITY);
            if cross < bound {
                let mut c = last;
                c[major] += step;
                cells.push(c);
            } else {
                let mut c = last;
                c[minor] += 1;
                cells.push(c);
                c[major] += step;
                cells.push(c);
                idx_minor += 1;
            }
        }
        if let Some(&bound) = minor_lines.get(idx_minor + 1) {
            if p2[minor] > bound {
                let mut c = *cells.last().unwrap();
                c[minor] += 1;
                cells.push(c);
            }
        }
        if reverse {
            cells.reverse();
        }
        cells
    }
}

#[inline(always)]
fn cell_dist(a: Cell, b: Cell) -> f64 {
    let (dx, dy) = (a[0] as f64 - b[0] as f64, a[1] as f64 - b[1] as f64);
    (dx * dx + dy * dy).sqrt()
}

/// OWD(A->B) with the exact nearest cell.
pub fn owd(a: &[Cell], b: &[Cell]) -> f64 {
    let mut total = 0.0;
    for &p in a {
        crate::cancel::tick(b.len());
        let mut d = f64::INFINITY;
        for &q in b {
            d = d.min(cell_dist(p, q));
        }
        total += d;
    }
    total / a.len() as f64
}

/// traj-dist's `_owd_grid`: follows the local minima of the distance along B from one cell of
/// A to the next instead of scanning all of B.
pub fn owd_trajdist(a: &[Cell], b: &[Cell]) -> f64 {
    let (n1, n2) = (a.len(), b.len());
    let mut p = a[0];
    let pt: Vec<f64> = b.iter().map(|&q| cell_dist(p, q)).collect();
    let mut total = pt.iter().copied().fold(f64::INFINITY, f64::min);
    let mut s_old: Vec<usize> = if n2 == 1 {
        vec![0]
    } else {
        (0..n2)
            .filter(|&i| {
                let below_next = i + 1 == n2 || pt[i] < pt[i + 1];
                let below_prev = i == 0 || pt[i] < pt[i - 1];
                match i {
                    0 => pt[0] < pt[1],
                    _ if i == n2 - 1 => pt[i] < pt[i - 1],
                    _ => below_next && below_prev,
                }
            })
            .collect()
    };
    let mut in_s = vec![false; n2];
    for &cur in &a[1..] {
        crate::cancel::tick(n2);
        let prec = p;
        p = cur;
        in_s.iter_mut().for_each(|x| *x = false);
        let mut d = f64::INFINITY;
        let ns = s_old.len();
        for j in 0..ns {
            let ig = s_old[j];
            let pg = b[ig];
            if (prec[1] == p[1] && pg[0] != prec[0]) || (prec[0] == p[0] && pg[1] != prec[1]) {
                in_s[ig] = true;
                d = d.min(cell_dist(p, pg));
                continue;
            }
            let (rmin, rmax) = if j == 0 {
                if ns == 1 {
                    (0, n2)
                } else {
                    (0, s_old[j + 1])
                }
            } else if j == ns - 1 {
                (s_old[j - 1], n2)
            } else {
                (s_old[j - 1] + 1, s_old[j + 1])
            };
            for igp in rmin..rmax {
                let q = b[igp];
                if (prec[1] == p[1] && q[0] == p[0]) || (prec[0] == p[0] && q[1] == p[1]) || igp == ig {
                    let back = if igp != 0 { cell_dist(b[igp - 1], p) } else { f64::INFINITY };
                    let forw = if igp != n2 - 1 { cell_dist(b[igp + 1], p) } else { f64::INFINITY };
                    let dd = cell_dist(q, p);
                    if dd < back && dd < forw && !in_s[igp] {
                        in_s[igp] = true;
                        d = d.min(dd);
                    }
                }
            }
        }
        s_old = (0..n2).filter(|&i| in_s[i]).collect();
        total += d;
    }
    total / n1 as f64
}

pub fn sowd(a: &[Cell], b: &[Cell], trajdist: bool) -> f64 {
    if trajdist {
        (owd_trajdist(a, b) + owd_trajdist(b, a)) / 2.0
    } else {
        (owd(a, b) + owd(b, a)) / 2.0
    }
}

/// Rasterised trajectories, packed: trajectory i's cells are `cells[offsets[i]..offsets[i+1]]`.
pub struct CellSet {
    offsets: Vec<usize>,
    cells: Vec<Cell>,
}

impl CellSet {
    pub fn new<'a>(grid: &Grid, trajs: impl Iterator<Item = Traj<'a>>) -> Self {
        let mut offsets = vec![0];
        let mut cells = Vec::new();
        for t in trajs {
            cells.extend(grid.rasterise(t));
            offsets.push(cells.len());
        }
        CellSet { offsets, cells }
    }
    #[inline]
    pub fn get(&self, i: usize) -> &[Cell] {
        &self.cells[self.offsets[i]..self.offsets[i + 1]]
    }
}
