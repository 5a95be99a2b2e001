"""Turning user input into what the core reads: float64 C-contiguous (n, d) arrays, arenas
(packed in Rust, once) and validated metrics. Errors name the argument and trajectory index."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from . import _core
from ._core import Metric

_NUMERIC_KINDS = "fiu"


def _refuse_masked(x: Any, name: str) -> None:
    # np.asarray and the buffer both drop the mask: the masked points would count as real ones.
    if isinstance(x, np.ma.MaskedArray):
        raise ValueError(
            f"{name}: a masked array; fill it ({name}.filled(...)) or drop the masked points "
            f"(np.ma.compress_rows({name})) first"
        )


def as_traj(x: Any, name: str) -> np.ndarray:
    """One trajectory as a float64 C-contiguous (n, 2|3) array; no copy if it already is one."""
    _refuse_masked(x, name)
    if isinstance(x, np.ndarray) and x.dtype == np.float64 and x.flags.c_contiguous:
        arr = x
    else:
        try:
            arr = np.asarray(x)
        except (ValueError, TypeError) as e:
            raise ValueError(f"{name}: cannot read as an (n, 2) or (n, 3) array of numbers: {e}") from None
        if arr.dtype.kind not in _NUMERIC_KINDS:
            raise TypeError(
                f"{name}: expected numbers, got an array of dtype {arr.dtype}"
            )
    if arr.ndim != 2 or arr.shape[1] not in (2, 3):
        raise ValueError(
            f"{name}: a trajectory must have shape (n, 2) or (n, 3), got shape {arr.shape}"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name}: trajectory is empty (0 points)")
    if arr.dtype != np.float64 or not arr.flags.c_contiguous:
        arr = np.ascontiguousarray(arr, dtype=np.float64)
    return arr


def _arrays(X: Any, name: str) -> list:
    """A sequence of trajectories as float64 C-contiguous (n, 2|3) plain arrays of one
    dimension, with the errors worded per argument and index."""
    _refuse_masked(X, name)
    if isinstance(X, np.ndarray) and X.ndim == 2:
        raise TypeError(
            f"{name}: expected a sequence of trajectories, got one 2-D array; "
            f"wrap a single trajectory in a list"
        )
    if isinstance(X, (str, bytes)) or not hasattr(X, "__len__") or isinstance(X, (dict, set, frozenset)):
        raise TypeError(f"{name}: expected a sequence of trajectories, got {type(X).__name__}; "
                        f"{_what_to_do(X, name)}")
    arrs = []
    for i, t in enumerate(X):
        a = np.asarray(as_traj(t, f"{name}[{i}]"))  # a plain ndarray over the same memory
        if not a.flags.aligned:
            a = a.copy()
        arrs.append(a)
    for i, a in enumerate(arrs):
        if a.shape[1] != arrs[0].shape[1]:
            raise ValueError(
                f"{name}[{i}]: has {a.shape[1]}-D points but {name}[0] has {arrs[0].shape[1]}-D points; "
                f"all trajectories in one call must have the same dimension"
            )
    return arrs


def _what_to_do(X: Any, name: str) -> str:
    if isinstance(X, dict):
        return f"pass list({name}.values())"
    if isinstance(X, (set, frozenset)):
        return "a set has no order: pass a list"
    if type(X).__module__.split(".")[0] == "shapely":
        return "pass a list of LineStrings, or a GeoSeries"
    if not hasattr(X, "__len__") and hasattr(X, "__iter__"):
        return f"pass list({name})"
    return ("pass a list of (n, 2) or (n, 3) arrays, or build an Arena (Arena.pack, from_arrow, "
            "from_geopandas, from_frame, from_movingpandas)")


def known_container(X: Any, name: str) -> Any:
    """X as an Arena when it is one of the containers of `_frames` (GeoPandas, MovingPandas,
    Arrow / GeoArrow, a polars Series, a list of shapely LineStrings); None for anything else.
    A table (pandas or polars DataFrame) is refused: one row per point cannot be told apart
    from other tables without naming its columns."""
    from . import _frames
    from ._arena import Arena

    kind = _frames.kind(X)
    if kind is None:
        return None
    if kind in ("arrow", "polars-series"):
        return Arena._arrow(X, name)
    if kind == "frame":
        raise TypeError(f"{name}: a {type(X).__module__.split('.')[0]} DataFrame. For a table with one "
                        f"row per point, build the arena with trajarena.Arena.from_frame({name}, "
                        f"by='traj_id', x='lon', y='lat', order_by='time'), naming your columns")
    if kind == "geopandas":
        packed = _frames.from_geopandas(X, name)
    elif kind == "movingpandas":
        packed = _frames.from_movingpandas(X, name)
    else:
        geoms = np.empty(len(X), dtype=object)
        geoms[:] = list(X)
        packed = _frames.from_geometries(geoms, np.arange(len(X)), name)
    return Arena._private(*packed, name=name)


def arena_data(X: Any, name: str) -> "_core.ArenaData":
    """A set of trajectories as the core's arena: an Arena's own (no copy, no second scan), a
    pyarrow list array's (no copy for LargeList<FixedSizeList<f64>>), one of the other known
    containers, or a sequence of arrays packed in Rust in one copy, checked once."""
    from ._arena import Arena

    if isinstance(X, Arena):
        return X._checked_data()
    known = known_container(X, name)
    if known is not None:
        return known._checked_data()
    if type(X) in (list, tuple):
        # The usual input, float64 C-contiguous arrays of one dimension, is packed in one call;
        # anything else (None), masked arrays included, is converted first, with worded errors.
        data = _core.ArenaData.pack(X, name)
        if data is not None:
            return data
    arrs = _arrays(X, name)
    if not arrs:
        return _core.ArenaData.empty()
    return _core.ArenaData.pack(arrs, name)


def write_arena(X: Any, path: str, name: str, private: bool) -> None:
    """Writes a set of trajectories straight into a sealed arena file at `path`."""
    from ._arena import Arena

    if isinstance(X, Arena):
        X._checked_data().write(path, private)
        return
    known = known_container(X, name)
    if known is not None:
        known._checked_data().write(path, private)
        return
    if type(X) in (list, tuple) and _core.ArenaData.write_list(path, X, name, private) is not None:
        return
    arrs = _arrays(X, name)
    if not arrs:
        _core.ArenaData.empty().write(path, private)
        return
    _core.ArenaData.write_list(path, arrs, name, private)


def estimated_nbytes(X: Any) -> int:
    """About the size of X's arena file, from the lengths alone (to pick a directory)."""
    from ._arena import Arena, arena_nbytes

    if isinstance(X, Arena):
        return X.nbytes
    try:
        n_points = sum(len(t) for t in X)
        dim = int(np.shape(X[0])[1]) if len(X) else 2
    except (TypeError, IndexError, ValueError):
        return 0
    return arena_nbytes(len(X), n_points, dim)


def _hashable(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return tuple(v.tolist())
    if isinstance(v, list):
        return tuple(v)
    return v


def _types(v: Any) -> Any:
    # Part of the cache key: True == 1 == 1.0 hash alike, and without the types window=True or
    # window=1.0 would get the Metric cached for window=1 instead of their TypeError.
    if isinstance(v, np.ndarray):
        return (np.ndarray, v.dtype.str)
    if isinstance(v, (list, tuple)):
        return (type(v),) + tuple(_types(x) for x in v)
    return type(v)


@lru_cache(maxsize=256)
def _cached_metric(name: str, items: tuple, types: tuple = ()) -> Metric:
    return Metric(name, **dict(items))


def _function_metric(fn: Any) -> str | None:
    """The metric name of one of trajarena's single-pair functions (``ta.dtw``), else None."""
    from ._single import METRIC_FUNCTIONS

    try:
        return METRIC_FUNCTIONS.get(fn)
    except TypeError:  # unhashable: not one of them
        return None


def metric_of(metric: Any, params: dict) -> Metric:
    """A Metric from a name or a single-pair function (``ta.lcss``) plus keyword parameters,
    or a Metric as it is."""
    if isinstance(metric, Metric):
        if params:
            raise TypeError(
                f"{', '.join(params)}: pass parameters either inside Metric(...) or as keywords "
                f"with a metric name, not both"
            )
        return metric
    if not isinstance(metric, str):
        name = _function_metric(metric)
        if name is None:
            got = type(metric).__name__
            if callable(metric):
                got += f" {getattr(metric, '__qualname__', '')!r}; the metrics are computed in Rust, " \
                       f"so no other callable is accepted"
            raise TypeError(
                f"metric: expected a metric name, a Metric or one of trajarena's metric functions "
                f"(ta.dtw, ta.lcss, ...), got {got}"
            )
        metric = name
    items = tuple(sorted((k, _hashable(v)) for k, v in params.items()))
    types = tuple((k, _types(v)) for k, v in sorted(params.items()))
    try:
        return _cached_metric(metric, items, types)
    except TypeError as e:
        if "unhashable" in str(e):
            return Metric(metric, **params)
        raise
