"""Files the library creates and opens: a handle whose path became a FIFO, file modes, which
stale files `cleanup_stale` may remove, and the automatic cleanup after a killed owner.

Everything here uses real processes, files and FIFOs; a call that could hang runs in a
subprocess with a timeout."""

import contextlib
import os
import pickle
import shutil
import signal
import stat
import subprocess
import sys
import tempfile

import numpy as np
import pytest

import trajarena as ta
from trajarena import _backends
from trajarena import _shared_files as files

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs Linux /proc")

RNG = np.random.default_rng(11)
TRAJS = [RNG.normal(size=(n, 2)).cumsum(axis=0) for n in RNG.integers(2, 30, 30)]
TIMEOUT = 60


def _run(code, *args, timeout=TIMEOUT):
    """Runs `code` in a fresh interpreter; a hang fails the test instead of hanging it."""
    try:
        return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the subprocess did not finish within {timeout} s (it hangs)")


@contextlib.contextmanager
def _umask(mask):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


# ---------------------------------------------------------------- 10: FIFOs
_LOADS = """
import pickle, sys, trajarena
with open(sys.argv[1], "rb") as f:
    handle = f.read()
try:
    pickle.loads(handle)
except Exception as e:
    print(type(e).__name__, e)
"""

_OPEN = """
import sys, trajarena as ta
try:
    ta.Arena.open(sys.argv[1])
except Exception as e:
    print(type(e).__name__, e)
"""


def test_unpickling_a_handle_whose_file_became_a_fifo_raises_value_error(tmp_path):
    a = ta.Arena.shared(TRAJS)
    path = a.path
    try:
        (tmp_path / "handle.pkl").write_bytes(pickle.dumps(a))
        os.unlink(path)
        os.mkfifo(path, 0o600)
        r = _run(_LOADS, tmp_path / "handle.pkl")
        assert r.stdout.startswith("ValueError"), r.stdout + r.stderr
        assert path in r.stdout and "FIFO" in r.stdout
    finally:
        a.close()  # removes the FIFO now standing at its path
    assert not os.path.exists(path)


def test_arena_open_on_a_fifo_raises_value_error_naming_it(tmp_path):
    fifo = tmp_path / "x.arena"
    os.mkfifo(fifo)
    r = _run(_OPEN, fifo)
    assert r.stdout.startswith("ValueError"), r.stdout + r.stderr
    assert str(fifo) in r.stdout and "not a regular file" in r.stdout


def test_arena_open_on_a_directory_raises_value_error_naming_it(tmp_path):
    with pytest.raises(ValueError, match="not a regular file") as e:
        ta.Arena.open(tmp_path)
    assert str(tmp_path) in str(e.value)


# ---------------------------------------------------------------- 14: modes
@pytest.mark.parametrize("mask", [0o022, 0o000])
def test_shared_arena_file_is_owner_only_whatever_the_umask(mask):
    with _umask(mask):
        a = ta.Arena.shared(TRAJS)
    try:
        assert _mode(a.path) == 0o600
    finally:
        a.close()


@pytest.mark.parametrize("mask, want", [(0o022, 0o644), (0o000, 0o666), (0o077, 0o600)])
def test_packed_arena_at_a_user_path_follows_the_umask(tmp_path, mask, want):
    p = tmp_path / "x.arena"
    with _umask(mask):
        a = ta.Arena.pack(TRAJS, path=p)
        np.save(tmp_path / "ref.npy", np.zeros(3))
    assert _mode(p) == want == _mode(tmp_path / "ref.npy")
    assert sorted(os.listdir(tmp_path)) == ["ref.npy", "x.arena"]  # no temporary left
    np.testing.assert_array_equal(a[4], TRAJS[4])
    a.close()


def _call_files():
    """Modes and first bytes of this process's trajarena files in the shared directories."""
    found = {}
    for d in dict.fromkeys((files.SHM_DIR, tempfile.gettempdir())):
        if not os.path.isdir(d):
            continue
        for name in os.listdir(d):
            if name.startswith("trajarena-") and f"-{os.getpid()}-" in name:
                p = os.path.join(d, name)
                with open(p, "rb") as f:
                    found[name] = (_mode(p), f.read(8))
    return found


@pytest.mark.parametrize("mask", [0o022, 0o000])
@pytest.mark.parametrize("private_out", [False, True])
def test_process_backend_call_files_are_owner_only(monkeypatch, mask, private_out):
    monkeypatch.setattr(_backends, "MIN_PROCESS_CELLS", 0)
    before = set(_call_files())
    seen = {}

    def progress(done, total):
        if not seen:
            seen.update({k: v for k, v in _call_files().items() if k not in before})

    n = len(TRAJS)
    out = np.zeros(n * (n - 1) // 2) if private_out else None
    with _umask(mask):
        res = ta.pdist(TRAJS, "dtw", backend="multiprocessing", n_jobs=2, progress=progress, out=out)
    np.testing.assert_array_equal(res, ta.pdist(TRAJS, "dtw"))
    kinds = sorted(name.split("-")[1] for name in seen)
    assert kinds == ["arena", "out"], seen  # the implicit arena and the call's output file
    for name, (mode, head) in seen.items():
        assert mode == 0o600, (name, oct(mode))
        assert head == (files.ARENA_MAGIC if name.endswith(".arena") else files.OUT_MAGIC), name
    assert set(_call_files()) == before  # both removed when the call ends


def test_output_file_data_starts_on_a_page():
    path, at = files.create_out(80)
    try:
        assert at % 4096 == 0 and at >= 4096 and _mode(path) == 0o600
        assert os.path.getsize(path) == at + 80
        with open(path, "rb") as f:
            assert f.read(8) == files.OUT_MAGIC
    finally:
        files.unlink_quietly(path)


# ---------------------------------------------------------------- 15: what cleanup_stale removes
_IDENT = "import trajarena._shared_files as f; print(f.owner_id())"


def _dead_owner():
    """The owner identity of a process that has exited (and been reaped)."""
    r = _run(_IDENT)
    ident = r.stdout.strip()
    assert r.returncode == 0 and ident.count("-") == 3, r.stdout + r.stderr
    return ident


def _name(ident, kind="arena", token="0123456789abcdef"):
    return f"trajarena-{kind}-{ident}-{token}." + ("arena" if kind == "arena" else "bin")


def _arena_bytes():
    return ta.Arena.pack(TRAJS).to_bytes()


def test_cleanup_keeps_a_text_file_with_a_trajarena_name(tmp_path):
    dead = _dead_owner()
    text = b"my notes, not an arena\n"
    kept = ["trajarena-out-4000001-ff.bin", "trajarena-4000001-00ff.arena",
            _name(dead, "out", "aa"), _name(dead, "arena", "bb"),
            "." + _name(dead, "arena", "cc") + ".4000001-5.tmp"]
    for name in kept:
        (tmp_path / name).write_bytes(text)
    # The same dead owner's real files go: the cleanup ran and judged by content.
    gone = {_name(dead, "arena", "dd"): _arena_bytes(),
            _name(dead, "out", "ee"): files.OUT_MAGIC + bytes(4096)}
    for name, data in gone.items():
        (tmp_path / name).write_bytes(data)
    removed = files.cleanup_stale([str(tmp_path)])
    assert sorted(removed) == sorted(str(tmp_path / n) for n in gone)
    for name in kept:
        assert (tmp_path / name).read_bytes() == text


def test_cleanup_keeps_a_fifo_or_symlink_with_a_trajarena_name(tmp_path):
    dead = _dead_owner()
    os.mkfifo(tmp_path / _name(dead, "arena", "aa"))
    target = tmp_path / "target"
    target.write_bytes(_arena_bytes())
    os.symlink(target, tmp_path / _name(dead, "arena", "bb"))
    r = _run("import sys, trajarena as ta; print(ta.cleanup_stale([sys.argv[1]]))", tmp_path)
    assert r.stdout.strip() == "[]", r.stdout + r.stderr
    assert stat.S_ISFIFO(os.lstat(tmp_path / _name(dead, "arena", "aa")).st_mode)
    assert os.path.islink(tmp_path / _name(dead, "arena", "bb")) and target.exists()


def test_cleanup_keeps_another_users_file(tmp_path):
    if os.getuid() != 0:
        pytest.skip("needs root to give a file to another user")
    p = tmp_path / _name(_dead_owner())
    p.write_bytes(_arena_bytes())
    os.chown(p, 54321, 54321)
    assert files.cleanup_stale([str(tmp_path)]) == [] and p.exists()


def test_cleanup_keeps_a_file_of_another_pid_namespace(tmp_path):
    boot, ns, _, _ = files.owner_id().split("-")
    other_ns = f"{boot}-{int(ns) + 1}-4000001-12345"   # a pid this namespace does not have
    same_ns = f"{boot}-{ns}-4000001-12345"
    (tmp_path / _name(other_ns)).write_bytes(_arena_bytes())
    (tmp_path / _name(same_ns)).write_bytes(_arena_bytes())
    assert files.cleanup_stale([str(tmp_path)]) == [str(tmp_path / _name(same_ns))]
    assert (tmp_path / _name(other_ns)).exists()


def test_cleanup_removes_a_file_from_an_earlier_boot(tmp_path):
    boot, ns, pid, start = files.owner_id().split("-")
    other_boot = f"{(int(boot, 16) + 1) % (1 << 32):08x}"
    # Even this process's own pid, namespace and start time: that boot is over.
    p = tmp_path / _name(f"{other_boot}-{ns}-{pid}-{start}")
    p.write_bytes(_arena_bytes())
    assert files.cleanup_stale([str(tmp_path)]) == [str(p)]


_OWNER = """
import time, trajarena as ta, numpy as np
a = ta.Arena.shared([np.zeros((3, 2)), np.ones((4, 2))])
print(a.path, flush=True)
time.sleep(120)
"""


def _start_owner(argv_prefix=()):
    proc = subprocess.Popen([*argv_prefix, sys.executable, "-c", _OWNER], stdout=subprocess.PIPE,
                            text=True)
    path = proc.stdout.readline().strip()
    assert path and os.path.exists(path), path
    return proc, path


def _unshare_prefix():
    exe = shutil.which("unshare")
    if exe is None or os.getuid() != 0:
        return None
    prefix = [exe, "--pid", "--fork", "--kill-child", "--mount-proc"]
    try:
        r = subprocess.run([*prefix, "true"], capture_output=True, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return prefix if r.returncode == 0 else None


def test_cleanup_keeps_the_file_of_a_process_in_a_real_pid_namespace():
    prefix = _unshare_prefix()
    if prefix is None:
        pytest.skip("cannot create a PID namespace here (unshare needs root)")
    proc, path = _start_owner(prefix)
    try:
        name = os.path.basename(path)
        assert f"-{files.owner_id().split('-')[1]}-" not in name  # another namespace's id
        assert path not in files.cleanup_stale()
        proc.kill()  # --kill-child: the owner goes with unshare
        proc.wait()
        # Still kept: from here nothing tells whether a pid of another namespace runs.
        assert path not in files.cleanup_stale() and os.path.exists(path)
    finally:
        proc.kill()
        proc.wait()
        files.unlink_quietly(path)


def test_cleanup_keeps_a_live_owners_file_whose_mtime_predates_the_owner():
    proc, path = _start_owner()
    try:
        old = os.stat(path).st_mtime - 3600  # a clock step back, or a copy keeping mtimes
        os.utime(path, (old, old))
        assert path not in files.cleanup_stale() and os.path.exists(path)
    finally:
        proc.kill()
        proc.wait()
    assert path in files.cleanup_stale() and not os.path.exists(path)


def test_cleanup_removes_a_killed_owners_file_and_temporaries_but_not_text(tmp_path):
    proc, path = _start_owner()
    mine = ta.Arena.shared(TRAJS)
    try:
        assert path not in files.cleanup_stale()  # the owner is alive
    finally:
        proc.kill()
        proc.wait()
    name = os.path.basename(path)
    unsealed = bytearray(_arena_bytes())
    unsealed[24] = 0  # the flags: a writer killed before sealing
    temps = {f".{name}.{proc.pid}-1.tmp": bytes(unsealed), f".{name}.{proc.pid}-2.tmp": b"",
             f".{name}.{proc.pid}-3.tmp": b"TRJ"}
    for t, data in temps.items():
        (tmp_path / t).write_bytes(data)
    (tmp_path / f".{name}.{proc.pid}-4.tmp").write_bytes(b"some text\n")
    assert os.path.exists(path)  # SIGKILL: no finalizer ran
    assert path in files.cleanup_stale() and not os.path.exists(path)
    removed = files.cleanup_stale([str(tmp_path)])
    assert sorted(removed) == sorted(str(tmp_path / t) for t in temps)
    assert os.listdir(tmp_path) == [f".{name}.{proc.pid}-4.tmp"]
    assert os.path.exists(mine.path)  # ours survives
    mine.close()


# ---------------------------------------------------------------- 16: automatic cleanup
_SHARE_ONCE = """
import numpy as np, trajarena as ta
ta.Arena.shared([np.zeros((2, 2))]).close()
"""


def test_next_process_removes_the_file_of_an_owner_ended_by_sigterm():
    proc, path = _start_owner()
    proc.send_signal(signal.SIGTERM)  # as Jupyter ends a kernel: no exit-time cleanup runs
    assert proc.wait() == -signal.SIGTERM
    assert os.path.exists(path)
    r = _run(_SHARE_ONCE)
    assert r.returncode == 0, r.stderr
    assert not os.path.exists(path)


def test_automatic_cleanup_runs_on_the_first_shared_file_then_at_most_once_a_minute(monkeypatch):
    calls = []
    now = [1000.0]
    monkeypatch.setattr(files, "cleanup_stale", lambda dirs=None: calls.append(now[0]) or [])
    monkeypatch.setattr(files, "_clock", lambda: now[0])
    monkeypatch.setattr(files, "_last_cleanup", None)  # as in a process that made no file yet
    ta.Arena.shared(TRAJS).close()
    assert calls == [1000.0]
    now[0] += 30
    ta.Arena.shared(TRAJS).close()
    path, _ = files.create_out(8)
    files.unlink_quietly(path)
    assert calls == [1000.0]
    now[0] += 31
    ta.Arena.shared(TRAJS).close()
    assert calls == [1000.0, 1061.0]
    now[0] += 1
    ta.Arena.shared(TRAJS).close()
    assert calls == [1000.0, 1061.0]
    # A forked child is another process: its first shared file runs the cleanup again.
    monkeypatch.setattr(files, "_last_cleanup", (os.getpid() + 1, now[0]))
    ta.Arena.shared(TRAJS).close()
    assert calls == [1000.0, 1061.0, 1062.0]


def test_a_failing_automatic_cleanup_does_not_fail_the_shared_arena(monkeypatch):
    def boom(dirs=None):
        raise OSError("listing failed")

    monkeypatch.setattr(files, "cleanup_stale", boom)
    monkeypatch.setattr(files, "_last_cleanup", None)
    with ta.Arena.shared(TRAJS) as a:
        np.testing.assert_array_equal(a[2], TRAJS[2])
