//! The arena as a Python object: `_core.ArenaData`, which `trajarena.Arena` wraps, holds a
//! `crate::arena::Arena` (owned, mapped with memmap2, or over a Python buffer it keeps alive)
//! and hands out read-only numpy views of it.

use numpy::ndarray::{ArrayView1, ArrayView2};
use numpy::{PyArray1, PyArray2, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use super::errors::to_py;
use super::pack;
use crate::arena::store::vec_for;
use crate::arena::writer::{self, TrajList};
use crate::arena::{self, Arena, Fingerprint, Header, MappedArena};
use crate::error::Error;

#[pyclass(frozen, module = "trajarena._core")]
pub struct ArenaData(pub Arena);

fn header_dict<'py>(py: Python<'py>, h: &Header) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("version", (arena::VERSION_MAJOR, h.version_minor))?;
    d.set_item("dim", h.dim)?;
    d.set_item("n_traj", h.n_traj)?;
    d.set_item("n_points", h.n_points)?;
    d.set_item("total_len", h.total_len)?;
    d.set_item("crc", h.crc)?;
    d.set_item("creator_pid", h.creator_pid)?;
    d.set_item("created_ns", h.created_ns)?;
    Ok(d)
}

/// "arena: ..." messages about a file or buffer as "<label>: arena: ...".
fn labelled(label: &str) -> impl Fn(Error) -> PyErr + '_ {
    move |e| {
        to_py(match e {
            Error::Value(m) => Error::Value(format!("{label}: {m}")),
            other => other,
        })
    }
}

#[pymethods]
impl ArenaData {
    /// Packs a list or tuple of float64 C-contiguous (n >= 1, 2|3) arrays of one dimension, the
    /// usual input, in one copy, checking every value (`name` labels errors). None for anything
    /// else: the Python side converts it and words the errors, then calls this again.
    #[staticmethod]
    fn pack(py: Python<'_>, seq: &Bound<'_, PyAny>, name: &str) -> PyResult<Option<Self>> {
        let Some(list) = pack::arrays_of(seq)? else {
            return Ok(None);
        };
        let total: usize = list.lens.iter().sum();
        let mut offsets = vec_for::<i64>(list.lens.len() + 1, name).map_err(to_py)?;
        let mut coords = vec_for::<f64>(total.saturating_mul(list.dim), name).map_err(to_py)?;
        offsets.push(0);
        let mut at = 0i64;
        for (k, n) in list.lens.iter().enumerate() {
            at += *n as i64;
            offsets.push(at);
            coords.extend_from_slice(list.coords(k));
        }
        let dim = list.dim;
        drop(list);
        let a = py.detach(|| Arena::owned(offsets, coords, dim, name)).map_err(to_py)?;
        Ok(Some(ArenaData(a)))
    }

    /// An arena of no trajectories.
    #[staticmethod]
    #[pyo3(signature = (dim=2))]
    fn empty(dim: usize) -> PyResult<Self> {
        Ok(ArenaData(Arena::owned(vec![0], Vec::new(), dim, "trajs").map_err(to_py)?))
    }

    /// An arena over packed numpy buffers (int64 offsets, float64 (N, d) coordinates), checked
    /// completely. `copy=False` reads them in place and keeps them alive (Arrow's immutable
    /// buffers); `copy=True` packs a copy.
    #[staticmethod]
    fn from_numpy(py: Python<'_>, offsets: &Bound<'_, PyAny>, coords: &Bound<'_, PyAny>, name: &str, copy: bool) -> PyResult<Self> {
        let off = super::arrays::int_vec(offsets, "offsets")?;
        let (xy, dim) = super::arrays::points(coords, "coords")?;
        let (o, c) = (off.as_slice()?, xy.as_slice()?);
        if copy {
            let mut vo = vec_for::<i64>(o.len(), name).map_err(to_py)?;
            let mut vc = vec_for::<f64>(c.len(), name).map_err(to_py)?;
            vo.extend_from_slice(o);
            vc.extend_from_slice(c);
            return Ok(ArenaData(py.detach(|| Arena::owned(vo, vc, dim, name)).map_err(to_py)?));
        }
        let keep: Box<(Py<PyAny>, Py<PyAny>)> = Box::new((offsets.clone().unbind(), coords.clone().unbind()));
        // SAFETY: the two arrays are kept alive by `keep`. Their owner may still write to them
        // (Arrow's buffers are immutable by contract, but may share a numpy array's memory), so
        // the arena is not `validated`: calls check what they read.
        let a = py.detach(|| unsafe { Arena::borrowed(o, c, dim, name, keep) }).map_err(to_py)?;
        Ok(ArenaData(a))
    }

    /// An arena over a 1-D uint8 array holding an arena's bytes, validated completely and read
    /// in place; the array is kept alive. `owned`: the array is a private copy nobody else can
    /// write to, so calls need not check it again.
    #[staticmethod]
    fn from_buffer(py: Python<'_>, buf: &Bound<'_, PyAny>, label: &str, owned: bool) -> PyResult<Self> {
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
        let keep: Box<Py<PyAny>> = Box::new(buf.clone().unbind());
        // SAFETY: `keep` holds the array. Unless it is the caller's private copy, its owner may
        // still write to the buffer behind it: the arena is then not `validated`, and calls
        // check what they read.
        let a = py.detach(|| unsafe { Arena::in_bytes(bytes, None, owned, keep) }).map_err(labelled(label))?;
        Ok(ArenaData(a))
    }

    /// Maps the arena file open at `fd` (a regular file the caller checked): validated
    /// completely, or with a handle's fingerprint, only its header (O(1)).
    #[staticmethod]
    #[pyo3(signature = (fd, label, fingerprint=None))]
    fn map_fd(py: Python<'_>, fd: i32, label: &str, fingerprint: Option<Fingerprint>) -> PyResult<Self> {
        let map = MappedArena::map_fd(fd, label).map_err(to_py)?;
        let a = py.detach(|| Arena::mapped(map, fingerprint)).map_err(labelled(label))?;
        Ok(ArenaData(a))
    }

    /// Writes a list of float64 C-contiguous arrays straight into a sealed arena file (checking
    /// every value first) and returns its header; None for any other input, as for `pack`.
    #[staticmethod]
    fn write_list<'py>(py: Python<'py>, path: std::path::PathBuf, seq: &Bound<'py, PyAny>, name: &str, private: bool) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(list) = pack::arrays_of(seq)? else {
            return Ok(None);
        };
        let items: Vec<&[f64]> = (0..list.lens.len()).map(|k| list.coords(k)).collect();
        for (k, t) in items.iter().enumerate() {
            crate::traj::check_traj(t, list.dim, &format!("{name}[{k}]")).map_err(to_py)?;
        }
        // The GIL stays held while the arrays are read in place (see `pack::ArrayList`).
        let h = writer::write_file(&path, &TrajList { dim: list.dim, items }, private).map_err(to_py)?;
        Ok(Some(header_dict(py, &h)?))
    }

    /// Writes this arena to a sealed arena file and returns its header.
    fn write<'py>(&self, py: Python<'py>, path: std::path::PathBuf, private: bool) -> PyResult<Bound<'py, PyDict>> {
        let x = self.0.view(0, self.0.len(), "arena").map_err(to_py)?;
        let h = py.detach(|| writer::write_file(&path, &x, private)).map_err(to_py)?;
        header_dict(py, &h)
    }

    /// The arena as one sealed `bytes` object.
    fn encode<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let x = self.0.view(0, self.0.len(), "arena").map_err(to_py)?;
        let buf = py.detach(|| writer::encode(&x)).map_err(to_py)?;
        Ok(PyBytes::new(py, &buf))
    }

    fn __len__(&self) -> usize {
        self.0.len()
    }

    #[getter]
    fn dim(&self) -> usize {
        self.0.dim()
    }

    #[getter]
    fn n_points(&self) -> usize {
        self.0.coords().len() / self.0.dim()
    }

    /// (crc, total_len, created_ns) of the header of an arena read from a file or buffer.
    #[getter]
    fn fingerprint(&self) -> Option<Fingerprint> {
        self.0.fingerprint()
    }

    /// False for an arena opened by its handle, whose calls check what they touch.
    #[getter]
    fn validated(&self) -> bool {
        self.0.validated()
    }

    /// Trajectories checked by calls since the arena was made (0 for a validated arena).
    #[getter]
    fn checked(&self) -> u64 {
        self.0.checked()
    }

    /// The offsets as a read-only int64 numpy view that keeps this object alive.
    fn offsets_array<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let view = ArrayView1::from(slf.get().0.offsets());
        // SAFETY: the memory lives as long as `slf`, which numpy keeps as the array's base.
        let a = unsafe { PyArray1::borrow_from_array(&view, slf.clone().into_any()) };
        a.call_method1("setflags", (false,))?;
        Ok(a)
    }

    /// The coordinates as a read-only float64 (n_points, dim) numpy view that keeps this alive.
    fn coords_array<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let me = &slf.get().0;
        let view = ArrayView2::from_shape((me.coords().len() / me.dim(), me.dim()), me.coords())
            .map_err(|e| PyValueError::new_err(format!("arena: {e}")))?;
        // SAFETY: as for `offsets_array`.
        let a = unsafe { PyArray2::borrow_from_array(&view, slf.clone().into_any()) };
        a.call_method1("setflags", (false,))?;
        Ok(a)
    }
}
