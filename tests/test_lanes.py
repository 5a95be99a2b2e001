"""The across-pairs kernels (DP metrics in both spaces, Euclidean Hausdorff/SSPD) are
bit-identical to the single-pair functions on every batch path: pdist, cdist, pdist_range,
cdist_block, float32 output, both variants."""

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
    ta.cdist_block(a, a, "dtw", D, rows=(3, 17), cols=(2, 29))
    assert np.array_equal(D[3:17, 2:29], np.array([[ta.dtw(X[i], X[j]) for j in range(2, 29)] for i in range(3, 17)]))


def test_equal_lengths_and_one_point_trajectories():
    rng = np.random.default_rng(1)
    X = [rng.normal(size=(50, 2)) for _ in range(20)] + [rng.normal(size=(1, 2)) for _ in range(9)]
    single = np.array([ta.dtw(X[i], X[j]) for i in range(len(X)) for j in range(i + 1, len(X))])
    assert np.array_equal(ta.pdist(X, "dtw"), single)


def _pairs_single(X, f, **p):
    return np.array([f(X[i], X[j], **p) for i in range(len(X)) for j in range(i + 1, len(X))])


@pytest.mark.parametrize("dim", [2, 3])
def test_other_dp_metrics_bit_identical(dim):
    X = _data(dim, 20 + dim, hi=60, n=33)
    cases = [(ta.dtw, "dtw", {"window": 0}), (ta.dtw, "dtw", {"window": 3}), (ta.dtw, "dtw", {"window": 40}),
             (ta.discrete_frechet, "discrete_frechet", {}),
             (ta.lcss, "lcss", {"eps": 0.7}), (ta.lcss, "lcss", {"eps": 1e-6}),
             (ta.edr, "edr", {"eps": 0.7}), (ta.edr, "edr", {"eps": 2.5, "normalize": False}),
             (ta.erp, "erp", {}), (ta.erp, "erp", {"g": tuple(np.linspace(-1, 2, dim))})]
    if dim == 2:
        cases += [(ta.edr, "edr", {"eps": 0.7, "compat": "traj-dist"}),
                  (ta.discrete_frechet, "discrete_frechet", {"compat": "traj-dist"}),
                  (ta.erp, "erp", {"g": (0.5, -0.25), "compat": "traj-dist"})]
    for f, name, p in cases:
        want = _pairs_single(X, f, **p)
        for n_jobs in (1, 2):
            assert np.array_equal(ta.pdist(X, name, n_jobs=n_jobs, **p), want), (name, p)
        C = ta.cdist(X[:9], X, name, **p)
        assert np.array_equal(C, np.array([[f(x, y, **p) for y in X] for x in X[:9]])), (name, p)


def test_strict_eps_boundary():
    """eps equal to a distance that occurs: `dist < eps` is false there and true one ulp above,
    in the lanes exactly as in the single-pair functions."""
    rng = np.random.default_rng(4)
    X = [rng.integers(-6, 7, size=(k, 2)).astype(float) for k in rng.integers(2, 30, 24)]
    a, b = X[0][0], X[1][0]
    d = float(np.sqrt((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2))
    for eps in (5.0, 1.0, d, np.nextafter(d, np.inf), np.nextafter(d, 0), np.sqrt(2.0), np.nextafter(np.sqrt(2.0), 9)):
        for f, name in ((ta.lcss, "lcss"), (ta.edr, "edr")):
            assert np.array_equal(ta.pdist(X, name, eps=eps), _pairs_single(X, f, eps=eps)), (name, eps)


@pytest.mark.parametrize("dim", [2, 3])
def test_polyline_metrics_bit_identical(dim):
    """Hausdorff and SSPD: the batch path lays trajectories out once per call and runs four
    points per vector; it must give the single-pair values bit for bit (one-point trajectories,
    repeated points and shared vertices included)."""
    base = _data(dim, 40 + dim, hi=30, n=31)
    base[4] = np.repeat(base[4], 2, axis=0)
    base[5] = np.vstack([base[6][-1:], base[5]])
    one_point = base[:3] + [base[3][:1]] + base[4:]
    # traj-dist refuses one-point trajectories for these metrics (it returns a sentinel).
    variants = [({}, one_point)] + ([({"compat": "traj-dist"}, base)] if dim == 2 else [])
    for f, name in ((ta.hausdorff, "hausdorff"), (ta.sspd, "sspd")):
        for p, X in variants:
            want = _pairs_single(X, f, **p)
            for n_jobs in (1, 2):
                assert np.array_equal(ta.pdist(X, name, n_jobs=n_jobs, **p), want), (name, p)
            C = ta.cdist(X[:7], X, name, **p)
            assert np.array_equal(C, np.array([[f(x, y, **p) for y in X] for x in X[:7]])), (name, p)


@pytest.mark.parametrize("compat", [None, "traj-dist"])
def test_spherical_metrics_bit_identical(compat):
    """Every metric in the spherical space, batch against single pair, on San Francisco data."""
    X = ta.datasets.san_francisco()[:24]
    X[3] = np.repeat(X[3], 2, axis=0)
    if compat is None:
        X[2] = X[2][:1]
    p = {"space": "spherical"} if compat is None else {"space": "spherical", "compat": compat}
    cases = [(ta.dtw, "dtw", {}), (ta.lcss, "lcss", {"eps": 150.0}), (ta.edr, "edr", {"eps": 150.0}),
             (ta.erp, "erp", {"g": (-122.4, 37.75)}), (ta.hausdorff, "hausdorff", {}),
             (ta.sspd, "sspd", {})]
    if compat is None:  # traj-dist has no spherical discrete Fréchet
        cases.append((ta.discrete_frechet, "discrete_frechet", {}))
    for f, name, q in cases:
        want = _pairs_single(X, f, **p, **q)
        for n_jobs in (1, 2):
            assert np.array_equal(ta.pdist(X, name, n_jobs=n_jobs, **p, **q), want), (name, compat)


def _globe(seed, n=30, hi=25):
    """[lon, lat] trajectories anywhere on Earth: far apart (the haversine's rare branch past 60
    degrees), near-antipodal pairs, and longitudes far outside [-180, 180] (a second rare branch
    past 10^4 radians)."""
    rng = np.random.default_rng(seed)
    X = [np.column_stack([rng.uniform(-180, 180, k), rng.uniform(-90, 90, k)]) for k in rng.integers(1, hi, n)]
    X[1] = np.column_stack([X[0][:, 0] + 180.0, -X[0][:, 1]])  # antipodes of X[0]
    X[2] = X[2] + [3.0e6, 0.0]
    X[3] = X[0] + [1e-9, 0.0]
    return X


@pytest.mark.parametrize("compat", [None, "traj-dist"])
def test_spherical_lanes_over_the_globe(compat):
    X = _globe(11)
    p = {"space": "spherical"} if compat is None else {"space": "spherical", "compat": compat}
    cases = [(ta.dtw, "dtw", {}), (ta.dtw, "dtw", {"window": 3}), (ta.lcss, "lcss", {"eps": 2e6}),
             (ta.edr, "edr", {"eps": 5e6}), (ta.erp, "erp", {"g": (10.0, 45.0)})]
    if compat is None:
        cases.append((ta.discrete_frechet, "discrete_frechet", {}))
    for f, name, q in cases:
        want = _pairs_single(X, f, **p, **q)
        assert np.all(np.isfinite(want)), name
        assert np.array_equal(ta.pdist(X, name, **p, **q), want), (name, q, compat)
        C = ta.cdist(X[:5], X, name, **p, **q)
        assert np.array_equal(C, np.array([[f(x, y, **p, **q) for y in X] for x in X[:5]])), (name, q)


def test_spherical_strict_eps_boundary():
    """eps equal to a haversine distance that occurs, and one ulp either side."""
    X = ta.datasets.san_francisco()[:20]
    d = ta.dtw(X[0][:1], X[1][:1], space="spherical")
    for eps in (d, np.nextafter(d, np.inf), np.nextafter(d, 0), 150.0):
        for f, name in ((ta.lcss, "lcss"), (ta.edr, "edr")):
            want = _pairs_single(X, f, eps=eps, space="spherical")
            assert np.array_equal(ta.pdist(X, name, eps=eps, space="spherical"), want), (name, eps)


@pytest.mark.parametrize("space", ["euclidean", "spherical"])
def test_paired_lists_bit_identical(space):
    """Pair lists go through the lanes too, grouped across rows: repeated, reversed and
    self pairs in any order give the single-pair bits, with ERP's per-lane borders."""
    rng = np.random.default_rng(21)
    if space == "euclidean":
        X = _data(2, 21, n=25)
        eps = 0.8
    else:
        X = [np.column_stack([-122.4 + rng.normal(scale=0.01, size=k).cumsum(),
                              37.7 + rng.normal(scale=0.01, size=k).cumsum()]) for k in rng.integers(1, 40, 25)]
        eps = 300.0
    i = rng.integers(0, len(X), 300)
    j = rng.integers(0, len(X), 300)
    i[:5], j[:5] = j[5:10], i[5:10]
    i[10:15] = j[10:15]
    for name, p in (("dtw", {}), ("dtw", {"window": 3}), ("discrete_frechet", {}), ("lcss", {"eps": eps}),
                    ("edr", {"eps": eps}), ("erp", {}), ("erp", {"compat": "traj-dist"})):
        got = ta.paired(X, i, j, name, space=space, **p)
        want = np.array([getattr(ta, name)(X[a], X[b], space=space, **p) for a, b in zip(i, j)])
        assert np.array_equal(got, want), (name, p)


@pytest.mark.parametrize("dim", [2, 3])
def test_edwp_lanes_bit_identical(dim):
    """EDwP's own lane kernel (8 pairs side by side) against the one-pair function on every batch
    path: one-point trajectories, repeated points (zero-length segments), lengths 1-40."""
    X = _data(dim, 60 + dim, hi=40, n=29)
    X[2] = X[2][:1]
    X[3] = np.repeat(X[3], 2, axis=0)
    X[4] = np.vstack([X[5][-1:], X[4]])
    # Back and forth: projections that fall behind the start of what is left of a segment.
    X[6] = X[7][::-1].copy()
    X[8] = np.repeat(X[9][:, :1], dim, axis=1) * np.resize([1.0, -0.5, 0.8, -0.2], (len(X[9]), 1))
    want = _pairs_single(X, ta.edwp)
    for n_jobs in (1, 2):
        assert np.array_equal(ta.pdist(X, "edwp", n_jobs=n_jobs), want)
    C = ta.cdist(X[:6], X, "edwp")
    assert np.array_equal(C, np.array([[ta.edwp(x, y) for y in X] for x in X[:6]]))
    rng = np.random.default_rng(dim)
    i, j = rng.integers(0, len(X), 200), rng.integers(0, len(X), 200)
    assert np.array_equal(ta.paired(X, i, j, "edwp"), np.array([ta.edwp(X[a], X[b]) for a, b in zip(i, j)]))
    a = ta.Arena.pack(X)
    out = np.zeros_like(want)
    for s, e in ta.plan_ranges(a, 7):
        ta.pdist_range(a, "edwp", s, e, out)
    assert np.array_equal(out, want)
