"""Every kind of bad input gets a clear ValueError/TypeError naming the argument."""

import numpy as np
import pytest

import trajarena as ta

A = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5]])
B = np.array([[0.0, 1.0], [2.0, 2.0]])


def test_layouts_and_dtypes_accepted():
    want = ta.dtw(A, B)
    F = np.asfortranarray(A)
    strided = np.zeros((3, 4))
    strided[:, ::2] = A
    for a in (F, strided[:, ::2], A.astype(np.float32), A.tolist(), tuple(map(tuple, A))):
        assert ta.dtw(a, B) == pytest.approx(want, rel=1e-6)
    ints = np.array([[0, 0], [1, 1], [2, 0]])
    assert ta.dtw(ints, B) == ta.dtw(ints.astype(float), B)
    assert ta.dtw(F, B) == want  # exact: converted, not approximated


def test_no_copy_for_c_contiguous_float64():
    from trajarena._inputs import as_traj

    assert as_traj(A, "a") is A


def test_packing_a_list_in_one_call_matches_the_general_path():
    """The core packs float64 C-contiguous arrays itself; every other input takes the Python
    path. Both must give the same buffers, and the fast path must hand back what it cannot take."""
    from trajarena import _core
    from trajarena._inputs import as_traj

    def general(X):
        arrs = [as_traj(t, f"X[{i}]") for i, t in enumerate(X)]
        offsets = np.concatenate([[0], np.cumsum([len(a) for a in arrs])]).astype(np.int64)
        return offsets, np.concatenate(arrs)

    rng = np.random.default_rng(5)
    for d in (2, 3):
        X = [rng.normal(size=(k, d)) for k in (1, 4, 9)]
        for seq in (X, tuple(X)):
            packed = _core.ArenaData.pack(seq, "X")
            off, co = packed.offsets_array(), packed.coords_array()
            want_off, want_co = general(seq)
            assert off.dtype == np.int64 and co.dtype == np.float64 and co.shape == want_co.shape
            assert np.array_equal(off, want_off) and np.array_equal(co, want_co)
    F = np.asfortranarray(rng.normal(size=(4, 2)))
    for seq in ([A, F], [A, A.astype(np.float32)], [A, A.tolist()], [A, np.zeros((3, 3))],
                [A, np.empty((0, 2))], [A, np.zeros((3, 4))], [], np.stack([A, A]), [A, A[::2]]):
        assert _core.ArenaData.pack(seq, "X") is None
    got = ta.pdist([A, F, B.astype(np.float32)], "dtw")
    assert np.array_equal(got, ta.pdist([A, np.ascontiguousarray(F), B.astype(np.float64)], "dtw"))


@pytest.mark.parametrize("bad,exc,match", [
    (np.empty((0, 2)), ValueError, r"a: trajectory is empty"),
    (np.array([[0.0, np.nan], [1, 1]]), ValueError, r"a: point 0 has a non-finite"),
    (np.array([[0.0, 0.0], [np.inf, 1]]), ValueError, r"a: point 1 has a non-finite"),
    (np.zeros((3, 4)), ValueError, r"a: .*shape \(n, 2\) or \(n, 3\)"),
    (np.zeros(5), ValueError, r"a: .*shape"),
    (np.array([["x", "y"]]), TypeError, r"a: expected numbers"),
    ([[0, 0], [1]], ValueError, r"a: cannot read"),
])
def test_bad_trajectory(bad, exc, match):
    with pytest.raises(exc, match=match):
        ta.dtw(bad, B)


def test_mixed_dimensions():
    with pytest.raises(ValueError, match="b: .*same dimension"):
        ta.dtw(A, np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"X\[1\]: has 3-D points"):
        ta.pdist([A, np.zeros((2, 3))], "dtw")
    with pytest.raises(ValueError, match=r"XB"):
        ta.cdist([A], [np.zeros((2, 3))], "dtw")


def test_bad_trajectory_in_batch_names_index():
    X = [A, B, np.array([[0.0, 0.0], [np.nan, 0.0]])]
    with pytest.raises(ValueError, match=r"X\[2\]: point 1 has a non-finite"):
        ta.pdist(X, "dtw")
    with pytest.raises(ValueError, match=r"X\[1\]: trajectory is empty"):
        ta.pdist([A, np.empty((0, 2))], "dtw")
    with pytest.raises(ValueError, match=r"XA\[0\]"):
        ta.cdist([np.full((2, 2), np.inf)], [A], "dtw")


def test_metric_parameters():
    with pytest.raises(ValueError, match="eps: lcss requires eps"):
        ta.lcss(A, B)
    with pytest.raises(ValueError, match="eps: must be a finite number >= 0"):
        ta.edr(A, B, eps=-1)
    with pytest.raises(ValueError, match="eps"):
        ta.pdist([A, B], "lcss")
    with pytest.raises(ValueError, match='unknown metric "nope"'):
        ta.pdist([A, B], "nope")
    with pytest.raises(ValueError, match="space: unknown space"):
        ta.dtw(A, B, space="manhattan")
    with pytest.raises(ValueError, match="space: frechet does not support space \"spherical\""):
        ta.Metric("frechet", space="spherical")
    with pytest.raises(TypeError, match="eps: unknown parameter for metric \"dtw\"; it accepts only space, window, compat"):
        ta.pdist([A, B], "dtw", eps=3)
    with pytest.raises(TypeError, match="unknown parameter"):
        ta.Metric("edwp", eps=1.0)
    with pytest.raises(ValueError, match="space: edwp does not support space \"spherical\"; it supports \"euclidean\""):
        ta.Metric("edwp", space="spherical")
    with pytest.raises(ValueError, match="space: sowd does not support space \"euclidean\""):
        ta.Metric("sowd", space="euclidean")
    assert ta.Metric("edwp", space="euclidean") == ta.Metric("edwp")
    with pytest.raises(ValueError, match="window: must be None or an integer >= 0"):
        ta.dtw(A, B, window=-2)
    with pytest.raises(TypeError, match="window: expected an integer"):
        ta.dtw(A, B, window=1.5)
    with pytest.raises(ValueError, match="compat: unknown value"):
        ta.sspd(A, B, compat="scipy")
    with pytest.raises(ValueError, match="g: the gap point has 3 coordinates"):
        ta.erp(A, B, g=(0, 0, 0))
    with pytest.raises(ValueError, match="precision"):
        ta.sowd(A, B, precision=0)
    with pytest.raises(ValueError, match="spherical"):
        ta.dtw(np.zeros((2, 3)), np.zeros((2, 3)), space="spherical")
    with pytest.raises(ValueError, match="return_path: sspd is not a dynamic-programming metric"):
        from trajarena import _core

        _core.dp_details(ta.Metric("sspd"), A, B)


def test_batch_arguments():
    X = [A, B, A]
    with pytest.raises(ValueError, match="out: expected shape"):
        ta.pdist(X, "dtw", out=np.empty(4))
    with pytest.raises(ValueError, match="out: has dtype float32"):
        ta.pdist(X, "dtw", out=np.empty(3, np.float32))
    with pytest.raises(ValueError, match="out: array is read-only"):
        o = np.empty(3)
        o.flags.writeable = False
        ta.pdist(X, "dtw", out=o)
    with pytest.raises(ValueError, match="out: array must be C-contiguous"):
        ta.cdist(X, X, "dtw", out=np.empty((3, 3)).T)
    with pytest.raises(ValueError, match="dtype: must be"):
        ta.pdist(X, "dtw", dtype="int32")
    with pytest.raises(ValueError, match="n_jobs"):
        ta.pdist(X, "dtw", n_jobs=0)
    with pytest.raises(TypeError, match="n_jobs"):
        ta.pdist(X, "dtw", n_jobs="2")
    with pytest.raises(ValueError, match="backend"):
        ta.pdist(X, "dtw", backend="spark")
    with pytest.raises(TypeError, match="X: expected a sequence of trajectories"):
        ta.pdist(A, "dtw")
    with pytest.raises(ValueError, match=r"i\[1\]: index 7 is out of range"):
        ta.paired(X, [0, 7], [1, 2], "dtw")
    with pytest.raises(ValueError, match=r"j\[0\]: index -1"):
        ta.paired(X, [0], [-1], "dtw")
    with pytest.raises(TypeError, match="progress"):
        ta.pdist(X, "dtw", progress="yes")
    with pytest.raises(TypeError, match="not both"):
        ta.pdist(X, ta.Metric("lcss", eps=1.0), eps=2.0)


def test_compat_sentinel_inputs_raise():
    one = np.array([[1.0, 2.0]])
    with pytest.raises(ValueError, match="b: frechet with compat=\"traj-dist\""):
        ta.frechet(A, one, compat="traj-dist")
    with pytest.raises(ValueError, match="9e100"):
        ta.sspd(one, A, compat="traj-dist")


def test_one_point_trajectories_natural_values():
    p, q = np.array([[0.0, 0.0]]), np.array([[3.0, 4.0]])
    for f in (ta.dtw, ta.discrete_frechet, ta.frechet, ta.hausdorff, ta.sspd, ta.erp):
        v = f(p, q, g=(0.0, 0.0)) if f is ta.erp else f(p, q)
        assert np.isfinite(v) and v < 1e100
    assert ta.hausdorff(p, q) == 5.0
    assert ta.frechet(p, q) == 5.0
    assert ta.dtw(p, q) == 5.0
    assert ta.lcss(p, q, eps=6) == 0.0
    assert ta.edr(p, q, eps=1) == 1.0
    assert np.isfinite(ta.edwp(p, A))
