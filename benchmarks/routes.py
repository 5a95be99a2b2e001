"""The routes people take today to a DTW pdist, measured in one run on this machine.

    python benchmarks/routes.py [--repeat 5] [--json results/routes.json]

Cases: 20 trajectories x 1,000 points (compute-bound) and 20 x 10 points (overhead-bound).
Routes: a Python double loop over the single-pair call; joblib with the arrays pickled into
every task (the usual pattern); trajarena pdist on threads; trajarena over a shared arena with
index ranges on joblib (loky) and multiprocessing workers; traj-dist-rs pdist (serial and
parallel) when it is installed. Each route is run `repeat` times after one warm-up; the table
shows the median seconds and the speed-up over the double loop.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import sys
import time

import numpy as np

import trajarena as ta
from stamp import stamp


def routes(X, arena, n_jobs):
    import joblib

    def double_loop():
        n = len(X)
        out = np.empty(n * (n - 1) // 2)
        k = 0
        for i in range(n):
            for j in range(i + 1, n):
                out[k] = ta.dtw(X[i], X[j])
                k += 1
        return out

    def joblib_pickled():
        n = len(X)
        pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
        return np.array(joblib.Parallel(n_jobs=n_jobs)(joblib.delayed(ta.dtw)(X[i], X[j]) for i, j in pairs))

    r = {
        "python double loop (ta.dtw)": double_loop,
        f"joblib, arrays pickled per task (n_jobs={n_jobs})": joblib_pickled,
        "trajarena pdist, threads n_jobs=1": lambda: ta.pdist(X, "dtw", n_jobs=1),
        f"trajarena pdist, threads n_jobs={n_jobs}": lambda: ta.pdist(X, "dtw", n_jobs=n_jobs),
        f"trajarena pdist, joblib over arena (n_jobs={n_jobs})":
            lambda: ta.pdist(arena, "dtw", backend="joblib", n_jobs=n_jobs),
        f"trajarena pdist, multiprocessing over arena (n_jobs={n_jobs})":
            lambda: ta.pdist(arena, "dtw", backend="multiprocessing", n_jobs=n_jobs),
    }
    try:
        import traj_dist_rs as tdr

        m = tdr.Metric.dtw(type_d="euclidean")
        r["traj-dist-rs pdist, serial"] = lambda: np.asarray(tdr.pdist(X, m, parallel=False))
        r["traj-dist-rs pdist, parallel"] = lambda: np.asarray(tdr.pdist(X, m, parallel=True))
    except ImportError:
        print("traj-dist-rs is not installed: its routes are skipped (make bench installs it)")
    return r


def payload_bytes(arena):
    """Pickled size of one worker task of the arena routes (handle + metric + output + range)."""
    from trajarena import _backends

    spec = ("/dev/shm/trajarena-out-123-0123456789abcdef.bin", 0, "float64", 190)
    return len(pickle.dumps((arena, ta.Metric("dtw"), spec, 0, 190)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", default=os.path.join(os.path.dirname(__file__), "results", "routes.json"))
    args = ap.parse_args()
    cores = ta.build_info()["cores"]
    rng = np.random.default_rng(0)
    results = {"stamp": stamp(), "python": sys.version.split()[0], "cases": {}}
    for n_traj, n_pts in ((20, 1000), (20, 10)):
        X = [rng.normal(size=(n_pts, 2)).cumsum(axis=0) for _ in range(n_traj)]
        want = ta.pdist(X, "dtw")
        with ta.Arena.shared(X) as arena:
            rows = []
            for name, fn in routes(X, arena, cores).items():
                got = fn()  # warm-up (pools, loky workers) and check
                if not np.allclose(got, want, rtol=1e-12, atol=0):
                    raise SystemExit(f"{name}: results differ from trajarena")
                times = []
                for _ in range(args.repeat):
                    t0 = time.perf_counter()
                    fn()
                    times.append(time.perf_counter() - t0)
                rows.append((name, statistics.median(times)))
            payload = payload_bytes(arena)
        base = rows[0][1]
        cells = sum(len(a) * len(b) for i, a in enumerate(X) for b in X[i + 1:])
        print(f"\nDTW pdist, {n_traj} trajectories x {n_pts} points ({len(want)} pairs, {cells:,} cells), "
              f"{cores} cores, median of {args.repeat}")
        print(f"{'route':62s} {'seconds':>10s} {'speed-up':>9s}")
        for name, t in rows:
            print(f"{name:62s} {t:10.5f} {base / t:8.1f}x")
        print(f"per-task payload of the arena routes: {payload} bytes")
        results["cases"][f"{n_traj}x{n_pts}"] = {
            "pairs": len(want), "cells": cells, "payload_bytes": payload,
            "routes": [{"route": n, "seconds": t, "speedup": base / t} for n, t in rows]}
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(results, f, indent=2)
    print(f"\nwritten {args.json}")


if __name__ == "__main__":
    main()
