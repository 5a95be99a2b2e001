//! Arena bindings: write a sealed file, encode to bytes, and validate a mapped buffer. The Python
//! `Arena` maps files itself (mmap) and builds numpy views at the offsets returned here.

use numpy::{PyArray1, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use super::arrays::{int_vec, points};
use super::errors::to_py;
use crate::arena::{self, ArenaBytes, Header};
use crate::traj::Collection;

fn header_dict<'py>(py: Python<'py>, h: &Header) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("version", (arena::VERSION_MAJOR, h.version_minor))?;
    d.set_item("dim", h.dim)?;
    d.set_item("n_traj", h.n_traj)?;
    d.set_item("n_points", h.n_points)?;
    d.set_item("offsets_at", h.offsets.offset)?;
    d.set_item("coords_at", h.coords.offset)?;
    d.set_item("total_len", h.total_len)?;
    d.set_item("crc", h.crc)?;
    d.set_item("creator_pid", h.creator_pid)?;
    d.set_item("created_ns", h.created_ns)?;
    Ok(d)
}

/// Checks packed trajectories (monotone offsets, no empty trajectory, finite values).
#[pyfunction]
pub fn check_packed(offsets: &Bound<'_, PyAny>, coords: &Bound<'_, PyAny>, name: &str) -> PyResult<()> {
    let off = int_vec(offsets, "offsets")?;
    let (xy, dim) = points(coords, "coords")?;
    Collection::new(off.as_slice()?, xy.as_slice()?, dim, name).map_err(to_py)?;
    Ok(())
}

/// Runs `f` on packed trajectories after checking them, labelled "trajs" in errors.
fn with_packed<T>(
    offsets: &Bound<'_, PyAny>,
    coords: &Bound<'_, PyAny>,
    f: impl FnOnce(&Collection) -> T,
) -> PyResult<T> {
    let off = int_vec(offsets, "offsets")?;
    let (xy, dim) = points(coords, "coords")?;
    let x = Collection::new(off.as_slice()?, xy.as_slice()?, dim, "trajs").map_err(to_py)?;
    Ok(f(&x))
}

/// Writes a sealed arena file atomically (temporary name, flush, seal, rename); returns its header.
/// `private=True`: mode 0600, for files the library names itself; `False`: 0666 less the umask,
/// for a path the user chose. Required, so no caller gets either by accident.
#[pyfunction]
#[pyo3(signature = (path, offsets, coords, *, private))]
pub fn arena_write<'py>(
    py: Python<'py>,
    path: std::path::PathBuf,
    offsets: &Bound<'py, PyAny>,
    coords: &Bound<'py, PyAny>,
    private: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let h = with_packed(offsets, coords, |x| py.detach(|| arena::write_file(&path, x, private)))?
        .map_err(to_py)?;
    header_dict(py, &h)
}

/// The whole arena as one `bytes` object (sealed), e.g. for a Ray object store or a socket.
#[pyfunction]
pub fn arena_encode<'py>(
    py: Python<'py>,
    offsets: &Bound<'py, PyAny>,
    coords: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    let buf = with_packed(offsets, coords, |x| py.detach(|| arena::writer::encode(x)))?;
    Ok(PyBytes::new(py, &buf))
}

/// Validates an arena held in a 1-D uint8 array (a view of a map or of any buffer) completely:
/// header, sections, offsets, and every trajectory's values. Returns the header fields.
#[pyfunction]
pub fn arena_parse<'py>(py: Python<'py>, buf: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    let a = buf
        .cast::<PyArray1<u8>>()
        .map_err(|_| PyTypeError::new_err("buffer: expected a 1-D uint8 numpy array"))?;
    let ro = a
        .try_readonly()
        .map_err(|e| PyValueError::new_err(format!("buffer: cannot borrow the array: {e}")))?;
    if !ro.is_c_contiguous() {
        return Err(PyValueError::new_err("buffer: must be contiguous"));
    }
    let bytes = ro.as_slice()?;
    let header = py
        .detach(|| {
            let view = ArenaBytes::parse(bytes)?;
            view.collection("arena")?;
            Ok(view.header)
        })
        .map_err(to_py)?;
    header_dict(py, &header)
}
