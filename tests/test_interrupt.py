"""Ctrl-C: SIGINT to a process running a long pdist or knn stops it promptly on every backend, with
KeyboardInterrupt, no stray worker processes and no shared-memory files left behind."""

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from processes import finish, shm_files as _shm_files, tagged_pids as _tagged_pids

_LONG = """
import faulthandler, signal, sys, numpy as np, trajarena as ta
faulthandler.register(signal.SIGUSR1, all_threads=True)  # the test asks for stacks if it hangs
backend, call = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(0)
X = [rng.normal(size=(300, 2)) for _ in range(3000)]  # 4.5 M pairs of 90,000 cells: minutes
if __name__ == "__main__":
    print("started", flush=True)
    try:
        if call == "knn":
            ta.knn(X, 5, "dtw", backend=backend, n_jobs=2)
        else:
            ta.pdist(X, "dtw", backend=backend, n_jobs=2)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        raise
"""


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to find worker processes")
@pytest.mark.parametrize("call", ["pdist", "knn"])
@pytest.mark.parametrize("backend", ["threads", "joblib", "multiprocessing", "dask", "ray"])
def test_sigint_stops_a_long_call(tmp_path, backend, call):
    script = tmp_path / "long.py"
    script.write_text(_LONG)
    tag = f"TRAJARENA_TEST_TAG={uuid.uuid4().hex}"
    env = dict(os.environ, **dict([tag.split("=", 1)]))
    proc = subprocess.Popen([sys.executable, str(script), backend, call], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout.readline().strip() == "started"
        # let the workers get going (Dask and Ray start their local cluster first)
        time.sleep({"threads": 1.0, "dask": 8.0, "ray": 8.0}.get(backend, 3.0))
        assert proc.poll() is None, proc.stderr.read()
        proc.send_signal(signal.SIGINT)
        out, err, elapsed = finish(proc, timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "interrupted" in out and "KeyboardInterrupt" in err, err[-2000:]
    assert proc.returncode != 0
    # Generous bound for a loaded CI machine; the measured figure is in the README.
    print(f"\n{call} on {backend}: exited {elapsed:.3f} s after SIGINT")
    assert elapsed < 10, elapsed
    deadline = time.monotonic() + 10
    while _tagged_pids(tag) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _tagged_pids(tag) == [], "stray worker processes"
    assert _shm_files(proc.pid) == []
