//! pdist / cdist / paired over arenas (`ArenaData`), written into the caller's output buffer
//! with the GIL released; the calling thread polls for Ctrl-C and reports progress.

use numpy::{PyArray1, PyArrayMethods, PyReadwriteArray1, PyUntypedArrayMethods};
use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use std::ops::Range;

use super::arena::ArenaData;
use super::arrays::int_vec;
use super::errors::to_py;
use super::metric::Metric;
use crate::batch::{condensed, executor, task, OutSlice, PairIndex};
use crate::error::Error;

/// The output buffer, borrowed writable for the duration of the call.
enum Out<'py> {
    F64(PyReadwriteArray1<'py, f64>),
    F32(PyReadwriteArray1<'py, f32>),
}

fn borrow_out<'py>(out: &Bound<'py, PyAny>) -> PyResult<Out<'py>> {
    let rw = |e: numpy::BorrowError| PyValueError::new_err(format!("out: cannot write to the array: {e}"));
    let o = if let Ok(a) = out.cast::<PyArray1<f64>>() {
        Out::F64(a.try_readwrite().map_err(rw)?)
    } else if let Ok(a) = out.cast::<PyArray1<f32>>() {
        Out::F32(a.try_readwrite().map_err(rw)?)
    } else {
        return Err(PyTypeError::new_err("out: expected a 1-D float64 or float32 numpy array"));
    };
    let contiguous = match &o {
        Out::F64(a) => a.is_c_contiguous(),
        Out::F32(a) => a.is_c_contiguous(),
    };
    if !contiguous {
        return Err(PyValueError::new_err("out: array must be C-contiguous"));
    }
    Ok(o)
}

impl Out<'_> {
    fn len(&self) -> u64 {
        match self {
            Out::F64(a) => a.len() as u64,
            Out::F32(a) => a.len() as u64,
        }
    }

    /// The bytes the buffer spans, to check it against the inputs' memory.
    fn bytes(&self) -> PyResult<Range<usize>> {
        Ok(match self {
            Out::F64(a) => span(a.as_slice()?),
            Out::F32(a) => span(a.as_slice()?),
        })
    }

    fn slice(&mut self) -> PyResult<OutSlice<'_>> {
        Ok(match self {
            Out::F64(a) => OutSlice::F64(a.as_slice_mut()?),
            Out::F32(a) => OutSlice::F32(a.as_slice_mut()?),
        })
    }
}

/// The most threads or processes one call may ask for: far above any machine's cores, far
/// below what would exhaust the system's thread table.
pub const MAX_JOBS: i64 = 1024;

fn span<T>(s: &[T]) -> Range<usize> {
    let p = s.as_ptr() as usize;
    p..p + std::mem::size_of_val(s)
}

/// Refuses an output buffer that shares memory with an input: the results would overwrite the
/// trajectories (or the indices) while they are being read.
fn check_apart(out: &Out, inputs: &[(String, Range<usize>)]) -> PyResult<()> {
    let o = out.bytes()?;
    for (name, r) in inputs {
        if o.start < r.end && r.start < o.end && !o.is_empty() && !r.is_empty() {
            return Err(PyValueError::new_err(format!(
                "out: shares memory with {name}; writing the results would overwrite the input. \
                 Pass a separate buffer"
            )));
        }
    }
    Ok(())
}

pub(super) fn threads(n_jobs: i64) -> PyResult<usize> {
    let cores = executor::available_cores() as i64;
    match n_jobs {
        0 => Err(PyValueError::new_err("n_jobs: must be None, -1 (all cores), or a non-zero integer")),
        k if !(-MAX_JOBS..=MAX_JOBS).contains(&k) => Err(PyValueError::new_err(format!(
            "n_jobs: {k} is outside [-{MAX_JOBS}, {MAX_JOBS}]; at most {MAX_JOBS} threads, \
             -1 for all cores"
        ))),
        k if k < 0 => Ok((cores + 1 + k).max(1) as usize),
        k => Ok(k as usize),
    }
}

/// Runs `job` without the GIL; `progress` (a callable or None) gets (done, total) about every
/// 100 ms, and a pending KeyboardInterrupt stops the workers and is re-raised.
pub(super) fn run_detached<T: Send>(
    py: Python<'_>,
    progress: Option<Py<PyAny>>,
    job: impl FnOnce(&mut dyn FnMut(u64, u64) -> crate::Result<()>) -> crate::Result<T> + Send,
) -> PyResult<T> {
    let mut raised: Option<PyErr> = None;
    let res = py.detach(|| {
        let mut poll = |done: u64, total: u64| -> crate::Result<()> {
            Python::attach(|py| {
                let r = py.check_signals().and_then(|_| match &progress {
                    Some(cb) => cb.call1(py, (done, total)).map(|_| ()),
                    None => Ok(()),
                });
                r.map_err(|e| {
                    raised = Some(e);
                    Error::Cancelled
                })
            })
        };
        job(&mut poll)
    });
    match (res, raised) {
        (Ok(v), _) => Ok(v),
        (Err(Error::Cancelled), Some(e)) => Err(e),
        (Err(e), _) => Err(to_py(e)),
    }
}

fn expect_len(out: &Out, want: u64) -> PyResult<()> {
    let have = out.len();
    if have != want {
        return Err(PyValueError::new_err(format!("out: expected {want} elements, got {have}")));
    }
    Ok(())
}

/// Condensed entries [start, start + len(out)) of the pdist of X.
#[pyfunction]
#[pyo3(signature = (metric, x, out, n_jobs=-1, progress=None, start=0, name="X"))]
#[allow(clippy::too_many_arguments)]
pub fn pdist(
    py: Python<'_>,
    metric: &Bound<'_, Metric>,
    x: &Bound<'_, ArenaData>,
    out: &Bound<'_, PyAny>,
    n_jobs: i64,
    progress: Option<Py<PyAny>>,
    start: u64,
    name: &str,
) -> PyResult<()> {
    let spec = &metric.get().spec;
    let x = &x.get().0;
    let mut o = borrow_out(out)?;
    check_apart(&o, &x.memory(name))?;
    let nt = threads(n_jobs)?;
    let slice = o.slice()?;
    run_detached(py, progress, |poll| task::pdist(spec, x, name, start, slice, nt, poll))
}

/// Rows [row0, row0+rows) x columns [col0, col0+cols) of the cdist of XA and XB, row-major;
/// `out` receives the block's flat entries [start, start + len(out)).
#[pyfunction]
#[pyo3(signature = (metric, a, b, out, n_jobs=-1, progress=None, rows=None, cols=None, start=0, names=None))]
#[allow(clippy::too_many_arguments)]
pub fn cdist(
    py: Python<'_>,
    metric: &Bound<'_, Metric>,
    a: &Bound<'_, ArenaData>,
    b: &Bound<'_, ArenaData>,
    out: &Bound<'_, PyAny>,
    n_jobs: i64,
    progress: Option<Py<PyAny>>,
    rows: Option<(u64, u64)>,
    cols: Option<(u64, u64)>,
    start: u64,
    names: Option<(String, String)>,
) -> PyResult<()> {
    let spec = &metric.get().spec;
    let (a, b) = (&a.get().0, &b.get().0);
    let names = names.as_ref().map_or(("XA", "XB"), |(x, y)| (x.as_str(), y.as_str()));
    let rows = rows.unwrap_or((0, a.len() as u64));
    let cols = cols.unwrap_or((0, b.len() as u64));
    let mut o = borrow_out(out)?;
    let [xa, oa] = a.memory(names.0);
    let [xb, ob] = b.memory(names.1);
    check_apart(&o, &[xa, oa, xb, ob])?;
    let nt = threads(n_jobs)?;
    let slice = o.slice()?;
    run_detached(py, progress, |poll| task::cdist(spec, a, b, names, rows, cols, start, slice, nt, poll))
}

/// out[k] = d(X[i[k]], X[j[k]]).
#[pyfunction]
#[pyo3(signature = (metric, x, i, j, out, n_jobs=-1, progress=None))]
#[allow(clippy::too_many_arguments)]
pub fn paired(
    py: Python<'_>,
    metric: &Bound<'_, Metric>,
    x: &Bound<'_, ArenaData>,
    i: &Bound<'_, PyAny>,
    j: &Bound<'_, PyAny>,
    out: &Bound<'_, PyAny>,
    n_jobs: i64,
    progress: Option<Py<PyAny>>,
) -> PyResult<()> {
    let spec = &metric.get().spec;
    let x = &x.get().0;
    let (ii, jj) = (int_vec(i, "i")?, int_vec(j, "j")?);
    let (is, js) = (ii.as_slice()?, jj.as_slice()?);
    PairIndex::check_list(is, js, x.len(), x.len()).map_err(to_py)?;
    let mut o = borrow_out(out)?;
    expect_len(&o, is.len() as u64)?;
    let [xc, xo] = x.memory("X");
    check_apart(&o, &[xc, xo, ("i".to_string(), span(is)), ("j".to_string(), span(js))])?;
    let nt = threads(n_jobs)?;
    let slice = o.slice()?;
    run_detached(py, progress, |poll| task::paired(spec, x, "X", is, js, slice, nt, poll))
}

/// A non-negative Python integer (anything with `__index__`) as u128, or None when it is
/// 2^128 or more; `name` labels the errors.
fn uint_arg(v: &Bound<'_, PyAny>, name: &str) -> PyResult<Option<u128>> {
    let i = v.call_method0("__index__").map_err(|_| {
        let t = v.get_type().name().map(|t| t.to_string()).unwrap_or_default();
        PyTypeError::new_err(format!("{name}: expected an integer, got {t}"))
    })?;
    if i.lt(0)? {
        return Err(PyValueError::new_err(format!("{name}: must be >= 0, got {i}")));
    }
    Ok(i.extract::<u128>().ok())
}

/// n as u64 and at least 2.
fn n_arg(v: &Bound<'_, PyAny>) -> PyResult<u64> {
    let n = uint_arg(v, "n")?.and_then(|n| u64::try_from(n).ok()).ok_or_else(|| {
        PyOverflowError::new_err(format!("n: too large: {v} (at most 2**64 - 1 = {})", u64::MAX))
    })?;
    if n < 2 {
        return Err(PyValueError::new_err(format!("n: need at least 2 items for a pair, got {n}")));
    }
    Ok(n)
}

/// Position of pair (i, j) in the condensed vector of n items (order of i and j does not matter).
/// Exact for every n < 2^64 (the position itself may pass 2^64).
#[pyfunction]
pub fn condensed_index(n: &Bound<'_, PyAny>, i: &Bound<'_, PyAny>, j: &Bound<'_, PyAny>) -> PyResult<u128> {
    let n = n_arg(n)?;
    let (iv, jv) = (uint_arg(i, "i")?, uint_arg(j, "j")?);
    let below = |x: Option<u128>| x.filter(|&x| x < n as u128).map(|x| x as u64);
    let (lo, hi) = match (below(iv), below(jv)) {
        (Some(a), Some(b)) if a != b => (a.min(b), a.max(b)),
        _ => {
            return Err(PyValueError::new_err(format!(
                "i, j: need two different indices below n={n}, got ({i}, {j})"
            )))
        }
    };
    Ok(condensed::index_exact(n, lo, hi))
}

/// The pair (i, j), i < j, at position k of the condensed vector of n items.
#[pyfunction]
pub fn condensed_pair(n: &Bound<'_, PyAny>, k: &Bound<'_, PyAny>) -> PyResult<(u64, u64)> {
    let n = n_arg(n)?;
    let m = condensed::pairs_exact(n);
    match uint_arg(k, "k")? {
        Some(kv) if kv < m => Ok(condensed::pair_exact(n, kv)),
        _ => Err(PyValueError::new_err(format!("k: {k} is outside the {m} pairs of n={n}"))),
    }
}

#[pyfunction]
pub fn available_cores() -> usize {
    executor::available_cores()
}

fn lengths_of(x: &Bound<'_, ArenaData>, name: &str) -> PyResult<Vec<u64>> {
    x.get()
        .0
        .offsets()
        .windows(2)
        .enumerate()
        .map(|(i, w)| {
            u64::try_from(w[1] - w[0])
                .map_err(|_| PyValueError::new_err(format!("{name}: offsets decrease at trajectory {i}")))
        })
        .collect()
}

/// Contiguous ranges of the condensed pdist vector with about equal cost (sum of n_i * n_j).
#[pyfunction]
pub fn plan_condensed(x: &Bound<'_, ArenaData>, n_tasks: usize) -> PyResult<Vec<(u64, u64)>> {
    Ok(crate::batch::plan::condensed_ranges(&lengths_of(x, "arena")?, n_tasks))
}

/// Contiguous ranges of the flat row-major cdist output with about equal cost.
#[pyfunction]
pub fn plan_rect(a: &Bound<'_, ArenaData>, b: &Bound<'_, ArenaData>, n_tasks: usize) -> PyResult<Vec<(u64, u64)>> {
    Ok(crate::batch::plan::rect_ranges(&lengths_of(a, "arena_a")?, &lengths_of(b, "arena_b")?, n_tasks))
}
