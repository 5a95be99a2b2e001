"""What a worker task costs on a large arena: a one-pair pdist_range through a pickled handle
against a full `Arena.open` validation of the same file.

    python benchmarks/handles.py [--n 1000000] [--points 20] [--repeat 7]

The handle names a file this library wrote and validated, so a worker checks its header and
fingerprint (O(1)) and then only the trajectories its task touches; `Arena.open` of a file of
unknown origin reads every offset and coordinate. Each handle task starts with an empty cache of
open arenas, as in a fresh worker.
"""

from __future__ import annotations

import argparse
import os
import pickle
import tempfile

import numpy as np

import trajarena as ta
from trajarena import _arena

from kernels import median_time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--points", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    coords = rng.normal(size=(args.n * args.points, 2)).cumsum(axis=0)
    X = [coords[i * args.points:(i + 1) * args.points] for i in range(args.n)]
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "big.arena")
        a = ta.Arena.pack(X, path=path)
        del X, coords
        blob = pickle.dumps(a)
        n = len(a)
        k = ta.condensed_index(n, 12, n - 5)
        out = np.empty(1)

        def handle_task():
            _arena._OPEN.clear()
            w = pickle.loads(blob)
            ta.pdist_range(w, "dtw", k, k + 1, out)

        def full_open():
            ta.Arena.open(path).close()

        # The first open warms the page cache for both.
        t_open = median_time(full_open, args.repeat)
        t_task = median_time(handle_task, args.repeat)
        size = os.path.getsize(path)
    print(f"arena: {n:,} trajectories x {args.points} points, {size / 1e6:.0f} MB; "
          f"handle blob {len(blob)} bytes")
    print(f"full Arena.open validation: {t_open * 1e3:.1f} ms (median of {args.repeat})")
    print(f"one-pair pdist_range through a pickled handle: {t_task * 1e3:.3f} ms "
          f"(median of {args.repeat}) = {100 * t_task / t_open:.2f}% of the full open")


if __name__ == "__main__":
    main()
