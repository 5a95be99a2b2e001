"""The lower bounds the queries prune with never exceed the distance the library computes, bit
for bit: hypothesis-generated pairs, every metric, variant and space that has a bound, every
level. A bound above its computed distance would let a query drop an answer."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trajarena as ta
from trajarena import _core
from trajarena._inputs import arena_data, metric_of
from variants import every_variant, variant_id

LEVELS = ("cheap", "groups", "points", "blocks")

# Which variants have no bound at all: EDwP and SOWD, traj-dist's Fréchet (an approximation),
# Hausdorff and SSPD in spherical space.
NO_BOUND = {("edwp", None, "euclidean"), ("sowd", None, "euclidean"), ("sowd", "traj-dist", "euclidean"),
            ("frechet", "traj-dist", "euclidean"), ("hausdorff", None, "spherical"),
            ("hausdorff", "traj-dist", "spherical"), ("sspd", None, "spherical"), ("sspd", "traj-dist", "spherical")}


def _key(name, p):
    return name, p.get("compat"), p.get("space", "euclidean")


def _bounds(name, p, Q, X):
    m = metric_of(name, p)
    q, x = arena_data(Q, "queries"), arena_data(X, "X")
    return {lv: _core.lower_bounds(m, q, x, lv) for lv in LEVELS}


def _walk(draw, n, spherical, dim, scale):
    """A trajectory: a random walk, a straight line, or one point repeated."""
    kind = draw(st.sampled_from(["walk", "line", "still"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if spherical:
        start = np.array([rng.uniform(-180, 180), rng.uniform(-80, 80)])
        step = draw(st.sampled_from([1e-6, 1e-3, 0.5, 20.0]))
    else:
        start = rng.uniform(-scale, scale, dim)
        step = scale * draw(st.sampled_from([1e-9, 1e-3, 0.1, 1.0]))
    if kind == "still":
        pts = np.repeat(start[None], n, axis=0)
    elif kind == "line":
        pts = start + np.outer(np.arange(n), rng.normal(size=start.shape)) * step
    else:
        pts = start + rng.normal(size=(n, start.size)).cumsum(axis=0) * step
    if spherical:
        pts[:, 1] = np.clip(pts[:, 1], -89.0, 89.0)
    return np.ascontiguousarray(pts)


BOUNDED = [v for v in every_variant(0.5, 5e5) if _key(*v) not in NO_BOUND]


@pytest.mark.parametrize("name,p", every_variant(0.5, 5e5), ids=variant_id)
def test_exactly_the_documented_variants_have_no_bound(name, p):
    X = [np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([[5.0, 5.0], [6.0, 5.0]])]
    b = _bounds(name, p, X, X)
    assert (b["cheap"] is None) == (_key(name, p) in NO_BOUND)


@pytest.mark.parametrize("name,p", BOUNDED, ids=variant_id)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_bound_is_at_most_the_computed_distance(name, p, data):
    spherical = p.get("space") == "spherical"
    td_2d = p.get("compat") == "traj-dist" or name in ("frechet", "sowd", "edwp")
    dim = 2 if spherical or td_2d else data.draw(st.sampled_from([2, 3]))
    scale = data.draw(st.sampled_from([1.0, 1e-3, 1e4, 1e60, 1e-60]))
    lo = 2 if (name == "frechet" or (p.get("compat") == "traj-dist")) else 1
    sizes = data.draw(st.lists(st.integers(lo, 40), min_size=2, max_size=6))
    X = [_walk(data.draw, n, spherical, dim, scale) for n in sizes]
    X.append(X[0].copy())  # a duplicate: distance 0
    if not spherical:
        X.append(X[1] + scale * 1e-12)  # nearly a duplicate
    D = ta.cdist(X, list(X), name, **p)
    for lv, B in _bounds(name, p, X, X).items():
        assert B.shape == D.shape
        bad = ~(B <= D)
        assert not bad.any(), (lv, B[bad], D[bad])


@pytest.mark.parametrize("name,p", BOUNDED, ids=variant_id)
def test_bounds_grow_with_the_levels_and_separate_far_trajectories(name, p):
    # Trips far apart: the cheap bound already says they differ, except where a bound only
    # sees lengths (LCSS, EDR and ERP in spherical space) or is none (traj-dist's EDR).
    spherical = p.get("space") == "spherical"
    rng = np.random.default_rng(5)
    far = 10.0 if spherical else 1000.0
    X = [rng.normal(scale=0.01, size=(12, 2)).cumsum(0) + [-122.4, 37.7]] * 2
    X = [X[0], X[0] + [far, 0.0], X[0][:7] + [0.0, far / 2]]
    b = _bounds(name, p, X, X)
    # Each level includes the one before, except that blocks and points see different things.
    for lo, hi in [("cheap", "groups"), ("groups", "points"), ("groups", "blocks")]:
        assert (b[hi] >= b[lo]).all()
    weak = spherical and name in ("lcss", "edr", "erp") or (name == "edr" and p.get("compat"))
    if not weak:
        assert (b["cheap"][0, 1:] > 0).all()


@pytest.mark.parametrize("name", ["dtw", "discrete_frechet", "erp"])
@pytest.mark.parametrize("compat", [None, "traj-dist"])
def test_euclidean_orientations_give_the_same_bits(name, compat):
    # knn of X over itself takes d(j, i) from d(i, j) for these (neighbors.rs, `Seeds`).
    X = ta.datasets.san_francisco()[:120]
    p = {"compat": compat} if compat else {}
    D = ta.cdist(X, list(X), name, **p)
    assert D.tobytes() == np.ascontiguousarray(D.T).tobytes()
