"""pdist / cdist / paired: output buffers, dtypes, n_jobs, progress, Metric objects."""

import copy
import pickle

import numpy as np
import pytest

import trajarena as ta

rng = np.random.default_rng(11)
X = [rng.normal(size=(int(n), 2)).cumsum(0) for n in rng.integers(1, 30, 23)]
n = len(X)


def naive_pdist(X, f, **p):
    return np.array([f(X[i], X[j], **p) for i in range(len(X)) for j in range(i + 1, len(X))])


def test_pdist_scipy_order_and_squareform():
    D = ta.pdist(X, "dtw")
    assert D.shape == (n * (n - 1) // 2,) and D.dtype == np.float64
    np.testing.assert_array_equal(D, naive_pdist(X, ta.dtw))
    for k in (0, 5, len(D) - 1):
        i, j = ta.condensed_pair(n, k)
        assert ta.condensed_index(n, i, j) == k == ta.condensed_index(n, j, i)
        assert D[k] == ta.dtw(X[i], X[j])


def test_out_is_filled_in_place_and_returned():
    out = np.full(n * (n - 1) // 2, -1.0)
    res = ta.pdist(X, "sspd", out=out)
    assert res is out
    np.testing.assert_array_equal(out, ta.pdist(X, "sspd"))
    C = np.empty((5, n))
    assert ta.cdist(X[:5], X, "hausdorff", out=C) is C


def test_out_npy_path_is_memmap(tmp_path):
    path = tmp_path / "d.npy"
    res = ta.pdist(X, "dtw", out=str(path))
    assert isinstance(res, np.memmap)
    res.flush()
    np.testing.assert_array_equal(np.load(path), ta.pdist(X, "dtw"))
    mm = np.lib.format.open_memmap(tmp_path / "c.npy", mode="w+", dtype=np.float64, shape=(3, n))
    ta.cdist(X[:3], X, "dtw", out=mm)
    np.testing.assert_array_equal(mm, ta.cdist(X[:3], X, "dtw"))


def test_float32_output():
    D32 = ta.pdist(X, "dtw", dtype="float32")
    assert D32.dtype == np.float32
    np.testing.assert_array_equal(D32, ta.pdist(X, "dtw").astype(np.float32))
    C32 = ta.cdist(X, X[:4], "erp", dtype=np.float32)
    assert C32.dtype == np.float32 and C32.shape == (n, 4)


@pytest.mark.parametrize("n_jobs", [1, 2, 3, -1, None])
def test_n_jobs_results_identical(n_jobs):
    big = [rng.normal(size=(60, 2)).cumsum(0) for _ in range(40)]
    want = ta.pdist(big, "dtw", n_jobs=1)
    np.testing.assert_array_equal(ta.pdist(big, "dtw", n_jobs=n_jobs), want)


def test_empty_and_tiny_inputs():
    assert ta.pdist([], "dtw").shape == (0,)
    assert ta.pdist([X[0]], "dtw").shape == (0,)
    assert ta.cdist([], X, "dtw").shape == (0, n)
    assert ta.paired(X, [], [], "dtw").shape == (0,)


def test_progress_callable_gets_done_and_total():
    calls = []
    ta.pdist(X, "dtw", progress=lambda d, t: calls.append((d, t)))
    m = n * (n - 1) // 2
    assert calls[-1] == (m, m)
    assert all(t == m and 0 <= d <= m for d, t in calls)


def test_progress_bar_runs(capsys):
    ta.pdist(X, "dtw", progress=True)


def test_progress_callback_exception_propagates():
    big = [rng.normal(size=(300, 2)).cumsum(0) for _ in range(60)]

    def boom(done, total):
        raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        ta.pdist(big, "dtw", progress=boom, n_jobs=2)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_grouped_lane_jobs_report_progress_and_stop(n_jobs):
    """Lane jobs of costly pairs are grouped whole before the passes are shared out
    (executor::run_grouped): progress still counts up to the total, and an error from the
    callback stops the job."""
    X = [rng.normal(size=(40, 2)).cumsum(0) for _ in range(150)]  # EDwP, ~0.2 s on one core
    calls = []
    d = ta.pdist(X, "edwp", n_jobs=n_jobs, progress=lambda a, t: calls.append((a, t)))
    m = 150 * 149 // 2
    assert calls[-1] == (m, m) and [a for a, _ in calls] == sorted(a for a, _ in calls)
    assert np.array_equal(d, ta.pdist(X, "edwp", n_jobs=3 - n_jobs))

    def boom(done, total):
        raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        ta.pdist(X, "edwp", progress=boom, n_jobs=n_jobs)


def test_metric_object():
    m = ta.Metric("lcss", eps=50.0, space="spherical")
    assert m == ta.Metric("lcss", space="spherical", eps=50)
    assert m != ta.Metric("lcss", eps=51.0, space="spherical")
    assert hash(m) == hash(ta.Metric("lcss", space="spherical", eps=50.0))
    assert repr(m) == "Metric('lcss', eps=50.0, space='spherical')"
    assert pickle.loads(pickle.dumps(m)) == m
    assert copy.deepcopy(m) == m
    assert m.name == "lcss" and m.params == {"eps": 50.0, "space": "spherical"}
    assert len({m, ta.Metric("lcss", eps=50.0, space="spherical")}) == 1
    with pytest.raises(AttributeError):
        m.name = "dtw"
    assert repr(ta.Metric("erp", g=[1, 2], compat="traj-dist")) == "Metric('erp', g=(1.0, 2.0), compat='traj-dist')"
    assert ta.Metric("discret_frechet") == ta.Metric("discrete_frechet")
    big = [rng.normal(size=(10, 2)) for _ in range(5)]
    np.testing.assert_array_equal(ta.pdist(big, ta.Metric("edr", eps=0.5)), ta.pdist(big, "edr", eps=0.5))


def test_small_job_runs_in_calling_thread():
    """20 trajectories of 10 points: serial, so no pool thread is involved."""
    import threading

    small = [rng.normal(size=(10, 2)) for _ in range(20)]
    seen = []
    ta.pdist(small, "dtw", progress=lambda d, t: seen.append(threading.current_thread().name))
    assert seen and all(s == threading.current_thread().name for s in seen)
