"""Exact kNN and radius queries against the full matrix, and what the pruning did.

    python benchmarks/queries.py [--n 3000] [--repeat 3] [--sf] [--json results/queries.json]

(a) Synthetic trips: n GPS-like trips of 20-200 points (a random start in a 10 km box over a
city, a vehicle's GPS fixes: 1-5 s apart at 3-15 m/s, a slowly turning heading, 5 m of
noise; a trip spans 0.1-5 km), in degrees of lon/lat, Euclidean metrics. For DTW, discrete Fréchet, Hausdorff and ERP:
`knn(X, 10)` over X itself, all cores, against `pdist` + `squareform` + a per-row
`argpartition` on the same cores, and `radius_neighbors` at the radius that keeps about 1% of
the pairs against `pdist` + a threshold. The results must be identical (checked every run).
(b) With --sf, the same for every metric and space on San Francisco's 3,950 trips.

Each row gives median seconds of `repeat` runs (after a warm-up) and the share of pairs each
step settled: the O(1) bounds ("cheap": ends, boxes' gap, ERP's gap sums, and for kNN every pair
left once the smallest bound left is above the k-th), the point-by-point bounds ("full"), early
abandoning inside the DP kernels, and pairs computed to the end.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

import trajarena as ta
from trajarena import _core
from trajarena._inputs import arena_data, metric_of

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernels import median_time  # noqa: E402
from stamp import cpu_name, stamp  # noqa: E402


def trips(n, seed=0):
    """n vehicle-like trips in lon/lat degrees around San Francisco."""
    rng = np.random.default_rng(seed)
    lat0 = 37.76
    m_per_deg_lat = 111_320.0
    m_per_deg_lon = m_per_deg_lat * np.cos(np.radians(lat0))
    out = []
    for _ in range(n):
        k = int(rng.integers(20, 201))
        start = rng.uniform(0, 10_000, 2)
        heading = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.normal(0, 0.25, k))
        step = rng.uniform(1, 5, k) * rng.uniform(3, 15, k)
        xy = start + np.cumsum(np.c_[np.cos(heading), np.sin(heading)] * step[:, None], axis=0)
        xy += rng.normal(0, 5, xy.shape)
        out.append(np.c_[-122.50 + xy[:, 0] / m_per_deg_lon, lat0 - 0.045 + xy[:, 1] / m_per_deg_lat])
    return out


def brute_knn(D, k):
    """The k nearest of each row of the square matrix D, itself excluded: argpartition, then
    the k sorted by (distance, index). The route the comparison times; among ties at the k-th
    distance argpartition may pick any, so `stable_knn` is the reference for the check."""
    D = D.copy()
    np.fill_diagonal(D, np.inf)
    part = np.argpartition(D, k - 1, axis=1)[:, :k]
    d = np.take_along_axis(D, part, 1)
    order = np.lexsort((part, d), axis=1)
    return np.take_along_axis(d, order, 1), np.take_along_axis(part, order, 1)


def stable_knn(D, k):
    """The k nearest by a stable argsort of each row (ties by the smaller index), itself
    excluded: the answer knn must give, bit for bit."""
    D = D.copy()
    np.fill_diagonal(D, np.inf)
    idx = np.argsort(D, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(D, idx, 1), idx


SETTLED = ("cheap", "groups", "points", "blocks", "reused", "abandoned", "computed")


def share(stats):
    p = max(stats["pairs"], 1)
    return {k: stats[k] / p for k in SETTLED}


def case(label, X, name, params, repeat, n_jobs, k=10, keep=0.01):
    """Rows for kNN and radius of one metric: the query, the full-matrix route, their ratio.
    The full route is timed as its two steps: `pdist` (median of `repeat`), then
    `squareform` and the per-row selection on the matrix it gave."""
    from scipy.spatial.distance import squareform

    m = metric_of(name, params)
    x = arena_data(X, "X")
    warm = repeat > 1
    t_pdist = median_time(lambda: ta.pdist(X, name, n_jobs=n_jobs, **params), repeat, warm)
    cond = ta.pdist(X, name, n_jobs=n_jobs, **params)
    radius = float(np.quantile(cond, keep))

    def within():
        Dm = squareform(cond)
        np.fill_diagonal(Dm, np.inf)
        return np.nonzero(Dm <= radius)

    rows = []
    want = stable_knn(squareform(cond), k)
    t_sel = median_time(lambda: brute_knn(squareform(cond), k), repeat, warm)
    got, stats = _core.neighbors(m, x, x, True, k=k, n_jobs=n_jobs, with_stats=True)
    same = got[0].tobytes() == want[0].tobytes() and np.array_equal(got[1], want[1])
    t_q = median_time(lambda: ta.knn(X, k, name, n_jobs=n_jobs, **params), repeat, warm)
    rows.append({"case": label, "metric": name, "params": params, "query": f"knn k={k}", "query_s": t_q,
                 "full_s": t_pdist + t_sel, "speedup": (t_pdist + t_sel) / t_q, "identical": bool(same),
                 **share(stats)})
    G = ta.radius_neighbors(X, radius, name, n_jobs=n_jobs, **params)
    ii, jj = within()
    D = squareform(cond)
    coo = G.tocoo()
    same = (G.nnz == len(ii) and np.array_equal(coo.row, ii) and np.array_equal(coo.col, jj)
            and np.array_equal(coo.data, D[ii, jj]))
    t_sel = median_time(within, repeat, warm)
    _, stats = _core.neighbors(m, x, x, True, radius=radius, n_jobs=n_jobs, with_stats=True)
    t_q = median_time(lambda: ta.radius_neighbors(X, radius, name, n_jobs=n_jobs, **params), repeat, warm)
    kept = G.nnz / max(len(X) * (len(X) - 1), 1)
    rows.append({"case": label, "metric": name, "params": params, "query": f"radius (keeps {kept:.2%})",
                 "query_s": t_q, "full_s": t_pdist + t_sel, "speedup": (t_pdist + t_sel) / t_q,
                 "identical": bool(same), **share(stats)})
    for r in rows:
        settled = " ".join(f"{key} {r[key]:.1%}" for key in SETTLED)
        print(f"| {r['case']} | {r['metric']} {json.dumps(r['params']) if r['params'] else ''} | {r['query']} | "
              f"{r['query_s']:.3f} | {r['full_s']:.3f} | {r['speedup']:.1f}x | {r['identical']} | {settled} |",
              flush=True)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=3000, help="synthetic trips (default 3000)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sf", action="store_true", help="also every metric on San Francisco's trips")
    ap.add_argument("--only", default="dtw,discrete_frechet,hausdorff,erp",
                    help="metrics of the synthetic case")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    n_jobs = os.cpu_count() or 1
    print(f"{time.strftime('%Y-%m-%d')}, {cpu_name()}, {n_jobs} cores, SIMD {ta.build_info()['simd']}; `python {' '.join(sys.argv)}`\n")
    print("| data | metric | query | query s | pdist + select s | speed-up | identical | pairs settled by |")
    print("|---|---|---|---|---|---|---|---|")
    rows = []
    X = trips(args.n)
    for name in args.only.split(","):
        rows += case(f"synthetic {args.n}", X, name, {}, args.repeat, n_jobs)
    if args.sf:
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
        from variants import every_variant

        sf = ta.datasets.san_francisco()
        for name, p in every_variant(0.001, 100.0):
            if p.get("compat"):
                continue
            rows += case(f"SF {len(sf)}", sf, name, p, 1, n_jobs)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"stamp": stamp(), "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
