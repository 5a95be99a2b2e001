""".zarr outputs on the local backends: the stored array, its attributes, chunk-aligned tasks,
and resuming (which chunks are recomputed, which stores are refused)."""

import json
import os
import shutil

import numpy as np
import pytest
import zarr
from hypothesis import given, settings, strategies as st

import trajarena as ta
from trajarena import _backends, _zarr_out

RNG = np.random.default_rng(14)
TRAJS = [RNG.normal(size=(n, 2)).cumsum(axis=0) for n in RNG.integers(1, 40, 70)]


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    # many chunks on small data, so that tasks hold several and resuming has something to skip
    monkeypatch.setattr(_zarr_out, "MIN_CHUNK_ENTRIES", 97)
    monkeypatch.setattr(_zarr_out, "TARGET_CHUNK_ENTRIES", 97)
    monkeypatch.setattr(_backends, "MIN_PROCESS_CELLS", 0)


def done_markers(path):
    return sorted(os.listdir(os.path.join(path, _zarr_out.DONE_DIR)))


def chunk_files(path):
    out = {}
    for root, _, files in os.walk(os.path.join(path, "c")):
        for f in files:
            st = os.stat(os.path.join(root, f))
            out[os.path.relpath(os.path.join(root, f), path)] = (st.st_ino, st.st_mtime_ns)
    return out


@pytest.mark.parametrize("backend", ["threads", "joblib", "multiprocessing"])
def test_pdist_to_zarr_equals_pdist(tmp_path, backend):
    want = ta.pdist(TRAJS, "dtw")
    path = str(tmp_path / "d.zarr")
    z = ta.pdist(TRAJS, "dtw", out=path, backend=backend, n_jobs=2)
    assert isinstance(z, zarr.Array)
    assert z.shape == want.shape and z.chunks == (97,)
    assert np.array_equal(z[:], want)
    reread = zarr.open_array(path, mode="r")
    assert np.array_equal(reread[:], want)
    assert len(done_markers(path)) == -(-want.size // 97)


def test_cdist_to_zarr_is_2d_and_float32(tmp_path):
    want = ta.cdist(TRAJS[:23], TRAJS, "erp", g=[0.0, 0.0], dtype="float32")
    z = ta.cdist(TRAJS[:23], TRAJS, "erp", out=str(tmp_path / "c.zarr"), dtype="float32", g=[0.0, 0.0])
    assert z.shape == (23, 70) and z.dtype == np.float32 and len(z.chunks) == 2
    assert np.array_equal(z[:], want)
    same = ta.cdist(TRAJS, TRAJS, "dtw", out=str(tmp_path / "s.zarr"))
    assert np.array_equal(same[:], ta.cdist(TRAJS, TRAJS, "dtw"))


def test_attributes_record_the_input(tmp_path):
    path = str(tmp_path / "d.zarr")
    ta.pdist(TRAJS, "lcss", out=path, eps=0.5)
    meta = json.loads((tmp_path / "d.zarr" / "zarr.json").read_text())
    assert meta["zarr_format"] == 3 and meta["node_type"] == "array"
    att = meta["attributes"]["trajarena"]
    assert att["call"] == "pdist" and att["metric"] == "lcss" and att["params"]["eps"] == 0.5
    assert att["dtype"] == "float64" and att["chunks"] == [97]
    assert att["fingerprints"] == [_zarr_out.fingerprint(ta.Arena.pack(TRAJS))]
    # the fingerprint is the content's: the same trajectories in a file arena give the same
    with ta.Arena.shared(TRAJS) as a:
        assert _zarr_out.fingerprint(a) == att["fingerprints"][0]
    assert _zarr_out.fingerprint(ta.Arena.pack(TRAJS[:-1])) != att["fingerprints"][0]


def test_resume_recomputes_only_missing_chunks(tmp_path):
    want = ta.pdist(TRAJS, "dtw")
    path = str(tmp_path / "d.zarr")
    ta.pdist(TRAJS, "dtw", out=path)
    files = chunk_files(path)
    # a crash: some chunks were never marked done, one of them never written at all
    markers = done_markers(path)
    lost = markers[3:9]
    for m in lost:
        os.unlink(os.path.join(path, _zarr_out.DONE_DIR, m))
    os.unlink(os.path.join(path, "c", lost[0]))
    arr = zarr.open_array(path, mode="r")
    assert np.isnan(arr[int(lost[0]) * 97]), "an unwritten chunk reads as NaN"
    seen = []
    z = ta.pdist(TRAJS, "dtw", out=path, resume=True, progress=lambda d, t: seen.append((d, t)))
    assert np.array_equal(z[:], want)
    assert seen[-1] == (6 * 97, 6 * 97)
    after = chunk_files(path)
    for key, ident in files.items():
        rewritten = after[key] != ident
        assert rewritten == (key.split("/")[-1] in lost), key
    # nothing missing: a resume computes nothing
    seen.clear()
    ta.pdist(TRAJS, "dtw", out=path, resume=True, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(0, 0)] and chunk_files(path) == after


def test_a_marker_without_its_chunk_file_is_not_done(tmp_path):
    # a crash that lost the chunk's folder entry but not the marker's: computed again
    path = str(tmp_path / "d.zarr")
    ta.pdist(TRAJS, "dtw", out=path)
    os.unlink(os.path.join(path, "c", "5"))
    seen = []
    z = ta.pdist(TRAJS, "dtw", out=path, resume=True, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (97, 97) and np.array_equal(z[:], ta.pdist(TRAJS, "dtw"))


def test_a_store_made_again_at_the_same_path(tmp_path, monkeypatch):
    # a new layout at an old path (another size, another chunking) is written as it now is
    path = str(tmp_path / "d.zarr")
    ta.pdist(TRAJS, "dtw", out=path)
    shutil.rmtree(path)
    monkeypatch.setattr(_zarr_out, "MIN_CHUNK_ENTRIES", 50)
    monkeypatch.setattr(_zarr_out, "TARGET_CHUNK_ENTRIES", 50)
    z = ta.pdist(TRAJS[:40], "dtw", out=path)
    assert z.chunks == (50,) and np.array_equal(zarr.open_array(path)[:], ta.pdist(TRAJS[:40], "dtw"))


def test_a_relative_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    z = ta.pdist(TRAJS, "dtw", out="rel.zarr", backend="multiprocessing", n_jobs=2)
    assert np.array_equal(z[:], ta.pdist(TRAJS, "dtw"))
    assert json.loads((tmp_path / "rel.zarr" / "zarr.json").read_text())["shape"] == list(z.shape)


def test_resume_keeps_the_stored_chunking(tmp_path, monkeypatch):
    path = str(tmp_path / "d.zarr")
    ta.pdist(TRAJS, "dtw", out=path)
    os.unlink(os.path.join(path, _zarr_out.DONE_DIR, "0"))
    monkeypatch.setattr(_zarr_out, "MIN_CHUNK_ENTRIES", 500)
    monkeypatch.setattr(_zarr_out, "TARGET_CHUNK_ENTRIES", 500)
    z = ta.pdist(TRAJS, "dtw", out=path, resume=True, n_jobs=1)
    assert z.chunks == (97,) and np.array_equal(z[:], ta.pdist(TRAJS, "dtw"))


@pytest.mark.parametrize("change", [
    dict(metric="lcss", params={"eps": 1.0}),
    dict(metric="dtw", params={"window": 3}),
    dict(metric="dtw", params={}, dtype="float32"),
    dict(metric="dtw", params={}, trajs=TRAJS[:-1]),
    dict(metric="dtw", params={}, trajs=[t + 1e-9 for t in TRAJS]),
])
def test_resume_refuses_a_store_of_other_input(tmp_path, change):
    path = str(tmp_path / "d.zarr")
    ta.pdist(TRAJS, "dtw", out=path)
    before = chunk_files(path)
    with pytest.raises(ValueError, match="other input"):
        ta.pdist(change.get("trajs", TRAJS), change["metric"], out=path, resume=True,
                 dtype=change.get("dtype", "float64"), **change["params"])
    assert chunk_files(path) == before


def test_refusals(tmp_path):
    path = str(tmp_path / "d.zarr")
    ta.pdist(TRAJS, "dtw", out=path)
    with pytest.raises(FileExistsError, match="resume=True"):
        ta.pdist(TRAJS, "dtw", out=path)
    with pytest.raises(ValueError, match="resume: applies to a .zarr output only"):
        ta.pdist(TRAJS, "dtw", resume=True)
    with pytest.raises(ValueError, match="resume: applies to a .zarr output only"):
        ta.cdist(TRAJS, TRAJS, "dtw", out=str(tmp_path / "x.npy"), resume=True)
    with pytest.raises(TypeError, match="resume"):
        ta.pdist(TRAJS, "dtw", out=path, resume="yes")
    with pytest.raises(ValueError, match="other input"):  # a cdist store is not a pdist store
        ta.cdist(TRAJS, TRAJS, "dtw", out=path, resume=True)
    other = tmp_path / "other.zarr"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="no zarr array"):
        ta.pdist(TRAJS, "dtw", out=str(other), resume=True)
    with pytest.raises(FileExistsError):
        ta.pdist(TRAJS, "dtw", out=str(other))
    foreign = str(tmp_path / "foreign.zarr")
    zarr.create_array(store=foreign, shape=(10,), dtype="float64")
    with pytest.raises(ValueError, match="did not write"):
        ta.pdist(TRAJS, "dtw", out=foreign, resume=True)
    # bad input is refused before a store is made
    with pytest.raises(ValueError, match=r"X\[1\]"):
        ta.pdist([TRAJS[0], np.full((3, 2), np.nan)], "dtw", out=str(tmp_path / "bad.zarr"))
    assert not os.path.exists(tmp_path / "bad.zarr")


def test_an_empty_folder_is_a_new_store(tmp_path):
    (tmp_path / "e.zarr").mkdir()
    z = ta.pdist(TRAJS[:5], "dtw", out=str(tmp_path / "e.zarr"))
    assert np.array_equal(z[:], ta.pdist(TRAJS[:5], "dtw"))
    z = ta.pdist(TRAJS[:5], "dtw", out=str(tmp_path / "r.zarr"), resume=True)  # nothing to resume
    assert np.array_equal(z[:], ta.pdist(TRAJS[:5], "dtw"))
    z = ta.pdist(TRAJS[:1], "dtw", out=str(tmp_path / "one.zarr"))
    assert z.shape == (0,)


@settings(max_examples=60, deadline=None)
@given(costs=st.lists(st.floats(0, 1e6), min_size=1, max_size=60), n_tasks=st.integers(1, 20),
       drop=st.sets(st.integers(0, 59)))
def test_tasks_are_whole_chunks_each_written_once(costs, n_tasks, drop):
    ids = [i for i in range(len(costs)) if i not in drop]
    groups = _zarr_out.group(ids, np.array(costs), n_tasks)
    assert [c for g in groups for c in g] == ids
    assert len(groups) <= max(1, n_tasks) and all(groups)


@settings(max_examples=40, deadline=None)
@given(lengths=st.lists(st.integers(0, 50), min_size=0, max_size=30), chunk=st.integers(1, 50))
def test_chunk_costs_add_up(lengths, chunk):
    """Chunk costs are the sums of the pairs' costs they hold (cells + per-pair overhead)."""
    L = np.array(lengths, dtype=np.int64)
    n = len(L)
    pair = [L[i] * L[j] + _zarr_out.PAIR_OVERHEAD_CELLS for i in range(n) for j in range(i + 1, n)]
    shape = (len(pair),)
    costs = _zarr_out.chunk_costs("pdist", [L], shape, (chunk,))
    want = [sum(pair[s:s + chunk]) for s in range(0, len(pair), chunk)]
    assert np.allclose(costs, want)
    la, lb = L[: n // 2], L[n // 2:]
    if len(la) and len(lb):
        rect = _zarr_out.chunk_costs("cdist", [la, lb], (len(la), len(lb)), (chunk, chunk))
        assert np.isclose(rect.sum(), (la.sum() * lb.sum()) + _zarr_out.PAIR_OVERHEAD_CELLS * len(la) * len(lb))
