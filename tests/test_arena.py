"""The Arena: construction, zero-copy views, Arrow, pickling as a handle, corrupt files."""

import gc
import os
import pickle
import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest

import trajarena as ta

pa = pytest.importorskip("pyarrow")

RNG = np.random.default_rng(7)
TRAJS = [RNG.normal(size=(n, 2)).cumsum(axis=0) for n in RNG.integers(1, 40, 25)]


def test_pack_private_views():
    a = ta.Arena.pack(TRAJS)
    assert len(a) == 25 and a.dim == 2 and a.path is None and not a.is_shared
    assert a.offsets[0] == 0 and a.offsets[-1] == sum(map(len, TRAJS))
    np.testing.assert_array_equal(a.lengths, [len(t) for t in TRAJS])
    for i, t in enumerate(TRAJS):
        np.testing.assert_array_equal(a[i], t)
        assert np.shares_memory(a[i], a.coords)
        assert not a[i].flags.writeable
    np.testing.assert_array_equal(a[-1], TRAJS[-1])
    with pytest.raises(IndexError, match="index: 25 is out of range for an arena of 25"):
        a[25]
    with pytest.raises(TypeError, match="index"):
        a[1.0]
    with pytest.raises(ValueError):
        a.coords[0, 0] = 1.0


def test_pack_validates_input():
    with pytest.raises(ValueError, match=r"trajs\[1\]: trajectory is empty"):
        ta.Arena.pack([np.zeros((2, 2)), np.zeros((0, 2))])
    with pytest.raises(ValueError, match=r"trajs\[1\]: point 0 has a non-finite"):
        ta.Arena.pack([np.zeros((2, 2)), np.array([[np.inf, 0.0]])])
    with pytest.raises(ValueError, match=r"trajs\[1\]: has 3-D points"):
        ta.Arena.pack([np.zeros((2, 2)), np.zeros((2, 3))])


def test_file_arena_round_trip(tmp_path):
    p = tmp_path / "x.arena"
    a = ta.Arena.pack(TRAJS, path=p)
    assert a.path == str(p) and a.is_shared
    assert os.listdir(tmp_path) == ["x.arena"]  # the temporary was renamed away
    b = ta.Arena.open(p)
    for i, t in enumerate(TRAJS):
        np.testing.assert_array_equal(b[i], t)
    assert not b.coords.flags.writeable
    assert b.coords.ctypes.data % 64 == 0 and b.offsets.ctypes.data % 64 == 0
    with b:
        pass
    with pytest.raises(ValueError, match="closed"):
        b.coords


def test_pickle_handle_is_small_and_refuses_replaced_files(tmp_path):
    big = [RNG.normal(size=(1000, 3)) for _ in range(200)]
    p = tmp_path / "big.arena"
    a = ta.Arena.pack(big, path=p)
    blob = pickle.dumps(a)
    assert len(blob) < 1024, len(blob)
    b = pickle.loads(blob)
    np.testing.assert_array_equal(b[199], big[199])
    # replace the file under the same name: the old handle must be refused
    ta.Arena.pack(big[:5], path=p)
    from trajarena import _arena

    _arena._OPEN.clear()
    with pytest.raises(ValueError, match="replaced"):
        pickle.loads(blob)
    # a private arena pickles by value
    c = pickle.loads(pickle.dumps(ta.Arena.pack(TRAJS)))
    np.testing.assert_array_equal(c.coords, ta.Arena.pack(TRAJS).coords)


def test_bytes_round_trip():
    a = ta.Arena.pack(TRAJS)
    raw = a.to_bytes()
    b = ta.Arena.from_buffer(raw)
    np.testing.assert_array_equal(b.coords, a.coords)
    np.testing.assert_array_equal(b.offsets, a.offsets)
    # any buffer, even a misaligned one, is accepted (copied only when misaligned)
    shifted = memoryview(b"\0" + raw)[1:]
    np.testing.assert_array_equal(ta.Arena.from_buffer(shifted).coords, a.coords)


def test_arrow_zero_copy_both_ways():
    a = ta.Arena.pack(TRAJS)
    arr = a.to_arrow()
    assert arr.type == pa.large_list(pa.list_(pa.float64(), 2))
    assert arr.to_pylist()[3] == TRAJS[3].tolist()
    assert np.shares_memory(arr.values.flatten().to_numpy(), a.coords)
    assert np.shares_memory(arr.offsets.to_numpy(), a.offsets)
    b = ta.Arena.from_arrow(arr)
    assert np.shares_memory(b.coords, a.coords)
    np.testing.assert_array_equal(ta.pdist(arr, "dtw"), ta.pdist(TRAJS, "dtw"))


def test_arrow_other_layouts():
    py = [t.tolist() for t in TRAJS]
    small = pa.array(py, type=pa.list_(pa.list_(pa.float32(), 2)))  # int32 offsets, float32
    b = ta.Arena.from_arrow(small)
    np.testing.assert_allclose(b.coords, np.concatenate(TRAJS), rtol=1e-6)
    sliced = pa.array(py, type=pa.large_list(pa.list_(pa.float64(), 2))).slice(3, 5)
    c = ta.Arena.from_arrow(sliced)
    assert len(c) == 5
    np.testing.assert_array_equal(c[0], TRAJS[3])
    with pytest.raises(ValueError, match=r"array\[1\]: trajectory is null"):
        ta.Arena.from_arrow(pa.array([py[0], None], type=pa.large_list(pa.list_(pa.float64(), 2))))
    with pytest.raises(TypeError, match="FixedSizeList"):
        ta.Arena.from_arrow(pa.array([[1.0, 2.0]], type=pa.large_list(pa.float64())))


def test_batch_accepts_arenas_bit_identical(tmp_path):
    a = ta.Arena.pack(TRAJS)
    f = ta.Arena.pack(TRAJS, path=tmp_path / "f.arena")
    for name, p in [("dtw", {}), ("lcss", {"eps": 1.0}), ("sspd", {}), ("frechet", {})]:
        want = ta.pdist(TRAJS, name, **p)
        assert np.array_equal(ta.pdist(a, name, **p), want)
        assert np.array_equal(ta.pdist(f, name, **p), want)
        assert np.array_equal(ta.cdist(a, f, name, **p), ta.cdist(TRAJS, TRAJS, name, **p))
        assert np.array_equal(ta.paired(f, [0, 3], [5, 1], name, **p),
                              ta.paired(TRAJS, [0, 3], [5, 1], name, **p))


# ---------------------------------------------------------------- corrupt files
def _good(tmp_path):
    p = tmp_path / "good.arena"
    ta.Arena.pack(TRAJS, path=p)
    return p, bytearray(p.read_bytes())


def _reseal(b):
    b[252:256] = struct.pack("<I", zlib.crc32(bytes(b[:252])))
    return b


def _corrupt(tmp_path, b, match):
    p = tmp_path / "bad.arena"
    p.write_bytes(bytes(b))
    with pytest.raises(ValueError, match=match):
        ta.Arena.open(p)
    with pytest.raises(ValueError, match=match):
        ta.Arena.from_buffer(bytes(b))


def test_corrupt_files_raise(tmp_path):
    _, good = _good(tmp_path)
    _corrupt(tmp_path, good[:100], "truncated")
    _corrupt(tmp_path, good[:-8], "truncated")
    for at in (9, 17, 33, 60, 131, 200):
        b = bytearray(good)
        b[at] ^= 0x04
        _corrupt(tmp_path, b, "checksum|version")
    b = bytearray(good)
    b[0:8] = b"NOTARENA"
    _corrupt(tmp_path, b, "magic")
    b = bytearray(good)
    b[24] &= 0xFE
    _corrupt(tmp_path, _reseal(b), "not sealed")
    b = bytearray(good)
    b[8:10] = struct.pack("<H", 2)
    _corrupt(tmp_path, _reseal(b), "version 2")
    b = bytearray(good)
    b[256 + 8:256 + 16] = struct.pack("<q", 10**6)  # offsets[1] far past the end, then down
    _corrupt(tmp_path, b, "not monotone")
    b = bytearray(good)
    n = len(TRAJS)
    b[256 + 8 * n:256 + 8 * n + 8] = struct.pack("<q", 10**6)  # the last offset
    _corrupt(tmp_path, b, "past the end")
    b = bytearray(good)
    coords_at = struct.unpack("<Q", bytes(b[64:72]))[0]
    b[coords_at:coords_at + 8] = struct.pack("<d", float("nan"))
    _corrupt(tmp_path, b, r"arena\[0\]: point 0 has a non-finite")


def test_unreadable_paths(tmp_path):
    with pytest.raises(FileNotFoundError):
        ta.Arena.open(tmp_path / "missing.arena")
    (tmp_path / "empty.arena").write_bytes(b"")
    with pytest.raises(ValueError, match="truncated"):
        ta.Arena.open(tmp_path / "empty.arena")


# ---------------------------------------------------------------- shared memory
def test_shared_lifecycle():
    a = ta.Arena.shared(TRAJS)
    p = a.path
    assert os.path.exists(p)
    if os.path.isdir("/dev/shm"):
        assert p.startswith("/dev/shm/")
    assert len(pickle.dumps(a)) < 1024
    a.close()
    assert not os.path.exists(p)
    b = ta.Arena.shared(TRAJS)
    p = b.path
    del b
    gc.collect()
    assert not os.path.exists(p)
    with ta.Arena.shared(TRAJS) as c:
        p = c.path
        v = c[3]  # a view kept past close stays valid
    assert not os.path.exists(p)
    np.testing.assert_array_equal(v, TRAJS[3])


def test_forked_child_does_not_remove_the_owners_file():
    a = ta.Arena.shared(TRAJS)
    pid = os.fork()
    if pid == 0:  # child: drop its copy of the owner and exit normally
        del a
        gc.collect()
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.path.exists(a.path)
    a.close()


_OWNER = """
import os, sys, time, trajarena as ta, numpy as np
a = ta.Arena.shared([np.zeros((3, 2)), np.ones((4, 2))])
print(a.path, flush=True)
time.sleep(60)
"""


def test_cleanup_stale_removes_a_killed_owners_file():
    proc = subprocess.Popen([sys.executable, "-c", _OWNER], stdout=subprocess.PIPE, text=True)
    path = proc.stdout.readline().strip()
    assert os.path.exists(path)
    mine = ta.Arena.shared(TRAJS)
    assert path not in ta.cleanup_stale()  # the owner is alive
    proc.kill()
    proc.wait()
    assert os.path.exists(path)  # SIGKILL: no finalizer ran
    removed = ta.cleanup_stale()
    assert path in removed and not os.path.exists(path)
    assert os.path.exists(mine.path)  # ours survives
    mine.close()


_FULL_DISK = """
import resource, signal, numpy as np, trajarena as ta
from trajarena import _backends
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)      # a write past the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))  # files may not exceed 1 MB
big = [np.zeros((1000, 2)) for _ in range(100)]     # 1.6 MB of coordinates
try:
    ta.Arena.shared(big)
except OSError as e:
    print("arena OSError", e.errno)
_backends.MIN_PROCESS_CELLS = 0
small = [np.zeros((2, 2)) for _ in range(600)]      # 179,700 pairs: a 1.4 MB output
try:
    ta.pdist(small, "dtw", backend="joblib", n_jobs=2)
except OSError as e:
    print("output OSError", e.errno)
print("alive")
"""


def test_no_room_is_an_oserror_not_a_crash():
    """A full tmpfs must raise OSError before anything is mapped (never SIGBUS). Simulated with
    RLIMIT_FSIZE, which makes writes and posix_fallocate past 1 MB fail the same way."""
    p = subprocess.Popen([sys.executable, "-c", _FULL_DISK], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 0, err
    assert "arena OSError" in out and "output OSError" in out and "alive" in out, out + err
    d = "/dev/shm"
    if os.path.isdir(d):  # the half-written temporaries were removed
        assert not [f for f in os.listdir(d) if f"-{p.pid}-" in f or f".{p.pid}-" in f]
