"""What runs a call's tasks: this process's threads, worker processes (joblib, multiprocessing),
a Dask cluster or a Ray cluster, behind one shape:

- ``threads``: how many tasks can run at once (the plan makes a few tasks per thread);
- ``task_jobs``: the threads each task uses itself;
- ``arena(stack, X, name)``: the input as an Arena this engine can ship;
- ``ship(arena)``: what tasks receive for it, made once per call;
- ``sees(path)``: whether every worker opens the same file at this path (then they write a
  result in place into a shared file of this machine, which this process maps);
- ``run(fn, tasks)``: each task's result, in completion order; leaving the loop early (an
  error, Ctrl-C) cancels what has not run. Engines whose workers must leave with this process
  pass its identity as the task's last argument (``owner``).
"""

from __future__ import annotations

import os
import sys
import uuid
from contextlib import ExitStack
from typing import Any, Callable, Iterator, List, Optional

import numpy as np

from . import _backends, _tasks
from ._arena import Arena
from ._inputs import arena_data


class Threads:
    """The threads backend: tasks run one after another in this process, each on all threads."""

    def __init__(self, n_jobs: int, workers: int):
        self.threads, self.task_jobs = workers, n_jobs

    def arena(self, stack: ExitStack, X: Any, name: str) -> Arena:
        return X if isinstance(X, Arena) else Arena._wrap(arena_data(X, name))

    def ship(self, arena: Arena) -> Any:
        return arena

    def sees(self, path: str) -> bool:
        return True

    def run(self, fn: Callable, tasks: List[tuple]) -> Iterator[Any]:
        for t in tasks:
            yield fn(*t)


class Processes:
    """joblib (loky) or multiprocessing workers; arenas travel as file handles."""

    def __init__(self, backend: str, workers: int, start_method: Optional[str]):
        self.backend, self.threads, self.task_jobs, self.start_method = backend, workers, 1, start_method

    def arena(self, stack: ExitStack, X: Any, name: str) -> Arena:
        return _backends.shareable(stack, X, name)

    def ship(self, arena: Arena) -> Any:
        return arena

    def sees(self, path: str) -> bool:
        return True

    def run(self, fn: Callable, tasks: List[tuple]) -> Iterator[Any]:
        yield from _backends._results(self.backend, self.threads, fn, tasks, self.start_method)


# ---------------------------------------------------------------- Dask
_OWN_DASK: List[Any] = []  # [cluster, client] this process started, reused by later calls


def _own_dask_client(workers: int) -> Any:
    if _OWN_DASK and _OWN_DASK[1].status == "running":
        return _OWN_DASK[1]
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    client = Client(cluster, set_as_default=False)
    _OWN_DASK[:] = [cluster, client]
    sys.stderr.write(f"trajarena: no Dask client is running; started a LocalCluster of {workers} "
                     f"worker processes for this process (create a distributed.Client first to "
                     f"use your own cluster)\n")
    return client


class Dask:
    """The current ``distributed.Client``, else a LocalCluster this process starts once."""

    task_jobs = 1

    def __init__(self, workers: int):
        try:
            import distributed
        except ImportError:
            raise ImportError("backend: 'dask' needs dask and distributed "
                              "(pip install 'trajarena[dask]')") from None
        try:
            self.client, own = distributed.default_client(), False
        except ValueError:
            self.client, own = _own_dask_client(workers), True
        # Workers of a cluster this process started leave with it, even after a SIGKILL.
        self.owner = _backends.this_owner() if own else None
        self.threads = max(1, sum(self.client.nthreads().values()))
        self.prefix = f"trajarena-{uuid.uuid4().hex[:8]}"

    def arena(self, stack: ExitStack, X: Any, name: str) -> Arena:
        return _backends.shareable(stack, X, name)

    def ship(self, arena: Arena) -> Any:
        """By path when every worker opens the same file, else the bytes, scattered once."""
        if arena.is_shared:
            seen = self.client.run(_tasks.sees_file, arena.path, arena._fingerprint)
            if seen and all(seen.values()):
                return arena
        buf = np.frombuffer(arena.to_bytes(), dtype=np.uint8)
        return self.client.scatter(buf, broadcast=True, hash=False)

    def sees(self, path: str) -> bool:
        # The files this library names carry the boot id, pid and a random token: a worker on
        # another machine cannot have one of the same name.
        seen = self.client.run(os.path.exists, path)
        return bool(seen) and all(seen.values())

    def run(self, fn: Callable, tasks: List[tuple]) -> Iterator[Any]:
        from distributed import as_completed

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


class Ray:
    """The connected Ray cluster, else a local one this process starts (``ray.init``)."""

    task_jobs = 1

    def __init__(self, workers: int):
        try:
            import ray
        except ImportError:
            raise ImportError("backend: 'ray' needs ray (pip install 'trajarena[ray]')") from None
        self.ray = ray
        if not ray.is_initialized():
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=True,
                     configure_logging=False)
            sys.stderr.write(f"trajarena: no Ray cluster is connected; started a local one with "
                             f"{workers} CPUs (call ray.init() first to use your own)\n")
        self.threads = max(1, int(ray.cluster_resources().get("CPU", 1)))

    def arena(self, stack: ExitStack, X: Any, name: str) -> Arena:
        return _backends.shareable(stack, X, name)

    def ship(self, arena: Arena) -> Any:
        # A numpy array, unlike bytes, is mapped from the object store without a copy.
        return self.ray.put(np.frombuffer(arena.to_bytes(), dtype=np.uint8))

    def sees(self, path: str) -> bool:
        """True when every node of the cluster is this machine."""
        here = self.ray.util.get_node_ip_address()
        nodes = [n for n in self.ray.nodes() if n.get("Alive")]
        return bool(nodes) and all(n.get("NodeManagerAddress") == here for n in nodes) and os.path.exists(path)

    def run(self, fn: Callable, tasks: List[tuple]) -> Iterator[Any]:
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
