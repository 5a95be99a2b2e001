"""What runs a call's tasks: this process's threads, worker processes (joblib, multiprocessing),
a Dask cluster or a Ray cluster, behind one shape:

- ``threads``: how many tasks can run at once (the plan makes a few tasks per thread);
- ``task_jobs``: the threads each task uses itself;
- ``arena(stack, X, name)``: the input as an Arena this engine can ship;
- ``ship(arena)``: what tasks receive for it, made once per call;
- ``local()``: whether every worker runs on this machine, and ``sees(path)``: whether every
  worker opens the file at this path (then they write a result in place into a shared file of
  this machine, which this process maps);
- ``run(fn, tasks)``: each task's result, in completion order; leaving the loop early (an
  error, Ctrl-C) cancels what has not run. Engines whose workers must leave with this process
  pass its identity as the task's last argument (``owner``).
"""

from __future__ import annotations

import atexit
import os
import sys
import uuid
from contextlib import ExitStack
from typing import Any, Callable, Iterator, List, Optional


from . import _backends, _tasks
from ._arena import Arena
from ._inputs import arena_data


def private_arena(X: Any, name: str) -> Arena:
    """X as an arena, packed in this process's memory unless it is one already."""
    return X if isinstance(X, Arena) else Arena._wrap(arena_data(X, name))


class _ThisMachine:
    """Engines whose workers are this process or its children: they take arenas as they are
    and see every file this process sees."""

    def ship(self, arena: Arena) -> Any:
        return arena

    def local(self) -> bool:
        return True

    def sees(self, path: str) -> bool:
        return True


class Threads(_ThisMachine):
    """The threads backend: tasks run one after another in this process, each on all threads."""

    def __init__(self, n_jobs: int, workers: int):
        self.threads, self.task_jobs = workers, n_jobs

    def arena(self, stack: ExitStack, X: Any, name: str) -> Arena:
        return private_arena(X, name)

    def run(self, fn: Callable, tasks: List[tuple]) -> Iterator[Any]:
        for t in tasks:
            yield fn(*t)


class Processes(_ThisMachine):
    """joblib (loky) or multiprocessing workers; arenas travel as file handles."""

    def __init__(self, backend: str, workers: int, start_method: Optional[str]):
        self.backend, self.threads, self.task_jobs, self.start_method = backend, workers, 1, start_method

    def arena(self, stack: ExitStack, X: Any, name: str) -> Arena:
        return _backends.shareable(stack, X, name)

    def run(self, fn: Callable, tasks: List[tuple]) -> Iterator[Any]:
        yield from _backends._results(self.backend, self.threads, fn, tasks, self.start_method)


# ---------------------------------------------------------------- Dask
_OWN_DASK: List[Any] = []  # [cluster, client] this process started, reused by later calls


def _close_own_dask() -> None:
    """At exit: the client first, then its cluster. Left to distributed's own finalizers, the
    cluster can lose a worker before the client is gone, and the scheduler then runs a task of
    a call that is over again, against files that call already removed."""
    if not _OWN_DASK:
        return
    cluster, client = _OWN_DASK
    _OWN_DASK.clear()
    for closing in (client, cluster):
        try:
            closing.close()
        except Exception:  # shutting down: nothing left to report to
            pass


def _own_dask_client(workers: int) -> Any:
    if _OWN_DASK and _OWN_DASK[1].status == "running":
        return _OWN_DASK[1]
    from distributed import Client, LocalCluster

    if not _OWN_DASK:
        atexit.register(_close_own_dask)

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    client = Client(cluster, set_as_default=False)
    _OWN_DASK[:] = [cluster, client]
    sys.stderr.write(f"trajarena: no Dask client is running; started a LocalCluster of {workers} "
                     f"worker processes for this process (create a distributed.Client first to "
                     f"use your own cluster)\n")
    return client


class _Cluster:
    """A Dask or Ray engine. It connects (or starts a local cluster) on first use, so that
    arguments and inputs are checked before any cluster starts."""

    task_jobs = 1
    owner: Optional[str] = None

    def __init__(self, workers: int):
        self.workers = workers
        self._threads: Optional[int] = None
        self._local: Optional[bool] = None

    def _connect(self) -> int:
        """Connects; returns the cluster's thread count."""
        raise NotImplementedError

    def _is_local(self) -> bool:
        raise NotImplementedError

    @property
    def threads(self) -> int:
        if self._threads is None:
            self._threads = max(1, self._connect())
        return self._threads

    def local(self) -> bool:
        """Whether every worker runs on this machine (and sees its shared files)."""
        if self._local is None:
            self.threads
            self._local = self._is_local()
        return self._local

    def sees(self, path: str) -> bool:
        return self.local() and os.path.exists(path)


class Dask(_Cluster):
    """The current ``distributed.Client``, else a LocalCluster this process starts once."""

    def __init__(self, workers: int):
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise ImportError("backend: 'dask' needs dask and distributed "
                              "(pip install 'trajarena[dask]')") from None
        super().__init__(workers)
        self.prefix = f"trajarena-{uuid.uuid4().hex[:8]}"

    def _connect(self) -> int:
        import distributed

        try:
            self.client = distributed.default_client()
        except ValueError:
            self.client = _own_dask_client(self.workers)
            # Workers of a cluster this process started leave with it, even after a SIGKILL.
            self.owner = _backends.this_owner()
        return sum(self.client.nthreads().values())

    def _is_local(self) -> bool:
        here = _tasks.machine()
        seen = self.client.run(_tasks.machine)
        return here is not None and bool(seen) and all(v == here for v in seen.values())

    def arena(self, stack: ExitStack, X: Any, name: str) -> Arena:
        return _backends.shareable(stack, X, name)

    def ship(self, arena: Arena) -> Any:
        """By path when every worker opens the same file, else the bytes, scattered once."""
        self.threads
        if arena.is_shared:
            seen = self.client.run(_tasks.sees_file, arena.path, arena._fingerprint)
            if seen and all(seen.values()):
                return arena
        return self.client.scatter(_tasks.arena_bytes(arena), broadcast=True, hash=False)

    def sees(self, path: str) -> bool:
        if not self.local():
            return False
        seen = self.client.run(os.path.exists, path)
        return bool(seen) and all(seen.values())

    def run(self, fn: Callable, tasks: List[tuple]) -> Iterator[Any]:
        from distributed import as_completed

        self.threads
        name = getattr(fn, "__name__", "task")
        futures = [self.client.submit(fn, *t, self.owner, key=f"{self.prefix}-{name}-{i}", pure=False)
                   for i, t in enumerate(tasks)]
        try:
            for f in as_completed(futures, loop=self.client.loop):
                yield f.result()
                f.release()
        finally:
            self.client.cancel(futures)


# ---------------------------------------------------------------- Ray
_REMOTE: dict = {}


class Ray(_Cluster):
    """The connected Ray cluster, else a local one this process starts (``ray.init``)."""

    def __init__(self, workers: int):
        try:
            import ray
        except ImportError:
            raise ImportError("backend: 'ray' needs ray (pip install 'trajarena[ray]')") from None
        super().__init__(workers)
        self.ray = ray

    def _connect(self) -> int:
        ray = self.ray
        if not ray.is_initialized():
            ray.init(num_cpus=self.workers, include_dashboard=False, log_to_driver=True,
                     configure_logging=False)
            sys.stderr.write(f"trajarena: no Ray cluster is connected; started a local one with "
                             f"{self.workers} CPUs (call ray.init() first to use your own)\n")
        return int(ray.cluster_resources().get("CPU", 1))

    def _is_local(self) -> bool:
        here = self.ray.util.get_node_ip_address()
        nodes = [n for n in self.ray.nodes() if n.get("Alive")]
        return bool(nodes) and all(n.get("NodeManagerAddress") == here for n in nodes)

    def arena(self, stack: ExitStack, X: Any, name: str) -> Arena:
        # Ray always ships the bytes: no shared file is needed.
        return private_arena(X, name)

    def ship(self, arena: Arena) -> Any:
        # A numpy array, unlike bytes, is mapped from the object store without a copy.
        self.threads
        return self.ray.put(_tasks.arena_bytes(arena))

    def run(self, fn: Callable, tasks: List[tuple]) -> Iterator[Any]:
        self.threads
        remote = _REMOTE.get(fn)
        if remote is None:
            remote = _REMOTE[fn] = self.ray.remote(num_cpus=1, max_retries=3)(fn)
        pending = [remote.remote(*t) for t in tasks]
        try:
            while pending:
                done, pending = self.ray.wait(pending, num_returns=1)
                yield self.ray.get(done[0])
        finally:
            for r in pending:
                self.ray.cancel(r, force=True)


def engine(backend: str, n_jobs: int, workers: int, start_method: Optional[str]) -> Any:
    if backend == "threads":
        return Threads(n_jobs, workers)
    if backend == "dask":
        return Dask(workers)
    if backend == "ray":
        return Ray(workers)
    return Processes(backend, workers, start_method)
