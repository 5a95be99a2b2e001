"""return_path=True: distance, accumulated matrix and alignment path, picklable."""

import copy
import pickle

import numpy as np
import pytest

import trajarena as ta

import reference as ref

rng = np.random.default_rng(5)
A = rng.normal(size=(9, 2)).cumsum(0)
B = rng.normal(size=(6, 2)).cumsum(0)

CASES = [("dtw", {}), ("dtw", {"window": 2}), ("discrete_frechet", {}), ("lcss", {"eps": 1.5}),
         ("edr", {"eps": 1.5}), ("erp", {})]


@pytest.mark.parametrize("name,p", CASES)
def test_details_match_distance(name, p):
    f = getattr(ta, name)
    r = f(A, B, return_path=True, **p)
    assert r.distance == f(A, B, **p)
    assert r.matrix.shape == (len(A) + 1, len(B) + 1)
    assert r.path.dtype == np.int64 and r.path.ndim == 2 and r.path.shape[1] == 2
    assert np.all(np.diff(r.path, axis=0) >= 0)  # monotone


def test_dtw_matrix_and_path():
    r = ta.dtw(A, B, return_path=True)
    assert r.matrix[-1, -1] == r.distance
    assert tuple(r.path[0]) == (0, 0) and tuple(r.path[-1]) == (len(A) - 1, len(B) - 1)
    steps = np.diff(r.path, axis=0)
    assert np.all((steps == [1, 0]).all(1) | (steps == [0, 1]).all(1) | (steps == [1, 1]).all(1))
    cost = sum(np.hypot(*(A[i] - B[j])) for i, j in r.path)
    assert cost == pytest.approx(r.distance, rel=1e-12)
    assert r.distance == pytest.approx(ref.dtw(A, B), rel=1e-12)


def test_lcss_path_is_the_common_subsequence():
    r = ta.lcss(A, B, eps=1.5, return_path=True)
    assert all(np.hypot(*(A[i] - B[j])) < 1.5 for i, j in r.path)
    assert len(r.path) == round((1 - r.distance) * min(len(A), len(B)))


def test_pickle_copy_joblib():
    r = ta.erp(A, B, return_path=True)
    blob = pickle.dumps(r)
    assert len(blob) < 2 * r.matrix.nbytes + 1000
    for r2 in (pickle.loads(blob), copy.deepcopy(r), copy.copy(r)):
        assert r2 == r
        np.testing.assert_array_equal(r2.matrix, r.matrix)
        np.testing.assert_array_equal(r2.path, r.path)
    joblib = pytest.importorskip("joblib")
    out = joblib.Parallel(n_jobs=2)(joblib.delayed(ta.dtw)(A, B, return_path=True) for _ in range(2))
    assert all(o == ta.dtw(A, B, return_path=True) for o in out)


def test_from_bytes_rejects_garbage():
    with pytest.raises(ValueError, match="data: not a DPResult"):
        ta.DPResult.from_bytes(b"\x01\x02")
