"""pdist / cdist / paired: turn the input into an arena once (packed in Rust), validate the
output buffer, hand both to the core, which writes every distance in place with the GIL
released."""

from __future__ import annotations

import os
from typing import Any, Callable, Optional, Tuple, Union, overload

import numpy as np
import numpy.typing as npt

from contextlib import ExitStack

from . import _backends, _core, _engine_calls, _engines, _npy_out, _zarr_out
from . import _shared_files as files
from ._arena import Arena
from ._core import Metric
from ._inputs import arena_data, metric_of
from ._progress import Reporter

# What the batch calls take. Trajectories: a sequence of (n, 2|3) array-likes, an Arena, an
# Arrow / GeoArrow array, a polars Series, a GeoDataFrame / GeoSeries of LineStrings, a
# MovingPandas TrajectoryCollection.
Trajectories = Any
MetricLike = Union[str, Metric, Callable[..., Any]]
ProgressLike = Union[bool, None, Callable[[int, int], Any]]
FloatArray = npt.NDArray[np.floating[Any]]
PathLike = Union[str, "os.PathLike[str]"]

_BACKENDS = ("threads", "joblib", "multiprocessing", "dask", "ray")
_PROCESS = ("joblib", "multiprocessing")
_REMOTE = ("dask", "ray")
# The most threads or processes one call may ask for (Rust's `threads` has the same bound): far
# above any machine's cores, far below what would exhaust the system's thread table.
MAX_JOBS = 1024


def _n_jobs(n_jobs: Optional[int]) -> int:
    if n_jobs is None:
        return -1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)):
        raise TypeError(f"n_jobs: expected None or an integer, got {type(n_jobs).__name__}")
    if n_jobs == 0:
        raise ValueError("n_jobs: must be None, -1 (all cores), or a non-zero integer")
    if not -MAX_JOBS <= n_jobs <= MAX_JOBS:
        raise ValueError(f"n_jobs: {n_jobs} is outside [-{MAX_JOBS}, {MAX_JOBS}]; "
                         f"at most {MAX_JOBS} threads or processes, -1 for all cores")
    return int(n_jobs)


def _backend(backend: str) -> None:
    if backend not in _BACKENDS:
        raise ValueError(f"backend: unknown backend {backend!r}; use one of {', '.join(map(repr, _BACKENDS))}")


def _resume(resume: Any, out: Any) -> bool:
    if not isinstance(resume, (bool, np.bool_)):
        raise TypeError(f"resume: expected True or False, got {type(resume).__name__}")
    if resume and not _zarr_out.is_zarr_path(out):
        raise ValueError("resume: applies to a .zarr output only (out='result.zarr'); "
                         f"got out={out!r}")
    return bool(resume)


def _remote_out(out: Any, shape: Tuple[int, ...], dtype: Any, eng: Any,
                stack: ExitStack) -> Tuple[np.ndarray, Optional[Tuple[str, int]]]:
    """For Dask and Ray: the result array and the file (path, byte offset) the workers write
    into in place, if any. A .npy path is that file (on a filesystem the workers share).
    With out=None the result lives in a shared file of this machine when every worker sees it
    (a local cluster); else the tasks return their ranges and this process copies them."""
    if out is None:
        dt = _dtype(dtype)  # checked before the cluster is reached
        if not eng.local():
            return np.empty(shape, dtype=dt), None
        res, where = _process_out(None, shape, dtype, stack)
        return res, (where if where is not None and eng.sees(where[0]) else None)
    res = prepare_out(out, shape, dtype, stack)
    if isinstance(out, (str, os.PathLike)) and isinstance(res, np.memmap):
        return res, (res.filename, res.offset)
    return res, None


def _workers(nj: int) -> int:
    cores = _core.available_cores()
    return max(1, cores + 1 + nj) if nj < 0 else nj


def _start_method(backend: str, start_method: Optional[str]) -> Optional[str]:
    if start_method is None:
        return None
    if backend != "multiprocessing":
        raise ValueError(f"start_method: only applies to backend='multiprocessing', not {backend!r}")
    import multiprocessing as mp

    if start_method not in mp.get_all_start_methods():
        raise ValueError(f"start_method: {start_method!r} is not available here; "
                         f"use one of {mp.get_all_start_methods()}")
    return start_method


def _process_out(out: Any, shape: Tuple[int, ...], dtype: Any,
                 stack: ExitStack) -> Tuple[np.ndarray, Optional[Tuple[str, int]]]:
    """For process backends: the result array and, when this call made the file behind it,
    where that file is (path, byte offset), so workers can map it without a lookup. With
    out=None the result lives in a shared file unlinked when the call ends (the returned array
    keeps the memory); a .npy path gets its file from `prepare_out`."""
    if out is not None:
        res = prepare_out(out, shape, dtype, stack)
        own = isinstance(out, (str, os.PathLike)) and isinstance(res, np.memmap)
        return res, ((res.filename, res.offset) if own else None)
    dt = _dtype(dtype)
    nbytes = int(np.prod(shape)) * dt.itemsize
    if nbytes == 0:
        return np.empty(shape, dtype=dt), None
    path, at = files.create_out(nbytes)
    stack.callback(files.unlink_quietly, path)
    return np.asarray(np.memmap(path, dtype=dt, mode="r+", offset=at, shape=shape)), (path, at)


def _dtype(dtype: Any) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype: not a numpy dtype: {dtype!r}") from None
    if dt not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise ValueError(f"dtype: must be 'float64' or 'float32', got {dt}")
    return dt


def prepare_out(out: Any, shape: Tuple[int, ...], dtype: Any, stack: ExitStack) -> np.ndarray:
    """The array results go into: a new one, the caller's own (checked), or a new .npy memmap
    that becomes the file at the path when `stack` closes without an error."""
    dt = _dtype(dtype)
    if out is None:
        return np.empty(shape, dtype=dt)
    if isinstance(out, (str, os.PathLike)):
        path = os.fspath(out)
        if not isinstance(path, str) or not path.endswith(".npy"):
            raise ValueError(f"out: a path must end in .npy, got {path!r}")
        return _npy_out.create(path, shape, dt, stack)
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out: expected None, a numpy array or a .npy path, got {type(out).__name__}")
    if out.shape != shape:
        raise ValueError(f"out: expected shape {shape}, got {out.shape}")
    if out.dtype != dt:
        raise ValueError(f"out: has dtype {out.dtype} but dtype={dt.name!r}; pass dtype={out.dtype.name!r}")
    if not out.flags.writeable:
        raise ValueError("out: array is read-only")
    if not out.flags.c_contiguous:
        raise ValueError("out: array must be C-contiguous")
    return out


def _flat(out: np.ndarray) -> np.ndarray:
    # A 1-D view of the caller's buffer (np.memmap included); never a copy.
    flat = out.reshape(-1)
    if flat.size and not np.shares_memory(flat, out):
        raise ValueError("out: cannot view the array as 1-D without copying")
    return flat.view(np.ndarray)


def _symmetric(m: Metric) -> bool:
    return bool(getattr(m, "symmetric", False))


def _mirror(cond: np.ndarray, res: np.ndarray) -> None:
    """Fills the off-diagonal entries of the square `res` from the condensed vector `cond`."""
    n = res.shape[0]
    k = 0
    for i in range(n - 1):
        row = cond[k:k + n - i - 1]
        res[i, i + 1:] = row
        res[i + 1:, i] = row
        k += n - i - 1


@overload
def pdist(X: Trajectories, metric: MetricLike = ..., *, n_jobs: Optional[int] = ...,
          out: Optional[np.ndarray] = ..., dtype: npt.DTypeLike = ..., progress: ProgressLike = ...,
          backend: str = ..., start_method: Optional[str] = ..., resume: bool = ...,
          **params: Any) -> FloatArray: ...
@overload
def pdist(X: Trajectories, metric: MetricLike = ..., *, n_jobs: Optional[int] = ...,
          out: PathLike, dtype: npt.DTypeLike = ..., progress: ProgressLike = ...,
          backend: str = ..., start_method: Optional[str] = ..., resume: bool = ...,
          **params: Any) -> Any: ...
def pdist(X: Trajectories, metric: MetricLike = "dtw", *, n_jobs: Optional[int] = None, out: Any = None,
          dtype: npt.DTypeLike = "float64", progress: ProgressLike = False, backend: str = "threads",
          start_method: Optional[str] = None, resume: bool = False, **params: Any) -> Any:
    """The condensed distance vector of all pairs of X, in scipy's order ((0,1), (0,2), ...).

    Parameters
    ----------
    X : trajectories
        A sequence of (n, 2|3) array-likes, an `Arena`, an Arrow/GeoArrow array or polars
        Series, a GeoDataFrame/GeoSeries of LineStrings, a MovingPandas TrajectoryCollection.
    metric : str, Metric or single-pair function
        ``"dtw"``, ``ta.Metric("lcss", eps=50.0)`` or ``ta.dtw``; its parameters in ``**params``.
    n_jobs : int, optional
        Threads or worker processes: None or -1 for all cores, -2 for all but one.
    out : None, ndarray, or a path ending in .npy or .zarr
        Where the result goes: a new array; your C-contiguous array of the right shape and
        dtype; a .npy file written in place and returned as an ``np.memmap``; or a zarr v3
        array written chunk by chunk (returned as a ``zarr.Array``).
    dtype : {"float64", "float32"}
    progress : bool or callable(done, total)
        A tqdm bar (True), or your callback.
    backend : {"threads", "joblib", "multiprocessing", "dask", "ray"}
        Rust threads in this process; worker processes that get the arena's handle and index
        ranges; or the current Dask / Ray cluster (a local one is started when there is none).
    start_method : {None, "fork", "spawn", "forkserver"}
        For ``backend="multiprocessing"`` only.
    resume : bool
        With a .zarr ``out``: finish a store an interrupted call left, computing only its
        missing chunks.

    Returns
    -------
    ndarray of shape (n * (n - 1) / 2,); ``scipy.spatial.distance.squareform`` makes it square.

    Raises
    ------
    ValueError, TypeError
        Bad input, naming the argument and the trajectory index.
    FileExistsError
        A non-empty .zarr store without ``resume=True``.
    """
    m = metric_of(metric, params)
    _backend(backend)
    sm = _start_method(backend, start_method)
    nj = _n_jobs(n_jobs)
    if _resume(resume, out) or _zarr_out.is_zarr_path(out):
        dt = _dtype(dtype)
        eng = _engines.engine(backend, nj, _workers(nj), sm)
        return _engine_calls.zarr("pdist", [X], m, out, dt, bool(resume), eng, progress)
    if backend in _REMOTE:
        with ExitStack() as stack:
            eng = _engines.engine(backend, nj, _workers(nj), sm)
            arena = eng.arena(stack, X, "X")
            _engine_calls.check_inputs(m, arena, arena, ("X", "X"))
            n = len(arena)
            res, into = _remote_out(out, (n * (n - 1) // 2,), dtype, eng, stack)
            with Reporter(progress, res.size, f"pdist {m.name}") as cb:
                _engine_calls.ranges("pdist", arena, arena, m, res, into, eng, cb)
        return res
    if backend in _PROCESS:
        with ExitStack() as stack:
            arena = X if isinstance(X, Arena) else _backends.shareable(stack, X, "X")
            n = len(arena)
            res, where = _process_out(out, (n * (n - 1) // 2,), dtype, stack)
            with Reporter(progress, res.size, f"pdist {m.name}") as cb:
                _backends.pdist(arena, m, res, where, backend, _workers(nj), cb, sm)
        return res
    x = arena_data(X, "X")
    n = len(x)
    with ExitStack() as stack:
        res = prepare_out(out, (n * (n - 1) // 2,), dtype, stack)
        with Reporter(progress, res.size, f"pdist {m.name}") as cb:
            _core.pdist(m, x, _flat(res), n_jobs=nj, progress=cb)
    return res


@overload
def cdist(XA: Trajectories, XB: Trajectories, metric: MetricLike = ..., *, n_jobs: Optional[int] = ...,
          out: Optional[np.ndarray] = ..., dtype: npt.DTypeLike = ..., progress: ProgressLike = ...,
          backend: str = ..., start_method: Optional[str] = ..., resume: bool = ...,
          **params: Any) -> FloatArray: ...
@overload
def cdist(XA: Trajectories, XB: Trajectories, metric: MetricLike = ..., *, n_jobs: Optional[int] = ...,
          out: PathLike, dtype: npt.DTypeLike = ..., progress: ProgressLike = ...,
          backend: str = ..., start_method: Optional[str] = ..., resume: bool = ...,
          **params: Any) -> Any: ...
def cdist(XA: Trajectories, XB: Trajectories, metric: MetricLike = "dtw", *, n_jobs: Optional[int] = None,
          out: Any = None, dtype: npt.DTypeLike = "float64", progress: ProgressLike = False,
          backend: str = "threads", start_method: Optional[str] = None, resume: bool = False,
          **params: Any) -> Any:
    """The (len(XA), len(XB)) matrix of distances between every trajectory of XA and of XB.

    Parameters
    ----------
    XA, XB : trajectories
        As X of `pdist`. ``cdist(X, X)`` with the same object twice computes each pair of a
        symmetric metric once and mirrors it; the diagonal is computed too (d(A, A) is not 0
        for every metric: LCSS and EDR with eps = 0 give 1).
    metric, n_jobs, out, dtype, progress, backend, start_method, resume, **params
        As for `pdist`; a .zarr ``out`` is a 2-D array.

    Returns
    -------
    ndarray of shape (len(XA), len(XB)).
    """
    m = metric_of(metric, params)
    _backend(backend)
    sm = _start_method(backend, start_method)
    nj = _n_jobs(n_jobs)
    same = XB is XA
    if _resume(resume, out) or _zarr_out.is_zarr_path(out):
        dt = _dtype(dtype)
        eng = _engines.engine(backend, nj, _workers(nj), sm)
        return _engine_calls.zarr("cdist", [XA, XB], m, out, dt, bool(resume), eng, progress)
    if backend in _REMOTE:
        with ExitStack() as stack:
            eng = _engines.engine(backend, nj, _workers(nj), sm)
            a = eng.arena(stack, XA, "XA")
            b = a if same else eng.arena(stack, XB, "XB")
            _engine_calls.check_inputs(m, a, b, ("XA", "XB"))
            res, into = _remote_out(out, (len(a), len(b)), dtype, eng, stack)

            def remote_pdist(cb: Any) -> np.ndarray:
                cond, cinto = _remote_out(None, _condensed_shape(len(a)), res.dtype, eng, stack)
                _engine_calls.ranges("pdist", a, a, m, cond, cinto, eng, cb)
                return cond

            _square(m, a._checked_data(), res, same, nj, progress, remote_pdist,
                     lambda cb: _engine_calls.ranges("cdist", a, b, m, res, into, eng, cb))
        return res
    if backend in _PROCESS:
        with ExitStack() as stack:
            a = XA if isinstance(XA, Arena) else _backends.shareable(stack, XA, "XA")
            b = a if same else (XB if isinstance(XB, Arena) else _backends.shareable(stack, XB, "XB"))
            if len(a) and len(b) and a.dim != b.dim:
                raise ValueError(f"XB: has {b.dim}-D points but XA has {a.dim}-D points")
            res, where = _process_out(out, (len(a), len(b)), dtype, stack)

            def process_pdist(cb: Any) -> np.ndarray:
                cond, cwhere = _process_out(None, _condensed_shape(len(a)), res.dtype, stack)
                _backends.pdist(a, m, cond, cwhere, backend, _workers(nj), cb, sm)
                return cond

            _square(m, a._checked_data(), res, same, nj, progress, process_pdist,
                    lambda cb: _backends.cdist(a, b, m, res, where, backend, _workers(nj), cb, sm))
        return res
    xa = arena_data(XA, "XA")
    xb = xa if same else arena_data(XB, "XB")
    with ExitStack() as stack:
        res = prepare_out(out, (len(xa), len(xb)), dtype, stack)

        def threads_pdist(cb: Any) -> np.ndarray:
            cond = np.empty(_condensed_shape(len(xa)), dtype=res.dtype)
            _core.pdist(m, xa, cond, n_jobs=nj, progress=cb)
            return cond

        _square(m, xa, res, same, nj, progress, threads_pdist,
                lambda cb: _core.cdist(m, xa, xb, _flat(res), n_jobs=nj, progress=cb))
    return res


def _condensed_shape(n: int) -> Tuple[int]:
    return (n * (n - 1) // 2,)


def _square(m: Metric, x: "_core.ArenaData", res: np.ndarray, same: bool, nj: int, progress: ProgressLike,
            condensed: Callable[[Any], np.ndarray], rect: Callable[[Any], Any]) -> None:
    """A cdist on any backend: for X against itself under a symmetric metric, the condensed
    pairs once (`condensed(callback)` returns them) mirrored into `res`, with the diagonal;
    else the whole rectangle (`rect(callback)`)."""
    mirror = same and _symmetric(m)
    with Reporter(progress, _computed(res, mirror), f"cdist {m.name}") as cb:
        if mirror:
            _fill_square(m, x, condensed(cb), res, nj)
        else:
            rect(cb)


def _computed(res: np.ndarray, mirror: bool) -> int:
    """The pairs a cdist computes with progress: all, or the condensed ones of a mirrored one
    (its diagonal is one short call after them)."""
    n = res.shape[0]
    return n * (n - 1) // 2 if mirror else res.size


def _fill_square(m: Metric, x: Any, cond: np.ndarray, res: np.ndarray, nj: int) -> None:
    """The square matrix of a symmetric metric from its condensed vector and its diagonal."""
    n = len(x)
    _mirror(cond, res)
    idx = np.arange(n, dtype=np.int64)
    diag = np.empty(n, dtype=res.dtype)
    _core.paired(m, x, idx, idx, diag, n_jobs=nj)
    res[idx, idx] = diag


def _indices(v: Any, name: str) -> np.ndarray:
    arr = np.asarray(v)
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D sequence of indices, got shape {arr.shape}")
    if arr.size and arr.dtype.kind not in "iu":
        raise TypeError(f"{name}: expected integer indices, got dtype {arr.dtype}")
    return np.ascontiguousarray(arr, dtype=np.int64)


def paired(X: Trajectories, i: Any, j: Any, metric: MetricLike = "dtw", *, n_jobs: Optional[int] = None,
           out: Optional[np.ndarray] = None, dtype: npt.DTypeLike = "float64",
           progress: ProgressLike = False, backend: str = "threads", **params: Any) -> FloatArray:
    """The distances of the index pairs (X[i[k]], X[j[k]]).

    Parameters
    ----------
    X : trajectories
        As for `pdist`.
    i, j : sequences of int of the same length
        The pairs' indices into X.
    metric, n_jobs, out, dtype, progress, **params
        As for `pdist` (``out`` an array of len(i)).
    backend : {"threads"}
        Threads only: a list of pairs has no ranges to hand to workers.

    Returns
    -------
    ndarray of shape (len(i),).
    """
    m = metric_of(metric, params)
    _backend(backend)
    if backend != "threads":
        raise ValueError(f"backend: paired runs on backend='threads' only, got {backend!r}")
    nj = _n_jobs(n_jobs)
    x = arena_data(X, "X")
    ii, jj = _indices(i, "i"), _indices(j, "j")
    if ii.shape != jj.shape:
        raise ValueError(f"i, j: index arrays must have the same length, got {ii.size} and {jj.size}")
    with ExitStack() as stack:
        res = prepare_out(out, (ii.size,), dtype, stack)
        with Reporter(progress, res.size, f"paired {m.name}") as cb:
            _core.paired(m, x, ii, jj, _flat(res), n_jobs=nj, progress=cb)
    return res
