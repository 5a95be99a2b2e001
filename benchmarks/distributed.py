"""Dask and Ray against the threads backend on one machine: throughput of a DTW pdist over
San Francisco-like trips, the client's memory while it writes a .zarr store, and each engine's
cost per task.

    python benchmarks/distributed.py --n 16000 --repeat 3 --json benchmarks/results/distributed.json

- Data: `--n` trips drawn from the shipped San Francisco set (3,950 trips of 3-66 points), each
  moved by up to 500 m and given 5 m of noise, so that no two are equal.
- Every engine runs on the same 2 cores: threads with n_jobs=2, a Dask
  LocalCluster(n_workers=2, threads_per_worker=1) and a local Ray with num_cpus=2. Each engine
  is started and warmed up before it is timed: start-up is not ours to measure.
- Throughput is pairs per second, the median of `--repeat` runs, and the ratio is against
  threads writing to the same kind of output (memory, or a .zarr store in the temp folder).
- RssAnon is the client process's anonymous resident memory, sampled every 20 ms during the
  call (the scheduler of a LocalCluster lives in the client process and is included).
- Per-task cost: `--tasks` tasks over empty ranges through each engine, divided by their
  number: what an engine adds to every task, whatever the task computes.
- `--alternate N`: only threads into memory against Dask into zarr, run in turn N times.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time

import importlib.util

# This file's name would hide the `distributed` package from Dask: its folder leaves the path.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != HERE]

import numpy as np  # noqa: E402

import trajarena as ta  # noqa: E402
from trajarena import _engines, _tasks  # noqa: E402
from trajarena._inputs import metric_of  # noqa: E402


def sibling(name):
    """Another script of this folder, loaded by path (the folder is off sys.path)."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


rss_anon_mb = sibling("memory").rss_anon_mb
stamp = sibling("stamp").stamp


def sf_like(n, seed=0):
    rng = np.random.default_rng(seed)
    sf = ta.datasets.san_francisco()
    pick = rng.integers(0, len(sf), n)
    shift = rng.uniform(-0.0045, 0.0045, (n, 2))  # about 500 m
    return [sf[i] + shift[k] + rng.normal(0, 4.5e-5, sf[i].shape) for k, i in enumerate(pick)]


class PeakRss:
    def __enter__(self):
        self.peak, self.stop = rss_anon_mb(), False

        def run():
            while not self.stop:
                self.peak = max(self.peak, rss_anon_mb())
                time.sleep(0.02)

        self.t = threading.Thread(target=run, daemon=True)
        self.t.start()
        return self

    def __exit__(self, *exc):
        self.stop = True
        self.t.join()
        self.peak = max(self.peak, rss_anon_mb())


def timed(fn, repeat):
    ts, peaks = [], []
    for _ in range(repeat):
        with PeakRss() as p:
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
        peaks.append(p.peak)
    return statistics.median(ts), max(peaks)


def zarr_run(X, backend, folder, **kw):
    path = os.path.join(folder, f"{backend}.zarr")

    def run():
        shutil.rmtree(path, ignore_errors=True)
        ta.pdist(X, "dtw", backend=backend, out=path, **kw)

    return run


def task_cost(backend, n_tasks):
    """Seconds per task over empty ranges, through the engine's own submit/gather path."""
    eng = _engines.engine(backend, -1, 2, None)
    arena = ta.Arena.pack([np.zeros((2, 2)), np.ones((2, 2))])
    m = metric_of("dtw", {})
    with ta.Arena.shared(arena) as shared:
        shipped = eng.ship(shared)
        tasks = [("pdist", shipped, shipped, m, 0, 0, "float64")] * n_tasks
        for _ in eng.run(_tasks.values, tasks[:20]):
            pass
        t0 = time.perf_counter()
        for _ in eng.run(_tasks.values, tasks):
            pass
        return (time.perf_counter() - t0) / n_tasks


def alternate(X, runs):
    from distributed import Client, LocalCluster

    folder = tempfile.mkdtemp(prefix="trajarena-bench-")
    threads, dask = [], []
    try:
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster):
            ta.pdist(X[:200], "dtw", backend="dask")
            to_zarr = zarr_run(X, "dask", folder)
            for _ in range(runs):
                threads.append(timed(lambda: ta.pdist(X, "dtw", n_jobs=2), 1)[0])
                dask.append(timed(to_zarr, 1)[0])
                print(f"threads into memory {threads[-1]:.2f} s, dask into zarr {dask[-1]:.2f} s", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    t, d = statistics.median(threads), statistics.median(dask)
    print(f"medians of {runs}: threads {t:.2f} s, dask into zarr {d:.2f} s: {t / d:.2f}x")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=16000, help="trips (default 16000)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tasks", type=int, default=1000, help="empty tasks for the per-task cost")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--alternate", type=int, default=0, metavar="N",
                    help="instead: N runs of threads into memory alternating with Dask into zarr "
                         "(a busy host's drift hits both alike); prints the median ratio")
    args = ap.parse_args()
    if args.alternate:
        alternate(sf_like(args.n), args.alternate)
        return

    X = sf_like(args.n)
    pairs = args.n * (args.n - 1) // 2
    folder = tempfile.mkdtemp(prefix="trajarena-bench-")
    rows = []

    def row(engine, output, seconds, rss, base, call="pdist"):
        rows.append(dict(call=call, engine=engine, output=output, seconds=round(seconds, 3),
                         pairs_per_s=round(pairs / seconds), ratio=round(base / seconds, 3),
                         client_rss_anon_mb=round(rss, 1)))

    def knn(backend):
        return lambda: ta.knn(X, 10, "dtw", backend=backend, **({"n_jobs": 2} if backend == "threads" else {}))

    try:
        ta.pdist(X[:200], "dtw", n_jobs=2)
        t_mem, rss = timed(lambda: ta.pdist(X, "dtw", n_jobs=2), args.repeat)
        row("threads", "memory", t_mem, rss, t_mem)
        t_zarr, rss = timed(zarr_run(X, "threads", folder, n_jobs=2), args.repeat)
        row("threads", "zarr", t_zarr, rss, t_zarr)
        t_knn, rss = timed(knn("threads"), args.repeat)
        row("threads", "memory", t_knn, rss, t_knn, "knn k=10")

        def engine_rows(backend):
            ta.pdist(X[:200], "dtw", backend=backend)
            t, rss = timed(lambda: ta.pdist(X, "dtw", backend=backend), args.repeat)
            row(backend, "memory", t, rss, t_mem)
            t, rss = timed(zarr_run(X, backend, folder), args.repeat)
            row(backend, "zarr", t, rss, t_zarr)
            t, rss = timed(knn(backend), args.repeat)
            row(backend, "memory", t, rss, t_knn, "knn k=10")
            return task_cost(backend, args.tasks)

        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster):
            dask_task = engine_rows("dask")

        import ray

        ray.init(num_cpus=2, include_dashboard=False, configure_logging=False)
        try:
            ray_task = engine_rows("ray")
        finally:
            ray.shutdown()
        joblib_task = task_cost("joblib", args.tasks)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    st = stamp()
    L = np.array([len(x) for x in X], dtype=np.float64)
    cells = (L.sum() ** 2 - (L ** 2).sum()) / 2
    print(f"{st['date']}, {st['cpu']}, {st['cores']} cores; {args.n} SF-like trips, "
          f"{pairs:,} pairs, {cells / pairs:.0f} DP cells per pair; medians of {args.repeat}")
    print("| call | engine | output | s | pairs/s | vs threads | client RssAnon MB (peak) |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['call']} | {r['engine']} | {r['output']} | {r['seconds']:.2f} | {r['pairs_per_s'] / 1e6:.1f} M "
              f"| {r['ratio']:.2f}x | {r['client_rss_anon_mb']:.0f} |")
    tasks = dict(dask=dask_task, ray=ray_task, joblib=joblib_task)
    print("per-task cost (empty range): " + ", ".join(f"{k} {v * 1e3:.2f} ms" for k, v in tasks.items()))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(stamp=st, n=args.n, pairs=pairs, cells_per_pair=cells / pairs, rows=rows,
                           task_seconds=tasks), f, indent=1)


if __name__ == "__main__":
    main()
