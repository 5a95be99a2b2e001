//! `return_path`: the whole accumulated matrix of one pair and its optimal alignment, computed
//! with the rule's own cell (`dp::DpRule::cell` at width 1, as `dp_kernel` runs it), so the
//! matrix's last value is the distance bit for bit.

use bincode::de::Decoder;
use bincode::error::DecodeError;
use bincode::{Decode, Encode};

use super::dp::{effective_window, Back, Borders, Cell, DpRule, Step};
use super::dp_kernel::as_lanes;
use crate::error::{Error, Result};
use crate::geometry::lane_space::LaneSpace;
use crate::memory::{human_bytes, memory_limit};
use crate::traj::Traj;

/// The full (n+1) x (m+1) accumulated matrix, row-major.
#[derive(Clone, Debug, PartialEq, Encode)]
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f64>,
}

impl Matrix {
    #[inline(always)]
    pub fn at(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.cols + j]
    }
}

/// Bytes `details` holds for an n x m pair: the (n+1) x (m+1) f64 matrix plus at most n + m
/// path pairs; None when that does not fit in usize.
pub fn details_bytes(n: usize, m: usize) -> Option<usize> {
    let matrix = n.checked_add(1)?.checked_mul(m.checked_add(1)?)?.checked_mul(8)?;
    let path = n.checked_add(m)?.checked_mul(16)?;
    matrix.checked_add(path)
}

fn too_large(n: usize, m: usize, limit: Option<u64>) -> Error {
    // In floating point so that sizes beyond usize still print.
    let need = (n as f64 + 1.0) * (m as f64 + 1.0) * 8.0;
    let have = match limit {
        Some(l) => format!("the memory here is {}", human_bytes(l as f64)),
        None => "the allocation failed".to_string(),
    };
    Error::memory(format!(
        "return_path: the ({} x {}) cost matrix needs {}; {have}. Compute the distance without \
         return_path (it needs only two rows), or shorten the trajectories",
        n as u128 + 1,
        m as u128 + 1,
        human_bytes(need),
    ))
}

/// Refuses an n x m `details` call that cannot fit in memory, before anything is allocated.
pub fn check_details_size(n: usize, m: usize) -> Result<()> {
    let limit = memory_limit();
    match (details_bytes(n, m), limit) {
        (None, _) => Err(too_large(n, m, limit)),
        (Some(b), Some(l)) if b as u64 > l => Err(too_large(n, m, limit)),
        _ => Ok(()),
    }
}

/// Distance, accumulated matrix and optimal alignment of one pair.
#[derive(Clone, Debug, PartialEq, Encode)]
pub struct DpDetails {
    pub distance: f64,
    pub matrix: Matrix,
    /// Aligned (i, j) point pairs, 0-based, from the start of both trajectories to their end.
    pub path: Vec<[i64; 2]>,
}

/// Distance, accumulated matrix and optimal alignment of one pair (points as `sp` stores them).
pub fn details<S: LaneSpace, R: DpRule>(sp: S, r: R, a: Traj, b: Traj, window: Option<usize>) -> Result<DpDetails> {
    let (n, m) = (a.len(), b.len());
    check_details_size(n, m)?;
    if a.dim == 2 {
        details_in::<S, R, 2>(sp, r, a, b, window)
    } else {
        details_in::<S, R, 3>(sp, r, a, b, window)
    }
}

fn details_in<S: LaneSpace, R: DpRule, const D: usize>(sp: S, r: R, a: Traj, b: Traj, window: Option<usize>) -> Result<DpDetails> {
    let (n, m) = (a.len(), b.len());
    let w = effective_window(window, n, m);
    let (rows, cols) = (as_lanes(a.coords), as_lanes(b.coords));
    let mut bd = Borders::<1>::default();
    let has_borders = r.borders(&sp, D, (rows, &[n]), (cols, &[m]), &mut bd);
    let ga = |i: usize| if has_borders { bd.ga[i][0] } else { 0.0 };
    let gb = |j: usize| if has_borders { bd.gb[j][0] } else { 0.0 };
    // The cell value of a_(i-1) and b_(j-1), as the kernel computes it.
    let value = |i: usize, j: usize| {
        let p: [[f64; 1]; D] = std::array::from_fn(|k| rows[(i - 1) * D + k]);
        sp.value::<D, 1>(&p, &cols[(j - 1) * D..j * D])[0]
    };
    let stride = m + 1;
    let cells = (n + 1).checked_mul(stride).ok_or_else(|| too_large(n, m, None))?;
    let mut c = Vec::new();
    c.try_reserve_exact(cells).map_err(|_| too_large(n, m, None))?;
    c.resize(cells, f64::INFINITY);
    c[0] = r.corner();
    for j in 1..=m {
        c[j] = if has_borders { bd.top[j][0] } else { r.top(j) };
    }
    for i in 1..=n {
        crate::cancel::tick(m);
        c[i * stride] = if has_borders { bd.left[i][0] } else { r.left(i) };
        let (lo, hi) = match w {
            None => (1, m),
            Some(w) => (i.saturating_sub(w).max(1), (i + w).min(m)),
        };
        for j in lo..=hi {
            let (diag, up, left) = (c[(i - 1) * stride + j - 1], c[(i - 1) * stride + j], c[i * stride + j - 1]);
            let cell = Cell { s: [value(i, j)], diag: [diag], up: [up], left: [left], ga: [ga(i - 1)], gb: [gb(j - 1)] };
            c[i * stride + j] = r.cell(&sp, cell)[0];
        }
    }
    for v in c.iter_mut() {
        *v = r.cost(&sp, *v);
    }
    let matrix = Matrix { rows: n + 1, cols: stride, data: c };
    let distance = r.finish(matrix.at(n, m), n, m);
    let mut path = Vec::new();
    path.try_reserve_exact(n + m).map_err(|_| too_large(n, m, None))?;
    let (mut i, mut j) = (n, m);
    while i > 0 && j > 0 {
        let at = Back {
            s: value(i, j),
            ga: ga(i - 1),
            gb: gb(j - 1),
            c: matrix.at(i, j),
            diag: matrix.at(i - 1, j - 1),
            up: matrix.at(i - 1, j),
            left: matrix.at(i, j - 1),
        };
        let (step, keep) = r.back(&sp, &at);
        if keep {
            path.push([(i - 1) as i64, (j - 1) as i64]);
        }
        match step {
            Step::Diag => (i, j) = (i - 1, j - 1),
            Step::Up => i -= 1,
            Step::Left => j -= 1,
        }
    }
    path.reverse();
    Ok(DpDetails { distance, matrix, path })
}

// Decoding by hand, in the byte format `derive(Decode)` had: its Vec reserves the length the
// input claims before reading a single element, so 19 bytes claiming 2^32 values abort the
// process. Here a false length runs out of input first.

/// A bincode Vec (u64 length, then the elements) whose capacity grows only with elements
/// actually read, each of which consumes at least one input byte.
fn decode_vec<T, C, D>(d: &mut D) -> std::result::Result<Vec<T>, DecodeError>
where
    T: Decode<C>,
    D: Decoder<Context = C>,
{
    const FIRST: usize = 4096;
    let claimed = u64::decode(d)?;
    let len = usize::try_from(claimed).map_err(|_| DecodeError::OutsideUsizeRange(claimed))?;
    let mut v: Vec<T> = Vec::new();
    for _ in 0..len {
        if v.len() == v.capacity() {
            let more = (len - v.len()).min(v.len().max(FIRST));
            v.try_reserve_exact(more).map_err(|_| DecodeError::Other(OUT_OF_MEMORY))?;
        }
        v.push(T::decode(d)?);
    }
    Ok(v)
}

/// The `DecodeError::Other` text of a failed allocation, so that callers can tell it apart.
pub const OUT_OF_MEMORY: &str = "out of memory";

impl<C> Decode<C> for Matrix {
    fn decode<D: Decoder<Context = C>>(d: &mut D) -> std::result::Result<Self, DecodeError> {
        let rows = usize::decode(d)?;
        let cols = usize::decode(d)?;
        let data: Vec<f64> = decode_vec(d)?;
        if rows.checked_mul(cols) != Some(data.len()) {
            return Err(DecodeError::OtherString(format!(
                "a {rows} x {cols} matrix with {} values",
                data.len()
            )));
        }
        Ok(Matrix { rows, cols, data })
    }
}
bincode::impl_borrow_decode!(Matrix);

impl<C> Decode<C> for DpDetails {
    fn decode<D: Decoder<Context = C>>(d: &mut D) -> std::result::Result<Self, DecodeError> {
        let distance = f64::decode(d)?;
        let matrix = Matrix::decode(d)?;
        let path: Vec<[i64; 2]> = decode_vec(d)?;
        // Every result has a row and a column per point plus the border, and a path inside it.
        let (rows, cols) = (matrix.rows as i64, matrix.cols as i64);
        if matrix.rows < 2 || matrix.cols < 2 {
            return Err(DecodeError::OtherString(format!("a {} x {} matrix", matrix.rows, matrix.cols)));
        }
        let inside = |p: &[i64; 2]| (0..rows - 1).contains(&p[0]) && (0..cols - 1).contains(&p[1]);
        if let Some(p) = path.iter().find(|p| !inside(p)) {
            return Err(DecodeError::OtherString(format!(
                "path pair ({}, {}) outside the {} x {} matrix",
                p[0], p[1], matrix.rows, matrix.cols
            )));
        }
        // An alignment moves forward: never back in either trajectory, never twice on a pair.
        if let Some(w) = path.windows(2).find(|w| w[1][0] < w[0][0] || w[1][1] < w[0][1] || w[1] == w[0]) {
            return Err(DecodeError::OtherString(format!(
                "path goes from ({}, {}) to ({}, {})",
                w[0][0], w[0][1], w[1][0], w[1][1]
            )));
        }
        Ok(DpDetails { distance, matrix, path })
    }
}
bincode::impl_borrow_decode!(DpDetails);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::lane_space::EuclideanLanes;
    use crate::metrics::dtw::Dtw;

    fn sample() -> DpDetails {
        let a = [0.0, 0.0, 1.0, 0.5, 2.0, 1.5, 3.0, 1.0];
        let b = [0.0, 1.0, 2.5, 1.0, 3.0, 0.0];
        details(EuclideanLanes, Dtw, Traj::new(&a, 2), Traj::new(&b, 2), None).unwrap()
    }

    fn decode(bytes: &[u8]) -> std::result::Result<DpDetails, DecodeError> {
        bincode::decode_from_slice(bytes, bincode::config::standard()).map(|(d, _)| d)
    }

    #[test]
    fn sizes_beyond_usize_are_memory_errors() {
        assert_eq!(details_bytes(2, 3), Some(12 * 8 + 5 * 16));
        assert_eq!(details_bytes(usize::MAX, 1), None);
        assert_eq!(details_bytes(1 << 32, 1 << 32), None);
        let e = check_details_size(1 << 32, 1 << 32).unwrap_err();
        assert!(matches!(&e, Error::Memory(m) if m.contains("(4294967297 x 4294967297)")), "{e:?}");
        // Fits in usize, but no machine has 9.2 EB.
        let e = check_details_size(1 << 30, 1 << 30).unwrap_err();
        assert!(matches!(&e, Error::Memory(m) if m.contains("needs 9.2 EB")), "{e:?}");
        assert!(check_details_size(1000, 1000).is_ok());
    }

    #[test]
    fn decode_round_trips() {
        let d = sample();
        let bytes = bincode::encode_to_vec(&d, bincode::config::standard()).unwrap();
        assert_eq!(decode(&bytes).unwrap(), d);
    }

    #[test]
    fn lying_lengths_run_out_of_input() {
        // distance, rows = 2, cols = 2, then a data length of 2^32 (0xfd: a u64 follows), 2^61
        // and u64::MAX, with no values behind it.
        for claimed in [1u64 << 32, 1 << 61, u64::MAX] {
            let mut bytes = vec![0u8; 8];
            bytes.extend([2, 2, 0xfd]);
            bytes.extend(claimed.to_le_bytes());
            assert!(matches!(decode(&bytes), Err(DecodeError::UnexpectedEnd { .. })));
        }
        // The path's length lies the same way.
        let d = sample();
        let mut bytes = bincode::encode_to_vec(&d, bincode::config::standard()).unwrap();
        let path_len_at = bytes.len() - 1 - d.path.len() * 2;
        assert_eq!(bytes[path_len_at] as usize, d.path.len());
        bytes.truncate(path_len_at);
        bytes.push(0xfd);
        bytes.extend((1u64 << 60).to_le_bytes());
        bytes.extend([0, 0]);
        assert!(matches!(decode(&bytes), Err(DecodeError::UnexpectedEnd { .. })));
    }

    #[test]
    fn inconsistent_shapes_are_refused() {
        let mut d = sample();
        d.matrix.cols += 1;
        let bytes = bincode::encode_to_vec(&d, bincode::config::standard()).unwrap();
        assert!(matches!(decode(&bytes), Err(DecodeError::OtherString(m)) if m.contains("matrix")));
        let mut d = sample();
        d.path[1] = [7, 0];
        let bytes = bincode::encode_to_vec(&d, bincode::config::standard()).unwrap();
        assert!(matches!(decode(&bytes), Err(DecodeError::OtherString(m)) if m.contains("outside")));
        let mut d = sample();
        d.path.swap(1, 2);
        let bytes = bincode::encode_to_vec(&d, bincode::config::standard()).unwrap();
        assert!(matches!(decode(&bytes), Err(DecodeError::OtherString(m)) if m.contains("path goes")));
    }
}
