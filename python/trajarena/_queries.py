"""knn / radius_neighbors: the neighbours of each query, without holding the full matrix.

The core keeps only the answer, with the distances of ``cdist`` bit for bit. Where the metric
has lower bounds (src/metrics/bound.rs and each metric's file), a pair whose bound is above the
threshold (the k-th best so far, or the radius) is never computed, and the DP kernels stop a
pair once it cannot end at or below it; the others compute every pair, in blocks of bounded
size. Worker processes take ranges of query rows.
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

import numpy as np
import numpy.typing as npt

from contextlib import ExitStack

from . import _backends, _core, _engine_calls, _engines
from ._arena import Arena
from ._batch import (_REMOTE, MetricLike, ProgressLike, Trajectories, _backend, _n_jobs, _start_method,
                     _workers)
from ._inputs import arena_data, metric_of
from ._progress import Reporter


def _inputs(X: Any, queries: Any) -> Tuple[Any, Any, bool, Tuple[str, str]]:
    x = arena_data(X, "X")
    if queries is None:
        return x, x, True, ("X", "X")
    q = arena_data(queries, "queries")
    if len(q) and len(x) and q.dim != x.dim:
        raise ValueError(f"queries: has {q.dim}-D points but X has {x.dim}-D points")
    return q, x, False, ("queries", "X")


def _neighbors(X: Any, queries: Any, m: Any, n_jobs: Optional[int], progress: Any, backend: str,
               start_method: Optional[str], call: str, **what: Any) -> Any:
    """(the core's answer over all query rows, len(X)), on threads, worker processes, Dask or
    Ray (`what`: k or radius). Other backends' tasks are ranges of query rows; their pieces are
    joined in row order."""
    nj = _n_jobs(n_jobs)
    sm = _start_method(backend, start_method)
    if backend == "threads":
        q, x, own, names = _inputs(X, queries)
        with Reporter(progress, len(q) * len(x), f"{call} {m.name}") as cb:
            return _core.neighbors(m, q, x, own, n_jobs=nj, progress=cb, names=names, **what), len(x)
    with ExitStack() as stack:
        eng = _engines.engine(backend, nj, _workers(nj), sm) if backend in _REMOTE else None
        share = eng.arena if eng is not None else _backends.shareable
        x = X if isinstance(X, Arena) else share(stack, X, "X")
        own = queries is None
        q = x if own else (queries if isinstance(queries, Arena) else share(stack, queries, "queries"))
        names = ("X", "X") if own else ("queries", "X")
        # Checked here, once, before any worker starts: every trajectory, then k or radius (a
        # query of no rows).
        _engine_calls.check_inputs(m, x, q, (names[1], names[0]))
        _core.neighbors(m, q._checked_data(), x._checked_data(), own, n_jobs=1, rows=(0, 0),
                        names=names, **what)
        n = len(x)  # before the call's shared arenas close
        k, radius = what.get("k"), what.get("radius")
        with Reporter(progress, len(q) * n, f"{call} {m.name}") as cb:
            if eng is not None:
                pieces = _engine_calls.neighbors(q, x, m, own, k, radius, eng, cb)
            else:
                pieces = _backends.neighbors(q, x, m, own, k, radius, backend, _workers(nj), cb, sm)
    parts = [p[2] for p in pieces]
    if "k" in what:
        k = what["k"]
        if not parts:
            return (np.empty((0, k)), np.empty((0, k), dtype=np.int64)), n
        return (np.concatenate([d for d, _ in parts]), np.concatenate([i for _, i in parts])), n
    indptr, at = [np.zeros(1, dtype=np.int64)], 0
    for ptr, _, _ in parts:
        indptr.append(ptr[1:] + at)
        at += int(ptr[-1])
    cat = lambda k, dt: np.concatenate([p[k] for p in parts]) if parts else np.empty(0, dtype=dt)
    return (np.concatenate(indptr), cat(1, np.int64), cat(2, np.float64)), n


def knn(X: Trajectories, k: int, metric: MetricLike = "dtw", *, queries: Optional[Trajectories] = None,
        n_jobs: Optional[int] = None, progress: ProgressLike = False, backend: str = "threads",
        start_method: Optional[str] = None,
        **params: Any) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """The k nearest trajectories of X to each query.

    Parameters
    ----------
    X : list of (n, d) arrays, Arrow array or Arena
        The trajectories searched.
    k : int
        Neighbours per query, 1 to the number of candidates (len(X), or len(X) - 1 when
        ``queries`` is None).
    metric : str or Metric
        Any metric of ``pdist``, with its keyword parameters in ``**params``.
    queries : like X, optional
        The queries. None: X over itself, and row i never holds i itself (other trajectories at
        distance 0 do appear). Given: no index is left out, even where a query is also in X.
    n_jobs, progress, start_method : as for ``pdist``.
    backend : "threads", "joblib", "multiprocessing", "dask" or "ray"
        Workers get the arenas once per call (by handle, or their bytes) and ranges of query
        rows, and send back only their rows' neighbours.

    Returns
    -------
    (distances, indices) : float64 and int64 arrays of shape (n_queries, k)
        Each row sorted by distance, ties broken by the smaller index: the first k entries of a
        stable argsort of the query's row of ``cdist``. LCSS and EDR are ordered by the value
        this library returns, their distance form (smaller is more similar).
    """
    m = metric_of(metric, params)
    _backend(backend)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"k: expected an integer, got {type(k).__name__}")
    if k < 1:
        raise ValueError(f"k: must be at least 1, got {k}")
    if k > 2**62:
        raise ValueError(f"k: {k} is more than any collection holds")
    return _neighbors(X, queries, m, n_jobs, progress, backend, start_method, "knn", k=int(k))[0]


def radius_neighbors(X: Trajectories, radius: float, metric: MetricLike = "dtw", *,
                     queries: Optional[Trajectories] = None, n_jobs: Optional[int] = None,
                     progress: ProgressLike = False, backend: str = "threads",
                     start_method: Optional[str] = None, **params: Any) -> Any:
    """Every trajectory of X within ``radius`` of each query, as a sparse matrix.

    Parameters
    ----------
    X, metric, queries, n_jobs, progress, backend, start_method, **params : as for ``knn``.
    radius : float
        Pairs with distance <= radius are kept.

    Returns
    -------
    scipy.sparse.csr_matrix of shape (n_queries, len(X))
        Entry (i, j) is the distance of every pair within the radius, zero distances stored as
        explicit entries; nothing else is stored. With ``queries=None`` the diagonal (a
        trajectory and itself) is not stored. Column indices are sorted within each row. It
        plugs into ``sklearn.cluster.DBSCAN(eps=radius, metric="precomputed")``.

    Raises
    ------
    ImportError
        Without scipy, which only this call needs.
    """
    try:
        from scipy.sparse import csr_matrix
    except ImportError as e:  # pragma: no cover - scipy is installed where the tests run
        raise ImportError("radius_neighbors returns a scipy.sparse matrix: pip install scipy") from e
    m = metric_of(metric, params)
    _backend(backend)
    if isinstance(radius, bool) or not isinstance(radius, (int, float, np.integer, np.floating)):
        raise TypeError(f"radius: expected a number, got {type(radius).__name__}")
    try:
        r = float(radius)
    except OverflowError:
        raise ValueError(f"radius: {radius} is beyond the range of float64") from None
    (indptr, indices, data), n = _neighbors(X, queries, m, n_jobs, progress, backend, start_method,
                                            "radius_neighbors", radius=r)
    return csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, n))
