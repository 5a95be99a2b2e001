"""Properties over random trajectories (1 to 60 points, 2-D and 3-D)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import trajarena as ta

from strategies import lonlat, pair, trajs

SYMMETRIC = {
    "dtw": {}, "discrete_frechet": {}, "frechet": {}, "hausdorff": {}, "sspd": {},
    "lcss": {"eps": 5.0}, "edr": {"eps": 5.0}, "erp": {},
}


@settings(max_examples=40, deadline=None)
@given(pair(max_len=30))
def test_symmetry(ab):
    a, b = ab
    for name, p in SYMMETRIC.items():
        f = getattr(ta, name)
        assert f(a, b, **p) == f(b, a, **p), name


@settings(max_examples=40, deadline=None)
@given(trajs(max_len=40))
def test_identity(a):
    for name, p in SYMMETRIC.items():
        assert getattr(ta, name)(a, a, **p) == 0.0, name
    assert ta.edwp(a, a) == 0.0


@settings(max_examples=30, deadline=None)
@given(lonlat(max_len=30))
def test_identity_spherical(a):
    for name, p in SYMMETRIC.items():
        if name != "frechet":
            assert getattr(ta, name)(a, a, space="spherical", **p) == 0.0, name


@settings(max_examples=40, deadline=None)
@given(pair(), st.floats(0, 300))
def test_bounds(ab, eps):
    a, b = ab
    for f in (ta.lcss, ta.edr):
        v = f(a, b, eps=eps)
        assert 0.0 <= v <= 1.0
    assert ta.edr(a, b, eps=eps, normalize=False) <= max(len(a), len(b))
    assert ta.frechet(a, b) <= ta.discrete_frechet(a, b) * (1 + 1e-12) + 1e-12
    assert ta.hausdorff(a, b) <= ta.discrete_frechet(a, b) * (1 + 1e-12) + 1e-12
    assert ta.dtw(a, b, window=0) >= ta.dtw(a, b)


BATCH = [("dtw", {}), ("dtw", {"window": 3}), ("discrete_frechet", {}), ("frechet", {}),
         ("hausdorff", {}), ("sspd", {}), ("lcss", {"eps": 20.0}), ("edr", {"eps": 20.0}),
         ("erp", {}), ("edwp", {})]


@settings(max_examples=15, deadline=None)
@given(st.sampled_from([2, 3]).flatmap(lambda d: st.lists(trajs(d, 1, 25), min_size=2, max_size=7)),
       st.sampled_from([1, 2]))
def test_batch_equals_single_pair(X, n_jobs):
    n = len(X)
    for name, p in BATCH:
        f = getattr(ta, name)
        D = ta.pdist(X, name, n_jobs=n_jobs, **p)
        k = 0
        for i in range(n):
            for j in range(i + 1, n):
                assert D[k] == f(X[i], X[j], **p), (name, i, j)
                k += 1
        C = ta.cdist(X[:3], X, name, n_jobs=n_jobs, **p)
        for i in range(min(3, n)):
            for j in range(n):
                assert C[i, j] == f(X[i], X[j], **p), (name, i, j)
        ii, jj = np.array([0, n - 1, 1]), np.array([n - 1, 0, 1])
        P = ta.paired(X, ii, jj, name, n_jobs=n_jobs, **p)
        assert list(P) == [f(X[i], X[j], **p) for i, j in zip(ii, jj)]


def test_batch_equals_single_pair_spherical_and_compat():
    rng = np.random.default_rng(3)
    X = [np.c_[-122.4 + rng.normal(0, 0.01, n).cumsum(), 37.77 + rng.normal(0, 0.01, n).cumsum()]
         for n in rng.integers(2, 40, 25)]
    for name, p in [("dtw", {}), ("hausdorff", {}), ("sspd", {}), ("lcss", {"eps": 300.0}),
                    ("edr", {"eps": 300.0}), ("erp", {"g": (-122.4, 37.77)}), ("discrete_frechet", {})]:
        for compat in (None, "traj-dist"):
            if compat and name == "discrete_frechet":
                continue
            f = getattr(ta, name)
            D = ta.pdist(X, name, space="spherical", compat=compat, n_jobs=2, **p)
            iu = np.triu_indices(len(X), 1)
            want = [f(X[i], X[j], space="spherical", compat=compat, **p) for i, j in zip(*iu)]
            assert np.array_equal(D, want), (name, compat)
