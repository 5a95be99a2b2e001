"""Kernel speed in ns per DP cell per core, against traj-dist-rs and dtaidistance, in one run.

    python benchmarks/kernels.py [--repeat 5] [--json benchmarks/results/kernels.json]

Cases: (a) DTW pdist of 100 random 2-D trajectories x 200 points; (b) the same with lengths drawn
from 20-200; (c) each metric on pdist of 1,000 San Francisco trajectories (--sf), both spaces, and exact
Fréchet, traj-dist's Fréchet and EDwP in Euclidean space; (d) 20 trajectories x 10 points. Each with n_jobs=1 and with
every core. A cell is one (i, j) of a pair's n x m matrix, so ns/cell/core = seconds * cores
used * 1e9 / sum(n_i * n_j). Ratios are the other library's median time over ours (> 1: we are
faster). Every result is checked against trajarena before it is timed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import numpy as np

import trajarena as ta
from stamp import cpu_name, stamp

try:
    import traj_dist_rs as tdr
except ImportError:  # pragma: no cover
    tdr = None
try:
    from dtaidistance import dtw_ndim
except ImportError:  # pragma: no cover
    dtw_ndim = None


def cells(X):
    L = np.array([len(x) for x in X], dtype=np.float64)
    return float((L.sum() ** 2 - (L ** 2).sum()) / 2)


def median_time(fn, repeat, warm=True):
    if warm:
        fn()
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def tdr_metric(name, space, p):
    M = tdr.Metric
    td = space
    return {
        "dtw": lambda: M.dtw(type_d=td),
        "discrete_frechet": lambda: M.discret_frechet(type_d=td),
        "lcss": lambda: M.lcss(p["eps"], type_d=td),
        "edr": lambda: M.edr(p["eps"], type_d=td),
        "erp": lambda: M.erp(list(p["g"]), type_d=td),
        "hausdorff": lambda: M.hausdorff(type_d=td),
        "sspd": lambda: M.sspd(type_d=td),
        "frechet": lambda: M.frechet(),
        "edwp": lambda: M.edwp(),
    }[name]()


def case_rows(label, X, name, p, repeat, cores, check_rtol=1e-9):
    c = cells(X)
    rows = []
    for n_jobs in (1, cores):
        ours = median_time(lambda: ta.pdist(X, name, n_jobs=n_jobs, **p), repeat)
        row = {"case": label, "metric": name, "space": p.get("space", "euclidean"), "n_jobs": n_jobs,
               "seconds": ours, "ns_per_cell_core": ours * n_jobs * 1e9 / c}
        want = ta.pdist(X, name, **p)
        if tdr is not None and name in ("dtw", "discrete_frechet", "lcss", "edr", "erp", "hausdorff",
                                        "sspd", "frechet", "edwp"):
            try:
                m = tdr_metric(name, p.get("space", "euclidean"), p)
                # The call that checks the values is the warm-up (a slow metric's call takes half a
                # minute).
                got = np.asarray(tdr.pdist(X, m, parallel=n_jobs > 1))
                t = median_time(lambda: tdr.pdist(X, m, parallel=n_jobs > 1), repeat, warm=False)
                row["traj_dist_rs_seconds"] = t
                row["vs_traj_dist_rs"] = t / ours
                row["traj_dist_rs_agrees"] = bool(np.allclose(got, want, rtol=check_rtol, atol=1e-12))
            except Exception as e:  # a metric/space it lacks
                row["traj_dist_rs_error"] = f"{type(e).__name__}: {e}"[:120]
        if dtw_ndim is not None and name == "dtw" and "space" not in p:
            series = [np.ascontiguousarray(x, dtype=np.double) for x in X]
            f = lambda: dtw_ndim.distance_matrix_fast(series, inner_dist="euclidean", compact=True,
                                                      parallel=n_jobs > 1)
            got = np.asarray(f())
            t = median_time(f, repeat)
            row["dtaidistance_seconds"] = t
            row["vs_dtaidistance"] = t / ours
            row["dtaidistance_agrees"] = bool(np.allclose(got, want, rtol=1e-9))
        rows.append(row)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--sf", type=int, default=1000,
                    help="San Francisco trajectories in case (c); spherical Hausdorff/SSPD at 1,000 "
                         "take about a minute per call on both libraries")
    ap.add_argument("--only", default="",
                    help="comma-separated metric names and/or cases (a,b,c,d) to run; default all")
    ap.add_argument("--json", default=os.path.join(os.path.dirname(__file__), "results", "kernels.json"))
    args = ap.parse_args()
    cores = ta.build_info()["cores"]
    rng = np.random.default_rng(0)
    only = set(filter(None, args.only.split(",")))

    def want(case, name):
        cs, ms = only & set("abcd"), only - set("abcd")
        return (not cs or case in cs) and (not ms or name in ms)

    rows = []
    A = [rng.normal(size=(200, 2)).cumsum(axis=0) for _ in range(100)]
    B = [rng.normal(size=(n, 2)).cumsum(axis=0) for n in rng.integers(20, 201, 100)]
    D = [rng.normal(size=(10, 2)).cumsum(axis=0) for _ in range(20)]
    if want("a", "dtw"):
        rows += case_rows("a: 100x200", A, "dtw", {}, args.repeat, cores)
    if want("b", "dtw"):
        rows += case_rows("b: 100x20-200", B, "dtw", {}, args.repeat, cores)
    sf = ta.datasets.san_francisco()[:args.sf]
    g = tuple(np.concatenate(sf).mean(axis=0))
    for space, eps in (("euclidean", 1e-3), ("spherical", 100.0)):
        sp = {} if space == "euclidean" else {"space": space}
        for name, p in (("dtw", {}), ("discrete_frechet", {}), ("lcss", {"eps": eps}),
                        ("edr", {"eps": eps}), ("erp", {"g": g}), ("hausdorff", {}), ("sspd", {})):
            if not want("c", name):
                continue
            rows += case_rows(f"c: SF {args.sf} {space}", sf, name, {**p, **sp}, args.repeat, cores)
    # The slow ones: exact Fréchet (~150 ns/cell), and traj-dist-rs's Fréchet, which is traj-dist's
    # approximation: our traj-dist variant is the same definition, so that row compares like with
    # like. Half the repeats (each traj-dist-rs call takes half a minute).
    slow = max(1, args.repeat // 2)
    for name, p, reps, label in (("frechet", {}, slow, "euclidean"),
                                 ("frechet", {"compat": "traj-dist"}, slow, "traj-dist"),
                                 ("edwp", {}, args.repeat, "euclidean")):
        if want("c", name):
            rows += case_rows(f"c: SF {args.sf} {label}", sf, name, p, reps, cores)
    if want("d", "dtw"):
        rows += case_rows("d: 20x10", D, "dtw", {}, max(args.repeat, 20), cores)

    print(f"{'case':22s} {'metric':17s} {'space':9s} {'jobs':>4s} {'ns/cell/core':>12s} "
          f"{'vs tdrs':>8s} {'vs dtai':>8s}")
    for r in rows:
        v1 = f"{r['vs_traj_dist_rs']:.2f}x" if "vs_traj_dist_rs" in r else "-"
        if r.get("traj_dist_rs_agrees") is False:
            v1 += "*"
        v2 = f"{r['vs_dtaidistance']:.2f}x" if "vs_dtaidistance" in r else "-"
        if r.get("dtaidistance_agrees") is False:
            v2 += "*"
        print(f"{r['case']:22s} {r['metric']:17s} {r['space']:9s} {r['n_jobs']:4d} "
              f"{r['ns_per_cell_core']:12.2f} {v1:>8s} {v2:>8s}")
    print("(* the other library's numbers differ from ours beyond 1e-9: different definition)")
    simd = ta.build_info()["simd"]
    print(f"machine: {cpu_name()}, {cores} cores, kernels built for {simd}")
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump({"stamp": stamp(), "rows": rows}, f, indent=2)
    print(f"written {args.json}")


if __name__ == "__main__":
    main()
