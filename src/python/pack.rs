//! Reading a list of trajectories in place: the usual input, float64 C-contiguous (n, 2|3)
//! arrays of one dimension, goes straight into an arena (or an arena file) in one copy. Anything
//! else is left to the Python side, which converts it and words the errors.

use numpy::{PyArray2, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyList, PyTuple, PyType};
use pyo3::PyTypeInfo;

/// The arrays of a list or tuple, checked for shape, dtype and layout, with their lengths.
pub struct ArrayList<'py> {
    arrays: Vec<Bound<'py, PyArray2<f64>>>,
    pub lens: Vec<usize>,
    pub dim: usize,
}

impl ArrayList<'_> {
    /// Array k's values, point-major.
    pub fn coords(&self, k: usize) -> &[f64] {
        // SAFETY: `suitable` checked that the array is float64, aligned and C-contiguous, so its data is
        // one slice of lens[k] * dim values. The GIL is held for as long as the slice lives (the
        // list holds `Bound`s and cannot leave the thread), so no Python code writes to the
        // array meanwhile. numpy's borrow flags are not taken: a flag per array would make
        // numpy compare each new borrow with every other on the same base (the views of one big
        // array, as datasets hand out), which is quadratic.
        unsafe { self.arrays[k].as_slice() }.expect("checked aligned and C-contiguous")
    }
}

/// The arrays of `seq` if it is a non-empty list or tuple of float64 C-contiguous (n >= 1, d)
/// arrays of one d in {2, 3}; None for any other input.
pub fn arrays_of<'py>(seq: &Bound<'py, PyAny>) -> PyResult<Option<ArrayList<'py>>> {
    let items: Vec<Bound<'py, PyAny>> = if let Ok(l) = seq.cast::<PyList>() {
        l.iter().collect()
    } else if let Ok(t) = seq.cast::<PyTuple>() {
        t.iter().collect()
    } else {
        return Ok(None);
    };
    let mut arrays = Vec::with_capacity(items.len());
    for x in &items {
        let Some(a) = suitable(x) else {
            return Ok(None);
        };
        arrays.push(a);
    }
    let Some(dim) = arrays.first().map(|a| a.shape()[1]) else {
        return Ok(None);
    };
    if arrays.iter().any(|a| a.shape()[1] != dim) {
        return Ok(None);
    }
    let lens = arrays.iter().map(|a| a.shape()[0]).collect();
    Ok(Some(ArrayList { arrays, lens, dim }))
}

/// x as a float64 array if it is C-contiguous and aligned with shape (n >= 1, 2|3), and a plain ndarray or
/// np.memmap: a subclass can give its buffer a meaning of its own (a masked array's mask), which
/// the Python path checks.
fn suitable<'py>(x: &Bound<'py, PyAny>) -> Option<Bound<'py, PyArray2<f64>>> {
    let a = x.cast::<PyArray2<f64>>().ok()?;
    let t = x.get_type();
    if !t.is(PyUntypedArray::type_object(x.py())) && !is_memmap(&t) {
        return None;
    }
    let s = a.shape();
    (a.is_c_contiguous() && a.is_aligned() && s[0] > 0 && (s[1] == 2 || s[1] == 3)).then(|| a.clone())
}

/// Whether `t` is exactly np.memmap (datasets and arenas hand those out; they are plain buffers).
fn is_memmap(t: &Bound<'_, PyType>) -> bool {
    static MEMMAP: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    MEMMAP
        .import(t.py(), "numpy", "memmap")
        .is_ok_and(|m| t.is(m))
}
