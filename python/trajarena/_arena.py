"""`Arena`: trajectories packed once (offsets + point-major coordinates) in private memory, in a
file, or in shared memory, held by a Rust object and read through zero-copy numpy views. File
and shared arenas pickle as a small handle (path + fingerprint), so process workers receive
indices, never data, and open the arena in O(1)."""

from __future__ import annotations

import os
import stat
import weakref
from collections import OrderedDict
from typing import Any, Iterator, Optional, Tuple

import numpy as np

from . import _core
from . import _shared_files as files

_HEADER_LEN = 256


def _readonly(a: np.ndarray) -> np.ndarray:
    a = a.view()
    a.flags.writeable = False
    return a


def _file_type(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISDIR, "a directory"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return f"file type {stat.S_IFMT(mode):o}"


def arena_nbytes(n_traj: int, n_points: int, dim: int) -> int:
    coords_at = -(-(_HEADER_LEN + 8 * (n_traj + 1)) // 64) * 64
    return coords_at + 8 * n_points * dim


class Arena:
    """A read-only set of trajectories in the arena layout.

    Build one with ``Arena.pack(trajs, path=None)``, ``Arena.shared(trajs)``,
    ``Arena.open(path)``, ``Arena.from_arrow(list_array)`` or ``Arena.from_buffer(buf)``.
    The trajectories live in a Rust object (``_core.ArenaData``), validated once when it is made;
    batch calls read it in place.
    """

    __slots__ = ("_data", "_offsets", "_coords", "_path", "_finalizer", "_closed", "_ident",
                 "_ids", "__weakref__")

    def __init__(self) -> None:  # use the constructors above
        self._data: Optional[_core.ArenaData] = None
        self._offsets: np.ndarray = np.zeros(1, dtype=np.int64)
        self._coords: np.ndarray = np.empty((0, 2))
        self._path: Optional[str] = None
        self._finalizer: Optional[weakref.finalize] = None
        self._closed = False
        self._ident: Optional[Tuple[int, int]] = None  # (st_dev, st_ino) of a mapped file
        self._ids: Optional[np.ndarray] = None  # the trajectories' own ids, when the input had them

    # ------------------------------------------------------------------ constructors
    @classmethod
    def _wrap(cls, data: "_core.ArenaData") -> "Arena":
        a = cls()
        a._data = data
        a._offsets, a._coords = data.offsets_array(), data.coords_array()
        return a

    @classmethod
    def _private(cls, offsets: np.ndarray, coords: np.ndarray, ids: Optional[np.ndarray] = None,
                 name: str = "trajs") -> "Arena":
        """A private arena with a copy of packed buffers, checked (unpickling, tables)."""
        a = cls._wrap(_core.ArenaData.from_numpy(
            np.ascontiguousarray(offsets, dtype=np.int64),
            np.ascontiguousarray(coords, dtype=np.float64), name, True))
        a._ids = None if ids is None else np.asarray(ids)
        return a

    @classmethod
    def pack(cls, trajs: Any, path: Optional[os.PathLike] = None) -> "Arena":
        """Packs trajectories into an arena, once.

        Parameters
        ----------
        trajs : trajectories
            A sequence of (n, 2|3) array-likes, or any container the batch calls take.
        path : path-like, optional
            None keeps the arena in this process's memory. A path writes a sealed arena file
            there (under a temporary name, renamed once complete) and maps it; its mode
            follows the umask, as ``numpy.save``'s does.

        Returns
        -------
        Arena

        Raises
        ------
        ValueError, TypeError
            A trajectory that is empty, has NaN/inf or a wrong shape, named by its index.
        """
        from ._inputs import arena_data, write_arena

        if path is None:
            return cls._wrap(arena_data(trajs, "trajs"))
        path = os.fspath(path)
        write_arena(trajs, path, "trajs", private=False)
        return cls.open(path)

    @classmethod
    def shared(cls, trajs: Any) -> "Arena":
        """Packs trajectories into a file in /dev/shm that worker processes map by its handle.

        The file (in the temp directory when /dev/shm lacks room) is readable by this user only
        (0600) and belongs to this object: it is removed when the arena is closed or
        garbage-collected. If the process is killed first, the next trajarena process of the
        same user removes it (or ``trajarena.cleanup_stale()`` does).

        Parameters
        ----------
        trajs : trajectories
            As for `pack`.

        Returns
        -------
        Arena
            Use it as a context manager to close it at the end of a block.
        """
        return cls._shared(trajs, "trajs")

    @classmethod
    def _shared(cls, trajs: Any, name: str) -> "Arena":
        # `name` labels errors about the input ("X[3]" for a batch call's X).
        from ._inputs import estimated_nbytes, known_container, write_arena

        trajs = known_container(trajs, name) or trajs

        path = files.new_path(estimated_nbytes(trajs))
        # The writer fills the whole file before anything maps it: a full tmpfs is an OSError
        # (ENOSPC) here, never a SIGBUS later. A list goes straight into the file.
        try:
            write_arena(trajs, path, name, private=True)
            a = cls.open(path)
        except BaseException:
            files.unlink_quietly(path)
            raise
        a._finalizer = weakref.finalize(a, files.unlink_if_owner, path, os.getpid())
        return a

    @classmethod
    def open(cls, path: os.PathLike) -> "Arena":
        """Maps an arena file read-only, after validating all of it.

        Parameters
        ----------
        path : path-like
            An arena file (format v1, docs/arena.md).

        Returns
        -------
        Arena

        Raises
        ------
        ValueError
            Anything but a sealed, intact arena file: not a regular file, truncated, a bad
            header checksum, an unknown version, sections out of bounds, non-monotone offsets,
            NaN or infinite coordinates, empty trajectories.
        """
        return cls._open(os.fspath(path), None)

    @classmethod
    def _open(cls, path: str, fingerprint: Optional[Tuple[int, int, int]]) -> "Arena":
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise ValueError(f"arena: {path}: not a regular file ({_file_type(st.st_mode)})")
            size = st.st_size
            if size < _HEADER_LEN:
                raise ValueError(f"arena: {path}: truncated: {size} bytes, shorter than the "
                                 f"{_HEADER_LEN}-byte header")
            data = _core.ArenaData.map_fd(fd, path, fingerprint)
        finally:
            os.close(fd)
        a = cls._wrap(data)
        a._path, a._ident = path, (st.st_dev, st.st_ino)
        return a

    @classmethod
    def from_buffer(cls, buf: Any) -> "Arena":
        """An arena over the bytes of an arena file.

        Parameters
        ----------
        buf : buffer
            ``bytes`` (``Arena.to_bytes()``), a numpy uint8 array (a Ray object), a memoryview.
            It is read in place when it is read-only and 8-byte aligned, else copied once.

        Returns
        -------
        Arena
            Over the buffer, or over its copy.

        Raises
        ------
        ValueError
            Bytes that are not an intact arena.
        """
        arr = np.frombuffer(buf, dtype=np.uint8)
        copied = bool(arr.ctypes.data % 8 or arr.flags.writeable)
        if copied:
            # The format is read in place as int64/float64 and must not change under the
            # arena: a misaligned or writable buffer is copied once. A read-only view of a
            # buffer someone else may still write to is read in place and checked by each call.
            arr = arr.copy()
        arr.flags.writeable = False
        return cls._wrap(_core.ArenaData.from_buffer(arr, "buffer", copied))

    @classmethod
    def from_arrow(cls, array: Any) -> "Arena":
        """An arena from an Arrow list array of points, or a polars Series.

        Parameters
        ----------
        array : pyarrow array, ChunkedArray, GeoArrow LineString array or polars Series
            A (Large)List whose points are FixedSizeList<float, 2|3> (GeoArrow's interleaved
            coordinates), Struct<x, y[, z]> (GeoArrow's separated coordinates) or List<float>
            of 2 or 3 values (a polars List(List(Float64))). LargeList<FixedSizeList<float64>>
            without nulls is read without copying.

        Returns
        -------
        Arena

        Raises
        ------
        TypeError
            Another layout, or a GeoArrow geometry other than LineString.
        ValueError
            A null trajectory, point or coordinate.
        """
        return cls._arrow(array, "array")

    @classmethod
    def _arrow(cls, array: Any, name: str) -> "Arena":
        from ._frames import from_arrow

        offsets, coords, _ = from_arrow(array, name)
        # Arrow's float64 buffers are read in place and kept alive; they may share memory with
        # a numpy array its owner can still write to, so calls check what they read.
        return cls._wrap(_core.ArenaData.from_numpy(np.ascontiguousarray(offsets), coords, name,
                                                    not (coords.flags.aligned and coords.flags.c_contiguous)))

    @classmethod
    def from_geopandas(cls, gdf: Any) -> "Arena":
        """An arena from the LineStrings of a GeoDataFrame or GeoSeries, in one pass.

        Parameters
        ----------
        gdf : geopandas.GeoDataFrame or GeoSeries
            LineStrings, all 2-D or all 3-D (``[lon, lat]`` for spherical metrics).

        Returns
        -------
        Arena
            Its ``ids`` are the frame's index.

        Raises
        ------
        TypeError
            Another geometry type (explode MultiLineStrings first), naming its position.
        ValueError
            A missing or empty geometry, or mixed 2-D and 3-D.
        """
        from ._frames import from_geopandas

        offsets, coords, ids = from_geopandas(gdf, "gdf")
        return cls._private(offsets, coords, ids, "gdf")

    @classmethod
    def from_frame(cls, df: Any, by: str = "traj_id", x: str = "lon", y: str = "lat",
                   z: Optional[str] = None, order_by: Optional[str] = None) -> "Arena":
        """An arena from a long table with one row per point (pandas or polars).

        Parameters
        ----------
        df : pandas.DataFrame or polars.DataFrame
        by : str
            The trajectory id column: trajectories come in its ascending order.
        x, y, z : str
            The coordinate columns (``z`` None for 2-D).
        order_by : str, optional
            The column that orders each trajectory's points (a time); None keeps row order.

        Returns
        -------
        Arena
            Its ``ids`` are the sorted distinct values of ``by``.

        Raises
        ------
        ValueError
            A missing column, a missing id, a missing or non-finite coordinate (naming the
            trajectory and point).
        TypeError
            A coordinate column that does not hold numbers.
        """
        from ._frames import from_frame

        offsets, coords, ids = from_frame(df, by, x, y, z, order_by, "df")
        return cls._private(offsets, coords, ids, "df")

    @classmethod
    def from_movingpandas(cls, collection: Any) -> "Arena":
        """An arena from a MovingPandas collection, in its order.

        Parameters
        ----------
        collection : movingpandas.TrajectoryCollection

        Returns
        -------
        Arena
            Its ``ids`` are the trajectories' ids.
        """
        from ._frames import from_movingpandas

        offsets, coords, ids = from_movingpandas(collection, "collection")
        return cls._private(offsets, coords, ids, "collection")

    # ------------------------------------------------------------------ views
    def _check_open(self) -> None:
        if self._closed:
            raise ValueError("arena: this arena is closed")

    def _checked_data(self) -> "_core.ArenaData":
        self._check_open()
        return self._data

    @property
    def _fingerprint(self) -> Optional[Tuple[int, int, int]]:
        return None if self._data is None else self._data.fingerprint

    @property
    def offsets(self) -> np.ndarray:
        """int64 (n + 1,): trajectory i is ``coords[offsets[i]:offsets[i+1]]``."""
        self._check_open()
        return self._offsets

    @property
    def coords(self) -> np.ndarray:
        """float64 (n_points, dim), point-major, read-only."""
        self._check_open()
        return self._coords

    @property
    def lengths(self) -> np.ndarray:
        self._check_open()
        return np.diff(self._offsets)

    @property
    def dim(self) -> int:
        return int(self._coords.shape[1])

    @property
    def ids(self) -> np.ndarray:
        """The trajectories' ids: the ``by`` values of ``from_frame``, the index of
        ``from_geopandas``, the MovingPandas ids; else their positions 0..n-1. Label results
        with them: ``arena.ids[indices]``."""
        return np.arange(len(self)) if self._ids is None else self._ids

    @property
    def path(self) -> Optional[str]:
        return self._path

    @property
    def nbytes(self) -> int:
        return arena_nbytes(len(self), len(self._coords), self.dim)

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, i: Any) -> np.ndarray:
        self._check_open()
        if isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, np.integer)):
            raise TypeError(f"index: expected an integer, got {type(i).__name__}")
        n = len(self)
        k = int(i) + n if i < 0 else int(i)
        if not 0 <= k < n:
            raise IndexError(f"index: {i} is out of range for an arena of {n} trajectories")
        return self._coords[self._offsets[k]:self._offsets[k + 1]]

    def __iter__(self) -> "Iterator[np.ndarray]":
        for k in range(len(self)):
            yield self[k]

    def to_arrow(self) -> Any:
        """A pyarrow LargeList<FixedSizeList<double, dim>> over the same memory (no copy)."""
        import pyarrow as pa

        self._check_open()
        values = pa.Array.from_buffers(pa.float64(), self._coords.size,
                                       [None, pa.py_buffer(self._coords)])
        points = pa.FixedSizeListArray.from_arrays(values, self.dim)
        offs = pa.Array.from_buffers(pa.int64(), len(self._offsets), [None, pa.py_buffer(self._offsets)])
        return pa.LargeListArray.from_arrays(offs, points)

    def to_bytes(self) -> bytes:
        """The arena as one sealed ``bytes`` object (``Arena.from_buffer`` reads it back)."""
        return self._checked_data().encode()

    # ------------------------------------------------------------------ lifetime
    @property
    def is_shared(self) -> bool:
        """True for file and shared arenas (they pickle as a handle)."""
        return self._path is not None

    def close(self) -> None:
        """Releases the arena's memory (once no view uses it) and, for the owner of a shared
        arena, removes the file. Closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        if self._finalizer is not None:
            self._finalizer()
        self._offsets = np.zeros(1, dtype=np.int64)
        self._coords = np.empty((0, self._coords.shape[1]))
        # Views handed out keep the Rust object (and its map) alive; it goes with the last.
        self._data = None

    def __enter__(self) -> "Arena":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        where = f"path={self._path!r}" if self._path else "private"
        state = ", closed" if self._closed else ""
        return f"<trajarena.Arena {len(self)} trajectories, {len(self._coords)} points, dim={self.dim}, {where}{state}>"

    # ------------------------------------------------------------------ pickling
    def __reduce__(self) -> Tuple[Any, Tuple[Any, ...]]:
        self._check_open()
        if self._path is not None:
            return (_open_handle, (self._path, self._fingerprint))
        return (Arena._private, (np.array(self._offsets), np.array(self._coords), self._ids))


# Workers unpickle the same handle for every task: keep the last few maps open per process.
_OPEN: "OrderedDict[Tuple[str, Any], Arena]" = OrderedDict()
_OPEN_MAX = 4


def _same_file(a: Arena) -> bool:
    try:
        st = os.stat(a._path)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) == a._ident


def _open_handle(path: str, fingerprint: Tuple[int, int, int]) -> Arena:
    key = (path, tuple(fingerprint))
    hit = _OPEN.get(key)
    # Entries whose file was removed go first, so a deleted /dev/shm file stops holding memory
    # in long-lived workers once its call is over.
    for k in [k for k, v in _OPEN.items() if v is not hit and not _same_file(v)]:
        del _OPEN[k]
    if hit is not None and not hit._closed and _same_file(hit):
        _OPEN.move_to_end(key)
        return hit
    try:
        # The handle names a file this library wrote and validated: its header is checked
        # against the fingerprint (O(1)), and each call checks the trajectories it touches.
        a = Arena._open(path, tuple(fingerprint))
    except FileNotFoundError:
        raise FileNotFoundError(f"arena: {path} no longer exists (its owner closed it or exited)") from None
    _OPEN[key] = a
    # Dropped entries are not closed (a caller may still hold them); their map goes with the
    # last reference.
    while len(_OPEN) > _OPEN_MAX:
        _OPEN.popitem(last=False)
    return a
