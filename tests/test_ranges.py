"""Index-based tasks: condensed index math, cost-balanced ranges, pdist_range, cdist_block, and
shared outputs (ndarray, np.memmap, multiprocessing.shared_memory, .npy path)."""

import random
from multiprocessing import shared_memory

import numpy as np
import pytest

import trajarena as ta

RNG = np.random.default_rng(11)
TRAJS = [RNG.normal(size=(n, 2)).cumsum(axis=0) for n in RNG.integers(1, 60, 40)]
N = len(TRAJS)
M = N * (N - 1) // 2


def _index_ref(n, i, j):
    return n * i - i * (i + 1) // 2 + (j - i - 1)


def test_condensed_index_exact_up_to_1e8():
    rnd = random.Random(5)
    for n in (2, 3, 10, 12345, 10**6, 10**8):
        m = n * (n - 1) // 2
        ks = {0, m - 1, m // 2, m // 3} | {rnd.randrange(m) for _ in range(200)}
        for k in ks:
            i, j = ta.condensed_pair(n, k)
            assert 0 <= i < j < n
            assert _index_ref(n, i, j) == k
            assert ta.condensed_index(n, i, j) == k == ta.condensed_index(n, j, i)
        # row boundaries, where a float estimate is most likely to be off by one
        for i in {i for i in (0, 1, n // 2, n - 2) if i <= n - 2}:
            k = _index_ref(n, i, i + 1)
            assert ta.condensed_pair(n, k) == (i, i + 1)
            if k:
                assert ta.condensed_pair(n, k - 1)[1] == n - 1
    with pytest.raises(ValueError, match="k: "):
        ta.condensed_pair(10, 45)
    with pytest.raises(ValueError, match="i, j"):
        ta.condensed_index(10, 3, 3)


def _cost(lengths, s, e):
    n = len(lengths)
    tot = 0
    for k in range(s, e):
        i, j = ta.condensed_pair(n, k)
        tot += lengths[i] * lengths[j] + 16
    return tot


def test_plan_ranges_cover_in_order_and_balance():
    skewed = [RNG.normal(size=(400, 2)) for _ in range(3)] + [RNG.normal(size=(5, 2)) for _ in range(200)]
    a = ta.Arena.pack(skewed)
    lengths = a.lengths.tolist()
    r = ta.plan_ranges(a, 6)
    assert r[0][0] == 0 and r[-1][1] == len(a) * (len(a) - 1) // 2
    assert all(x[1] == y[0] for x, y in zip(r, r[1:]))
    costs = [_cost(lengths, s, e) for s, e in r]
    assert max(costs) - min(costs) <= 2 * (400 * 400 + 16), costs
    # more tasks than pairs: still a cover by non-empty ranges, computed without a 1e9 loop
    many = ta.plan_ranges(a, 10**9)
    assert many[-1][1] == len(a) * (len(a) - 1) // 2 and all(s < e for s, e in many)
    assert ta.plan_ranges(ta.Arena.pack(skewed[:1]), 4) == []
    with pytest.raises(ValueError, match="n_tasks"):
        ta.plan_ranges(a, 0)


def test_pdist_range_assembles_pdist():
    a = ta.Arena.pack(TRAJS)
    want = ta.pdist(TRAJS, "erp")
    out = np.full(M, np.nan)
    for s, e in ta.plan_ranges(a, 7):
        ta.pdist_range(a, "erp", s, e, out)
    assert np.array_equal(out, want)
    out32 = np.zeros(M, dtype=np.float32)
    ta.pdist_range(a, ta.Metric("edr", eps=0.5), 100, 200, out32, dtype="float32")
    assert np.array_equal(out32[100:200], ta.pdist(TRAJS, "edr", eps=0.5, dtype="float32")[100:200])
    assert not out32[:100].any() and not out32[200:].any()


def test_pdist_range_errors():
    a = ta.Arena.pack(TRAJS)
    out = np.zeros(M)
    with pytest.raises(ValueError, match="start, stop"):
        ta.pdist_range(a, "dtw", 5, 3, out)
    with pytest.raises(ValueError, match="start, stop"):
        ta.pdist_range(a, "dtw", 0, M + 1, out)
    with pytest.raises(ValueError, match="out: expected the whole condensed vector"):
        ta.pdist_range(a, "dtw", 0, 3, np.zeros(4))
    with pytest.raises(ValueError, match="read-only"):
        ro = np.zeros(M)
        ro.flags.writeable = False
        ta.pdist_range(a, "dtw", 0, 3, ro)
    with pytest.raises(TypeError, match="start"):
        ta.pdist_range(a, "dtw", 0.5, 3, out)


def test_cdist_block():
    a, b = ta.Arena.pack(TRAJS[:13]), ta.Arena.pack(TRAJS[5:])
    want = ta.cdist(TRAJS[:13], TRAJS[5:], "hausdorff")
    out = np.zeros(want.shape)
    ta.cdist_block(a, b, "hausdorff", out, rows=(0, 5))
    ta.cdist_block(a, b, "hausdorff", out, rows=(5, 13), cols=(0, 20))
    ta.cdist_block(a, b, "hausdorff", out, rows=(5, 13), cols=(20, len(b)))
    assert np.array_equal(out, want)
    with pytest.raises(ValueError, match="rows"):
        ta.cdist_block(a, b, "hausdorff", out, rows=(0, 99))
    with pytest.raises(ValueError, match="out: expected the whole"):
        ta.cdist_block(a, b, "hausdorff", np.zeros((2, 2)), rows=(0, 1))


def test_out_memmap_shared_memory_and_path(tmp_path):
    want = ta.pdist(TRAJS, "dtw")
    mm = np.lib.format.open_memmap(tmp_path / "o.npy", mode="w+", dtype=np.float64, shape=(M,))
    r = ta.pdist(TRAJS, "dtw", out=mm)
    assert r is mm and np.array_equal(mm, want)
    shm = shared_memory.SharedMemory(create=True, size=want.nbytes)
    try:
        view = np.ndarray(want.shape, dtype=np.float64, buffer=shm.buf)
        ta.pdist(TRAJS, "dtw", out=view)
        assert np.array_equal(view, want)
        del view
    finally:
        shm.close()
        shm.unlink()
    r = ta.pdist(TRAJS, "dtw", out=str(tmp_path / "p.npy"))
    assert isinstance(r, np.memmap)
    assert np.array_equal(np.load(tmp_path / "p.npy"), want)
