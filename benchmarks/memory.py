"""Anonymous memory of a pdist whose output is larger than it should ever hold in RAM.

    python benchmarks/memory.py [--n 20000] [--out d.npy] [--n-jobs -1]

20,000 San Francisco-like trajectories (the shipped 3,950, repeated with a little jitter) give
200 M pairs, a 1.6 GB float64 condensed vector written to `--out` through np.memmap. A sampler
thread reads RssAnon from /proc/self/status every 100 ms while the GIL is released; the peak
shows whether the output stayed in the page cache (file-backed) instead of private memory.
"""

import argparse
import os
import threading
import time

import numpy as np

import trajarena as ta


def rss_anon_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--out", default="sf20k_dtw.npy")
    ap.add_argument("--n-jobs", type=int, default=-1)
    ap.add_argument("--metric", default="dtw")
    args = ap.parse_args()

    base = ta.datasets.san_francisco()
    rng = np.random.default_rng(0)
    X = [base[i % len(base)] + rng.normal(0, 1e-5, base[i % len(base)].shape) for i in range(args.n)]
    arena = ta.Arena.pack(X)
    del X
    pairs = args.n * (args.n - 1) // 2
    print(f"{args.n} trajectories, {len(arena.coords)} points, {pairs:,} pairs, "
          f"output {pairs * 8 / 1e9:.2f} GB -> {args.out}")
    before = rss_anon_mb()
    peak = [before]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_anon_mb())
            time.sleep(0.1)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    t0 = time.perf_counter()
    d = ta.pdist(arena, args.metric, out=args.out, n_jobs=args.n_jobs)
    d.flush()
    secs = time.perf_counter() - t0
    stop.set()
    t.join()
    peak[0] = max(peak[0], rss_anon_mb())
    print(f"seconds        {secs:.1f}  ({pairs / secs:,.0f} pairs/s)")
    print(f"RssAnon before {before:.0f} MB, peak during pdist {peak[0]:.0f} MB")
    print(f"file           {os.path.getsize(args.out) / 1e9:.2f} GB")


if __name__ == "__main__":
    main()
