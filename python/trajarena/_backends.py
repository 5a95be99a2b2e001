"""Process backends (joblib, multiprocessing) for pdist, cdist, knn and radius_neighbors.

The arena travels as its handle (path + fingerprint), each task as (start, stop) plus the
location of the output (a file path and byte offset): workers open the arena in O(1), map the
output, write their range in place, and send back only a count. Lists go straight into a
shared arena file for the call, private arenas are copied into one; an output buffer with no
file behind it gets a shared file for the call and one copy at the end. Query tasks are
ranges of query rows and send back their rows' neighbours, which are small.
"""

from __future__ import annotations

import os
import select
import threading
import time
from contextlib import ExitStack
from typing import Any, Callable, Iterator, List, Optional, Tuple

import numpy as np

from . import _core
from . import _shared_files as files
from ._arena import Arena

# Tasks per worker: enough for the last ones to even out, few enough that each task's fixed
# cost (pickling a handle, mapping the output) stays invisible.
TASKS_PER_WORKER = 4

OutSpec = Tuple[str, int, str, int]  # path, byte offset, dtype name, number of entries

# Below this many DP cells (~25 ms of work) starting or feeding worker processes costs more
# than the work itself, so the calling process computes the result directly (as the threads
# backend runs small jobs serially). Tests set it to 0 to exercise the workers on small data.
MIN_PROCESS_CELLS = 5_000_000


def _small(a: Arena, b: Arena, pairs: int) -> bool:
    la, lb = a.lengths, b.lengths
    if not len(la) or not len(lb):
        return True
    return float(la.mean()) * float(lb.mean()) * pairs < MIN_PROCESS_CELLS


# ---------------------------------------------------------------- output location
def file_backing(arr: np.ndarray) -> Optional[Tuple[str, int]]:
    """(path, byte offset) of the shared, writable file mapping that holds all of `arr`
    (np.memmap r+/w+, numpy over multiprocessing.shared_memory, any MAP_SHARED file), read from
    /proc/self/maps; None when there is none (private memory, or not Linux)."""
    if arr.nbytes == 0:
        return None
    lo_addr, hi_addr = arr.ctypes.data, arr.ctypes.data + arr.nbytes
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                parts = line.split(maxsplit=5)
                lo, hi = (int(x, 16) for x in parts[0].split("-"))
                if not lo <= lo_addr < hi:
                    continue
                if hi_addr > hi or len(parts) < 6:
                    return None
                perms, path = parts[1], parts[5].rstrip("\n")
                if "w" not in perms or "s" not in perms or not path.startswith("/") \
                        or path.endswith(" (deleted)"):
                    return None
                return path, int(parts[2], 16) + (lo_addr - lo)
    except OSError:
        return None
    return None


def _map_out(spec: OutSpec, start: int = 0, stop: Optional[int] = None) -> np.ndarray:
    """Entries [start, stop) of the output file. A task maps only its own range: what a worker
    maps counts as its memory for Dask, and unmapped pages cost nothing."""
    path, offset, dtype, size = spec
    stop = size if stop is None else stop
    itemsize = np.dtype(dtype).itemsize
    return np.memmap(path, dtype=dtype, mode="r+", offset=offset + start * itemsize, shape=(stop - start,))


# ---------------------------------------------------------------- owner watch
# The calling process's identity, `_shared_files.owner_id()`: "<boot>-<pidns>-<pid>-<start>".
Owner = Optional[str]


def this_owner() -> Owner:
    return files.owner_id()


def _alive(pid: str, start: str) -> bool:
    try:
        return str(files._start_ticks(pid)) == start  # gone, or the pid now names another process
    except (OSError, ValueError, IndexError):
        return True  # cannot tell: keep working


def _watch(pid: str, start: str) -> None:
    # A pidfd turns readable when its process exits: no polling, no missed exit. It is opened
    # before the check that the pid still names the owner, so a reused pid cannot be watched.
    fd = None
    try:
        fd = os.pidfd_open(int(pid))
    except (AttributeError, OSError):
        pass
    if not _alive(pid, start):
        os._exit(1)
    if fd is not None:
        p = select.poll()  # not select(): a worker forked from a busy parent may hold fds past 1024
        p.register(fd, select.POLLIN)
        p.poll()
        os._exit(1)
    while _alive(pid, start):
        time.sleep(0.5)
    os._exit(1)


_WATCHED: set = set()


def watch_owner(owner: Owner) -> None:
    """Makes this worker process exit as soon as the process that started the call is gone
    (killed with SIGKILL or SIGTERM before it could stop its workers): a worker must not go on
    computing for, and mapping the files of, a caller that no longer exists. Runs once per
    owner in each worker; a no-op in the owner itself, and wherever the owner's pid names
    nothing (another machine or PID namespace, or a /proc that shows other pids)."""
    me = files.owner_id()
    if owner is None or me is None or owner in _WATCHED or not files._proc_is_ours():
        return
    boot, ns, pid, start = owner.split("-")
    if (boot, ns) != tuple(me.split("-")[:2]) or int(pid) == os.getpid():
        return
    _WATCHED.add(owner)
    threading.Thread(target=_watch, args=(pid, start), name="trajarena-owner-watch", daemon=True).start()


# ---------------------------------------------------------------- worker side
Poll = Optional[Callable[[int, int], Any]]


def pdist_task(arena: Arena, metric: Any, out: OutSpec, start: int, stop: int,
               owner: Optional[Owner] = None, poll: Poll = None) -> int:
    """One worker task: condensed entries [start, stop) into the shared output. `poll` is
    called about every 100 ms and stops the task by raising."""
    if owner is not None:
        watch_owner(owner)
    flat = _map_out(out, start, stop)
    try:
        _core.pdist(metric, arena._checked_data(), flat, n_jobs=1, start=start, progress=poll)
        flat.flush()
    finally:
        del flat
    return stop - start


def cdist_task(arena_a: Arena, arena_b: Arena, metric: Any, out: OutSpec, start: int, stop: int,
               owner: Optional[Owner] = None, poll: Poll = None) -> int:
    """One worker task: flat row-major entries [start, stop) of the cdist output."""
    if owner is not None:
        watch_owner(owner)
    flat = _map_out(out, start, stop)
    try:
        _core.cdist(metric, arena_a._checked_data(), arena_b._checked_data(), flat,
                    n_jobs=1, start=start, progress=poll)
        flat.flush()
    finally:
        del flat
    return stop - start


def neighbors_task(q: Arena, x: Arena, metric: Any, own: bool, k: Optional[int], radius: Optional[float],
                   start: int, stop: int, owner: Optional[Owner] = None,
                   poll: Poll = None) -> Tuple[int, int, tuple]:
    """One worker task: the neighbours of query rows [start, stop), as the core returns them."""
    if owner is not None:
        watch_owner(owner)
    names = ("X", "X") if own else ("queries", "X")
    res = _core.neighbors(metric, q._checked_data(), x._checked_data(), own, k=k, radius=radius,
                          n_jobs=1, rows=(start, stop), names=names, progress=poll)
    return start, stop, res


# ---------------------------------------------------------------- parent side
def shareable(stack: ExitStack, X: Any, name: str) -> Arena:
    """An arena workers can map: file/shared arenas as they are; a list goes straight into a
    shared arena file (and a private arena is copied into one) removed at the end of the call."""
    if isinstance(X, Arena) and X.is_shared:
        return X
    a = Arena._shared(X, name)
    stack.callback(a.close)
    return a


def _shared_out(stack: ExitStack, res: np.ndarray,
                where: Optional[Tuple[str, int]]) -> Tuple[OutSpec, Callable[[], None]]:
    """Where workers write, and what to do once they are done. The file this call made for the
    result (`where`), or the caller's buffer when a file backs it; else a shared file for the
    call, copied into `res` at the end."""
    flat = res.reshape(-1)
    found = where if where is not None else file_backing(flat)
    if found is not None:
        return (found[0], found[1], flat.dtype.name, flat.size), lambda: None
    path, at = files.create_out(flat.nbytes)  # a full tmpfs raises OSError here, not SIGBUS later
    stack.callback(files.unlink_quietly, path)
    spec = (path, at, flat.dtype.name, flat.size)

    def copy_back() -> None:
        m = _map_out(spec)
        flat[...] = m
        del m

    return spec, copy_back


def _run_tasks(backend: str, n_jobs: int, fn: Callable, tasks: List[tuple],
               progress: Optional[Callable[[int, int], Any]], total: int,
               start_method: Optional[str]) -> None:
    done = 0
    if progress is not None:
        progress(0, total)
    for k in _results(backend, n_jobs, fn, tasks, start_method):
        done += k
        if progress is not None:
            progress(done, total)


def _row_ranges(q: Arena, n_tasks: int) -> List[Tuple[int, int]]:
    """Query rows cut into about `n_tasks` ranges of similar cost (a row costs its length times
    X's points, so by cumulative length)."""
    lengths = np.diff(q.offsets).astype(np.float64)
    if not len(lengths):
        return []
    cuts = np.searchsorted(np.cumsum(lengths), np.linspace(0, lengths.sum(), n_tasks + 1)[1:-1], side="right")
    bounds = np.unique(np.concatenate([[0], cuts, [len(lengths)]]))
    return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


def neighbors(q: Arena, x: Arena, metric: Any, own: bool, k: Optional[int], radius: Optional[float],
              backend: str, n_jobs: int, progress: Optional[Callable[[int, int], Any]],
              start_method: Optional[str]) -> List[Tuple[int, int, tuple]]:
    """knn (`k`) or radius_neighbors (`radius`) over worker processes: the pieces of the answer,
    (start, stop, rows' result), in the order of their rows."""
    with ExitStack() as stack:
        sx = shareable(stack, x, "X")
        sq = sx if own else shareable(stack, q, "queries")
        tasks = [(sq, sx, metric, own, k, radius, a, b) for a, b in _row_ranges(sq, n_jobs * TASKS_PER_WORKER)]
        total, done, pieces = len(sq) * len(sx), 0, []
        if progress is not None:
            progress(0, total)
        for a, b, res in _results(backend, n_jobs, neighbors_task, tasks, start_method):
            pieces.append((a, b, res))
            done += (b - a) * len(sx)
            if progress is not None:
                progress(done, total)
    return sorted(pieces, key=lambda p: p[0])


def _results(backend: str, n_jobs: int, fn: Callable, tasks: List[tuple],
             start_method: Optional[str]) -> Iterator[Any]:
    if not tasks:
        return
    owner = this_owner()
    if backend == "joblib":
        try:
            import joblib
        except ImportError:
            raise ImportError("backend: 'joblib' needs the joblib package (pip install joblib)") from None
        if start_method is not None:
            raise ValueError("start_method: applies to backend='multiprocessing'; joblib uses loky")
        # batch_size=1: the tasks are already cost-balanced; joblib's auto-batching would pair
        # them up. pre_dispatch stays at joblib's default: with "all", an interrupted run makes
        # loky's manager thread print a KeyError traceback.
        par = joblib.Parallel(n_jobs=n_jobs, return_as="generator_unordered", batch_size=1)
        yield from par(joblib.delayed(fn)(*t, owner) for t in tasks)
        return
    yield from _process_pool(n_jobs, fn, tasks, start_method, owner)


def _process_pool(n_jobs: int, fn: Callable, tasks: List[tuple], start_method: Optional[str],
                  owner: Owner) -> Iterator[Any]:
    """multiprocessing's processes through concurrent.futures: unlike multiprocessing.Pool,
    which waits forever for the task of a worker that was killed, the executor notices the
    death and fails the call (BrokenProcessPool)."""
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    ctx = mp.get_context(start_method)
    ex = ProcessPoolExecutor(min(n_jobs, len(tasks)), mp_context=ctx, initializer=watch_owner,
                             initargs=(owner,))
    clean = False
    try:
        pending = {ex.submit(fn, *t) for t in tasks}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                try:
                    yield f.result()
                except BrokenProcessPool:
                    raise BrokenProcessPool(
                        "backend='multiprocessing': a worker process died during the call (killed "
                        "by a signal or by the out-of-memory killer); no result was returned") from None
        clean = True
    finally:
        if not clean:
            _stop_workers(ex)
        ex.shutdown(wait=True, cancel_futures=True)


def _stop_workers(ex: Any) -> None:
    """Ends the workers of an executor now, their current tasks included (an error or Ctrl-C
    in the caller must not leave them computing)."""
    stop = getattr(ex, "terminate_workers", None)  # Python 3.14
    if stop is not None:
        stop()
        return
    for p in list((getattr(ex, "_processes", None) or {}).values()):
        try:
            p.terminate()
        except (OSError, ValueError, AttributeError):
            pass


def pdist(arena: Arena, metric: Any, res: np.ndarray, where: Optional[Tuple[str, int]],
          backend: str, n_jobs: int, progress: Optional[Callable[[int, int], Any]],
          start_method: Optional[str]) -> None:
    if _small(arena, arena, res.size):
        _core.pdist(metric, arena._checked_data(), res.reshape(-1), n_jobs=1, progress=progress)
        return
    with ExitStack() as stack:
        shared = shareable(stack, arena, "X")
        spec, finish = _shared_out(stack, res, where)
        ranges = _core.plan_condensed(shared._checked_data(), n_jobs * TASKS_PER_WORKER)
        tasks = [(shared, metric, spec, s, e) for s, e in ranges]
        _run_tasks(backend, n_jobs, pdist_task, tasks, progress, res.size, start_method)
        finish()


def cdist(a: Arena, b: Arena, metric: Any, res: np.ndarray, where: Optional[Tuple[str, int]],
          backend: str, n_jobs: int, progress: Optional[Callable[[int, int], Any]],
          start_method: Optional[str]) -> None:
    if _small(a, b, res.size):
        _core.cdist(metric, a._checked_data(), b._checked_data(), res.reshape(-1), n_jobs=1,
                    progress=progress)
        return
    with ExitStack() as stack:
        sa = shareable(stack, a, "XA")
        sb = sa if b is a else shareable(stack, b, "XB")
        spec, finish = _shared_out(stack, res, where)
        ranges = _core.plan_rect(sa._checked_data(), sb._checked_data(), n_jobs * TASKS_PER_WORKER)
        tasks = [(sa, sb, metric, spec, s, e) for s, e in ranges]
        _run_tasks(backend, n_jobs, cdist_task, tasks, progress, res.size, start_method)
        finish()
