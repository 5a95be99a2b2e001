//! Borrowing numpy buffers as slices. The Python layer has already made inputs C-contiguous
//! float64; these checks turn any slip into an exception rather than a wrong read.

use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

/// A read-only (n, d) float64 C-contiguous array; `name` labels errors.
pub fn points<'py>(arr: &Bound<'py, PyAny>, name: &str) -> PyResult<(PyReadonlyArray2<'py, f64>, usize)> {
    let a = arr.cast::<PyArray2<f64>>().map_err(|_| {
        PyTypeError::new_err(format!("{name}: expected a 2-D float64 numpy array"))
    })?;
    let ro = a
        .try_readonly()
        .map_err(|e| PyValueError::new_err(format!("{name}: cannot borrow the array: {e}")))?;
    if !ro.is_c_contiguous() {
        return Err(PyValueError::new_err(format!("{name}: array must be C-contiguous")));
    }
    let dim = ro.shape()[1];
    Ok((ro, dim))
}

pub fn int_vec<'py>(arr: &Bound<'py, PyAny>, name: &str) -> PyResult<PyReadonlyArray1<'py, i64>> {
    let a = arr.cast::<PyArray1<i64>>().map_err(|_| {
        PyTypeError::new_err(format!("{name}: expected a 1-D int64 numpy array"))
    })?;
    let ro = a
        .try_readonly()
        .map_err(|e| PyValueError::new_err(format!("{name}: cannot borrow the array: {e}")))?;
    if !ro.is_c_contiguous() {
        return Err(PyValueError::new_err(format!("{name}: array must be C-contiguous")));
    }
    Ok(ro)
}
