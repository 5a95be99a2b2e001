"""knn and radius_neighbors against brute force: the full cdist, a stable argsort, the same tie
rule (distance, then the smaller index), bit for bit, on every metric, variant and space."""

import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trajarena as ta
from variants import every_variant, variant_id

RNG = np.random.default_rng(2026)


def _trips(n, seed=0):
    """Short lon/lat trips around San Francisco with duplicates, so that ties and zero
    distances between different trajectories occur."""
    rng = np.random.default_rng(seed)
    base = np.array([-122.42, 37.77])
    X = [base + rng.normal(scale=0.003, size=(int(k), 2)).cumsum(axis=0) for k in rng.integers(2, 12, n)]
    X[3] = X[1].copy()
    X[7] = X[1].copy()
    X[5] = X[2].copy()
    return X


def _brute_knn(D, k, own):
    idx = np.empty((D.shape[0], k), dtype=np.int64)
    for i, row in enumerate(D):
        order = np.argsort(row, kind="stable")
        if own:
            order = order[order != i]
        idx[i] = order[:k]
    return np.take_along_axis(D, idx, axis=1), idx


@pytest.mark.parametrize("name,p", every_variant(0.004), ids=variant_id)
def test_knn_over_itself_is_the_stable_argsort_of_cdist_without_the_diagonal(name, p):
    X = _trips(40)
    D = ta.cdist(X, list(X), name, **p)
    dist, idx = ta.knn(X, 6, name, **p)
    want_d, want_i = _brute_knn(D, 6, own=True)
    assert np.array_equal(idx, want_i)
    assert dist.tobytes() == want_d.tobytes()
    assert not (idx == np.arange(40)[:, None]).any()
    if D[1, 3] == 0:  # the copies of X[1] come first, in index order
        assert list(idx[1, :2]) == [3, 7]


@pytest.mark.parametrize("name,p", every_variant(0.004), ids=variant_id)
def test_knn_with_queries_leaves_nothing_out(name, p):
    X = _trips(30, seed=1)
    Q = [X[4], X[1], _trips(12, seed=2)[9]]
    D = ta.cdist(Q, X, name, **p)
    dist, idx = ta.knn(X, 30, name, queries=Q, **p)
    want_d, want_i = _brute_knn(D, 30, own=False)
    assert np.array_equal(idx, want_i) and dist.tobytes() == want_d.tobytes()
    if D[0, 4] == 0:  # a query that is in X finds itself, among the others at distance 0
        assert 4 in idx[0][dist[0] == 0]


@pytest.mark.parametrize("name,p", [v for v in every_variant(0.004) if v[0] in ("dtw", "lcss", "hausdorff")], ids=variant_id)
def test_radius_neighbors_holds_every_pair_within_the_radius_and_nothing_else(name, p):
    X = _trips(40, seed=3)
    D = ta.cdist(X, list(X), name, **p)
    off = ~np.eye(40, dtype=bool)
    radius = float(np.quantile(D[off], 0.2))  # an actual distance: the boundary is exercised
    G = ta.radius_neighbors(X, radius, name, **p)
    assert G.shape == (40, 40) and G.has_sorted_indices
    want = (D <= radius) & off
    stored = np.zeros((40, 40), dtype=bool)
    rows = np.repeat(np.arange(40), np.diff(G.indptr))
    stored[rows, G.indices] = True
    assert np.array_equal(stored, want)
    assert G.data.tobytes() == D[rows, G.indices].tobytes()
    assert (G.data == 0).sum() == ((D == 0) & off).sum() > 0  # zeros kept as explicit entries
    Q = X[:5]
    H = ta.radius_neighbors(X, radius, name, queries=Q, **p)
    Dq = ta.cdist(Q, X, name, **p)
    assert np.array_equal(H.toarray() != 0, (Dq <= radius) & (Dq != 0))
    assert H.nnz == ((Dq <= radius)).sum()  # the queries' own entries are there


def test_radius_neighbors_gives_dbscan_the_labels_of_the_dense_matrix():
    from scipy.spatial.distance import squareform
    from sklearn.cluster import DBSCAN

    X = ta.datasets.san_francisco()[:300]
    dense = squareform(ta.pdist(X, "dtw"))
    eps = float(np.quantile(dense[np.triu_indices(300, 1)], 0.02))
    G = ta.radius_neighbors(X, eps, "dtw")
    for min_samples in (2, 5):
        want = DBSCAN(eps=eps, min_samples=min_samples, metric="precomputed").fit(dense).labels_
        got = DBSCAN(eps=eps, min_samples=min_samples, metric="precomputed").fit(G).labels_
        assert np.array_equal(got, want)
        assert len(set(want)) > 2  # clusters and noise both occur


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=2, max_size=12), st.integers(1, 11), st.data())
def test_knn_matches_brute_force_on_tied_points(picks, k, data):
    # Trajectories drawn from four fixed ones: many exact ties.
    pool = [np.array([[0.0, 0.0], [1.0, 0.0]]), np.array([[0.0, 1.0]]), np.array([[2.0, 2.0], [2.0, 3.0], [3.0, 3.0]]),
            np.array([[0.0, 0.0], [1.0, 0.0]])]
    X = [pool[i] for i in picks]
    k = min(k, len(X) - 1)
    name = data.draw(st.sampled_from(["dtw", "discrete_frechet", "hausdorff", "erp"]))
    dist, idx = ta.knn(X, k, name)
    want_d, want_i = _brute_knn(ta.cdist(X, list(X), name), k, own=True)
    assert np.array_equal(idx, want_i) and dist.tobytes() == want_d.tobytes()


def test_bad_arguments_are_named():
    X = _trips(10)
    with pytest.raises(ValueError, match="k: must be between 1 and the 9 other trajectories of X"):
        ta.knn(X, 10)
    with pytest.raises(ValueError, match="k: must be between 1 and the 10 trajectories of X"):
        ta.knn(X, 11, queries=X[:2])
    with pytest.raises(ValueError, match="k: must be at least 1"):
        ta.knn(X, 0)
    with pytest.raises(TypeError, match="k: expected an integer"):
        ta.knn(X, True)
    with pytest.raises(ValueError, match="radius: must be a number >= 0"):
        ta.radius_neighbors(X, -1.0)
    with pytest.raises(ValueError, match="radius: must be a number >= 0"):
        ta.radius_neighbors(X, float("nan"))
    with pytest.raises(ValueError, match="queries: has 3-D points but X has 2-D points"):
        ta.knn(X, 2, queries=[np.zeros((3, 3))])
    with pytest.raises(ValueError, match="queries\\[1\\]"):
        ta.knn(X, 2, queries=[X[0], np.array([[0.0, np.nan]])])
    with pytest.raises(ValueError, match="k: .* is more than any collection holds"):
        ta.knn(X, 10**30)
    with pytest.raises(ValueError, match="radius: .* beyond the range of float64"):
        ta.radius_neighbors(X, 10**400)
    with pytest.raises(ValueError, match="backend: unknown backend 'mpi'"):
        ta.knn(X, 2, backend="mpi")
    with pytest.raises(ValueError, match="k: must be between 1 and the 9 other trajectories of X"):
        ta.knn(X, 10, backend="joblib")  # refused before any worker starts


def test_radius_neighbors_without_scipy_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "scipy.sparse", None)
    with pytest.raises(ImportError, match="pip install scipy"):
        ta.radius_neighbors(_trips(10), 1.0)


def test_progress_counts_every_pair_of_the_queries():
    X = _trips(30)
    seen = []
    ta.knn(X, 3, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (900, 900)


def test_arenas_and_arrow_arrays_give_the_answers_of_lists():
    X, Q = _trips(20), _trips(10, seed=4)[:3]
    want = ta.knn(X, 4, queries=Q)
    got = ta.knn(ta.Arena.pack(X), 4, queries=ta.Arena.pack(Q).to_arrow())
    assert all(np.array_equal(a, b) for a, b in zip(want, got))
    G = ta.radius_neighbors(ta.Arena.pack(X), 0.05)
    assert (G != ta.radius_neighbors(X, 0.05)).nnz == 0


@pytest.mark.parametrize("backend", ["joblib", "multiprocessing"])
def test_process_backends_give_the_answers_of_threads(backend):
    X, Q = _trips(60, seed=5), _trips(20, seed=6)
    seen = []
    for queries in (None, Q):
        want = ta.knn(X, 5, "dtw", queries=queries)
        got = ta.knn(X, 5, "dtw", queries=queries, backend=backend, n_jobs=2,
                     progress=lambda d, t: seen.append((d, t)))
        assert all(a.tobytes() == b.tobytes() for a, b in zip(want, got))
        G = ta.radius_neighbors(X, 0.03, "dtw", queries=queries, backend=backend, n_jobs=2)
        H = ta.radius_neighbors(X, 0.03, "dtw", queries=queries)
        assert G.shape == H.shape and np.array_equal(G.indptr, H.indptr)
        assert np.array_equal(G.indices, H.indices) and G.data.tobytes() == H.data.tobytes()
    assert seen[-1] == (20 * 60, 20 * 60)
    assert ta.knn(X, 5, queries=[], backend=backend)[1].shape == (0, 5)


@pytest.mark.parametrize("backend", ["threads", "joblib"])
def test_every_trajectory_is_checked_before_any_distance(backend):
    # traj-dist's Hausdorff needs two points: a one-point trajectory is refused by name, in X
    # even without queries, and in the queries before anything is computed.
    X = _trips(10)
    bad = X[:4] + [np.array([[0.0, 0.0]])] + X[5:]
    p = dict(compat="traj-dist", backend=backend)
    with pytest.raises(ValueError, match=r"X\[4\]"):
        ta.knn(bad, 1, "hausdorff", queries=[], **p)
    with pytest.raises(ValueError, match=r"queries\[2\]"):
        ta.knn(X, 1, "hausdorff", queries=X[:2] + [np.array([[0.0, 0.0]])], **p)


def _spread(n, seed, lengths=(2, 31)):
    """Trips of 2-30 points spread over a city, with a few copies: the bounds prune most pairs,
    early abandoning and the distances one row hands another (knn over itself) all happen."""
    rng = np.random.default_rng(seed)
    X = []
    for k in rng.integers(*lengths, n):
        start = np.array([-122.45, 37.75]) + rng.uniform(-0.04, 0.04, 2)
        X.append(start + rng.normal(scale=0.0008, size=(int(k), 2)).cumsum(axis=0))
    X[10] = X[4].copy()
    X[11] = X[4].copy()
    return X


@pytest.mark.parametrize("name,p", every_variant(0.002, 200.0), ids=variant_id)
def test_pruned_queries_are_brute_force_bit_for_bit(name, p):
    from trajarena import _core
    from trajarena._inputs import arena_data, metric_of

    X = _spread(90, seed=11)
    D = ta.cdist(X, list(X), name, **p)
    for k in (1, 4):
        dist, idx = ta.knn(X, k, name, **p)
        want_d, want_i = _brute_knn(D, k, own=True)
        assert np.array_equal(idx, want_i) and dist.tobytes() == want_d.tobytes()
    off = ~np.eye(90, dtype=bool)
    radius = float(np.quantile(D[off], 0.05))
    G = ta.radius_neighbors(X, radius, name, **p)
    rows = np.repeat(np.arange(90), np.diff(G.indptr))
    want = (D <= radius) & off
    assert G.nnz == want.sum() and want[rows, G.indices].all()
    assert G.data.tobytes() == D[rows, G.indices].tobytes()
    # The counts of what settled each pair add up to the pairs.
    x = arena_data(X, "X")
    _, stats = _core.neighbors(metric_of(name, p), x, x, True, k=4, with_stats=True)
    settled = sum(v for key, v in stats.items() if key != "pairs")
    assert stats["pairs"] == 90 * 89 == settled


def test_pruning_skips_most_pairs_on_spread_data():
    from trajarena import _core
    from trajarena._inputs import arena_data, metric_of

    # Pairs of over 1,024 cells: always pruned (shorter ones may be computed whole, where the
    # cheap bounds settle too few of them to pay: neighbors.rs, `answer`).
    X = _spread(200, seed=12, lengths=(40, 80))
    x = arena_data(X, "X")
    for name in ("dtw", "discrete_frechet", "hausdorff", "erp"):
        _, stats = _core.neighbors(metric_of(name, {}), x, x, True, k=5, with_stats=True)
        assert stats["computed"] + stats["abandoned"] < 0.25 * stats["pairs"], (name, stats)
        brute = _core.neighbors(metric_of(name, {}), x, x, True, k=5, prune=False, with_stats=True)[1]
        assert brute["computed"] == brute["pairs"] == 200 * 199


def test_queries_on_coordinates_at_the_ends_of_the_double_range():
    # Pairs that are computed scaled (metrics::scale) are not pruned, and stay exact.
    X = [t * s for t, s in zip(_spread(30, seed=13), [1e200, 1e-200, 1.0] * 10)]
    for name in ("dtw", "hausdorff", "erp"):
        D = ta.cdist(X, list(X), name)
        dist, idx = ta.knn(X, 3, name)
        want_d, want_i = _brute_knn(D, 3, own=True)
        assert np.array_equal(idx, want_i) and dist.tobytes() == want_d.tobytes()
