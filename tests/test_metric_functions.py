"""The single-pair functions work as the metric of every batch call, with the same keyword
parameters as the metric's name (as rapidfuzz's scorers do); other callables are refused."""

import functools

import numpy as np
import pytest

import trajarena as ta
from trajarena.compat import traj_dist

rng = np.random.default_rng(12)
X = [rng.normal(size=(int(n), 2)).cumsum(0) for n in rng.integers(1, 20, 9)]
LONLAT = [np.column_stack([rng.uniform(-122.5, -122.4, n), rng.uniform(37.7, 37.8, n)])
          for n in rng.integers(2, 15, 7)]

# Each metric with parameters other than its defaults where it has any.
CASES = [("dtw", {}), ("dtw", {"window": 2}), ("discrete_frechet", {}), ("frechet", {}),
         ("frechet", {"compat": "traj-dist"}), ("hausdorff", {"space": "spherical"}), ("sspd", {}),
         ("lcss", {"eps": 1.5}), ("edr", {"eps": 1.5, "normalize": False}), ("erp", {"g": (1.0, -1.0)}),
         ("edwp", {}), ("sowd", {"precision": 6})]


def data(name, p):
    return LONLAT if p.get("space") == "spherical" or name == "sowd" else X


def test_every_registry_metric_has_a_case():
    assert {name for name, _ in CASES} == set(ta.METRICS)


@pytest.mark.parametrize("name,p", CASES)
def test_function_equals_name_in_every_batch_call(name, p):
    fn = getattr(ta, name)
    Y = data(name, p)
    want = ta.pdist(Y, name, **p)
    np.testing.assert_array_equal(ta.pdist(Y, fn, **p), want)
    np.testing.assert_array_equal(ta.pdist(Y, metric=fn, **p), want)
    np.testing.assert_array_equal(ta.cdist(Y[:3], Y, fn, **p), ta.cdist(Y[:3], Y, name, **p))
    i, j = [0, 1, 2, 4], [3, 3, 0, 1]
    np.testing.assert_array_equal(ta.paired(Y, i, j, fn, **p), ta.paired(Y, i, j, name, **p))
    # And every value is the function's own.
    n = len(Y)
    assert list(want) == [fn(Y[a], Y[b], **p) for a in range(n) for b in range(a + 1, n)]


def test_function_in_range_and_block_calls():
    arena = ta.Arena.pack(X)
    n = len(X)
    out = np.zeros(n * (n - 1) // 2)
    ta.pdist_range(arena, ta.lcss, 0, len(out), out, eps=1.0)
    np.testing.assert_array_equal(out, ta.pdist(X, "lcss", eps=1.0))
    block = np.zeros((n, n))
    ta.cdist_block(arena, arena, ta.edr, out=block, rows=None, cols=None, eps=1.0)
    np.testing.assert_array_equal(block, ta.cdist(X, X, "edr", eps=1.0))


def test_function_parameters_are_checked_like_the_name():
    with pytest.raises(ValueError, match="eps: lcss requires eps"):
        ta.pdist(X, ta.lcss)
    with pytest.raises(TypeError, match='eps: unknown parameter for metric "dtw"'):
        ta.pdist(X, ta.dtw, eps=1.0)
    with pytest.raises(TypeError, match='return_path: unknown parameter for metric "dtw"'):
        ta.pdist(X, ta.dtw, return_path=True)


def test_other_callables_are_a_type_error():
    msg = r"metric: expected a metric name, a Metric or one of trajarena's metric functions"
    for bad in (lambda a, b: 0.0, np.linalg.norm, functools.partial(ta.lcss, eps=1.0), ta.Metric,
                traj_dist.dtw, ta.pdist):
        with pytest.raises(TypeError, match=msg + r".*no other callable is accepted"):
            ta.pdist(X, bad)
    for bad in (3, None, ["dtw"], {"dtw": 1}):
        with pytest.raises(TypeError, match=msg):
            ta.cdist(X, X, bad)
