//! Single-pair calls: the distance, and DP details with a picklable result object.

use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray2};
use bincode::error::DecodeError;
use pyo3::exceptions::{PyMemoryError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

use super::arrays::points;
use super::batch::run_detached;
use crate::batch::executor;
use super::errors::to_py;
use super::metric::Metric;
use crate::metrics::dp::{DpDetails, OUT_OF_MEMORY};
use crate::metrics::{self};
use crate::traj::Traj;

/// Pairs smaller than this many DP cells keep the GIL: releasing it costs more than the work.
const DETACH_CELLS: usize = 4096;
/// Pairs of at least this many cells (a few ms and more) compute in a thread of their own while
/// the calling thread polls for Ctrl-C, which then stops the kernel inside the pair.
const POLL_CELLS: usize = 1 << 21;

#[pyfunction]
pub fn distance(py: Python<'_>, metric: &Bound<'_, Metric>, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<f64> {
    let spec = &metric.get().spec;
    let (ra, da) = points(a, "a")?;
    let (rb, db) = points(b, "b")?;
    let ta = Traj { coords: ra.as_slice()?, dim: da };
    let tb = Traj { coords: rb.as_slice()?, dim: db };
    metrics::check_pair(spec, ta, tb).map_err(to_py)?;
    let cells = ta.len().saturating_mul(tb.len());
    // SOWD's work is in grid cells, which a fine grid makes endless even for short trajectories.
    let cells = if spec.kind == crate::MetricKind::Sowd { usize::MAX } else { cells };
    if cells < DETACH_CELLS {
        Ok(metrics::distance(spec, ta, tb))
    } else if cells < POLL_CELLS {
        Ok(py.detach(|| metrics::distance(spec, ta, tb)))
    } else {
        run_detached(py, None, |poll| executor::run_one(poll, || metrics::distance(spec, ta, tb)))
    }
}

#[pyfunction]
pub fn dp_details(py: Python<'_>, metric: &Bound<'_, Metric>, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<DpResult> {
    let spec = &metric.get().spec;
    let (ra, da) = points(a, "a")?;
    let (rb, db) = points(b, "b")?;
    let ta = Traj { coords: ra.as_slice()?, dim: da };
    let tb = Traj { coords: rb.as_slice()?, dim: db };
    metrics::check_pair(spec, ta, tb).map_err(to_py)?;
    let d = if ta.len().saturating_mul(tb.len()) < POLL_CELLS {
        py.detach(|| metrics::dp_details(spec, ta, tb)).map_err(to_py)?
    } else {
        run_detached(py, None, |poll| executor::run_one(poll, || metrics::dp_details(spec, ta, tb))?)?
    };
    Ok(DpResult { inner: d })
}

/// SOWD between two trajectories already rasterised into (k, 2) integer cells.
#[pyfunction]
#[pyo3(signature = (a, b, trajdist=false))]
pub fn sowd_cells(a: PyReadonlyArray2<'_, i64>, b: PyReadonlyArray2<'_, i64>, trajdist: bool) -> PyResult<f64> {
    let cells = |x: &PyReadonlyArray2<'_, i64>, name: &str| -> PyResult<Vec<[i64; 2]>> {
        let v = x.as_array();
        if v.ncols() != 2 || v.nrows() == 0 {
            return Err(PyValueError::new_err(format!(
                "{name}: cells must be a non-empty (k, 2) integer array, got shape {:?}",
                v.shape()
            )));
        }
        Ok(v.rows().into_iter().map(|r| [r[0], r[1]]).collect())
    };
    Ok(crate::metrics::sowd::sowd(&cells(&a, "a")?, &cells(&b, "b")?, trajdist))
}

/// A copy of `v` for a getter; MemoryError naming `what` if it cannot be allocated.
fn copy_or_memory_error<T: Copy>(v: &[T], what: &str) -> PyResult<Vec<T>> {
    let mut out = Vec::new();
    out.try_reserve_exact(v.len()).map_err(|_| {
        PyMemoryError::new_err(format!(
            "{what}: cannot allocate {} bytes for the array",
            std::mem::size_of_val(v)
        ))
    })?;
    out.extend_from_slice(v);
    Ok(out)
}

/// Result of `return_path=True`: `.distance`, `.matrix` ((n+1, m+1) accumulated costs) and
/// `.path` ((k, 2) aligned index pairs). Pickles as a compact bincode blob.
#[pyclass(frozen, module = "trajarena", name = "DPResult")]
pub struct DpResult {
    inner: DpDetails,
}

#[pymethods]
impl DpResult {
    #[getter]
    fn distance(&self) -> f64 {
        self.inner.distance
    }

    #[getter]
    fn matrix<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let m = &self.inner.matrix;
        let data = copy_or_memory_error(&m.data, "matrix")?;
        let arr = PyArray1::from_vec(py, data).reshape([m.rows, m.cols])?;
        Ok(arr.into_any())
    }

    #[getter]
    fn path<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let path = &self.inner.path;
        let flat = copy_or_memory_error(path.as_flattened(), "path")?;
        let arr = PyArray1::from_vec(py, flat).reshape([path.len(), 2])?;
        Ok(arr.into_any())
    }

    fn __float__(&self) -> f64 {
        self.inner.distance
    }

    fn __repr__(&self) -> String {
        format!(
            "DPResult(distance={:?}, matrix=<{}x{}>, path=<{} pairs>)",
            self.inner.distance,
            self.inner.matrix.rows,
            self.inner.matrix.cols,
            self.inner.path.len()
        )
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<DpResult>().is_ok_and(|o| {
            let o = &o.get().inner;
            // bitwise, so that NaN-free infinities in a band compare equal too
            o.distance.to_bits() == self.inner.distance.to_bits()
                && o.path == self.inner.path
                && o.matrix.rows == self.inner.matrix.rows
                && o.matrix.data.iter().zip(&self.inner.matrix.data).all(|(x, y)| x.to_bits() == y.to_bits())
        })
    }

    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = bincode::encode_to_vec(&self.inner, bincode::config::standard())
            .map_err(|e| PyValueError::new_err(format!("cannot encode DPResult: {e}")))?;
        Ok(PyBytes::new(py, &bytes))
    }

    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyResult<Self> {
        let (inner, used): (DpDetails, usize) =
            bincode::decode_from_slice(data, bincode::config::standard()).map_err(|e| match e {
                DecodeError::Other(m) if m == OUT_OF_MEMORY => PyMemoryError::new_err(format!(
                    "data: cannot allocate the DPResult of these {} bytes",
                    data.len()
                )),
                e => PyValueError::new_err(format!("data: not a DPResult encoding: {e}")),
            })?;
        if used != data.len() {
            return Err(PyValueError::new_err(format!(
                "data: not a DPResult encoding: {} bytes after the end of the result",
                data.len() - used
            )));
        }
        Ok(DpResult { inner })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let ctor = slf.get_type().getattr("from_bytes")?;
        let bytes = slf.get().to_bytes(py)?;
        Ok((ctor, PyTuple::new(py, [bytes])?))
    }
}

