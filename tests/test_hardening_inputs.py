"""Hardening: inputs that used to crash the interpreter, wrap around, or get misleading
messages. Calls that crashed run in a subprocess with a timeout, so a crash shows as a failed
test rather than a dead pytest."""

import os
import pickle
import random
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import trajarena as ta
from trajarena import _core

rng = np.random.default_rng(11)
A = rng.normal(size=(7, 2)).cumsum(0)
B = rng.normal(size=(5, 2)).cumsum(0)

DP = [("dtw", {}), ("discrete_frechet", {}), ("lcss", {"eps": 1.0}), ("edr", {"eps": 1.0}), ("erp", {})]

# Caps the subprocess's address space a little above what it uses once imported, so that an
# allocation the code under test should refuse fails there instead of taking the machine's
# memory (old code: abort; overcommitted: the OOM killer).
_CAP = """
import resource
def cap(extra):
    with open("/proc/self/status") as f:
        vm = next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmSize:"))
    resource.setrlimit(resource.RLIMIT_AS, (vm + extra, resource.RLIM_INFINITY))
"""


def run_python(code, timeout=120, capped=False):
    """Runs `code` in a fresh interpreter (with `cap` defined if `capped`); returns its stdout,
    failing on any crash or error."""
    src = (_CAP if capped else "") + textwrap.dedent(code)
    r = subprocess.run([sys.executable, "-c", src], capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"exit status {r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr[-3000:]}"
    return r.stdout


# --- 7. return_path on pairs too large for memory --------------------------------------------


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc are Linux's")
def test_return_path_too_large_raises_memoryerror():
    out = run_python("""
    import numpy as np, trajarena as ta
    cap(2 << 30)
    a = np.zeros((200_000, 2))
    for name, p in %r:
        try:
            getattr(ta, name)(a, a, return_path=True, **p)
        except MemoryError as e:
            print(name, "|", e)
        else:
            print(name, "| no error")
    """ % (DP,), capped=True)
    lines = out.strip().splitlines()
    assert len(lines) == len(DP)
    for (name, _), line in zip(DP, lines):
        got, msg = line.split(" | ", 1)
        assert got == name
        assert msg.startswith("return_path: the (200001 x 200001) cost matrix needs 320 GB;"), msg


@pytest.mark.skipif(not hasattr(os, "sysconf") or not sys.platform.startswith("linux"),
                    reason="needs the physical memory size")
def test_return_path_above_physical_memory_raises_memoryerror():
    # A matrix 1.3 times the machine's memory: overcommit might grant it, and filling it in would
    # bring the OOM killer; it must be refused before anything is allocated.
    phys = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    n = int((1.3 * phys / 8) ** 0.5)
    out = run_python(f"""
    import numpy as np, trajarena as ta
    cap(2 << 30)
    a = np.zeros(({n}, 2))
    try:
        ta.dtw(a, a, return_path=True)
    except MemoryError as e:
        print(e)
    """, capped=True)
    assert out.startswith(f"return_path: the ({n + 1} x {n + 1}) cost matrix needs "), out
    assert "the memory here is" in out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc are Linux's")
def test_return_path_failed_allocation_raises_memoryerror():
    # 20,000 x 20,000 (3.2 GB) fits this machine but not the capped address space: the
    # allocation itself fails, and must not abort.
    out = run_python("""
    import numpy as np, trajarena as ta
    cap(1 << 30)
    a = np.zeros((20_000, 2))
    for name in ("dtw", "erp"):
        try:
            getattr(ta, name)(a, a, return_path=True)
        except MemoryError as e:
            print(name, "|", e)
    print("alive", ta.dtw(a[:50], a[:40], return_path=True).distance)
    """, capped=True)
    lines = out.strip().splitlines()
    assert [l.split(" | ")[0] for l in lines[:2]] == ["dtw", "erp"]
    assert all("return_path: the (20001 x 20001) cost matrix needs 3.2 GB" in l for l in lines[:2])
    assert lines[2] == "alive 0.0"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc are Linux's")
def test_return_path_getters_raise_memoryerror():
    # One point against a million: a 16 MB matrix and a 16 MB path; the getters' copies fail in
    # a capped address space and must raise, and the result stays usable.
    out = run_python("""
    import numpy as np, trajarena as ta
    b = np.zeros((1_000_000, 2))
    r = ta.dtw(b[:1], b, return_path=True)
    small = ta.dtw(b[:3], b[:4], return_path=True)
    del b
    cap(4 << 20)
    for name in ("matrix", "path"):
        try:
            getattr(r, name)
        except MemoryError as e:
            print(name, "|", e)
    print(small.matrix.shape, small.path.shape, r.distance)
    """, capped=True)
    lines = out.strip().splitlines()
    assert lines[0].startswith("matrix | matrix: cannot allocate 16000016 bytes"), out
    assert lines[1].startswith("path | path: cannot allocate 16000000 bytes"), out
    assert lines[2] == "(4, 5) (4, 2) 0.0"


# --- 8. DPResult.from_bytes on tampered input ------------------------------------------------


def _varint(n):
    """bincode's standard-config unsigned varint."""
    if n < 251:
        return bytes([n])
    for tag, width in ((251, 2), (252, 4), (253, 8), (254, 16)):
        if n < 1 << (8 * width):
            return bytes([tag]) + n.to_bytes(width, "little")
    raise ValueError(n)


def _read_varint(b, at):
    tag = b[at]
    if tag < 251:
        return tag, at + 1
    width = {251: 2, 252: 4, 253: 8, 254: 16}[tag]
    return int.from_bytes(b[at + 1:at + 1 + width], "little"), at + 1 + width


def test_from_bytes_lying_lengths_raise_valueerror():
    out = run_python("""
    import pickle, trajarena as ta
    cap(2 << 30)
    zero = bytes(8)  # distance 0.0
    cases = {
        "2^32 values": zero + bytes([2, 2, 0xfd]) + (2**32).to_bytes(8, "little"),
        "2^61 values": zero + bytes([2, 2, 0xfd]) + (2**61).to_bytes(8, "little"),
        "2^64-1 values": zero + bytes([2, 2, 0xfd]) + (2**64 - 1).to_bytes(8, "little"),
        "2^100 values": zero + bytes([2, 2, 0xfe]) + (2**100).to_bytes(16, "little"),
        "path of 2^60": zero + bytes([2, 2, 4]) + bytes(32) + bytes([0xfd]) + (2**60).to_bytes(8, "little"),
    }
    assert len(cases["2^32 values"]) == 19
    class Tampered:
        def __init__(self, data):
            self.data = data
        def __reduce__(self):
            return (ta.DPResult.from_bytes, (self.data,))
    for name, data in cases.items():
        for how, f in (("from_bytes", ta.DPResult.from_bytes),
                       ("pickle", lambda d: pickle.loads(pickle.dumps(Tampered(d))))):
            try:
                f(data)
            except ValueError as e:
                print(name, how, "ValueError", str(e).startswith("data: not a DPResult encoding"))
            else:
                print(name, how, "decoded")
    """, timeout=60, capped=True)
    lines = out.strip().splitlines()
    assert len(lines) == 10
    assert all(l.endswith("ValueError True") for l in lines), out


def test_from_bytes_inconsistent_sizes_raise_valueerror():
    r = ta.dtw(A, B, return_path=True)
    good = r.to_bytes()
    dist = good[:8]
    rows, at = _read_varint(good, 8)
    cols, at = _read_varint(good, at)
    n, at = _read_varint(good, at)
    assert (rows, cols, n) == (8, 6, 48)
    data = good[at:at + 8 * n]
    path = good[at + 8 * n:]
    bad = {
        "rows * cols != values": dist + _varint(rows) + _varint(cols + 1) + _varint(n) + data + path,
        "rows * cols overflows": dist + _varint(2**63) + _varint(4) + _varint(n) + data + path,
        "trailing bytes": good + b"\0",
        "path outside the matrix": dist + good[8:at + 8 * n] + _varint(1) + bytes([2 * 8, 0]),
        "path going back": dist + good[8:at + 8 * n] + _varint(2) + bytes([2, 2, 0, 0]),
        "empty": b"",
    }
    for name, blob in bad.items():
        with pytest.raises(ValueError, match="data: not a DPResult encoding"):
            ta.DPResult.from_bytes(blob)


def test_from_bytes_round_trips_old_encodings():
    # Written by the code before this change (derived bincode Decode): dtw(P, Q, return_path=True).
    P = np.array([[0.0, 0.0], [1.0, 0.5], [2.0, 1.5]])
    Q = np.array([[0.0, 1.0], [3.0, 0.0]])
    old = bytes.fromhex(OLD_DTW_BLOB)
    r = ta.DPResult.from_bytes(old)
    assert r == ta.dtw(P, Q, return_path=True)
    assert r.to_bytes() == old
    assert pickle.loads(pickle.dumps(r)) == r
    for name, p in DP + [("dtw", {"window": 1})]:
        for a, b in ((A, B), (B, A), (A[:1], B), (rng.normal(size=(300, 2)), rng.normal(size=(260, 2)))):
            r = getattr(ta, name)(a, b, return_path=True, **p)
            r2 = ta.DPResult.from_bytes(r.to_bytes())
            assert r2 == r and pickle.loads(pickle.dumps(r)) == r
            np.testing.assert_array_equal(r2.matrix, r.matrix)
            np.testing.assert_array_equal(r2.path, r.path)


OLD_DTW_BLOB = (
    "4ea7fc6fd15d0f4004030c0000000000000000000000000000f07f000000000000f07f000000000000f07f0000"
    "00000000f03f0000000000001040000000000000f07f54facbcdbbf1004007edaf660f7e0840000000000000f0"
    "7faef33d9ae5b710404ea7fc6fd15d0f4003000002000402"
)


_FUZZ = r"""
import random, sys, numpy as np, trajarena as ta
cap(512 << 20)
rng = np.random.default_rng(3)
seeds = []
for name, p in [("dtw", {}), ("dtw", {"window": 1}), ("discrete_frechet", {}), ("lcss", {"eps": 1.0}),
                ("edr", {"eps": 1.0}), ("erp", {})]:
    for n, m in ((1, 1), (2, 3), (7, 5), (40, 30)):
        a, b = rng.normal(size=(n, 2)).cumsum(0), rng.normal(size=(m, 2)).cumsum(0)
        seeds.append(getattr(ta, name)(a, b, return_path=True, **p).to_bytes())

def varint_at(b, at):
    tag = b[at]
    if tag < 251:
        return tag, at + 1
    w = {251: 2, 252: 4, 253: 8, 254: 16}.get(tag, 0)
    return int.from_bytes(b[at + 1:at + 1 + w], "little"), at + 1 + w

def length_fields(b):
    # offsets of rows, cols, the values' length and the path's length
    at = 8
    offs = []
    for _ in range(3):
        offs.append(at)
        v, at = varint_at(b, at)
    at += 8 * v
    offs.append(at)
    return offs

HUGE = [bytes([0xfd]) + (1 << k).to_bytes(8, "little") for k in (31, 32, 40, 61, 62, 63)] + \
       [bytes([0xfd]) + b"\xff" * 8, bytes([0xfe]) + b"\xff" * 16, bytes([0xfc]) + b"\xff" * 4,
        bytes([0xfb, 0xff, 0xff]), bytes([0xff]), bytes([0xfe]) + (1 << 64).to_bytes(16, "little")]

r = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
counts = {"decoded": 0, "ValueError": 0}
for it in range(int(sys.argv[2]) if len(sys.argv) > 2 else 6000):
    b = bytearray(r.choice(seeds))
    kind = it % 5
    if kind == 0:  # bit flips
        for _ in range(r.randint(1, 4)):
            k = r.randrange(len(b))
            b[k] ^= 1 << r.randrange(8)
    elif kind == 1:  # truncation
        del b[r.randrange(len(b)):]
    elif kind == 2:  # inserted bytes
        k = r.randrange(len(b) + 1)
        b[k:k] = bytes(r.randrange(256) for _ in range(r.randint(1, 12)))
    elif kind == 3:  # a length overwritten with a huge value
        at = r.choice(length_fields(bytes(b)))
        _, end = varint_at(bytes(b), at)
        b[at:end] = r.choice(HUGE)
    else:  # a huge value written anywhere
        k = r.randrange(len(b))
        h = r.choice(HUGE)
        b[k:k + (len(h) if r.random() < 0.5 else 0)] = h
    try:
        ta.DPResult.from_bytes(bytes(b))
        counts["decoded"] += 1
    except ValueError:
        counts["ValueError"] += 1
    except BaseException as e:
        print("UNEXPECTED", type(e).__name__, e, bytes(b).hex())
        sys.exit(1)
print(counts)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc are Linux's")
def test_from_bytes_fuzz_only_valueerror():
    out = run_python(_FUZZ, timeout=300, capped=True)
    counts = eval(out.strip().splitlines()[-1])
    assert counts["ValueError"] > 3000 and sum(counts.values()) == 6000, counts


# --- 12. condensed positions and n_jobs ------------------------------------------------------


def _k(n, i, j):
    return n * i - i * (i + 1) // 2 + j - i - 1


def test_condensed_index_exact_beyond_u64():
    assert ta.condensed_index(2**33, 2**32, 2**33 - 1) == _k(2**33, 2**32, 2**33 - 1)
    r = random.Random(5)
    ns = [2, 3, 10, 2**32 - 1, 2**32, 2**32 + 1, 2**33, 3 * 2**40 + 7, 2**62, 2**63 + 5, 2**64 - 1]
    for n in ns:
        m = n * (n - 1) // 2
        picks = [(0, 1), (0, n - 1), (n - 2, n - 1)]
        for _ in range(200):
            i, j = r.randrange(n), r.randrange(n)
            if i != j:
                picks.append((min(i, j), max(i, j)))
        for i, j in picks:
            k = _k(n, i, j)
            assert ta.condensed_index(n, i, j) == k == ta.condensed_index(n, j, i), (n, i, j)
            assert ta.condensed_pair(n, k) == (i, j), (n, k)
        for k in [0, m - 1, m // 2] + [r.randrange(m) for _ in range(200)]:
            i, j = ta.condensed_pair(n, k)
            assert 0 <= i < j < n and _k(n, i, j) == k, (n, k)
        with pytest.raises(ValueError, match=f"k: {m} is outside the {m} pairs of n={n}"):
            ta.condensed_pair(n, m)


def test_condensed_arguments_out_of_range():
    with pytest.raises(OverflowError, match=r"n: too large: 18446744073709551616 \(at most 2\*\*64 - 1"):
        ta.condensed_index(2**64, 0, 1)
    with pytest.raises(OverflowError, match="n: too large"):
        ta.condensed_pair(2**70, 0)
    with pytest.raises(ValueError, match="n: must be >= 0, got -1"):
        ta.condensed_index(-1, 0, 1)
    with pytest.raises(ValueError, match="i: must be >= 0, got -3"):
        ta.condensed_index(10, -3, 1)
    with pytest.raises(ValueError, match="k: must be >= 0, got -1"):
        ta.condensed_pair(10, -1)
    with pytest.raises(ValueError, match=r"i, j: need two different indices below n=10, got \(3, 1267650600228229401496703205376\)"):
        ta.condensed_index(10, 3, 2**100)
    with pytest.raises(ValueError, match=r"k: 1267650600228229401496703205376 is outside the 45 pairs"):
        ta.condensed_pair(10, 2**100)
    with pytest.raises(TypeError, match="n: expected an integer, got float"):
        ta.condensed_index(10.0, 0, 1)
    assert ta.condensed_index(np.int64(10), np.uint8(3), 4) == _k(10, 3, 4)


@pytest.mark.parametrize("n_jobs", [10**9, 1025, -1025, -10**9, 2**70])
def test_n_jobs_above_limit_raises_valueerror(n_jobs):
    # Small inputs: old code ran them serially and never noticed the billion threads.
    with pytest.raises(ValueError, match=r"n_jobs: .* is outside \[-1024, 1024\]; at most 1024"):
        ta.pdist([A, B, A], n_jobs=n_jobs)
    with pytest.raises(ValueError, match=r"n_jobs: .* is outside \[-1024, 1024\]; at most 1024"):
        ta.cdist([A], [B], n_jobs=n_jobs)
    with pytest.raises(ValueError, match=r"n_jobs: .* is outside \[-1024, 1024\]; at most 1024"):
        ta.paired([A, B], [0], [1], n_jobs=n_jobs)
    with pytest.raises(ValueError, match=r"n_jobs: .* is outside \[-1024, 1024\]; at most 1024"):
        ta.pdist([A, B, A], backend="joblib", n_jobs=n_jobs)


@pytest.mark.parametrize("n_jobs", [10**9, 1025, -1025])
def test_n_jobs_above_limit_raises_valueerror_in_core(n_jobs):
    # The calls that hand n_jobs to the core as given.
    arena = ta.Arena.pack([A, B, A])
    out = np.empty(3)
    with pytest.raises(ValueError, match=r"n_jobs: .* is outside \[-1024, 1024\]; at most 1024 threads"):
        ta.pdist_range(arena, "dtw", 0, 3, out, n_jobs=n_jobs)
    with pytest.raises(ValueError, match=r"n_jobs: .* is outside \[-1024, 1024\]; at most 1024 threads"):
        _core.pdist(ta.Metric("dtw"), arena._checked_data(), out, n_jobs=n_jobs)


def test_n_jobs_within_limit_still_works():
    want = ta.pdist([A, B, A])
    for n_jobs in (1, 2, -1, -2, 1024 // 256, -1024):
        np.testing.assert_array_equal(ta.pdist([A, B, A], n_jobs=n_jobs), want)


# --- 13. messages for out-of-range parameters ------------------------------------------------

BAD_PARAMS = [
    # window
    (lambda: ta.Metric("dtw", window=2**63), ValueError, r"window: too large: 9223372036854775808 \(at most 9223372036854775807\)"),
    (lambda: ta.dtw(A, B, window=2**63), ValueError, r"window: too large: 9223372036854775808 \(at most"),
    (lambda: ta.dtw(A, B, window=np.uint64(2**64 - 1)), ValueError, r"window: too large: 18446744073709551615"),
    (lambda: ta.dtw(A, B, window=2**5000), ValueError, r"window: too large: an integer of about 1506 digits"),
    (lambda: ta.dtw(A, B, window=-1), ValueError, r"window: must be None or an integer >= 0, got -1$"),
    (lambda: ta.dtw(A, B, window=-2**70), ValueError, r"window: must be None or an integer >= 0, got -1180591620717411303424"),
    (lambda: ta.dtw(A, B, window=True), TypeError, r"window: expected an integer, got a bool \(True\)"),
    (lambda: ta.dtw(A, B, window=np.True_), TypeError, r"window: expected an integer, got a bool"),
    (lambda: ta.dtw(A, B, window=2.0), TypeError, r"window: expected an integer, got 2.0 \(float\)"),
    (lambda: ta.dtw(A, B, window=float("nan")), TypeError, r"window: expected an integer, got nan \(float\)"),
    (lambda: ta.dtw(A, B, window="3"), TypeError, r"window: expected an integer, got '3' \(str\)"),
    # g
    (lambda: ta.erp(A, B, g=["a", "b"]), TypeError, r"g: expected numbers, got \['a', 'b'\]; g\[0\] is 'a' \(str\)"),
    (lambda: ta.erp(A, B, g=[1.0, True]), TypeError, r"g: expected numbers, got \[1.0, True\]; g\[1\] is a bool"),
    (lambda: ta.erp(A, B, g=np.array([True, False])), TypeError, r"g: expected numbers, .*g\[0\] is a bool"),
    (lambda: ta.erp(A, B, g=[1, 2**2000]), ValueError, r"g: expected numbers a float can hold, got \[1, an integer of about 603 digits\]; g\[1\] is too large"),
    (lambda: ta.erp(A, B, g=[0, float("nan")]), ValueError, r"g: the gap point must have finite coordinates, got \[0.0, NaN\]"),
    (lambda: ta.erp(A, B, g=[0, -float("inf")]), ValueError, r"g: the gap point must have finite coordinates, got \[0.0, -inf\]"),
    (lambda: ta.erp(A, B, g=[[0, 1]]), ValueError, r"g: the gap point must have 2 or 3 coordinates, got 1"),
    (lambda: ta.erp(A, B, g="ab"), TypeError, r"g: expected a sequence of 2 or 3 numbers, got 'ab' \(str\)"),
    (lambda: ta.erp(A, B, g=5), TypeError, r"g: expected a sequence of 2 or 3 numbers, got 5 \(int\)"),
    (lambda: ta.erp(A, B, g=(x for x in (1, 2))), TypeError, r"g: expected a sequence of 2 or 3 numbers, got <generator"),
    (lambda: ta.Metric("erp", g=[None, 1]), TypeError, r"g: expected numbers, got \[None, 1\]; g\[0\] is None \(NoneType\)"),
    # eps
    (lambda: ta.lcss(A, B, eps=float("nan")), ValueError, r"eps: must be a finite number >= 0, got NaN"),
    (lambda: ta.lcss(A, B, eps=-1), ValueError, r"eps: must be a finite number >= 0, got -1"),
    (lambda: ta.edr(A, B, eps=float("inf")), ValueError, r"eps: must be a finite number >= 0, got inf"),
    (lambda: ta.lcss(A, B, eps=2**2000), ValueError, r"eps: too large: an integer of about 603 digits \(a float holds at most 1.7976931348623157e308\)"),
    (lambda: ta.lcss(A, B, eps=-(2**2000)), ValueError, r"eps: too large: an integer of about 603 digits"),
    (lambda: ta.lcss(A, B, eps=True), TypeError, r"eps: expected a number, got a bool \(True\)"),
    (lambda: ta.lcss(A, B, eps="1.5"), TypeError, r"eps: expected a number, got '1.5' \(str\)"),
    (lambda: ta.Metric("lcss", eps=[1.0]), TypeError, r"eps: expected a number, got \[1.0\] \(list\)"),
    (lambda: ta.Metric("lcss", eps=1j), TypeError, r"eps: expected a number, got 1j \(complex\)"),
    # precision
    (lambda: ta.sowd(A, B, precision=2**63), ValueError, r"precision: geohash precision must be an integer from 1 to 12, got 9223372036854775808"),
    (lambda: ta.sowd(A, B, precision=-(2**64)), ValueError, r"precision: geohash precision must be an integer from 1 to 12, got -18446744073709551616"),
    (lambda: ta.sowd(A, B, precision=13), ValueError, r"precision: geohash precision must be an integer from 1 to 12, got 13"),
    (lambda: ta.sowd(A, B, precision=True), TypeError, r"precision: expected an integer, got a bool"),
    (lambda: ta.sowd(A, B, precision=7.0), TypeError, r"precision: expected an integer, got 7.0 \(float\)"),
    (lambda: ta.sowd(A, B, precision=float("nan")), TypeError, r"precision: expected an integer, got nan \(float\)"),
    # normalize: read by its truth value, "no" used to normalise
    (lambda: ta.edr(A, B, eps=1, normalize="no"), TypeError, r"normalize: expected True or False, got 'no' \(str\)"),
    (lambda: ta.edr(A, B, eps=1, normalize=float("nan")), TypeError, r"normalize: expected True or False, got nan \(float\)"),
    (lambda: ta.edr(A, B, eps=1, normalize=2), TypeError, r"normalize: expected True or False, got 2 \(int\)"),
    (lambda: ta.Metric("edr", eps=1, normalize=[False]), TypeError, r"normalize: expected True or False, got \[False\] \(list\)"),
    # space, compat
    (lambda: ta.dtw(A, B, space=1), TypeError, r"space: expected None or a string, got 1 \(int\)"),
    (lambda: ta.dtw(A, B, space=b"euclidean"), TypeError, r"space: expected None or a string, got b'euclidean' \(bytes\)"),
    (lambda: ta.dtw(A, B, space="Euclidean"), ValueError, r'space: unknown space "Euclidean"'),
    (lambda: ta.dtw(A, B, compat=True), TypeError, r"compat: expected None or a string, got True \(bool\)"),
    (lambda: ta.dtw(A, B, compat=float("nan")), TypeError, r"compat: expected None or a string, got nan \(float\)"),
    (lambda: ta.dtw(A, B, compat="trajdist"), ValueError, r'compat: unknown value "trajdist"'),
]


def test_gap_point_of_huge_length_raises_valueerror():
    # Old code read g into a Vec first: a range of 10**15 numbers aborted the interpreter.
    out = run_python("""
    import trajarena as ta
    cap(2 << 30)
    for g in (range(10**15), range(4)):
        try:
            ta.Metric("erp", g=g)
        except ValueError as e:
            print(e)
    """, timeout=60, capped=True)
    assert out.splitlines() == ["g: the gap point must have 2 or 3 coordinates, got 1000000000000000",
                                "g: the gap point must have 2 or 3 coordinates, got 4"]


@pytest.mark.parametrize("call,exc,match", BAD_PARAMS, ids=[m[:40] for _, _, m in BAD_PARAMS])
def test_parameter_messages_say_what_is_wrong(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_bools_and_floats_not_served_from_the_metric_cache():
    # True == 1 == 1.0: the cache of metrics built from keywords used to hand these the Metric
    # of an equal int.
    ta.dtw(A, B, window=1)
    with pytest.raises(TypeError, match=r"window: expected an integer, got a bool \(True\)"):
        ta.dtw(A, B, window=True)
    with pytest.raises(TypeError, match=r"window: expected an integer, got 1.0 \(float\)"):
        ta.dtw(A, B, window=1.0)
    ta.lcss(A, B, eps=1)
    with pytest.raises(TypeError, match=r"eps: expected a number, got a bool \(True\)"):
        ta.lcss(A, B, eps=True)
    ta.erp(A, B, g=[1, 0])
    with pytest.raises(TypeError, match=r"g: expected numbers, got \[True, False\]; g\[0\] is a bool"):
        ta.erp(A, B, g=[True, False])
    ta.erp(A, B, g=np.array([1, 0]))
    with pytest.raises(TypeError, match=r"g\[0\] is a bool"):
        ta.erp(A, B, g=np.array([True, False]))
    assert ta.erp(A, B, g=[1, 0]) == ta.erp(A, B, g=(1.0, 0.0)) == ta.erp(A, B, g=np.array([1, 0]))


def test_parameters_still_accepted():
    assert ta.dtw(A, B, window=np.int64(2)) == ta.dtw(A, B, window=2)
    assert ta.dtw(A, B, window=2**63 - 1) == ta.dtw(A, B)
    assert ta.erp(A, B, g=np.array([1.0, 2.0])) == ta.erp(A, B, g=(1, 2)) == ta.erp(A, B, g=[np.float32(1), 2])
    assert ta.lcss(A, B, eps=np.float32(1.5)) == ta.lcss(A, B, eps=1.5) == ta.lcss(A, B, eps=np.int64(1) + 0.5)
    assert ta.edr(A, B, eps=1, normalize=np.False_) == ta.edr(A, B, eps=1, normalize=False) \
        == ta.edr(A, B, eps=1, normalize=0)
    assert ta.edr(A, B, eps=1, normalize=1) == ta.edr(A, B, eps=1)
    assert ta.Metric("sowd", precision=np.int8(5)).params == {"precision": 5}


# --- 11. masked arrays -----------------------------------------------------------------------


def _masked(x):
    m = np.ma.masked_array(x, mask=np.zeros_like(x, dtype=bool))
    m[1] = np.ma.masked
    return m


MASKED_MSG = r"a masked array; fill it \({0}\.filled\(\.\.\.\)\) or drop the masked points \(np\.ma\.compress_rows\({0}\)\) first"


def test_masked_array_rejected_in_single_pair_calls():
    m = _masked(A)
    with pytest.raises(ValueError, match="a: " + MASKED_MSG.format("a")):
        ta.dtw(m, B)
    with pytest.raises(ValueError, match="b: " + MASKED_MSG.format("b")):
        ta.hausdorff(A, m)
    with pytest.raises(ValueError, match="b: a masked array"):
        ta.dtw(A, m, return_path=True)
    # Nothing masked: still refused, a masked array says its values may not all count.
    with pytest.raises(ValueError, match="a: a masked array"):
        ta.dtw(np.ma.masked_array(A), B)


def test_masked_array_rejected_in_batch_calls():
    m = _masked(B)
    with pytest.raises(ValueError, match=r"X\[3\]: " + MASKED_MSG.format(r"X\[3\]")):
        ta.pdist([A, B, A, m])
    with pytest.raises(ValueError, match=r"X\[1\]: a masked array"):
        ta.pdist((A, m))
    with pytest.raises(ValueError, match=r"XB\[0\]: a masked array"):
        ta.cdist([A], [m])
    with pytest.raises(ValueError, match=r"X\[1\]: a masked array"):
        ta.paired([A, m], [0], [1])
    with pytest.raises(ValueError, match=r"trajs\[2\]: " + MASKED_MSG.format(r"trajs\[2\]")):
        ta.Arena.pack([A, B, m])
    with pytest.raises(ValueError, match=r"trajs\[1\]: a masked array"):
        ta.Arena.shared([A, m])
    with pytest.raises(ValueError, match=r"X: a masked array"):
        ta.pdist(np.ma.masked_array(np.stack([A, A])))
    # The fast path leaves subclasses it cannot vouch for to the Python path ...
    assert _core.ArenaData.pack([A, m], "X") is None
    assert _core.ArenaData.pack([np.asarray(A).view(np.matrix)], "X") is None


def test_plain_arrays_and_memmaps_keep_the_fast_path(tmp_path):
    mm = np.memmap(tmp_path / "x.bin", dtype=np.float64, mode="w+", shape=(5, 2))
    mm[:] = B[:5]
    big = np.ascontiguousarray(rng.normal(size=(40, 2)))
    views = [big[i:i + 4] for i in range(0, 40, 4)]
    for X in ([A, B], (A, mm), views, [mm[1:], A]):
        packed = _core.ArenaData.pack(X, "X")
        assert packed is not None
        np.testing.assert_array_equal(packed.coords_array(), np.concatenate(X))
    np.testing.assert_array_equal(ta.pdist([A, mm]), ta.pdist([A, np.array(mm)]))
