//! Core errors to Python exceptions.

use pyo3::exceptions::{PyKeyboardInterrupt, PyMemoryError, PyOSError, PyTypeError, PyValueError};
use pyo3::PyErr;

use crate::error::Error;

pub fn to_py(e: Error) -> PyErr {
    match e {
        Error::Value(m) => PyValueError::new_err(m),
        Error::Type(m) => PyTypeError::new_err(m),
        Error::Os(m) => PyOSError::new_err(m),
        Error::Memory(m) => PyMemoryError::new_err(m),
        Error::Cancelled => PyKeyboardInterrupt::new_err("computation cancelled"),
    }
}
