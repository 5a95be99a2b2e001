"""`out="x.zarr"`: the result as a zarr v3 array at the store's root, written chunk by chunk,
resumable after the caller or a worker was killed.

- The chunk grid is regular and chosen when the store is made; a resumed call reads it back,
  whatever the number of workers now.
- Every task is a list of whole chunks, so each chunk has exactly one writer.
- A chunk counts as done when its marker file ``trajarena.done/<i>[.<j>]`` exists and so does
  its chunk file. The marker is made only after the chunk's file and every folder entry on its
  path from the store's root were fsynced: a marker never stands for data a crash could lose.
  A chunk without one is computed and written again, whatever a killed writer left there
  (zarr >= 3.1.3 writes each chunk to a temporary and renames it into place; a killed writer
  may leave a ``*.partial`` file beside it, which zarr ignores).
- The array's attributes (key "trajarena") record what the store holds: the call, the
  content fingerprint of every input arena, the metric and its parameters, the dtype and the
  chunking. A resumed call whose inputs differ in any of them is refused.
- Unwritten entries read as NaN (the fill value), never as a plausible distance.

Stores are local paths, or paths on a filesystem every worker mounts (NFS, Lustre, ...).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np

ATTR = "trajarena"
FORMAT = 1
DONE_DIR = "trajarena.done"
# Chunk sizes, in entries: about 16 chunks per worker thread, each at most 8 MiB of float64
# (big enough that zarr's per-chunk cost is invisible next to the distances) and at least
# 16 Ki entries (a resumed run loses at most that much work per chunk in flight).
TARGET_CHUNK_ENTRIES = 1 << 20
MIN_CHUNK_ENTRIES = 1 << 14
CHUNKS_PER_THREAD = 16
# What one pair costs besides its DP cells, in cells: the call, the row setup, the store.
PAIR_OVERHEAD_CELLS = 32.0


def is_zarr_path(out: Any) -> bool:
    if not isinstance(out, (str, os.PathLike)):
        return False
    p = os.fspath(out)
    return isinstance(p, str) and p.rstrip("/").endswith(".zarr")


def fingerprint(arena: Any) -> str:
    """The content fingerprint of an arena: the same trajectories give the same value, whoever
    packed them and wherever they live (file, shared memory, bytes)."""
    h = hashlib.sha256(b"trajarena-arena-content-1")
    h.update(np.array([arena.dim, len(arena)], dtype="<i8").tobytes())
    h.update(np.ascontiguousarray(arena.offsets, dtype="<i8").data)
    h.update(np.ascontiguousarray(arena.coords, dtype="<f8").data)
    return "sha256:" + h.hexdigest()


# ---------------------------------------------------------------- chunk grid
def chunking(shape: Tuple[int, ...], threads: int) -> Tuple[int, ...]:
    """A regular chunk shape for a new store: about CHUNKS_PER_THREAD chunks per thread."""
    total = int(np.prod(shape, dtype=object))
    want = math.ceil(total / max(1, CHUNKS_PER_THREAD * threads))
    entries = min(TARGET_CHUNK_ENTRIES, max(MIN_CHUNK_ENTRIES, want))
    if len(shape) == 1:
        return (max(1, min(shape[0], entries)),)
    na, nb = shape
    cols = max(1, min(nb, math.isqrt(entries)))
    rows = max(1, min(na, math.ceil(entries / cols)))
    return rows, cols


def grid(shape: Tuple[int, ...], chunks: Tuple[int, ...]) -> Tuple[int, ...]:
    return tuple(math.ceil(s / c) if s else 0 for s, c in zip(shape, chunks))


def chunk_coords(cid: int, g: Tuple[int, ...]) -> Tuple[int, ...]:
    return (cid,) if len(g) == 1 else divmod(cid, g[1])


def chunk_span(cid: int, shape: Tuple[int, ...], chunks: Tuple[int, ...]) -> Tuple[Tuple[int, int], ...]:
    """The (start, stop) per dimension of chunk `cid` (row-major over the grid)."""
    c = chunk_coords(cid, grid(shape, chunks))
    return tuple((k * ch, min(s, (k + 1) * ch)) for k, ch, s in zip(c, chunks, shape))


def marker_name(cid: int, g: Tuple[int, ...]) -> str:
    return ".".join(str(k) for k in chunk_coords(cid, g))


def _condensed_cost(lengths: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Cumulative cost (DP cells plus a per-pair overhead) of condensed entries [0, p)."""
    n = len(lengths)
    L = lengths.astype(np.float64)
    S = np.concatenate([[0.0], np.cumsum(L)])
    total = S[-1]
    rows = np.arange(n, dtype=np.int64)
    row_start = rows * n - rows * (rows + 1) // 2
    row_cost = L * (total - S[1:]) + PAIR_OVERHEAD_CELLS * (n - 1 - rows)
    before = np.concatenate([[0.0], np.cumsum(row_cost)])
    p = np.asarray(positions, dtype=np.int64)
    i = np.clip(np.searchsorted(row_start, p, side="right") - 1, 0, max(n - 1, 0))
    if n == 0:
        return np.zeros(len(p))
    into = p - row_start[i]
    j = np.minimum(i + 1 + into, n)
    return before[i] + L[i] * (S[j] - S[np.minimum(i + 1, n)]) + PAIR_OVERHEAD_CELLS * into


def chunk_costs(kind: str, lengths: Sequence[np.ndarray], shape: Tuple[int, ...],
                chunks: Tuple[int, ...]) -> np.ndarray:
    """The estimated cost of every chunk, row-major over the grid."""
    g = grid(shape, chunks)
    if kind == "pdist":
        edges = np.minimum(np.arange(g[0] + 1, dtype=np.int64) * chunks[0], shape[0])
        return np.diff(_condensed_cost(lengths[0], edges))
    la, lb = (np.asarray(v, dtype=np.float64) for v in lengths)

    def bands(v: np.ndarray, size: int, count: int) -> Tuple[np.ndarray, np.ndarray]:
        edges = np.minimum(np.arange(count + 1) * size, len(v))
        s = np.concatenate([[0.0], np.cumsum(v)])
        return np.diff(s[edges]), np.diff(edges).astype(np.float64)

    pa, ca = bands(la, chunks[0], g[0])
    pb, cb = bands(lb, chunks[1], g[1])
    return (np.outer(pa, pb) + PAIR_OVERHEAD_CELLS * np.outer(ca, cb)).reshape(-1)


def group(ids: Sequence[int], costs: np.ndarray, n_tasks: int) -> List[List[int]]:
    """`ids` (in order) cut into at most `n_tasks` runs of about equal total cost."""
    ids = list(ids)
    if not ids:
        return []
    c = np.cumsum(costs[np.asarray(ids, dtype=np.int64)] + 1e-9)
    n_tasks = max(1, min(n_tasks, len(ids)))
    cuts = np.searchsorted(c, c[-1] * np.arange(1, n_tasks) / n_tasks, side="left") + 1
    bounds = np.unique(np.concatenate([[0], np.clip(cuts, 1, len(ids)), [len(ids)]]))
    return [ids[a:b] for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


# ---------------------------------------------------------------- the store
def require_zarr() -> None:
    """Raises ImportError, before any work, when zarr >= 3 is missing."""
    _zarr()


def _zarr() -> Any:
    try:
        import zarr
    except ImportError:
        raise ImportError("out: a .zarr output needs zarr >= 3 (pip install 'trajarena[dask]', "
                          "Python >= 3.11)") from None
    if int(zarr.__version__.split(".")[0]) < 3:
        raise ImportError(f"out: a .zarr output needs zarr >= 3, found {zarr.__version__}")
    return zarr


def _json(v: Any) -> Any:
    return json.loads(json.dumps(v, sort_keys=True))


def describe(call: str, fingerprints: List[str], metric: Any, dtype: np.dtype,
             shape: Tuple[int, ...]) -> Dict[str, Any]:
    """What a store must hold for this call (compared on resume; chunking is added on create)."""
    from ._info import __version__

    return _json({
        "format": FORMAT,
        "call": call,
        "fingerprints": fingerprints,
        "metric": metric.name,
        "params": dict(metric.params),
        "dtype": dtype.name,
        "shape": list(shape),
        "written_by": f"trajarena {__version__}",
    })


_COMPARED = ("format", "call", "fingerprints", "metric", "params", "dtype", "shape")


def _is_empty(path: str) -> bool:
    if not os.path.lexists(path):
        return True
    return os.path.isdir(path) and not os.path.islink(path) and not os.listdir(path)


def open_store(path: str, want: Dict[str, Any], threads: int, resume: bool) -> Tuple[Any, List[int]]:
    """The zarr array for this call and the chunks still to compute (all of them for a new
    store). Raises FileExistsError for a non-empty store without resume, ValueError for a store
    made for other input."""
    zarr = _zarr()
    path = os.fspath(path)
    if not _is_empty(path):
        if not resume:
            raise FileExistsError(f"out: {path!r} already exists and is not empty; pass resume=True "
                                  f"to finish it, or remove it")
        arr = _open_existing(zarr, path)
        _check_same(path, arr, want)
        chunks = tuple(int(c) for c in arr.chunks)
        return arr, _missing(path, tuple(want["shape"]), chunks)
    shape = tuple(want["shape"])
    chunks = chunking(shape, threads)
    attrs = dict(want, chunks=list(chunks))
    arr = zarr.create_array(store=path, shape=shape, chunks=chunks, dtype=want["dtype"],
                            fill_value=np.nan, compressors=None, attributes={ATTR: attrs},
                            config={"write_empty_chunks": True}, overwrite=False)
    os.makedirs(os.path.join(path, DONE_DIR), exist_ok=True)
    _fsync(path)
    return arr, list(range(int(np.prod(grid(shape, chunks), dtype=np.int64))))


def _open_existing(zarr: Any, path: str) -> Any:
    if not os.path.isfile(os.path.join(path, "zarr.json")):
        raise ValueError(f"out: {path!r} is not empty and holds no zarr array (no zarr.json); "
                         f"choose another path")
    try:
        arr = zarr.open_array(store=path, mode="r+")
    except Exception as e:  # zarr raises several types for a store it cannot read
        raise ValueError(f"out: {path!r} is not a zarr array trajarena can resume: {e}") from None
    if ATTR not in arr.attrs:
        raise ValueError(f"out: {path!r} is a zarr array that trajarena did not write; "
                         f"choose another path")
    return arr


def _check_same(path: str, arr: Any, want: Dict[str, Any]) -> None:
    have = arr.attrs[ATTR]
    diff = [k for k in _COMPARED if _json(have.get(k)) != want[k]]
    if not diff and tuple(arr.shape) == tuple(want["shape"]) and np.dtype(arr.dtype).name == want["dtype"]:
        return
    detail = "; ".join(f"{k}: store has {have.get(k)!r}, this call {want[k]!r}" for k in diff)
    raise ValueError(f"out: {path!r} holds a result for other input and cannot be resumed with "
                     f"this call ({detail or 'shape or dtype differ'}); use a new path")


def _listing(path: str) -> List[str]:
    try:
        return os.listdir(path)
    except (FileNotFoundError, NotADirectoryError):
        return []


def _missing(path: str, shape: Tuple[int, ...], chunks: Tuple[int, ...]) -> List[int]:
    """The chunks not done: without a marker, or without their chunk file."""
    g = grid(shape, chunks)
    count = int(np.prod(g, dtype=np.int64))
    done = np.zeros(count, dtype=bool)
    stored = np.zeros(count, dtype=bool)
    for name in _listing(os.path.join(path, DONE_DIR)):
        parts = name.split(".")
        if len(parts) == len(g) and all(p.isdigit() for p in parts):
            coords = [int(p) for p in parts]
            if all(k < n for k, n in zip(coords, g)):
                done[coords[0] if len(g) == 1 else coords[0] * g[1] + coords[1]] = True
    root = os.path.join(path, "c")
    if len(g) == 1:
        ids = [int(f) for f in _listing(root) if f.isdigit() and int(f) < g[0]]
        stored[ids] = True
    else:
        for row in _listing(root):
            if row.isdigit() and int(row) < g[0]:
                cols = [int(f) for f in _listing(os.path.join(root, row)) if f.isdigit() and int(f) < g[1]]
                stored[[int(row) * g[1] + c for c in cols]] = True
    return np.flatnonzero(~(done & stored)).tolist()


def entries(ids: Sequence[int], shape: Tuple[int, ...], chunks: Tuple[int, ...]) -> int:
    """How many output entries the chunks `ids` hold."""
    g = grid(shape, chunks)
    idx = np.asarray(ids, dtype=np.int64)
    if len(g) == 1:
        starts = idx * chunks[0]
        return int(np.sum(np.minimum(starts + chunks[0], shape[0]) - starts))
    r, c = idx // g[1], idx % g[1]
    rows = np.minimum((r + 1) * chunks[0], shape[0]) - r * chunks[0]
    cols = np.minimum((c + 1) * chunks[1], shape[1]) - c * chunks[1]
    return int(np.sum(rows * cols))


def _fsync(path: str) -> None:
    """fsync of a file, or of a folder (which makes the names in it durable)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---------------------------------------------------------------- worker side
def _array(path: str) -> Any:
    # Opened by every task (one small zarr.json read): a store made again at the same path
    # with another shape or chunking is never written with a stale layout.
    # write_empty_chunks is a setting of the open array, not of the store: without it, zarr
    # would skip a chunk that equals the fill value and leave nothing to fsync.
    try:
        return _zarr().open_array(store=path, mode="r+", config={"write_empty_chunks": True})
    except FileNotFoundError:
        raise FileNotFoundError(f"out: this worker cannot see the store {path!r}; a .zarr "
                                f"output must be on a filesystem every worker mounts") from None


def write_chunks(path: str, chunk_ids: Sequence[int], compute: Any) -> int:
    """Computes and stores each chunk (`compute(span, buffer)` fills the buffer), making it
    durable before its marker; returns the number of entries written."""
    path = os.path.abspath(path)
    arr = _array(path)
    shape, chunks = tuple(arr.shape), tuple(arr.chunks)
    g = grid(shape, chunks)
    done_dir = os.path.join(path, DONE_DIR)
    written = 0
    durable: set = set()  # folders whose own entry is already durable
    for cid in chunk_ids:
        span = chunk_span(cid, shape, chunks)
        buf = np.empty(tuple(b - a for a, b in span), dtype=arr.dtype)
        compute(span, buf)
        arr[tuple(slice(a, b) for a, b in span)] = buf
        coords = chunk_coords(cid, g)
        folder = os.path.join(path, "c", *(str(k) for k in coords[:-1]))
        _fsync(os.path.join(folder, str(coords[-1])))
        # The chunk's name in its folder, then each folder's name in its parent up to the
        # root (zarr made them as needed).
        _fsync(folder)
        while len(folder) > len(path) and folder not in durable:
            durable.add(folder)
            folder = os.path.dirname(folder)
            _fsync(folder)
        fd = os.open(os.path.join(done_dir, marker_name(cid, g)), os.O_WRONLY | os.O_CREAT, 0o666)
        os.close(fd)
        written += buf.size
    return written
