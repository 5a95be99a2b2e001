"""Outputs under pressure (a full disk, two writers of one file, a buffer over the input) and
values at the ends of the double range."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import trajarena as ta

RNG = np.random.default_rng(11)


def _run(code, timeout=120):
    """Runs `code` in a fresh interpreter; a crash (SIGBUS, abort) shows as a negative return code."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout)


# ---------------------------------------------------------------- 2. a full filesystem
@pytest.fixture
def small_fs(tmp_path):
    """A real 1 MiB filesystem (tmpfs)."""
    d = tmp_path / "small"
    d.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(d)], capture_output=True)
    if r.returncode != 0:
        pytest.fail(f"cannot mount a small tmpfs (the tests run as root): {r.stderr!r}")
    try:
        yield d
    finally:
        subprocess.run(["umount", "-l", str(d)])


@pytest.mark.parametrize("call", ["pdist", "cdist", "pdist-joblib", "paired"])
def test_out_on_a_full_filesystem_is_an_oserror(small_fs, call):
    target = small_fs / "d.npy"
    r = _run(f"""
        import errno, numpy as np, trajarena as ta
        X = [np.random.default_rng(0).normal(size=(3, 2)) for _ in range(800)]  # 2.5 MB of output
        call = {call!r}
        try:
            if call == "pdist":
                ta.pdist(X, "dtw", out={str(target)!r})
            elif call == "pdist-joblib":
                ta.pdist(X, "dtw", out={str(target)!r}, backend="joblib", n_jobs=2)
            elif call == "cdist":
                ta.cdist(X, X, "dtw", out={str(target)!r})
            else:
                ta.paired(X, np.zeros(400_000, int), np.ones(400_000, int), "dtw", out={str(target)!r})
        except OSError as e:
            print("OSError", e.errno == errno.ENOSPC, e)
    """)
    assert r.returncode == 0, f"the process died ({r.returncode}): {r.stderr[-2000:]}"
    assert "OSError True" in r.stdout, r.stdout + r.stderr
    assert "d.npy" in r.stdout  # the message names the target
    assert os.listdir(small_fs) == []  # no temporary left behind


# ---------------------------------------------------------------- 3. two writers of one file
def test_two_processes_writing_one_npy_each_get_their_own_result(tmp_path):
    target = tmp_path / "shared.npy"
    code = """
        import sys, numpy as np, trajarena as ta
        n, seed = int(sys.argv[1]), int(sys.argv[2])
        X = [np.random.default_rng(seed).normal(size=(150, 2)) for _ in range(n)]  # ~1.5 s each
        want = ta.pdist(X, "dtw")
        got = ta.pdist(X, "dtw", out=sys.argv[3], n_jobs=1)
        print("same" if np.array_equal(np.asarray(got), want) else "DIFFERENT", flush=True)
        np.save(sys.argv[4], want)
    """
    script = tmp_path / "writer.py"
    script.write_text(textwrap.dedent(code))
    cases = [(300, 1), (320, 2), (300, 3)]  # two sizes, and two of the same size with other data
    procs = [subprocess.Popen([sys.executable, str(script), str(n), str(s), str(target),
                               str(tmp_path / f"want{s}.npy")], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for n, s in cases]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err[-2000:]
        assert out.strip() == "same", err[-2000:]
    final = np.load(target)
    wants = [np.load(tmp_path / f"want{s}.npy") for _, s in cases]
    assert any(final.shape == w.shape and np.array_equal(final, w) for w in wants)
    assert sorted(os.listdir(tmp_path)) == sorted(["shared.npy", "writer.py"] + [f"want{s}.npy" for _, s in cases])


def test_npy_out_is_complete_and_follows_the_umask(tmp_path):
    X = [RNG.normal(size=(5, 2)) for _ in range(30)]
    old = os.umask(0o027)
    try:
        r = ta.cdist(X, X[:4], "dtw", out=tmp_path / "c.npy")
    finally:
        os.umask(old)
    assert isinstance(r, np.memmap) and r.filename == str(tmp_path / "c.npy")
    assert np.array_equal(np.load(tmp_path / "c.npy"), ta.cdist(X, X[:4], "dtw"))
    assert os.stat(tmp_path / "c.npy").st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["c.npy"]


def test_npy_out_of_a_failed_call_leaves_nothing(tmp_path):
    with pytest.raises(ValueError):
        ta.pdist([np.zeros((3, 2)), np.full((3, 2), np.nan)], "dtw", out=tmp_path / "d.npy")
    with pytest.raises(ValueError, match="eps"):
        ta.pdist([np.zeros((3, 2))] * 3, "lcss", out=tmp_path / "d.npy")
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------- 9. out over the arena
def test_out_overlapping_the_arena_is_refused():
    pa = pytest.importorskip("pyarrow")
    n, length = 6, 4
    buf = np.zeros(64 + n * length * 2)  # coordinates at the front, free room behind
    buf[: n * length * 2] = RNG.normal(size=n * length * 2)
    coords = pa.Array.from_buffers(pa.float64(), n * length * 2, [None, pa.py_buffer(buf)])
    offsets = pa.array(np.arange(0, n * length + 1, length), type=pa.int64())
    arena = ta.Arena.from_arrow(pa.LargeListArray.from_arrays(offsets, pa.FixedSizeListArray.from_arrays(coords, 2)))
    assert np.shares_memory(arena.coords, buf)
    before = buf.copy()
    m = n * (n - 1) // 2
    with pytest.raises(ValueError, match="out: shares memory with X's coordinates"):
        ta.pdist(arena, "dtw", out=buf[:m])
    with pytest.raises(ValueError, match="out: shares memory with arena's coordinates"):
        ta.pdist_range(arena, "dtw", 0, m, buf[4:4 + m])
    with pytest.raises(ValueError, match="out: shares memory with XB's coordinates"):
        ta.cdist([np.zeros((2, 2))], arena, "dtw", out=buf[:n].reshape(1, n))
    with pytest.raises(ValueError, match="out: shares memory"):
        ta.paired(arena, [0, 1], [2, 3], "dtw", out=buf[10:12])
    assert np.array_equal(buf, before)
    # the free room behind the arena is a fine output
    ta.pdist(arena, "dtw", out=buf[-m:])
    assert np.array_equal(buf[-m:], ta.pdist(list(arena), "dtw"))


# ---------------------------------------------------------------- 17. the ends of the range
LENGTH_METRICS = [("dtw", {}), ("discrete_frechet", {}), ("hausdorff", {}), ("sspd", {}),
                  ("frechet", {}), ("erp", {}), ("hausdorff", {"compat": "traj-dist"}),
                  ("sspd", {"compat": "traj-dist"}), ("erp", {"compat": "traj-dist"}),
                  ("frechet", {"compat": "traj-dist"})]


@pytest.mark.parametrize("name,p", LENGTH_METRICS)
def test_huge_and_tiny_coordinates_give_exact_lengths(name, p):
    f = getattr(ta, name)
    if p.get("compat") in ("traj-dist",) and name in ("hausdorff", "sspd", "frechet"):
        a, b = [[1e200, 0], [1e200, 1e-100]], [[0, 0], [0, 1e-100]]
        assert f(a, b, **p) == 1e200
        a, b = [[1e-200, 0], [1e-200, 1e-300]], [[0, 0], [0, 1e-300]]
        assert f(a, b, **p) == pytest.approx(1e-200, rel=1e-15)
        return
    assert f([[1e200, 0]], [[0, 0]], **p) == 1e200
    assert f([[1e-200, 0]], [[0, 0]], **p) == 1e-200
    assert f([[3e300, 0]], [[-1e300, 0]], **p) == 4e300


def test_edwp_at_the_ends_of_the_range():
    assert ta.edwp([[1e154, 0]], [[-1e154, 0]]) == 0.0  # one zero-length segment each: no length
    a, b = np.array([[0.0, 0], [3, 0]]), np.array([[0.0, 1], [3, 1]])
    base = ta.edwp(a, b)
    assert ta.edwp(a * 2.0 ** 450, b * 2.0 ** 450) == base * 2.0 ** 900
    assert ta.edwp(a * 2.0 ** -450, b * 2.0 ** -450) == base * 2.0 ** -900
    v = ta.edwp(a * 1e154, b * 1e154)  # about 1e309: beyond the doubles
    assert v == np.inf


def _scaled_pair(seed, k):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(rng.integers(1, 12), 2)).cumsum(0)
    b = rng.normal(size=(rng.integers(1, 12), 2)).cumsum(0)
    return a, b, a * 2.0 ** k, b * 2.0 ** k


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10 ** 6), st.sampled_from([-900, -600, 600, 900]))
def test_scaling_by_powers_of_two_is_exact(seed, k):
    a, b, sa, sb = _scaled_pair(seed, k)
    s = 2.0 ** k
    for name, p in LENGTH_METRICS[:6]:
        if name == "frechet" and (len(a) < 2 or len(b) < 2):
            continue
        f = getattr(ta, name)
        assert f(sa, sb, **p) == f(a, b, **p) * s, name
    assert ta.lcss(sa, sb, eps=0.7 * s) == ta.lcss(a, b, eps=0.7)
    assert ta.edr(sa, sb, eps=0.7 * s) == ta.edr(a, b, eps=0.7)
    assert ta.erp(sa, sb, g=[s, -s]) == ta.erp(a, b, g=[1.0, -1.0]) * s
    assert ta.edwp(sa, sb) == ta.edwp(a, b) * s * s


@pytest.mark.parametrize("name,p", [("dtw", {}), ("lcss", {"eps": 1e-300}), ("edr", {"eps": 1e-300}),
                                    ("erp", {}), ("discrete_frechet", {}), ("hausdorff", {}),
                                    ("sspd", {}), ("frechet", {}), ("edwp", {})])
def test_batch_equals_single_when_magnitudes_mix(name, p):
    rng = np.random.default_rng(5)
    X = []
    for scale in [1.0, 1e250, 1e-250, 1.0, 1e-300, 1e300, 3.0] * 3:
        X.append(rng.normal(size=(rng.integers(2, 9), 2)).cumsum(0) * scale)
    f = getattr(ta, name)
    want = np.array([f(X[i], X[j], **p) for i in range(len(X)) for j in range(i + 1, len(X))])
    for n_jobs in (1, 2):
        assert np.array_equal(ta.pdist(X, name, n_jobs=n_jobs, **p), want)
    C = ta.cdist(X[:5], X, name, **p)
    assert np.array_equal(C, np.array([[f(x, y, **p) for y in X] for x in X[:5]]))
    assert np.isfinite(want).all() or name == "edwp"


def test_return_path_at_the_ends_of_the_range():
    r = ta.dtw([[1e200, 0], [2e200, 0]], [[0, 0]], return_path=True)
    assert r.distance == 3e200 and r.matrix[-1, -1] == 3e200
    small = ta.dtw([[1.0, 0], [2.0, 0]], [[0, 0]], return_path=True)
    assert np.array_equal(r.path, small.path)
    r = ta.lcss([[1e-200, 0]], [[0, 0]], eps=2e-200, return_path=True)
    assert r.distance == 0.0


def test_n_jobs_out_of_range_in_the_range_calls():
    X = [RNG.normal(size=(4, 2)) for _ in range(5)]
    out = np.empty(10)
    for bad in (2 ** 70, 10 ** 9):
        with pytest.raises(ValueError, match="n_jobs"):
            ta.pdist_range(X, "dtw", 0, 10, out, n_jobs=bad)
        with pytest.raises(ValueError, match="n_jobs"):
            ta.cdist_block(X, X, "dtw", rows=None, cols=None, out=np.empty((5, 5)), n_jobs=bad)


def test_scaled_pairs_keep_small_differences_next_to_huge_ones():
    assert ta.dtw([[0, 0], [1e200, 0]], [[1, 0], [1e200, 0]]) == 1.0
    assert ta.lcss([[1e200, 0], [0, 0]], [[5, 0]], eps=1.0) == 1.0
    assert ta.lcss([[1e200, 0], [0, 0]], [[0.5, 0]], eps=1.0) == 0.0
    assert ta.dtw([[0, 0], [1e-300, 0]], [[1e-310, 0], [1e-300, 0]]) == 1e-310
