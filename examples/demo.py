"""The main job on the shipped data: DTW pdist of all 3,950 San Francisco trajectories on every
core, with a progress bar, written to a .npy file on disk.

    make demo            # or: python examples/demo.py [--out PATH] [--metric NAME] [--n-jobs K]
"""

import argparse
import time

import numpy as np

import trajarena as ta


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="sf_dtw_pdist.npy", help="where the condensed matrix goes")
    ap.add_argument("--metric", default="dtw")
    ap.add_argument("--n-jobs", type=int, default=-1)
    args = ap.parse_args()

    trajs = ta.datasets.san_francisco()
    n = len(trajs)
    lengths = np.array([len(t) for t in trajs], dtype=np.int64)
    cells = int((lengths.sum() ** 2 - (lengths ** 2).sum()) // 2)   # sum of n_i * n_j over pairs
    info = ta.build_info()
    cores = info["cores"] if args.n_jobs == -1 else args.n_jobs
    print(f"{n} San Francisco trajectories, {sum(map(len, trajs))} points; "
          f"metric={args.metric}, cores={info['cores']}, simd={info['simd']}, n_jobs={args.n_jobs}")

    t0 = time.perf_counter()
    d = ta.pdist(trajs, args.metric, n_jobs=args.n_jobs, out=args.out, progress=True)
    d.flush()
    secs = time.perf_counter() - t0

    pairs = n * (n - 1) // 2
    print(f"pairs      {pairs:,}")
    print(f"seconds    {secs:.2f}")
    print(f"pairs/s    {pairs / secs:,.0f}")
    print(f"ns/cell    {secs * 1e9 * cores / cells:.2f} per core  ({cells:,} DP cells on {cores} cores)")
    print(f"written    {args.out}  ({d.nbytes / 1e6:.1f} MB, condensed scipy order)")

    # Row 0 of the square matrix without building it: entries (0, j) are k = j - 1.
    row0 = np.asarray(d[: n - 1])
    nearest = np.argsort(row0, kind="stable")[:5] + 1
    print("5 nearest neighbours of trajectory 0:")
    for j in nearest:
        print(f"  #{j:<5d} {args.metric} = {d[ta.condensed_index(n, 0, int(j))]:.6g}  ({len(trajs[j])} points)")


if __name__ == "__main__":
    main()
