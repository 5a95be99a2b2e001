"""The standard definitions against the slow references in reference.py."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trajarena as ta

import reference as ref
from strategies import lonlat, pair, trajs

RTOL = 1e-12


def close(x, y, rtol=RTOL, scale=1e-9):
    """Relative agreement; `scale` (the coordinates' magnitude) bounds the absolute rounding
    error of values that should be 0 but come out of a projection as 1e-21."""
    assert x == pytest.approx(y, rel=rtol, abs=scale * rtol), (x, y)


def magnitude(*ts):
    return max(float(np.abs(t).max()) for t in ts)


@settings(max_examples=60, deadline=None)
@given(pair(max_len=25), st.one_of(st.none(), st.integers(0, 10)))
def test_dtw(ab, window):
    a, b = ab
    close(ta.dtw(a, b, window=window), ref.dtw(a, b, window=window))


@settings(max_examples=60, deadline=None)
@given(pair(max_len=25))
def test_discrete_frechet(ab):
    a, b = ab
    close(ta.discrete_frechet(a, b), ref.discrete_frechet(a, b))


@settings(max_examples=60, deadline=None)
@given(pair(max_len=25), st.floats(0, 80))
def test_lcss_edr(ab, eps):
    a, b = ab
    close(ta.lcss(a, b, eps=eps), ref.lcss(a, b, eps))
    close(ta.edr(a, b, eps=eps), ref.edr(a, b, eps))
    close(ta.edr(a, b, eps=eps, normalize=False), ref.edr(a, b, eps, normalize=False))


@settings(max_examples=60, deadline=None)
@given(pair(max_len=25), st.booleans())
def test_erp(ab, with_gap):
    a, b = ab
    g = tuple(np.linspace(-3, 5, a.shape[1])) if with_gap else None
    close(ta.erp(a, b, g=g), ref.erp(a, b, g=g))


@settings(max_examples=60, deadline=None)
@given(pair(max_len=25))
def test_hausdorff_sspd(ab):
    a, b = ab
    close(ta.hausdorff(a, b), ref.hausdorff(a, b), scale=magnitude(a, b))
    close(ta.sspd(a, b), ref.sspd(a, b), scale=magnitude(a, b))


@settings(max_examples=40, deadline=None)
@given(lonlat(max_len=15), lonlat(max_len=15), st.floats(10, 3000))
def test_spherical(a, b, eps):
    s = "spherical"
    close(ta.dtw(a, b, space=s), ref.dtw(a, b, space=s), 1e-9)
    close(ta.discrete_frechet(a, b, space=s), ref.discrete_frechet(a, b, space=s), 1e-9)
    close(ta.hausdorff(a, b, space=s), ref.hausdorff(a, b, space=s), 1e-9)
    close(ta.sspd(a, b, space=s), ref.sspd(a, b, space=s), 1e-9)
    close(ta.erp(a, b, g=(-122.4, 37.77), space=s), ref.erp(a, b, g=(-122.4, 37.77), space=s), 1e-9)
    # thresholds: compare away from the boundary, where 1e-9 differences cannot flip a match
    close(ta.lcss(a, b, eps=eps, space=s), ref.lcss(a, b, eps, space=s))
    close(ta.edr(a, b, eps=eps, space=s), ref.edr(a, b, eps, space=s))


@settings(max_examples=50, deadline=None)
@given(pair(max_len=7))
def test_frechet_exact(ab):
    a, b = ab
    got = ta.frechet(a, b)
    want = ref.frechet(a, b)
    assert got == pytest.approx(want, rel=1e-9, abs=1e-12)
    assert got <= ta.discrete_frechet(a, b) * (1 + 1e-12) + 1e-12


def test_frechet_thin_free_space():
    # Found by hypothesis: an out-and-back path whose free space near the turn is a sliver.
    a = np.array([[0, 0, 0], [0, 0, 5.795219], [0, 0, 0.0]])
    b = np.array([[0, 0, 0], [0, 2.36e-4, 5.795219], [0, 0, 0.0]])
    assert ta.frechet(a, b) == pytest.approx(2.36e-4, rel=1e-9)
    assert ref.frechet(a, b) == pytest.approx(2.36e-4, rel=1e-9)


def test_frechet_identical_3d_terminates():
    # A vertex lying on its own segment computes at ~1e-17 from it in 3-D, so the decision
    # procedure rejects eps = 0; the search must still widen quickly and return ~0.
    a = np.array([[0.495589, 0.00113, -0.000534], [-0.00045, -6.796253, 0.0005]])
    assert ta.frechet(a, a.copy()) < 1e-12


def test_frechet_known_values():
    # Two parallel segments one apart: the continuous distance is 1.
    assert ta.frechet([[0, 0], [10, 0]], [[0, 1], [10, 1]]) == pytest.approx(1.0, rel=1e-12)
    # A point and a polyline: the farthest vertex.
    assert ta.frechet([[0, 0]], [[3, 4], [0, 1]]) == pytest.approx(5.0)
    # Continuous is strictly below discrete when vertices are sampled differently.
    a = np.array([[0.0, 0], [10, 0]])
    b = np.array([[0.0, 1], [5, 1], [10, 1]])
    assert ta.frechet(a, b) == pytest.approx(1.0, rel=1e-12)
    assert ta.discrete_frechet(a, b) == pytest.approx(np.hypot(5, 1))


def test_frechet_compat_differs_from_exact(oracle):
    """traj-dist's approximation misses critical values and its reachability test accepts some
    eps below the true distance, so it errs both ways on the random-walk set; the standard value
    never exceeds the discrete Fréchet distance and matches the reference on sampled pairs."""
    sets, _, z = oracle
    rw = sets["rw"]
    want = z["rw__frechet__euclidean__"]
    exact = ta.pdist(rw, "frechet")
    dfd = ta.pdist(rw, "discrete_frechet")
    assert np.all(exact <= dfd * (1 + 1e-12))
    assert np.any(want > exact * 1.01) and np.any(want < exact * 0.99)
    for k in (3, 6, 40):
        i, j = ta.condensed_pair(len(rw), k)
        assert exact[k] == pytest.approx(ref.frechet(rw[i], rw[j]), rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(pair(max_len=8))
def test_edwp(ab):
    a, b = ab
    close(ta.edwp(a, b), ref.edwp(a, b), 1e-9, scale=magnitude(a, b) ** 2)


@st.composite
def backtracking_pair(draw):
    """a, and b visiting points near a's segments in an order that goes back and forth, so that
    projections onto a segment descend and the insert moves clamp them to the remaining piece."""
    d = draw(st.sampled_from([2, 3]))
    a = draw(trajs(d, 1, 6))
    nseg = max(len(a) - 1, 1)
    m = draw(st.integers(1, 8))
    b = []
    for _ in range(m):
        k = draw(st.integers(0, nseg - 1))
        s = draw(st.sampled_from([0.0, 0.25, 0.5, 1.0]) | st.floats(0, 1))
        e = a[min(k + 1, len(a) - 1)]
        noise = np.array([draw(st.integers(-3000, 3000)) / 1e3 for _ in range(d)])
        b.append(a[k] + s * (e - a[k]) + noise)
    b = np.array(b)
    return (b, a) if draw(st.booleans()) else (a, b)


@settings(max_examples=80, deadline=None)
@given(backtracking_pair())
def test_edwp_backtracking(ab):
    a, b = ab
    close(ta.edwp(a, b), ref.edwp(a, b), 1e-9, scale=magnitude(a, b) ** 2)
    assert ta.pdist([a, b], "edwp")[0] == ta.edwp(a, b)


def test_edwp_projection_never_moves_back():
    """The paper's recursion where a projection onto a whole segment would lie behind the start
    of its remaining piece (projecting onto the whole segment gave 56.1068... and 64.0)."""
    for a, b, want in (([[1, 1], [2, 0], [0, 3], [0, 0]], [[0, 2], [3, 2]], 50.29669156057403),
                       ([[0, 0], [10, 0]], [[0, 1], [6, 1], [3, 1], [10, 1]], 82.2719)):
        a, b = np.array(a, float), np.array(b, float)
        rel = 1e-12 if want == 50.29669156057403 else 1e-5
        assert ref.edwp(a, b) == pytest.approx(want, rel=rel)
        for x, y in ((a, b), (b, a)):
            assert ta.edwp(x, y) == pytest.approx(want, rel=rel)
            assert ta.pdist([x, y], "edwp")[0] == ta.edwp(x, y)


def test_edwp_known_values():
    a = np.array([[0.0, 0], [10, 0]])
    assert ta.edwp(a, a) == 0.0
    # shifted copy: replace cost (1 + 1) * (10 + 10)
    assert ta.edwp(a, a + [0, 1]) == pytest.approx(40.0)
    # extra vertex on the same line costs nothing: projections make the two sampling rates agree
    assert ta.edwp(a, np.array([[0.0, 0], [4, 0], [10, 0]])) == pytest.approx(0.0, abs=1e-12)
    # a one-point trajectory is one zero-length segment [p, p]: (d(p, s) + d(p, e)) * |s e|
    assert ta.edwp(np.array([[0.0, 0]]), a) == pytest.approx(100.0)
    # ... so two one-point trajectories cover nothing and cost 0 wherever they are
    assert ta.edwp(np.array([[0.0, 0]]), np.array([[3.0, 4]])) == 0.0


def test_sowd_standard_equals_bruteforce_on_oracle_sets(oracle):
    """The standard SOWD takes the exact nearest cell; on the oracle sets traj-dist's scan finds
    the same minima, so both variants agree with the reference numbers."""
    sets, _, z = oracle
    for key, prec in (("sf__sowd_grid__spherical__precision=7", 7), ("geo__sowd_grid__spherical__precision=6", 6)):
        s = key.split("__")[0]
        got = ta.pdist(sets[s], "sowd", precision=prec)
        np.testing.assert_allclose(got, z[key], rtol=1e-12)


def test_sowd_single_pair_properties():
    a = np.array([[-122.41, 37.77], [-122.40, 37.78], [-122.39, 37.775]])
    assert ta.sowd(a, a) == 0.0
    b = a + [0.003, 0.0]
    d = ta.sowd(a, b, precision=7)
    assert d > 0 and d == ta.sowd(b, a, precision=7)
    assert ta.sowd(a, b, precision=5) <= d  # coarser cells, fewer cells apart
