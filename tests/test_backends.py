"""Process backends: joblib (loky) and multiprocessing with every start method give results
identical to the threads backend; tasks carry a handle and a range, never the data."""

import os
import pickle
import subprocess
import sys
import warnings
from multiprocessing import shared_memory

import numpy as np
import pytest

import trajarena as ta
from trajarena import _backends

RNG = np.random.default_rng(3)
TRAJS = [RNG.normal(size=(n, 2)).cumsum(axis=0) for n in RNG.integers(1, 50, 60)]
METRICS = [("dtw", {}), ("lcss", {"eps": 1.0}), ("hausdorff", {}), ("erp", {})]
START_METHODS = [m for m in ("fork", "spawn", "forkserver") if m in __import__("multiprocessing").get_all_start_methods()]


@pytest.fixture(autouse=True)
def always_use_workers(monkeypatch):
    # these inputs are small enough to run in-process; the tests are about the workers
    monkeypatch.setattr(_backends, "MIN_PROCESS_CELLS", 0)


@pytest.fixture(scope="module")
def shared():
    with ta.Arena.shared(TRAJS) as a:
        yield a


@pytest.mark.parametrize("name,p", METRICS)
def test_joblib_matches_threads(shared, name, p):
    want = ta.pdist(TRAJS, name, **p)
    assert np.array_equal(ta.pdist(shared, name, backend="joblib", n_jobs=2, **p), want)
    C = ta.cdist(TRAJS[:7], shared, name, backend="joblib", n_jobs=2, **p)
    assert np.array_equal(C, ta.cdist(TRAJS[:7], TRAJS, name, **p))


@pytest.mark.parametrize("method", START_METHODS)
def test_multiprocessing_every_start_method(shared, method):
    for name, p in METRICS[:2]:
        want = ta.pdist(TRAJS, name, **p)
        got = ta.pdist(shared, name, backend="multiprocessing", start_method=method, n_jobs=2, **p)
        assert np.array_equal(got, want)
    C = ta.cdist(shared, shared, "dtw", backend="multiprocessing", start_method=method, n_jobs=2)
    assert np.array_equal(C, ta.cdist(TRAJS, TRAJS, "dtw"))


def test_lists_private_arenas_and_outputs(tmp_path):
    want = ta.pdist(TRAJS, "dtw")
    assert np.array_equal(ta.pdist(TRAJS, "dtw", backend="joblib", n_jobs=2), want)
    assert np.array_equal(ta.pdist(ta.Arena.pack(TRAJS), "dtw", backend="multiprocessing", n_jobs=2), want)
    r = ta.pdist(TRAJS, "dtw", backend="joblib", n_jobs=2, out=str(tmp_path / "d.npy"))
    assert isinstance(r, np.memmap) and np.array_equal(np.load(tmp_path / "d.npy"), want)
    shm = shared_memory.SharedMemory(create=True, size=want.nbytes)
    try:
        view = np.ndarray(want.shape, dtype=np.float64, buffer=shm.buf)
        assert _backends.file_backing(view) is not None  # workers write into it directly
        ta.pdist(TRAJS, "dtw", backend="multiprocessing", n_jobs=2, out=view)
        assert np.array_equal(view, want)
        del view
    finally:
        shm.close()
        shm.unlink()
    private = np.zeros_like(want)  # no file behind it: a shared file for the call, one copy
    assert _backends.file_backing(private) is None
    ta.pdist(TRAJS, "dtw", backend="joblib", n_jobs=2, out=private)
    assert np.array_equal(private, want)
    r32 = ta.pdist(TRAJS, "dtw", backend="joblib", n_jobs=2, dtype="float32")
    assert np.array_equal(r32, ta.pdist(TRAJS, "dtw", dtype="float32"))


def test_no_files_left_behind():
    def ours():
        d = "/dev/shm" if os.path.isdir("/dev/shm") else None
        return {f for f in os.listdir(d) if f.startswith(f"trajarena-") and str(os.getpid()) in f} if d else set()

    before = ours()
    ta.pdist(TRAJS, "dtw", backend="joblib", n_jobs=2)
    ta.cdist(TRAJS, TRAJS[:3], "dtw", backend="multiprocessing", n_jobs=2)
    assert ours() == before


def test_task_payload_under_1kb_whatever_the_arena_size():
    big = [RNG.normal(size=(2000, 2)) for _ in range(500)]  # 16 MB of coordinates
    with ta.Arena.shared(big) as a:
        spec = ("/dev/shm/trajarena-out-1-0123456789abcdef.bin", 0, "float64", 124750)
        task = (a, ta.Metric("lcss", eps=3.0, space="euclidean"), spec, 120000, 124750)
        assert len(pickle.dumps(task)) < 1024


def test_progress_callable_gets_every_task():
    seen = []
    ta.pdist(TRAJS, "dtw", backend="joblib", n_jobs=2, progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, len(TRAJS) * (len(TRAJS) - 1) // 2)
    assert seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_small_jobs_stay_in_process(monkeypatch):
    monkeypatch.setattr(_backends, "MIN_PROCESS_CELLS", 10**12)
    calls = []
    monkeypatch.setattr(_backends, "_results", lambda *a: calls.append(a) or iter(()))
    small = ta.Arena.pack(TRAJS[:20])
    assert np.array_equal(ta.pdist(small, "dtw", backend="joblib"), ta.pdist(TRAJS[:20], "dtw"))
    assert np.array_equal(ta.cdist(small, small, "dtw", backend="multiprocessing"),
                          ta.cdist(TRAJS[:20], TRAJS[:20], "dtw"))
    assert calls == []


def test_bad_backend_arguments():
    with pytest.raises(ValueError, match="backend: unknown backend"):
        ta.pdist(TRAJS, "dtw", backend="mpi")
    with pytest.raises(ValueError, match="start_method: only applies"):
        ta.pdist(TRAJS, "dtw", backend="joblib", start_method="fork")
    with pytest.raises(ValueError, match="start_method"):
        ta.pdist(TRAJS, "dtw", backend="multiprocessing", start_method="teleport")
    with pytest.raises(ValueError, match="paired runs on backend='threads'"):
        ta.paired(TRAJS, [0], [1], "dtw", backend="joblib")


_FORK_AFTER_RAYON = """
import multiprocessing as mp, numpy as np, trajarena as ta
rng = np.random.default_rng(0)
X = [rng.normal(size=(200, 2)) for _ in range(40)]
want = ta.pdist(X, "dtw", n_jobs=2)            # starts the rayon pool in the parent
got = ta.pdist(X, "dtw", backend="multiprocessing", start_method="fork", n_jobs=2)
def child(q):
    q.put(ta.pdist(X, "dtw", n_jobs=2).tolist())  # rayon inside a forked child
ctx = mp.get_context("fork"); q = ctx.Queue(); p = ctx.Process(target=child, args=(q,)); p.start()
res = q.get(timeout=60); p.join()
assert np.array_equal(got, want) and np.array_equal(res, want)
print("ok")
"""


def test_fork_after_rayon_does_not_hang():
    r = subprocess.run([sys.executable, "-c", _FORK_AFTER_RAYON], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


_NO_WARNINGS = """
import numpy as np, trajarena as ta
X = [np.random.default_rng(1).normal(size=(30, 2)) for _ in range(20)]
if __name__ == "__main__":
    for m in ("spawn", "forkserver", "fork"):
        ta.pdist(X, "dtw", backend="multiprocessing", start_method=m, n_jobs=2)
    ta.pdist(X, "dtw", backend="joblib", n_jobs=2)
    print("done")
"""


def test_no_resource_tracker_warnings(tmp_path):
    script = tmp_path / "s.py"
    script.write_text(_NO_WARNINGS)
    r = subprocess.run([sys.executable, "-W", "always", str(script)], capture_output=True, text=True, timeout=180)
    assert r.returncode == 0 and "done" in r.stdout, r.stderr
    assert "resource_tracker" not in r.stderr and "leaked" not in r.stderr, r.stderr
