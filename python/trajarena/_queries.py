"""knn / radius_neighbors: the neighbours of each query, without holding the full matrix.

The core computes the queries' rows in blocks of bounded size and keeps only the answer, with
the distances of ``cdist`` bit for bit. Every candidate is computed: pruning by lower bounds is
not part of this version.
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

import numpy as np

from . import _core
from ._batch import _n_jobs
from ._inputs import arena_data, metric_of
from ._progress import Reporter


def _threads_only(backend: str, call: str) -> None:
    if backend == "threads":
        return
    if backend in ("joblib", "multiprocessing", "dask", "ray"):
        raise ValueError(f"backend: {call} runs on backend='threads' only in this version, got {backend!r}")
    raise ValueError(f"backend: unknown backend {backend!r}; {call} runs on 'threads'")


def _inputs(X: Any, queries: Any) -> Tuple[Any, Any, bool, Tuple[str, str]]:
    x = arena_data(X, "X")
    if queries is None:
        return x, x, True, ("X", "X")
    q = arena_data(queries, "queries")
    if len(q) and len(x) and q.dim != x.dim:
        raise ValueError(f"queries: has {q.dim}-D points but X has {x.dim}-D points")
    return q, x, False, ("queries", "X")


def knn(X, k, metric="dtw", *, queries=None, n_jobs=None, progress=False, backend="threads",
        **params) -> Tuple[np.ndarray, np.ndarray]:
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
    n_jobs, progress : as for ``pdist``.
    backend : "threads"

    Returns
    -------
    (distances, indices) : float64 and int64 arrays of shape (n_queries, k)
        Each row sorted by distance, ties broken by the smaller index: the first k entries of a
        stable argsort of the query's row of ``cdist``. LCSS and EDR are ordered by the value
        this library returns, their distance form (smaller is more similar).
    """
    m = metric_of(metric, params)
    _threads_only(backend, "knn")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"k: expected an integer, got {type(k).__name__}")
    if k < 1:
        raise ValueError(f"k: must be at least 1, got {k}")
    nj = _n_jobs(n_jobs)
    q, x, own, names = _inputs(X, queries)
    with Reporter(progress, len(q) * len(x), f"knn {m.name}") as cb:
        dist, idx = _core.neighbors(m, q, x, own, k=int(k), n_jobs=nj, progress=cb, names=names)
    return dist, idx


def radius_neighbors(X, radius, metric="dtw", *, queries=None, n_jobs=None, progress=False,
                     backend="threads", **params) -> Any:
    """Every trajectory of X within ``radius`` of each query, as a sparse matrix.

    Parameters
    ----------
    X, metric, queries, n_jobs, progress, backend, **params : as for ``knn``.
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
    _threads_only(backend, "radius_neighbors")
    if isinstance(radius, bool) or not isinstance(radius, (int, float, np.integer, np.floating)):
        raise TypeError(f"radius: expected a number, got {type(radius).__name__}")
    nj = _n_jobs(n_jobs)
    q, x, own, names = _inputs(X, queries)
    with Reporter(progress, len(q) * len(x), f"radius_neighbors {m.name}") as cb:
        indptr, indices, data = _core.neighbors(m, q, x, own, radius=float(radius), n_jobs=nj,
                                                progress=cb, names=names)
    return csr_matrix((data, indices, indptr), shape=(len(q), len(x)))
