"""pdist, cdist and the queries over an engine (`_engines`): the Dask and Ray backends, and
`.zarr` outputs on every backend.

The plan is made here, once: cost-balanced ranges of the output (a few per thread of the
engine), or, for a .zarr output, cost-balanced lists of whole chunks. Tasks carry only those;
the arenas are shipped once per call.
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from typing import Any, Callable, List, Optional, Tuple

import numpy as np

from . import _core, _tasks, _zarr_out
from ._backends import TASKS_PER_WORKER, _row_ranges
from ._progress import Reporter

Progress = Optional[Callable[[int, int], Any]]


def check_inputs(m: Any, a: Any, b: Any, names: Tuple[str, str]) -> None:
    """Both arenas against each other and the metric, here, before any store, cluster or
    worker is touched: the same dimension, and every trajectory valid for the metric (a cdist
    of no entries checks its inputs)."""
    if len(a) and len(b) and a.dim != b.dim:
        raise ValueError(f"{names[1]}: has {b.dim}-D points but {names[0]} has {a.dim}-D points")
    _core.cdist(m, a._checked_data(), b._checked_data(), np.empty(0), n_jobs=1, names=names)


def zarr(call: str, inputs: List[Any], m: Any, path: Any, dtype: np.dtype, resume: bool,
         eng: Any, progress: Any) -> Any:
    """A pdist (inputs [X]) or cdist ([XA, XB]) into a .zarr store; the zarr.Array."""
    names = ("X", "X") if call == "pdist" else ("XA", "XB")
    # Workers may run elsewhere, in another folder: they get the absolute path.
    path = os.path.abspath(os.fspath(path))
    _zarr_out.require_zarr()
    with ExitStack() as stack:
        a = eng.arena(stack, inputs[0], names[0])
        b = a if call == "pdist" or inputs[1] is inputs[0] else eng.arena(stack, inputs[1], names[1])
        check_inputs(m, a, b, names)
        fa = _zarr_out.fingerprint(a)
        if call == "pdist":
            shape: Tuple[int, ...] = (len(a) * (len(a) - 1) // 2,)
            fps, lengths = [fa], [a.lengths]
        else:
            shape = (len(a), len(b))
            fps = [fa, fa if b is a else _zarr_out.fingerprint(b)]
            lengths = [a.lengths, b.lengths]
        want = _zarr_out.describe(call, fps, m, dtype, shape)
        arr, missing = _zarr_out.open_store(path, want, eng.threads, resume)
        chunks = tuple(int(c) for c in arr.chunks)
        costs = _zarr_out.chunk_costs(call, lengths, shape, chunks)
        groups = _zarr_out.group(missing, costs, eng.threads * TASKS_PER_WORKER)
        total = _zarr_out.entries(missing, shape, chunks)
        with Reporter(progress, total, f"{call} {m.name}") as cb:
            _report(cb, 0, total)
            if groups:
                sa = eng.ship(a)
                sb = sa if b is a else eng.ship(b)
                done = 0
                for k in eng.run(_tasks.zarr_chunks,
                                 [(call, sa, sb, m, path, ids, eng.task_jobs) for ids in groups]):
                    done += k
                    _report(cb, done, total)
    return arr


def _report(cb: Progress, done: int, total: int) -> None:
    if cb is not None:
        cb(done, total)


def ranges(call: str, a: Any, b: Any, m: Any, res: np.ndarray, into: Optional[Tuple[str, int]],
           eng: Any, cb: Progress) -> None:
    """A pdist or cdist of shipped-ready arenas into `res`: written in place into the file
    `into` (path, byte offset) that the workers share, else returned by the tasks and copied."""
    flat = res.reshape(-1)
    n_tasks = eng.threads * TASKS_PER_WORKER
    if call == "pdist":
        plan = _core.plan_condensed(a._checked_data(), n_tasks)
    else:
        plan = _core.plan_rect(a._checked_data(), b._checked_data(), n_tasks)
    _report(cb, 0, flat.size)
    if not flat.size:
        return
    sa = eng.ship(a)
    sb = sa if b is a else eng.ship(b)
    done = 0
    if into is not None:
        spec = (into[0], into[1], flat.dtype.name, flat.size)
        results = eng.run(_tasks.into_file, [(call, sa, sb, m, spec, s, e) for s, e in plan])
        for k in results:
            done += k
            _report(cb, done, flat.size)
        return
    tasks = [(call, sa, sb, m, s, e, flat.dtype.name) for s, e in plan]
    for s, e, part in eng.run(_tasks.values, tasks):
        flat[s:e] = part
        done += e - s
        _report(cb, done, flat.size)


def neighbors(q: Any, x: Any, m: Any, own: bool, k: Optional[int], radius: Optional[float],
              eng: Any, cb: Progress) -> List[Tuple[int, int, tuple]]:
    """The pieces (start, stop, rows' answer) of a query over ranges of query rows, in row order."""
    total = len(q) * len(x)
    _report(cb, 0, total)
    plan = _row_ranges(q, eng.threads * TASKS_PER_WORKER)
    if not plan:
        return []
    sx = eng.ship(x)
    sq = sx if own else eng.ship(q)
    pieces, done = [], 0
    for a, b, res in eng.run(_tasks.rows, [(sq, sx, m, own, k, radius, s, e) for s, e in plan]):
        pieces.append((a, b, res))
        done += (b - a) * len(x)
        _report(cb, done, total)
    return sorted(pieces, key=lambda p: p[0])
