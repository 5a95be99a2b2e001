"""Index-based tasks: a worker gets an arena (a handle when pickled), a range of output
positions and an output buffer (the whole result, or just its share), and writes its share in
place. A task reads only the trajectories its pairs use."""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

import numpy as np

from . import _core
from ._batch import _dtype, _n_jobs, _flat
from ._inputs import arena_data, metric_of
from ._progress import Reporter


def _int(v: Any, name: str) -> int:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{name}: expected an integer, got {type(v).__name__}")
    return int(v)


def _task_out(out: Any, dtype: Any, whole: Tuple[int, ...], part: Tuple[int, ...], what: str) -> np.ndarray:
    """The caller's buffer for a task, checked: the whole result (shape `whole`, or its size
    flat) or exactly the task's share (shape `part`, or its size flat)."""
    dt = _dtype(dtype)
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out: expected a writable numpy array (np.memmap and shared memory "
                        f"included), got {type(out).__name__}")
    whole_n, part_n = int(np.prod(whole)), int(np.prod(part))
    if out.shape not in (whole, (whole_n,), part, (part_n,)):
        raise ValueError(f"out: expected the whole {what} {whole} or this task's share {part}, "
                         f"got shape {out.shape}")
    if out.dtype != dt:
        raise ValueError(f"out: has dtype {out.dtype} but dtype={dt.name!r}; pass dtype={out.dtype.name!r}")
    if not out.flags.writeable:
        raise ValueError("out: array is read-only")
    if not out.flags.c_contiguous:
        raise ValueError("out: array must be C-contiguous")
    return out


def pdist_range(arena: Any, metric: Any, start: int, stop: int, out: np.ndarray, *,
                n_jobs: Optional[int] = 1, dtype: Any = "float64", progress: Any = False,
                **params: Any) -> None:
    """Computes condensed entries [start, stop) of ``pdist(arena, metric)``: one worker's task.

    Parameters
    ----------
    arena : Arena or trajectories
        The collection (an Arena travels to workers as a small handle).
    metric : str, Metric or single-pair function
        With its parameters in ``**params``.
    start, stop : int
        The range of condensed entries, 0 <= start <= stop <= n(n-1)/2 (see `plan_ranges`).
    out : ndarray
        The whole condensed vector (the entries go to ``out[start:stop]``) or exactly
        ``stop - start`` entries (a remote worker's slice).
    n_jobs : int
        Threads for this range (default 1: a range is the unit of work of one worker).
    dtype, progress
        As for `pdist`.
    """
    m = metric_of(metric, params)
    x = arena_data(arena, "arena")
    n = len(x)
    total = n * (n - 1) // 2
    start, stop = _int(start, "start"), _int(stop, "stop")
    if not 0 <= start <= stop <= total:
        raise ValueError(f"start, stop: need 0 <= start <= stop <= {total} (the pairs of {n} "
                         f"trajectories), got [{start}, {stop})")
    res = _task_out(out, dtype, (total,), (stop - start,), "condensed vector")
    flat = _flat(res)
    target = flat if flat.size == stop - start else flat[start:stop]
    with Reporter(progress, stop - start, f"pdist_range {m.name}") as cb:
        _core.pdist(m, x, target, n_jobs=_n_jobs(n_jobs), progress=cb, start=start, name="arena")


_NAMES = ("arena_a", "arena_b")


def _span(v: Any, n: int, name: str) -> Tuple[int, int]:
    if v is None:
        return 0, n
    try:
        a, b = v
    except (TypeError, ValueError):
        raise TypeError(f"{name}: expected a (start, stop) pair, got {v!r}") from None
    a, b = _int(a, name), _int(b, name)
    if not 0 <= a <= b <= n:
        raise ValueError(f"{name}: need 0 <= start <= stop <= {n}, got ({a}, {b})")
    return a, b


def cdist_block(arena_a: Any, arena_b: Any, metric: Any, out: np.ndarray, *, rows: Any = None,
                cols: Any = None, n_jobs: Optional[int] = 1, dtype: Any = "float64",
                progress: Any = False, **params: Any) -> None:
    """Computes one block of ``cdist(arena_a, arena_b, metric)``: one worker's task.

    Parameters
    ----------
    arena_a, arena_b : Arena or trajectories
    metric : str, Metric or single-pair function
        With its parameters in ``**params``.
    out : ndarray
        The whole (na, nb) matrix (the block goes to ``out[r0:r1, c0:c1]``) or exactly
        (r1 - r0, c1 - c0).
    rows, cols : (int, int), optional
        The block's rows (r0, r1) and columns (c0, c1); None for all.
    n_jobs : int
        Threads for this block (default 1).
    dtype, progress
        As for `pdist`.
    """
    m = metric_of(metric, params)
    a = arena_data(arena_a, "arena_a")
    b = arena_data(arena_b, "arena_b")
    na, nb = len(a), len(b)
    (r0, r1), (c0, c1) = _span(rows, na, "rows"), _span(cols, nb, "cols")
    shape = (r1 - r0, c1 - c0)
    res = _task_out(out, dtype, (na, nb), shape, "matrix")
    n_jobs = _n_jobs(n_jobs)
    with Reporter(progress, shape[0] * shape[1], f"cdist_block {m.name}") as cb:
        share = shape[0] * shape[1]
        if res.shape == shape or (res.ndim == 1 and res.size == share) or shape == (na, nb):
            _core.cdist(m, a, b, _flat(res), n_jobs=n_jobs, progress=cb, rows=(r0, r1), cols=(c0, c1),
                        names=_NAMES)
            return
        whole = res.reshape(na, nb)
        if (c0, c1) == (0, nb):
            _core.cdist(m, a, b, _flat(whole)[r0 * nb:r1 * nb], n_jobs=n_jobs, progress=cb,
                        rows=(r0, r1), cols=(0, nb), names=_NAMES)
            return
        block = np.empty(shape[0] * shape[1], dtype=res.dtype)
        _core.cdist(m, a, b, block, n_jobs=n_jobs, progress=cb, rows=(r0, r1), cols=(c0, c1),
                    names=_NAMES)
        whole[r0:r1, c0:c1] = block.reshape(shape)


def plan_ranges(arena: Any, n_tasks: int) -> List[Tuple[int, int]]:
    """Cuts the condensed entries [0, n(n-1)/2) of a pdist into ranges of about equal cost.

    Parameters
    ----------
    arena : Arena or trajectories
    n_tasks : int
        At most this many ranges.

    Returns
    -------
    list of (start, stop)
        Contiguous, in order; each costs about the same (the sum of n_i * n_j over its pairs,
        plus a small per-pair overhead).
    """
    n_tasks = _int(n_tasks, "n_tasks")
    if n_tasks < 1:
        raise ValueError(f"n_tasks: must be >= 1, got {n_tasks}")
    return [tuple(r) for r in _core.plan_condensed(arena_data(arena, "arena"), n_tasks)]


def plan_blocks(arena_a: Any, arena_b: Any, n_tasks: int) -> List[Tuple[int, int]]:
    """Like `plan_ranges`, for the flat row-major (na * nb) output of a cdist.

    Parameters
    ----------
    arena_a, arena_b : Arena or trajectories
    n_tasks : int

    Returns
    -------
    list of (start, stop)
        Ranges of the flat matrix (entry ``i * nb + j`` is pair (i, j)).
    """
    n_tasks = max(1, _int(n_tasks, "n_tasks"))
    return [tuple(r) for r in _core.plan_rect(arena_data(arena_a, "arena_a"),
                                                arena_data(arena_b, "arena_b"), n_tasks)]
