//! knn / radius_neighbors over arenas (`ArenaData`), with the GIL released; the answers come
//! back as numpy arrays.

use numpy::{IntoPyArray, PyArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;

use super::arena::ArenaData;
use super::batch::{run_detached, threads};
use super::metric::Metric;
use crate::batch::neighbors::{knn, within, Query};

/// The neighbours in `x` of query rows [r0, r1) of `q` (all rows by default): with `k`, the k
/// nearest as (distances, indices), each `rows x k`; with `radius`, every one within it as CSR
/// arrays (indptr, indices, data). `exclude_self`: `q` is `x`, and query i is not its own
/// neighbour.
#[pyfunction]
#[pyo3(signature = (metric, q, x, exclude_self, k=None, radius=None, n_jobs=-1, progress=None, rows=None, names=("queries".to_string(), "X".to_string())))]
#[allow(clippy::too_many_arguments)]
pub fn neighbors(
    py: Python<'_>,
    metric: &Bound<'_, Metric>,
    q: &Bound<'_, ArenaData>,
    x: &Bound<'_, ArenaData>,
    exclude_self: bool,
    k: Option<usize>,
    radius: Option<f64>,
    n_jobs: i64,
    progress: Option<Py<PyAny>>,
    rows: Option<(u64, u64)>,
    names: (String, String),
) -> PyResult<Py<PyAny>> {
    let nt = threads(n_jobs)?;
    let (qd, xd) = (&q.get().0, &x.get().0);
    let query = Query {
        spec: &metric.get().spec,
        q: qd,
        x: xd,
        names: (names.0.as_str(), names.1.as_str()),
        rows: rows.unwrap_or((0, qd.len() as u64)),
        exclude_self,
    };
    match (k, radius) {
        (Some(k), None) => {
            let (dist, idx) = run_detached(py, progress, |poll| knn(&query, k, nt, poll))?;
            let shape = (dist.len() / k.max(1), k);
            (dist.into_pyarray(py).reshape(shape)?, idx.into_pyarray(py).reshape(shape)?).into_py_any(py)
        }
        (None, Some(r)) => {
            let (indptr, indices, data) = run_detached(py, progress, |poll| within(&query, r, nt, poll))?;
            (indptr.into_pyarray(py), indices.into_pyarray(py), data.into_pyarray(py)).into_py_any(py)
        }
        _ => Err(PyValueError::new_err("k, radius: give exactly one of them")),
    }
}
