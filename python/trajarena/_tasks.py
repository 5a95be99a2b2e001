"""Worker-side tasks of the Dask and Ray backends and of `.zarr` outputs, whatever runs them.

A task receives each arena as what the engine shipped: an `Arena` (a file or shared arena
pickles as its handle, opened in O(1) and kept open per process), or a numpy uint8 array over
the arena's bytes (a Dask scatter, a Ray object mapped zero-copy), read in place. A task
carries only index ranges, or lists of chunks.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Optional, Sequence, Tuple

import numpy as np

from . import _backends, _core, _zarr_out
from . import _shared_files as files
from ._arena import Arena


def arena_bytes(arena: Arena) -> np.ndarray:
    """What travels by value: the arena's sealed bytes as a numpy array, which Ray maps from
    its object store without a copy (it would copy a ``bytes``)."""
    return np.frombuffer(arena.to_bytes(), dtype=np.uint8)


def resolve(src: Any) -> Arena:
    """The arena a task was given. Bytes are read in place through a read-only view (a Dask
    worker's copy of a scatter is writable, and `Arena.from_buffer` would copy it again). An
    arena is made per task, which checks its bytes in one pass: nothing outlives the call, and
    a worker holds no arena of a call that is over (nor pins a Ray object)."""
    if isinstance(src, Arena):
        return src
    if not isinstance(src, np.ndarray) or src.dtype != np.uint8 or src.ndim != 1:
        raise TypeError(f"arena: a task got {type(src).__name__}, not an arena or its bytes")
    view = src.view()
    view.flags.writeable = False
    return Arena.from_buffer(view)


def machine() -> Optional[str]:
    """This process's machine and PID namespace ("<boot id>-<pidns>"): workers that report the
    caller's own value share its /dev/shm and temp folder."""
    me = files.owner_id()
    return None if me is None else "-".join(me.split("-")[:2])


def sees_file(path: str, fingerprint: Tuple[int, int, int]) -> bool:
    """Run on each worker: can it open this arena file (the same one, by fingerprint)?"""
    from ._arena import _open_handle

    try:
        _open_handle(path, fingerprint)
    except (OSError, ValueError):
        return False
    return True


def _watch(owner: Optional[str]) -> None:
    if owner is not None:
        _backends.watch_owner(owner)


class Cancelled(Exception):
    """Raised inside a task whose result nobody waits for any more."""


def _stop_when_cancelled() -> Optional[Callable[[int, int], None]]:
    """In a Dask worker, a progress callback that stops this task once its client cancelled it
    (an error or Ctrl-C in the caller): Dask cannot interrupt a running task, and a task is a
    sizeable share of the job. None elsewhere: Ray's cancel ends the worker process itself, and
    the process backends stop their own workers."""
    try:
        from distributed.worker import get_worker, thread_state

        worker, key = get_worker(), thread_state.key
        tasks = worker.state.tasks
    except (ImportError, ValueError, AttributeError):
        return None

    def check(done: int, total: int) -> None:
        ts = tasks.get(key)
        if ts is None or ts.state in ("cancelled", "released", "forgotten"):
            raise Cancelled(f"task {key} was cancelled by its client")

    return check


def values(call: str, a: Any, b: Any, metric: Any, start: int, stop: int, dtype: str,
           owner: Optional[str] = None) -> Tuple[int, int, np.ndarray]:
    """Entries [start, stop) of a pdist (condensed) or cdist (flat row-major), returned."""
    _watch(owner)
    out = np.empty(stop - start, dtype=dtype)
    A = resolve(a)._checked_data()
    poll = _stop_when_cancelled()
    if call == "pdist":
        _core.pdist(metric, A, out, n_jobs=1, start=start, progress=poll)
    else:
        _core.cdist(metric, A, resolve(b)._checked_data(), out, n_jobs=1, start=start, progress=poll)
    return start, stop, out


def into_file(call: str, a: Any, b: Any, metric: Any, spec: Any, start: int, stop: int,
              owner: Optional[str] = None) -> int:
    """Entries [start, stop) written in place into the output file `spec` the workers share."""
    if not os.path.exists(spec[0]):
        raise FileNotFoundError(f"out: this worker cannot see {spec[0]!r}; an .npy output of the "
                                f"dask or ray backend must be on a filesystem every worker mounts, "
                                f"or use out=None or a .zarr store")
    poll = _stop_when_cancelled()
    if call == "pdist":
        return _backends.pdist_task(resolve(a), metric, spec, start, stop, owner, poll)
    return _backends.cdist_task(resolve(a), resolve(b), metric, spec, start, stop, owner, poll)


def zarr_chunks(call: str, a: Any, b: Any, metric: Any, path: str, chunk_ids: Sequence[int],
                n_jobs: int, owner: Optional[str] = None) -> int:
    """Whole chunks of a .zarr output, each computed, stored, made durable, then marked done."""
    _watch(owner)
    A = resolve(a)._checked_data()
    poll = _stop_when_cancelled()
    if call == "pdist":
        def compute(span: Any, buf: np.ndarray) -> None:
            _core.pdist(metric, A, buf, n_jobs=n_jobs, start=span[0][0], progress=poll)
    else:
        B = resolve(b)._checked_data()

        def compute(span: Any, buf: np.ndarray) -> None:
            _core.cdist(metric, A, B, buf.reshape(-1), n_jobs=n_jobs, rows=span[0], cols=span[1],
                        names=("XA", "XB"), progress=poll)
    return _zarr_out.write_chunks(path, chunk_ids, compute)


def rows(q: Any, x: Any, metric: Any, own: bool, k: Optional[int], radius: Optional[float],
         start: int, stop: int, owner: Optional[str] = None) -> Tuple[int, int, tuple]:
    """The neighbours of query rows [start, stop)."""
    X = resolve(x)
    return _backends.neighbors_task(X if own else resolve(q), X, metric, own, k, radius, start, stop,
                                    owner, _stop_when_cancelled())
