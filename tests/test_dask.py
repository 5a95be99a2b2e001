"""backend="dask" on a real distributed.LocalCluster, the lazy trajarena.dask arrays, a worker
killed mid-run, and a .zarr run resumed after its client was killed with SIGKILL."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import zarr
from distributed import Client, LocalCluster
from hypothesis import given, settings, strategies as st

import trajarena as ta
import trajarena.dask as tdask
from processes import cpu_ticks
from trajarena import _zarr_out

RNG = np.random.default_rng(41)
TRAJS = [RNG.normal(size=(n, 2)).cumsum(axis=0) for n in RNG.integers(1, 40, 60)]
METRICS = [("dtw", {}), ("lcss", {"eps": 1.0}), ("frechet", {}), ("erp", {"g": [0.0, 0.0]}),
           ("sspd", {})]


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as c:
        yield c


@pytest.mark.parametrize("name,p", METRICS)
def test_pdist_and_cdist_equal_threads(client, name, p):
    assert np.array_equal(ta.pdist(TRAJS, name, backend="dask", **p), ta.pdist(TRAJS, name, **p))
    want = ta.cdist(TRAJS[:9], TRAJS, name, **p)
    assert np.array_equal(ta.cdist(TRAJS[:9], TRAJS, name, backend="dask", **p), want)
    sq = ta.cdist(TRAJS, TRAJS, name, backend="dask", **p)  # the mirrored path
    assert np.array_equal(sq, ta.cdist(TRAJS, TRAJS, name, **p))


def test_queries_equal_threads(client):
    d, i = ta.knn(TRAJS, 4, "dtw", backend="dask")
    dw, iw = ta.knn(TRAJS, 4, "dtw")
    assert np.array_equal(d, dw) and np.array_equal(i, iw)
    d, i = ta.knn(TRAJS, 3, "hausdorff", queries=TRAJS[:11], backend="dask")
    dw, iw = ta.knn(TRAJS, 3, "hausdorff", queries=TRAJS[:11])
    assert np.array_equal(d, dw) and np.array_equal(i, iw)
    r = ta.radius_neighbors(TRAJS, 6.0, "dtw", backend="dask")
    rw = ta.radius_neighbors(TRAJS, 6.0, "dtw")
    for f in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(r, f), getattr(rw, f))


def test_arena_travels_by_path_or_by_value(client):
    want = ta.pdist(TRAJS, "dtw")
    with ta.Arena.shared(TRAJS) as a:  # every worker sees /dev/shm here: by path
        assert np.array_equal(ta.pdist(a, "dtw", backend="dask"), want)
    private = ta.Arena.pack(TRAJS)  # no file: its bytes are scattered once
    assert np.array_equal(ta.pdist(private, "dtw", backend="dask"), want)
    assert np.array_equal(ta.knn(private, 2, "dtw", backend="dask")[1], ta.knn(TRAJS, 2, "dtw")[1])


def test_outputs(client, tmp_path, monkeypatch):
    want = ta.pdist(TRAJS, "dtw")
    r = ta.pdist(TRAJS, "dtw", backend="dask", out=str(tmp_path / "d.npy"))
    assert isinstance(r, np.memmap) and np.array_equal(np.load(tmp_path / "d.npy"), want)
    buf = np.empty_like(want)
    assert ta.pdist(TRAJS, "dtw", backend="dask", out=buf) is buf and np.array_equal(buf, want)
    z = ta.pdist(TRAJS, "dtw", backend="dask", out=str(tmp_path / "d.zarr"))
    assert np.array_equal(z[:], want)
    with monkeypatch.context() as mp:  # the workers run in another folder: they get it absolute
        mp.chdir(tmp_path)
        assert np.array_equal(ta.pdist(TRAJS, "dtw", backend="dask", out="rel.zarr")[:], want)
    z = ta.cdist(TRAJS[:5], TRAJS, "dtw", backend="dask", out=str(tmp_path / "c.zarr"), dtype="float32")
    assert np.array_equal(z[:], ta.cdist(TRAJS[:5], TRAJS, "dtw", dtype="float32"))
    seen = []
    ta.pdist(TRAJS, "dtw", backend="dask", progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, want.size) and seen[-1] == (want.size, want.size)


def test_errors_before_any_task(client):
    with pytest.raises(ValueError, match=r"X\[2\]"):
        ta.pdist([TRAJS[0], TRAJS[1], np.zeros((3, 5))], "dtw", backend="dask")
    with pytest.raises(ValueError, match="XB"):
        ta.cdist(TRAJS, [np.zeros((3, 3))], "dtw", backend="dask")
    with pytest.raises(ValueError, match="start_method"):
        ta.pdist(TRAJS, "dtw", backend="dask", start_method="spawn")


def test_lazy_arrays(client, tmp_path):
    want = ta.pdist(TRAJS, "dtw")
    lazy = tdask.pdist(TRAJS, "dtw", chunks=100)
    assert lazy.shape == want.shape and lazy.chunks[0][:2] == (100, 100)
    assert lazy.numblocks == (-(-want.size // 100),)
    # each block one task, plus the arena they share
    assert len(dict(lazy.__dask_graph__())) == lazy.numblocks[0] + 1
    assert np.array_equal(lazy.compute(), want)
    assert np.array_equal(lazy[250:777].compute(), want[250:777])
    lazy.to_zarr(str(tmp_path / "lazy.zarr"))
    assert np.array_equal(zarr.open_array(str(tmp_path / "lazy.zarr"))[:], want)
    C = tdask.cdist(TRAJS[:13], TRAJS, "lcss", chunks=(4, 25), eps=0.7)
    assert C.chunks == ((4, 4, 4, 1), (25, 25, 10))
    assert np.array_equal(C.compute(), ta.cdist(TRAJS[:13], TRAJS, "lcss", eps=0.7))
    assert np.array_equal(C.min(axis=1).compute(), ta.cdist(TRAJS[:13], TRAJS, "lcss", eps=0.7).min(axis=1))
    with ta.Arena.shared(TRAJS) as a:
        assert np.array_equal(tdask.cdist(a, a, "dtw").compute(), ta.cdist(TRAJS, TRAJS, "dtw"))
    with pytest.raises(ValueError, match="chunks"):
        tdask.pdist(TRAJS, "dtw", chunks=0)


@settings(max_examples=25, deadline=None)
@given(chunk=st.integers(1, 400), rows=st.integers(1, 20), cols=st.integers(1, 70))
def test_lazy_blocks_equal_the_batch_call(chunk, rows, cols):
    # the local threaded scheduler: no cluster needed for the block arithmetic
    with __import__("dask").config.set(scheduler="threads"):
        assert np.array_equal(tdask.pdist(TRAJS[:30], "dtw", chunks=chunk).compute(), ta.pdist(TRAJS[:30], "dtw"))
        got = tdask.cdist(TRAJS[:20], TRAJS, "dtw", chunks=(rows, cols)).compute()
        assert np.array_equal(got, ta.cdist(TRAJS[:20], TRAJS, "dtw"))


def _long_trajs(n, lo, hi, seed):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(k, 2)).cumsum(axis=0) for k in rng.integers(lo, hi, n)]


def test_a_killed_worker_changes_nothing(client):
    X = _long_trajs(260, 80, 200, 5)
    want = ta.pdist(X, "dtw")
    pids = client.run(os.getpid)
    victim = sorted(pids.values())[0]
    killed = []

    def kill_once(done, total):
        if 0 < done < total and not killed:
            os.kill(victim, signal.SIGKILL)
            killed.append(done)

    got = ta.pdist(X, "dtw", backend="dask", progress=kill_once)
    assert killed, "the worker was killed during the call"
    assert np.array_equal(got, want)
    client.wait_for_workers(2, timeout=60)  # the nanny restarted it


class Stop(Exception):
    pass


def test_an_interrupted_call_stops_its_running_tasks(client):
    """Dask cannot interrupt a running task: the task itself stops once its client cancelled
    it, so the workers are idle soon after the caller's error (or Ctrl-C)."""
    X = _long_trajs(600, 800, 1200, 9)  # 8 tasks of several seconds each
    pids = list(client.run(os.getpid).values())

    def interrupt(signum, frame):
        raise Stop

    old = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 2.0)
    try:
        with pytest.raises(Stop):
            ta.pdist(X, "dtw", backend="dask")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    time.sleep(1.0)
    before = [cpu_ticks(p) for p in pids]
    time.sleep(1.0)
    busy = [cpu_ticks(p) - b for p, b in zip(pids, before)]
    assert max(busy) < 30, f"workers still computing: {busy} ticks in 1 s"


CLIENT = textwrap.dedent("""
    import sys
    import numpy as np
    import trajarena as ta
    from trajarena import _zarr_out

    if __name__ == "__main__":
        _zarr_out.MIN_CHUNK_ENTRIES = _zarr_out.TARGET_CHUNK_ENTRIES = 512
        rng = np.random.default_rng(7)
        X = [rng.normal(size=(k, 2)).cumsum(axis=0) for k in rng.integers(150, 300, 420)]
        ta.pdist(X, "dtw", backend="dask", out=sys.argv[1], n_jobs=2)
        print("finished")
""")


def _children(pid):
    kids = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        kids.append(int(p))
            except (OSError, ValueError, IndexError):
                pass
    return kids + [g for k in kids for g in _children(k)]


def _gone(pids, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not [p for p in pids if os.path.exists(f"/proc/{p}") and _state(p) != "Z"]:
            return True
        time.sleep(0.1)
    return False


def _state(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "X"


def test_resume_after_the_client_was_killed(client, tmp_path):
    rng = np.random.default_rng(7)
    X = [rng.normal(size=(k, 2)).cumsum(axis=0) for k in rng.integers(150, 300, 420)]
    path = str(tmp_path / "d.zarr")
    script = tmp_path / "client.py"
    script.write_text(CLIENT)
    proc = subprocess.Popen([sys.executable, str(script), path], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    n_chunks = -(-(len(X) * (len(X) - 1) // 2) // 512)
    done_dir = os.path.join(path, _zarr_out.DONE_DIR)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if os.path.isdir(done_dir) and len(os.listdir(done_dir)) >= n_chunks // 4:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the client finished before it could be killed: " + proc.stderr.read()
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate()
    assert "finished" not in out
    assert err.count("started a LocalCluster") == 1
    # the workers of the cluster the client started leave with it
    assert _gone(workers, 60), "worker processes outlived their client"
    done_before = set(os.listdir(done_dir))
    assert 0 < len(done_before) < n_chunks
    files = {m: os.stat(os.path.join(path, "c", m)) for m in done_before}

    want = ta.pdist(X, "dtw")
    z = ta.pdist(X, "dtw", backend="dask", out=path, resume=True)
    assert z.chunks == (512,)  # the stored chunking, not this cluster's
    assert np.array_equal(z[:], want)
    assert len(os.listdir(done_dir)) == n_chunks
    for m, before in files.items():  # chunks done before the kill were not computed again
        now = os.stat(os.path.join(path, "c", m))
        assert (now.st_ino, now.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    with pytest.raises(FileExistsError):
        ta.pdist(X, "dtw", backend="dask", out=path)
    with pytest.raises(ValueError, match="other input"):
        ta.pdist(X, "dtw", backend="dask", out=path, resume=True, window=10)
