"""Lazy distance matrices as ``dask.array`` s.

``trajarena.dask.pdist(X, metric)`` and ``cdist(XA, XB, metric)`` return a lazy array with
regular chunks, each block one task that computes just that block. Slice it, reduce it, store it
(``.to_zarr()``), or compute it on any Dask scheduler. The arena is one value in the graph,
shared by every block: a file or shared arena as its handle, any other input as the arena's
bytes. Nothing is computed until the array is.

A file or shared arena travels as its handle, so its path must be visible to the workers (a
shared filesystem; ``Arena.shared`` lives in this machine's /dev/shm): on a cluster of several
machines pass the trajectories themselves, or an arena packed in private memory.
"""

from __future__ import annotations

from typing import Any, Tuple, Union

import numpy as np

from . import _core, _tasks, _zarr_out
from ._arena import Arena
from ._batch import _dtype
from ._engine_calls import check_inputs
from ._engines import private_arena
from ._inputs import metric_of

Chunks = Union[None, int, Tuple[int, ...]]


def _dask() -> Any:
    try:
        import dask.array as da
        from dask.highlevelgraph import HighLevelGraph
    except ImportError:
        raise ImportError("trajarena.dask needs dask[array] (pip install 'trajarena[dask]')") from None
    return da, HighLevelGraph


def _source(X: Any, name: str) -> Tuple[Arena, Any]:
    """The arena and what the graph holds for it: a file or shared arena its handle (its path
    must then be visible to the workers: a shared filesystem, or workers on this machine for
    ``Arena.shared``), any other input the arena's bytes."""
    a = private_arena(X, name)
    return a, (a if a.is_shared else _tasks.arena_bytes(a))


def _chunks(chunks: Chunks, shape: Tuple[int, ...]) -> Tuple[int, ...]:
    if chunks is None:
        return _zarr_out.chunking(shape, _core.available_cores())
    c = (chunks,) * len(shape) if isinstance(chunks, (int, np.integer)) and not isinstance(chunks, bool) else chunks
    if not isinstance(c, tuple) or len(c) != len(shape) or \
            not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1 for v in c):
        raise ValueError(f"chunks: expected a positive integer or a tuple of {len(shape)} of them, got {chunks!r}")
    return tuple(int(v) for v in c)


def _block_pdist(src: Any, metric: Any, start: int, stop: int, dtype: str) -> np.ndarray:
    return _tasks.values("pdist", src, src, metric, start, stop, dtype)[2]


def _block_cdist(a: Any, b: Any, metric: Any, rows: Tuple[int, int], cols: Tuple[int, int],
                 dtype: str) -> np.ndarray:
    out = np.empty((rows[1] - rows[0], cols[1] - cols[0]), dtype=dtype)
    _core.cdist(metric, _tasks.resolve(a)._checked_data(), _tasks.resolve(b)._checked_data(),
                out.reshape(-1), n_jobs=1, rows=rows, cols=cols, names=("XA", "XB"))
    return out


def _spans(n: int, c: int) -> list:
    return [(s, min(n, s + c)) for s in range(0, n, c)] or [(0, 0)]


def pdist(X: Any, metric: Any = "dtw", *, chunks: Chunks = None, dtype: Any = "float64",
          **params: Any) -> Any:
    """The condensed distance vector of ``trajarena.pdist``, as a lazy 1-D dask array.

    Parameters
    ----------
    X, metric, dtype, **params : as for ``trajarena.pdist``.
    chunks : int, optional
        Entries per block (regular; the last block may be shorter). Default: about 16 blocks
        per core of this machine, each at most 2**20 entries.

    Returns
    -------
    dask.array.Array of shape (n(n-1)/2,). Computing it gives the same bits as
    ``trajarena.pdist``.
    """
    da, HighLevelGraph = _dask()
    from dask.base import tokenize

    m = metric_of(metric, params)
    dt = _dtype(dtype)
    a, src = _source(X, "X")
    check_inputs(m, a, a, ("X", "X"))
    n = len(a)
    shape = (n * (n - 1) // 2,)
    (c,) = _chunks(chunks, shape)
    token = tokenize(_zarr_out.fingerprint(a), m.name, sorted(m.params.items()), c, dt.name)
    name, arena_key = f"trajarena-pdist-{token}", f"trajarena-arena-{token}"
    layer: dict = {arena_key: src}
    spans = _spans(shape[0], c)
    for i, (s, e) in enumerate(spans):
        layer[(name, i)] = (_block_pdist, arena_key, m, s, e, dt.name)
    graph = HighLevelGraph.from_collections(name, layer, dependencies=())
    return da.Array(graph, name, chunks=(tuple(e - s for s, e in spans),), dtype=dt)


def cdist(XA: Any, XB: Any, metric: Any = "dtw", *, chunks: Chunks = None, dtype: Any = "float64",
          **params: Any) -> Any:
    """The matrix of ``trajarena.cdist``, as a lazy 2-D dask array.

    Parameters
    ----------
    XA, XB, metric, dtype, **params : as for ``trajarena.cdist``.
    chunks : int or (int, int), optional
        Block shape (regular). Default: about 16 blocks per core, each at most 2**20 entries.

    Returns
    -------
    dask.array.Array of shape (len(XA), len(XB)), the same bits as ``trajarena.cdist``.
    """
    da, HighLevelGraph = _dask()
    from dask.base import tokenize

    m = metric_of(metric, params)
    dt = _dtype(dtype)
    a, src_a = _source(XA, "XA")
    b, src_b = (a, src_a) if XB is XA else _source(XB, "XB")
    check_inputs(m, a, b, ("XA", "XB"))
    shape = (len(a), len(b))
    cr, cc = _chunks(chunks, shape)
    fa = _zarr_out.fingerprint(a)
    fb = fa if b is a else _zarr_out.fingerprint(b)
    token = tokenize(fa, fb, m.name, sorted(m.params.items()), cr, cc, dt.name)
    name = f"trajarena-cdist-{token}"
    key_a, key_b = f"trajarena-arena-a-{token}", f"trajarena-arena-b-{token}"
    layer: dict = {key_a: src_a}
    if b is not a:
        layer[key_b] = src_b
    else:
        key_b = key_a
    rows, cols = _spans(shape[0], cr), _spans(shape[1], cc)
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            layer[(name, i, j)] = (_block_cdist, key_a, key_b, m, r, c, dt.name)
    graph = HighLevelGraph.from_collections(name, layer, dependencies=())
    return da.Array(graph, name, chunks=(tuple(e - s for s, e in rows), tuple(e - s for s, e in cols)),
                    dtype=dt)
