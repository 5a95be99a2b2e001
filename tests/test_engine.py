"""The engine's contracts: an arena opened by its handle costs O(task), checked by counting
what a call reads; tasks write into the whole output or just their share; cdist(X, X) reuses
each symmetric pair."""

import pickle

import numpy as np
import pytest

import trajarena as ta
from trajarena import _arena
from variants import every_variant, variant_id

RNG = np.random.default_rng(12)


def _trajs(n, length=6):
    return [RNG.normal(size=(length, 2)).cumsum(axis=0) for _ in range(n)]


def _by_handle(a):
    """The arena as a worker gets it: unpickled from its handle, not from this process's cache."""
    _arena._OPEN.clear()
    return pickle.loads(pickle.dumps(a))


@pytest.mark.parametrize("n", [50, 5000])
def test_a_task_on_a_handle_checks_only_the_trajectories_it_touches(tmp_path, n):
    X = _trajs(n)
    a = ta.Arena.pack(X, path=tmp_path / "a.arena")
    w = _by_handle(a)
    assert not w._data.validated and w._data.checked == 0
    i, j = 3, n - 2
    k = ta.condensed_index(n, i, j)
    out = np.empty(1)
    ta.pdist_range(w, "dtw", k, k + 1, out)
    assert out[0] == ta.dtw(X[i], X[j])
    assert w._data.checked == 2  # the same for 50 and for 5,000 trajectories
    # a range across a row boundary touches the end of one row and the start of the next
    k0 = ta.condensed_index(n, 7, n - 1)
    out2 = np.empty(3)
    ta.pdist_range(w, "dtw", k0, k0 + 3, out2)
    assert w._data.checked == 2 + 2 + 3
    assert np.array_equal(out2, [ta.dtw(X[7], X[n - 1]), ta.dtw(X[8], X[9]), ta.dtw(X[8], X[10])])
    # a one-entry block of a cdist
    D = np.empty((1, 1))
    ta.cdist_block(w, w, "dtw", D, rows=(n - 1, n), cols=(0, 1))
    assert D[0, 0] == ta.dtw(X[n - 1], X[0]) and w._data.checked == 7 + 2
    # Arena.open of a file of unknown origin validates everything up front
    assert ta.Arena.open(a.path)._data.validated


def test_a_handle_to_a_file_changed_in_place_still_gets_checked(tmp_path):
    X = _trajs(20)
    a = ta.Arena.pack(X, path=tmp_path / "a.arena")
    at = a.nbytes - 8 * a.coords.size + 8 * 2 * int(a.offsets[11])  # first point of X[11]
    with open(a.path, "r+b") as f:  # the header, and so the fingerprint, stays the same
        f.seek(at)
        f.write(np.array([np.nan]).tobytes())
    w = _by_handle(a)
    out = np.empty(1)
    ta.pdist_range(w, "dtw", 0, 1, out)  # X[0] and X[1]: untouched, fine
    assert out[0] == ta.dtw(X[0], X[1])
    with pytest.raises(ValueError, match=r"arena\[11\]: point 0 has a non-finite coordinate"):
        ta.pdist_range(w, "dtw", ta.condensed_index(20, 2, 11), ta.condensed_index(20, 2, 11) + 1, out)
    with pytest.raises(ValueError, match="non-finite"):
        ta.Arena.open(a.path)


def test_pdist_range_writes_the_whole_vector_or_its_share():
    X = _trajs(30)
    a = ta.Arena.pack(X)
    want = ta.pdist(X, "erp")
    whole = np.zeros_like(want)
    for s, e in ta.plan_ranges(a, 7):
        share = np.empty(e - s)
        ta.pdist_range(a, "erp", s, e, share)
        assert np.array_equal(share, want[s:e])
        ta.pdist_range(a, "erp", s, e, whole)
    assert np.array_equal(whole, want)
    share32 = np.empty(10, dtype=np.float32)
    ta.pdist_range(a, "erp", 100, 110, share32, dtype="float32")
    assert np.array_equal(share32, want[100:110].astype(np.float32))
    with pytest.raises(ValueError, match="dtype"):
        ta.pdist_range(a, "erp", 100, 110, share32)
    with pytest.raises(ValueError, match="this task's share"):
        ta.pdist_range(a, "erp", 100, 110, np.empty(11))


def test_cdist_block_writes_the_whole_matrix_or_its_share():
    XA, XB = _trajs(9), _trajs(13)
    want = ta.cdist(XA, XB, "sspd")
    share = np.empty((4, 5))
    ta.cdist_block(XA, XB, "sspd", share, rows=(2, 6), cols=(7, 12))
    assert np.array_equal(share, want[2:6, 7:12])
    flat = np.empty(20)
    ta.cdist_block(XA, XB, "sspd", flat, rows=(2, 6), cols=(7, 12))
    assert np.array_equal(flat, want[2:6, 7:12].ravel())
    whole = np.zeros_like(want)
    ta.cdist_block(XA, XB, "sspd", whole, rows=(2, 6), cols=(7, 12))
    assert np.array_equal(whole[2:6, 7:12], want[2:6, 7:12]) and not whole[:2].any()


def test_one_keyword_set_for_every_batch_call():
    import inspect

    want = {"n_jobs", "dtype", "progress"}
    for f in (ta.pdist, ta.cdist, ta.paired, ta.pdist_range, ta.cdist_block):
        kw = {p.name for p in inspect.signature(f).parameters.values() if p.kind is p.KEYWORD_ONLY}
        assert want <= kw, f.__name__
    for f in (ta.pdist_range, ta.cdist_block):
        assert inspect.signature(f).parameters["n_jobs"].default == 1
    for f in (ta.pdist, ta.cdist, ta.paired):
        assert inspect.signature(f).parameters["n_jobs"].default is None
    seen = []
    X = _trajs(12)
    out = np.empty(66)
    ta.pdist_range(X, "dtw", 0, 66, out, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (66, 66)


def _lonlat(n, length=5):
    base = np.array([-122.42, 37.77])
    return [base + RNG.normal(scale=0.01, size=(length, 2)).cumsum(axis=0) for _ in range(n)]


@pytest.mark.parametrize("name,p", every_variant(0.7), ids=variant_id)
def test_cdist_of_one_set_computes_each_pair_once_and_mirrors_it(name, p):
    X = _lonlat(9) if p.get("space") == "spherical" or name == "sowd" else _trajs(9)
    X[4] = X[2].copy()  # equal trajectories off the diagonal
    m = ta.Metric(name, **p)
    assert m.symmetric  # what the registry claims, and what lets cdist(X, X) mirror
    totals = []
    D = ta.cdist(X, X, name, progress=lambda d, t: totals.append(t), **p)
    assert np.array_equal(D, ta.cdist(X, list(X), name, **p))  # every pair computed both ways
    assert np.array_equal(D, D.T)
    assert set(totals) == {9 * 8 // 2}  # the core saw the condensed pairs only
    assert np.array_equal(np.diag(D), [ta.paired(X, [i], [i], name, **p)[0] for i in range(9)])


def test_cdist_of_one_set_keeps_the_diagonal_the_metric_gives():
    X = _trajs(5)
    D = ta.cdist(X, X, "lcss", eps=0.0)
    assert np.array_equal(np.diag(D), np.ones(5))  # d(A, A) = 1 for LCSS with eps = 0
    D32 = ta.cdist(X, X, "edr", eps=0.0, dtype="float32")
    assert D32.dtype == np.float32 and np.array_equal(np.diag(D32), np.ones(5, dtype=np.float32))
    assert np.array_equal(D32, ta.cdist(X, list(X), "edr", eps=0.0, dtype="float32"))


def test_cdist_of_one_set_on_the_process_backends(monkeypatch):
    from trajarena import _backends

    monkeypatch.setattr(_backends, "MIN_PROCESS_CELLS", 0)
    X = _trajs(14)
    want = ta.cdist(X, list(X), "dtw")
    assert np.array_equal(ta.cdist(X, X, "dtw", backend="joblib", n_jobs=2), want)
    a = ta.Arena.shared(X)
    assert np.array_equal(ta.cdist(a, a, "dtw", backend="multiprocessing", n_jobs=2), want)


def test_task_errors_name_the_task_arguments():
    X = _trajs(4)
    bad = [t.copy() for t in X]
    bad[2][1, 0] = np.nan
    a, b = ta.Arena.pack(X), ta.Arena.pack(X)
    with pytest.raises(ValueError, match=r"arena\[2\]: point 1 has a non-finite"):
        ta.pdist_range(bad, "dtw", 0, 6, np.empty(6))
    with pytest.raises(ValueError, match=r"arena_b\[2\]: point 1"):
        ta.cdist_block(a, bad, "dtw", np.empty((4, 4)))
    with pytest.raises(ValueError, match=r"arena_b: has 3-D points but arena_a has 2-D"):
        ta.cdist_block(a, [np.zeros((3, 3))], "dtw", np.empty((4, 1)))


def test_arenas_over_memory_the_caller_can_still_write_are_checked_by_every_call():
    pa = pytest.importorskip("pyarrow")
    X = _trajs(6)
    coords = np.concatenate(X)
    arr = pa.LargeListArray.from_arrays(pa.array(np.arange(0, 37, 6), type=pa.int64()),
                                        pa.FixedSizeListArray.from_arrays(pa.array(coords.ravel()), 2))
    a = ta.Arena.from_arrow(arr)
    want = ta.pdist(a, "dtw")
    assert np.array_equal(want, ta.pdist(X, "dtw"))
    assert np.shares_memory(arr.values.flatten().to_numpy(), a.coords)
    assert not a._data.validated  # Arrow's memory may be a numpy array's: checked by each call
    raw = bytearray(a.to_bytes())
    b = ta.Arena.from_buffer(memoryview(raw).toreadonly())  # read in place: someone else's buffer
    assert np.array_equal(ta.pdist(b, "dtw"), want)
    raw[len(raw) - 8:] = np.array([np.nan]).tobytes()  # the last coordinate, under the arena
    with pytest.raises(ValueError, match=r"X\[5\]: point 5 has a non-finite coordinate"):
        ta.pdist(b, "dtw")


def test_unaligned_arrays_are_copied_not_refused():
    raw = bytearray(8 * 9)
    a = np.frombuffer(raw, dtype=np.float64, offset=1, count=8).reshape(4, 2)
    assert not a.flags.aligned
    X = [a, np.ascontiguousarray(a)]
    assert np.array_equal(ta.pdist(X, "dtw"), [0.0])
    assert len(ta.Arena.pack(X)) == 2 and len(ta.Arena.shared(X)) == 2


def _dp_variants():
    return [(n, p) for n, p in every_variant(0.004) if n in {"dtw", "discrete_frechet", "lcss", "edr", "erp"}]


@pytest.mark.parametrize("name,p", _dp_variants(), ids=variant_id)
def test_short_pairs_in_every_shape_give_the_single_pair_bits(name, p):
    # Short trajectories take the row path: blocks of shared columns, the pairs no two rows
    # share pooled apart. One query against many is a single run, all of it one block; a
    # range starting and ending inside rows has partial first and last rows.
    lengths = RNG.integers(2, 16, 300)
    base = np.array([-122.42, 37.77])
    X = [base + RNG.normal(scale=0.002, size=(k, 2)).cumsum(axis=0) for k in lengths]
    one = getattr(ta, name)
    row = ta.cdist(X[7:8], X, name, **p)[0]
    assert row.tobytes() == np.array([one(X[7], x, **p) for x in X]).tobytes()
    start, stop = 1234, 21234
    out = np.empty(stop - start)
    ta.pdist_range(X, name, start, stop, out, n_jobs=2, **p)
    i, j = np.triu_indices(len(X), 1)
    want = [one(X[a], X[b], **p) for a, b in zip(i[start:stop], j[start:stop])]
    assert out.tobytes() == np.array(want).tobytes()
