"""The across-pairs lane kernel (Euclidean DTW) is bit-identical to the single-pair function on
every batch path: pdist, cdist, pdist_range, cdist_block, float32 output, both variants."""

import numpy as np
import pytest

import trajarena as ta


def _data(dim, seed, lo=1, hi=80, n=37):
    rng = np.random.default_rng(seed)
    return [rng.normal(scale=rng.choice([1e-3, 1.0, 1e3]), size=(k, dim)).cumsum(axis=0)
            for k in rng.integers(lo, hi, n)]


@pytest.mark.parametrize("dim", [2, 3])
@pytest.mark.parametrize("compat", [None, "traj-dist"])
def test_pdist_cdist_bit_identical(dim, compat):
    if compat and dim == 3:
        pytest.skip("traj-dist handles 2-D only")
    X = _data(dim, dim)
    Y = _data(dim, 10 + dim, n=21)
    p = {} if compat is None else {"compat": compat}
    single = np.array([ta.dtw(X[i], X[j], **p) for i in range(len(X)) for j in range(i + 1, len(X))])
    for n_jobs in (1, 2):
        assert np.array_equal(ta.pdist(X, "dtw", n_jobs=n_jobs, **p), single)
    C = ta.cdist(X, Y, "dtw", **p)
    assert np.array_equal(C, np.array([[ta.dtw(x, y, **p) for y in Y] for x in X]))
    assert np.array_equal(ta.pdist(X, "dtw", dtype="float32", **p), single.astype(np.float32))


def test_ranges_and_blocks_bit_identical():
    X = _data(2, 5, n=30)
    a = ta.Arena.pack(X)
    want = ta.pdist(X, "dtw", n_jobs=1)
    out = np.zeros_like(want)
    for s, e in ta.plan_ranges(a, 13):  # ranges start and stop mid-row
        ta.pdist_range(a, "dtw", s, e, out)
    assert np.array_equal(out, want)
    D = np.zeros((30, 30))
    ta.cdist_block(a, a, "dtw", (3, 17), (2, 29), D)
    assert np.array_equal(D[3:17, 2:29], np.array([[ta.dtw(X[i], X[j]) for j in range(2, 29)] for i in range(3, 17)]))


def test_equal_lengths_and_one_point_trajectories():
    rng = np.random.default_rng(1)
    X = [rng.normal(size=(50, 2)) for _ in range(20)] + [rng.normal(size=(1, 2)) for _ in range(9)]
    single = np.array([ta.dtw(X[i], X[j]) for i in range(len(X)) for j in range(i + 1, len(X))])
    assert np.array_equal(ta.pdist(X, "dtw"), single)
