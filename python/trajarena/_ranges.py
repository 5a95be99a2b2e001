"""Index-based tasks: a worker gets an arena (a handle when pickled), a range of output
positions and the whole output buffer, and writes its share in place."""

from __future__ import annotations

from typing import Any, List, Tuple

import numpy as np

from . import _core
from ._batch import _n_jobs as _batch_jobs
from ._inputs import metric_of, pack


def _int(v: Any, name: str) -> int:
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{name}: expected an integer, got {type(v).__name__}")
    return int(v)


def _whole_out(out: Any, size: int, what: str) -> np.ndarray:
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out: expected the whole {what} as a writable numpy array "
                        f"(np.memmap and shared memory included), got {type(out).__name__}")
    if out.size != size:
        raise ValueError(f"out: expected the whole {what} of {size} entries, got {out.size}")
    if out.dtype not in (np.float64, np.float32):
        raise ValueError(f"out: dtype must be float64 or float32, got {out.dtype}")
    if not out.flags.writeable:
        raise ValueError("out: array is read-only")
    if not out.flags.c_contiguous:
        raise ValueError("out: array must be C-contiguous")
    return out.reshape(-1)


def pdist_range(arena: Any, metric: Any, start: int, stop: int, out: np.ndarray, *,
                n_jobs: int = 1, **params: Any) -> None:
    """Computes condensed entries [start, stop) of ``pdist(arena, metric)`` into
    ``out[start:stop]``, where ``out`` is the whole condensed vector (length n(n-1)/2)."""
    m = metric_of(metric, params)
    offsets, coords = pack(arena, "arena")
    n = len(offsets) - 1
    total = n * (n - 1) // 2
    start, stop = _int(start, "start"), _int(stop, "stop")
    if not 0 <= start <= stop <= total:
        raise ValueError(f"start, stop: need 0 <= start <= stop <= {total} (the pairs of {n} "
                         f"trajectories), got [{start}, {stop})")
    flat = _whole_out(out, total, "condensed vector")
    _core.pdist(m, offsets, coords, flat[start:stop], n_jobs=_batch_jobs(n_jobs), start=start)


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


def cdist_block(arena_a: Any, arena_b: Any, metric: Any, rows: Any, cols: Any, out: np.ndarray, *,
                n_jobs: int = 1, **params: Any) -> None:
    """Computes ``out[r0:r1, c0:c1]`` of ``cdist(arena_a, arena_b, metric)`` with
    ``rows=(r0, r1)``, ``cols=(c0, c1)`` (None for all); ``out`` is the whole (na, nb) matrix.
    Full-width blocks are written in place; a narrower block is computed contiguously and
    copied into its rectangle."""
    m = metric_of(metric, params)
    offa, coa = pack(arena_a, "arena_a")
    offb, cob = pack(arena_b, "arena_b")
    na, nb = len(offa) - 1, len(offb) - 1
    (r0, r1), (c0, c1) = _span(rows, na, "rows"), _span(cols, nb, "cols")
    if not isinstance(out, np.ndarray) or out.shape != (na, nb):
        raise ValueError(f"out: expected the whole ({na}, {nb}) matrix, got "
                         f"{getattr(out, 'shape', type(out).__name__)}")
    flat = _whole_out(out, na * nb, "matrix")
    if (c0, c1) == (0, nb):
        _core.cdist(m, offa, coa, offb, cob, flat[r0 * nb:r1 * nb], n_jobs=_batch_jobs(n_jobs),
                    rows=(r0, r1), cols=(0, nb))
        return
    block = np.empty((r1 - r0) * (c1 - c0), dtype=out.dtype)
    _core.cdist(m, offa, coa, offb, cob, block, n_jobs=_batch_jobs(n_jobs), rows=(r0, r1), cols=(c0, c1))
    out[r0:r1, c0:c1] = block.reshape(r1 - r0, c1 - c0)


def plan_ranges(arena: Any, n_tasks: int) -> List[Tuple[int, int]]:
    """Splits the condensed entries [0, n(n-1)/2) of a pdist over ``arena`` into at most
    ``n_tasks`` contiguous (start, stop) ranges of about equal cost (sum of n_i * n_j, plus a
    small per-pair overhead), in order."""
    n_tasks = _int(n_tasks, "n_tasks")
    if n_tasks < 1:
        raise ValueError(f"n_tasks: must be >= 1, got {n_tasks}")
    offsets, _ = pack(arena, "arena")
    return [tuple(r) for r in _core.plan_condensed(offsets, n_tasks)]


def plan_blocks(arena_a: Any, arena_b: Any, n_tasks: int) -> List[Tuple[int, int]]:
    """Like `plan_ranges` for the flat row-major (na * nb) cdist output."""
    offa, _ = pack(arena_a, "arena_a")
    offb, _ = pack(arena_b, "arena_b")
    return [tuple(r) for r in _core.plan_rect(offa, offb, max(1, _int(n_tasks, "n_tasks")))]
