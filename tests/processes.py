"""Finding the processes and shared files a test's child started, through /proc."""

import os
import signal
import subprocess
import time

import pytest


def tagged_pids(tag):
    """Pids of the processes whose environment holds `tag` ("NAME=value"): a child and all it
    started, trackers included."""
    found = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/environ", "rb") as f:
                if tag.encode() in f.read():
                    found.append(int(p))
        except OSError:
            pass
    return found


def is_tracker(pid):
    """Whether `pid` is a resource tracker (multiprocessing's or loky's), not a worker: under
    load its start-up alone can take as much CPU as a worker's first distances."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"resource_tracker" in f.read()
    except OSError:
        return False


def computing_workers(tag, parent):
    """The processes of `tag` other than `parent` and its trackers that have used CPU: the
    workers of a call that has started computing."""
    return [p for p in tagged_pids(tag) if p != parent and not is_tracker(p) and cpu_ticks(p) > 20]


def shm_files(pid):
    """trajarena's files in /dev/shm whose name carries `pid`."""
    d = "/dev/shm"
    return [f for f in os.listdir(d) if "trajarena" in f and f"-{pid}-" in f] if os.path.isdir(d) else []


def cpu_ticks(pid):
    """User + system CPU time of `pid` in clock ticks (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, ValueError, IndexError):
        return 0


def finish(proc, timeout):
    """(stdout, stderr, seconds until exit) of a child; if it does not exit within `timeout`,
    fails with its Python stacks (children register faulthandler on SIGUSR1)."""
    t0 = time.monotonic()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGUSR1)
        time.sleep(1.0)
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"no exit within {timeout} s; Python stacks:\n{err[-4000:]}")
    return out, err, time.monotonic() - t0
