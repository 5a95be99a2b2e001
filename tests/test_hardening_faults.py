"""Faults the way production meets them: a worker killed mid-call, the caller killed under its
workers, Ctrl-C inside one long pair. Each case runs in a subprocess with a timeout, so that a
hang or a crash fails the test instead of the test run."""

import os
import signal
import subprocess
import sys
import time
import uuid

import numpy as np
import pytest

import trajarena as ta
from processes import computing_workers, finish, shm_files, tagged_pids

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to find processes")

HEADER = """
import faulthandler, os, signal, sys, time, numpy as np, trajarena as ta
from trajarena import _backends
faulthandler.register(signal.SIGUSR1, all_threads=True)
_backends.MIN_PROCESS_CELLS = 0
rng = np.random.default_rng(0)
"""


def _tagged_env():
    tag = uuid.uuid4().hex
    return tag, dict(os.environ, TRAJARENA_TEST_TAG=tag)


def _start(tmp_path, body, *args, env=None):
    script = tmp_path / f"case_{uuid.uuid4().hex[:8]}.py"
    script.write_text(HEADER + body)
    proc = subprocess.Popen([sys.executable, str(script), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline().strip()
    if line != "started":
        proc.kill()
        pytest.fail(f"the child did not start: {line!r}\n{proc.stderr.read()[-3000:]}")
    return proc


# ---------------------------------------------------------------- 1. a worker dies
WORKER_DIES = """
backend, method = sys.argv[1], (sys.argv[2] if sys.argv[2] != "-" else None)
X = [rng.normal(size=(300, 2)) for _ in range(2000)]  # minutes of DTW
if __name__ == "__main__":
    print("started", flush=True)
    try:
        ta.pdist(X, "dtw", backend=backend, n_jobs=2, start_method=method)
    except Exception as e:
        print("raised", type(e).__name__, flush=True)
        raise
"""


@pytest.mark.parametrize("backend,method", [("multiprocessing", "fork"), ("multiprocessing", "spawn"),
                                            ("joblib", "-")])
def test_a_killed_worker_fails_the_call_and_its_files_go(tmp_path, backend, method):
    tag, env = _tagged_env()
    proc = _start(tmp_path, WORKER_DIES, backend, method, env=env)
    try:
        deadline = time.monotonic() + 60
        workers = []
        while time.monotonic() < deadline:
            # the workers are the computing processes among the call's own (not trackers)
            workers = computing_workers(f"TRAJARENA_TEST_TAG={tag}", proc.pid)
            if workers:
                break
            time.sleep(0.2)
        assert workers, "no worker started computing"
        assert shm_files(proc.pid), "the call should hold a shared arena"
        os.kill(workers[0], signal.SIGKILL)
        out, err, elapsed = finish(proc, timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "raised" in out, err[-3000:]
    assert proc.returncode != 0
    print(f"\n{backend}/{method}: raised {elapsed:.2f} s after the worker's death")
    assert elapsed < 5, elapsed
    assert shm_files(proc.pid) == []
    deadline = time.monotonic() + 10
    while tagged_pids(f"TRAJARENA_TEST_TAG={tag}") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert tagged_pids(f"TRAJARENA_TEST_TAG={tag}") == [], "stray processes"


# ---------------------------------------------------------------- 4. the caller is killed
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
@pytest.mark.parametrize("backend", ["joblib", "multiprocessing"])
def test_workers_exit_when_their_caller_is_killed(tmp_path, backend, sig):
    tag, env = _tagged_env()
    proc = _start(tmp_path, WORKER_DIES, backend, "-", env=env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if computing_workers(f"TRAJARENA_TEST_TAG={tag}", proc.pid):
                break
            time.sleep(0.2)
        else:
            pytest.fail("no worker started computing")
        started = tagged_pids(f"TRAJARENA_TEST_TAG={tag}")
        proc.send_signal(sig)
        proc.wait(timeout=10)
        t0 = time.monotonic()
        while tagged_pids(f"TRAJARENA_TEST_TAG={tag}") and time.monotonic() - t0 < 15:
            time.sleep(0.1)
        left = tagged_pids(f"TRAJARENA_TEST_TAG={tag}")
    finally:
        if proc.poll() is None:
            proc.kill()
        for p in tagged_pids(f"TRAJARENA_TEST_TAG={tag}"):
            os.kill(p, signal.SIGKILL)
    print(f"\n{backend}: {len(started) - 1} processes gone {time.monotonic() - t0:.2f} s after the caller")
    assert left == [], f"still running 15 s after the caller died: {left}"


# ---------------------------------------------------------------- 5. Ctrl-C inside one pair
LONG_PAIR = """
import json
call = json.loads(sys.argv[1])
pts = call.pop("points")
if call.get("metric") == "sowd":
    # a zigzag across a 3 x 0.6 degree box: millions of cells at precision 8
    t = np.linspace(0, 1, pts)
    a = np.stack([-122.0 + 3.0 * t, 37.0 + 0.6 * (np.arange(pts) % 2)], axis=1)
    b = a[::-1] + [0.0001, 0.0]
else:
    a = rng.normal(size=(pts, 2)).cumsum(0)
    b = rng.normal(size=(pts, 2)).cumsum(0)
how = call.pop("how")
name = call.pop("metric")
if __name__ == "__main__":
    print("started", flush=True)
    try:
        if how == "single":
            getattr(ta, name)(a, b, **call)
        else:
            ta.pdist([a, b], name, n_jobs=int(how[-1]), **call)
        print("finished", flush=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        raise
"""

# Pairs that take several seconds even at the kernels' best speed (a DP pair of 80,000 points is
# 6.4e9 cells), so that Ctrl-C always lands inside them.
LONG_CASES = [
    ("dtw", {"points": 80_000}, "single"),
    ("dtw", {"points": 80_000}, "pdist1"),
    ("dtw", {"points": 80_000}, "pdist2"),
    ("dtw", {"points": 80_000, "space": "spherical"}, "single"),
    ("lcss", {"points": 80_000, "eps": 0.5}, "single"),
    ("edr", {"points": 80_000, "eps": 0.5}, "pdist2"),
    ("erp", {"points": 80_000}, "single"),
    ("discrete_frechet", {"points": 80_000}, "single"),
    ("hausdorff", {"points": 40_000, "space": "spherical"}, "single"),
    ("sspd", {"points": 60_000}, "single"),
    ("hausdorff", {"points": 40_000, "space": "spherical"}, "pdist1"),
    ("sspd", {"points": 60_000}, "pdist2"),
    ("frechet", {"points": 8_000}, "single"),
    ("frechet", {"points": 4_000, "compat": "traj-dist"}, "single"),
    ("edwp", {"points": 30_000}, "single"),
    ("edwp", {"points": 30_000}, "pdist2"),
    ("sowd", {"points": 400, "precision": 8}, "single"),
]


@pytest.mark.parametrize("metric,params,how", LONG_CASES,
                         ids=[f"{m}-{h}-{'-'.join(str(v) for k, v in p.items() if k != 'points')}"
                              for m, p, h in LONG_CASES])
def test_ctrl_c_stops_one_long_pair(tmp_path, metric, params, how):
    import json

    call = dict(params, metric=metric, how=how)
    proc = _start(tmp_path, LONG_PAIR, json.dumps(call))
    try:
        time.sleep(1.5)
        assert proc.poll() is None, f"the pair finished before Ctrl-C: {proc.stdout.read()}"
        proc.send_signal(signal.SIGINT)
        out, err, elapsed = finish(proc, timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "interrupted" in out and "KeyboardInterrupt" in err, (out, err[-3000:])
    print(f"\n{metric} {how}: exited {elapsed:.3f} s after SIGINT")
    # Half a second is the promise; the bound leaves room for a loaded machine and the exit.
    assert elapsed < 2.0, elapsed


def test_sowd_refuses_a_grid_too_fine():
    a = np.array([[-122.0, 37.0], [-118.4, 37.6]])  # a 3.6 x 0.6 degree box
    b = a[::-1].copy()
    with pytest.raises(ValueError, match="precision: 12 .* geohash cells"):
        ta.sowd(a, b, precision=12)
    with pytest.raises(ValueError, match="precision: 12"):
        ta.pdist([a, b], "sowd", precision=12)
    with pytest.raises(ValueError, match="precision: 12"):
        ta.Metric("sowd", precision=12) and ta.cdist([a], [b], ta.Metric("sowd", precision=12))
    assert np.isfinite(ta.sowd(a, b, precision=7))


# ---------------------------------------------------------------- 6. a clean interrupt
def test_interrupting_joblib_prints_no_loky_traceback(tmp_path):
    body = """
X = [rng.normal(size=(300, 2)) for _ in range(2000)]
if __name__ == "__main__":
    print("started", flush=True)
    try:
        ta.pdist(X, "dtw", backend="joblib", n_jobs=2)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
"""
    for _ in range(2):
        proc = _start(tmp_path, body)
        try:
            time.sleep(3.0)
            proc.send_signal(signal.SIGINT)
            out, err, _ = finish(proc, timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert "interrupted" in out, err[-3000:]
        assert "Traceback" not in err and "Exception in thread" not in err, err[-3000:]


def test_frechet_larger_than_memory_is_a_memoryerror():
    a = np.zeros((40_000, 2))
    a[:, 0] = np.arange(40_000)
    for p in ({}, {"compat": "traj-dist"}):
        with pytest.raises(MemoryError, match="frechet of 40000 x 40000 points may need .* of working memory"):
            ta.frechet(a, a + 1.0, **p)
        with pytest.raises(MemoryError, match="the longest pair of X: frechet"):
            ta.pdist([a, a + 1.0], "frechet", **p)
