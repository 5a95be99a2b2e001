//! knn / radius_neighbors over arenas (`ArenaData`), with the GIL released; the answers come
//! back as numpy arrays.

use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayMethods};
use pyo3::prelude::*;

use super::arena::ArenaData;
use super::batch::{run_detached, threads};
use super::metric::Metric;
use crate::batch::neighbors::{self, Query};

/// Distances and indices, `rows x k` each.
type Knn<'py> = (Bound<'py, PyArray2<f64>>, Bound<'py, PyArray2<i64>>);

/// CSR arrays: indptr, indices, data.
type Csr<'py> = (Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<f64>>);

/// The query of rows [r0, r1) of `q` (all rows by default) against `x`.
fn query<'a>(
    metric: &'a Bound<'_, Metric>,
    q: &'a ArenaData,
    x: &'a ArenaData,
    exclude_self: bool,
    rows: Option<(u64, u64)>,
    names: &'a (String, String),
) -> Query<'a> {
    Query {
        spec: &metric.get().spec,
        q: &q.0,
        x: &x.0,
        names: (names.0.as_str(), names.1.as_str()),
        rows: rows.unwrap_or((0, q.0.len() as u64)),
        exclude_self,
    }
}

/// The k nearest trajectories of `x` to each query row of `q`: (distances, indices).
#[pyfunction]
#[pyo3(signature = (metric, q, x, k, exclude_self, n_jobs=-1, progress=None, rows=None, names=("queries".to_string(), "X".to_string())))]
#[allow(clippy::too_many_arguments)]
pub fn knn<'py>(
    py: Python<'py>,
    metric: &Bound<'_, Metric>,
    q: &Bound<'_, ArenaData>,
    x: &Bound<'_, ArenaData>,
    k: usize,
    exclude_self: bool,
    n_jobs: i64,
    progress: Option<Py<PyAny>>,
    rows: Option<(u64, u64)>,
    names: (String, String),
) -> PyResult<Knn<'py>> {
    let nt = threads(n_jobs)?;
    let query = query(metric, q.get(), x.get(), exclude_self, rows, &names);
    let (dist, idx) = run_detached(py, progress, |poll| neighbors::knn(&query, k, nt, poll))?;
    let shape = (dist.len() / k.max(1), k);
    Ok((dist.into_pyarray(py).reshape(shape)?, idx.into_pyarray(py).reshape(shape)?))
}

/// Every trajectory of `x` within `radius` of each query row of `q`, as CSR arrays
/// (indptr, indices, data).
#[pyfunction]
#[pyo3(signature = (metric, q, x, radius, exclude_self, n_jobs=-1, progress=None, rows=None, names=("queries".to_string(), "X".to_string())))]
#[allow(clippy::too_many_arguments)]
pub fn radius_neighbors<'py>(
    py: Python<'py>,
    metric: &Bound<'_, Metric>,
    q: &Bound<'_, ArenaData>,
    x: &Bound<'_, ArenaData>,
    radius: f64,
    exclude_self: bool,
    n_jobs: i64,
    progress: Option<Py<PyAny>>,
    rows: Option<(u64, u64)>,
    names: (String, String),
) -> PyResult<Csr<'py>> {
    let nt = threads(n_jobs)?;
    let query = query(metric, q.get(), x.get(), exclude_self, rows, &names);
    let (indptr, indices, data) = run_detached(py, progress, |poll| neighbors::within(&query, radius, nt, poll))?;
    Ok((indptr.into_pyarray(py), indices.into_pyarray(py), data.into_pyarray(py)))
}
