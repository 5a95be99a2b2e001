//! knn / radius_neighbors over arenas (`ArenaData`), with the GIL released; the answers come
//! back as numpy arrays.

use numpy::{IntoPyArray, PyArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3::IntoPyObjectExt;

use super::arena::ArenaData;
use super::errors::to_py;
use super::batch::{run_detached, threads};
use super::metric::Metric;
use crate::batch::neighbors::{knn, within, Query, Stats};
use crate::batch::Evaluator;
use crate::metrics::bound::Level;

/// The neighbours in `x` of query rows [r0, r1) of `q` (all rows by default): with `k`, the k
/// nearest as (distances, indices), each `rows x k`; with `radius`, every one within it as CSR
/// arrays (indptr, indices, data). `exclude_self`: `q` is `x`, and query i is not its own
/// neighbour. `prune=False` computes every pair (the same answer, for comparison);
/// `with_stats=True` returns `(answer, stats)`, stats a dict of pair counts (`neighbors::Stats`).
#[pyfunction]
#[pyo3(signature = (metric, q, x, exclude_self, k=None, radius=None, n_jobs=-1, progress=None, rows=None, names=("queries".to_string(), "X".to_string()), prune=true, with_stats=false))]
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
    prune: bool,
    with_stats: bool,
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
        prune,
    };
    let (answer, stats) = match (k, radius) {
        (Some(k), None) => {
            let (dist, idx, stats) = run_detached(py, progress, |poll| knn(&query, k, nt, poll))?;
            let shape = (dist.len() / k.max(1), k);
            ((dist.into_pyarray(py).reshape(shape)?, idx.into_pyarray(py).reshape(shape)?).into_py_any(py)?, stats)
        }
        (None, Some(r)) => {
            let (indptr, indices, data, stats) = run_detached(py, progress, |poll| within(&query, r, nt, poll))?;
            ((indptr.into_pyarray(py), indices.into_pyarray(py), data.into_pyarray(py)).into_py_any(py)?, stats)
        }
        _ => return Err(PyValueError::new_err("k, radius: give exactly one of them")),
    };
    if !with_stats {
        return Ok(answer);
    }
    let d = PyDict::new(py);
    let Stats { pairs, cheap, groups, points, blocks, reused, abandoned, computed } = stats;
    let counts = [
        ("pairs", pairs),
        ("cheap", cheap),
        ("groups", groups),
        ("points", points),
        ("blocks", blocks),
        ("reused", reused),
        ("abandoned", abandoned),
        ("computed", computed),
    ];
    for (key, v) in counts {
        d.set_item(key, v)?;
    }
    (answer, d).into_py_any(py)
}

/// The lower bounds the queries prune with (`metrics::bound`), of every pair (q[i], x[j]) at
/// `level` ("cheap", "groups" or "points"), as a len(q) x len(x) array; None when the
/// metric has none. For tests and benchmarks: each must be at most the computed distance.
#[pyfunction]
#[pyo3(signature = (metric, q, x, level))]
pub fn lower_bounds(
    py: Python<'_>,
    metric: &Bound<'_, Metric>,
    q: &Bound<'_, ArenaData>,
    x: &Bound<'_, ArenaData>,
    level: &str,
) -> PyResult<Option<Py<PyAny>>> {
    let level = match level {
        "cheap" => Level::Cheap,
        "groups" => Level::Groups,
        "points" => Level::Points,
        "blocks" => Level::Blocks,
        _ => return Err(PyValueError::new_err(format!("level: one of 'cheap', 'groups', 'points', got {level:?}"))),
    };
    let (qd, xd) = (&q.get().0, &x.get().0);
    let spec = &metric.get().spec;
    let (qv, xv) = (qd.view(0, qd.len(), "queries").map_err(to_py)?, xd.view(0, xd.len(), "X").map_err(to_py)?);
    let ev = Evaluator::new(spec, qv, "queries", Some((xv, "X"))).map_err(to_py)?;
    let Some(bd) = ev.bounds() else { return Ok(None) };
    let (nq, n) = (qd.len(), xd.len());
    let v: Vec<f64> = (0..nq * n).map(|k| bd.of(k / n.max(1), k % n.max(1), level)).collect();
    Ok(Some(v.into_pyarray(py).reshape((nq, n))?.into_py_any(py)?))
}
