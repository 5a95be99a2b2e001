//! Packing a list of trajectories into (offsets, coords) in one call: the fast path of
//! `_inputs.pack` for the common input, float64 C-contiguous (n, 2|3) arrays. Anything else
//! returns None and the Python path converts it and words the errors.

use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::PyTypeInfo;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyList, PyTuple, PyType};

type Packed<'py> = (Bound<'py, PyArray1<i64>>, Bound<'py, PyArray2<f64>>);

/// (offsets, coords) of a list or tuple of float64 C-contiguous (n >= 1, d) arrays of one d,
/// copied once; None for any other input.
#[pyfunction]
pub fn pack_arrays<'py>(py: Python<'py>, seq: &Bound<'py, PyAny>) -> PyResult<Option<Packed<'py>>> {
    let items: Vec<Bound<'py, PyAny>> = if let Ok(l) = seq.cast::<PyList>() {
        l.iter().collect()
    } else if let Ok(t) = seq.cast::<PyTuple>() {
        t.iter().collect()
    } else {
        return Ok(None);
    };
    // Shapes first, without borrowing: a borrow kept per array would make numpy's borrow
    // checker compare each new one with every other on the same base (the views of one big
    // array, as datasets hand out), which is quadratic.
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
    let mut offsets = Vec::with_capacity(arrays.len() + 1);
    offsets.push(0i64);
    let mut total = 0usize;
    for a in &arrays {
        total += a.shape()[0];
        offsets.push(total as i64);
    }
    let mut coords = Vec::with_capacity(total * dim);
    for a in &arrays {
        // Borrowed for the copy only.
        let Ok(ro) = a.try_readonly() else {
            return Ok(None);
        };
        coords.extend_from_slice(ro.as_slice()?);
    }
    let coords = Array2::from_shape_vec((total, dim), coords).expect("sizes add up");
    Ok(Some((offsets.into_pyarray(py), coords.into_pyarray(py))))
}

/// x as a float64 array if it is C-contiguous with shape (n >= 1, 2|3), and a plain ndarray or
/// np.memmap: a subclass can give its buffer a meaning of its own (a masked array's mask), which
/// the Python path checks.
fn suitable<'py>(x: &Bound<'py, PyAny>) -> Option<Bound<'py, PyArray2<f64>>> {
    let a = x.cast::<PyArray2<f64>>().ok()?;
    let t = x.get_type();
    if !t.is(PyUntypedArray::type_object(x.py())) && !is_memmap(&t) {
        return None;
    }
    let s = a.shape();
    (a.is_c_contiguous() && s[0] > 0 && (s[1] == 2 || s[1] == 3)).then(|| a.clone())
}

/// Whether `t` is exactly np.memmap (datasets and arenas hand those out; they are plain buffers).
fn is_memmap(t: &Bound<'_, PyType>) -> bool {
    static MEMMAP: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    MEMMAP
        .import(t.py(), "numpy", "memmap")
        .is_ok_and(|m| t.is(m))
}
