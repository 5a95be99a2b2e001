"""`out="x.npy"`: the result written to a temporary file beside the target, with its space
reserved up front, and renamed into place only once complete.

- Reserving (posix_fallocate) turns a full disk into an OSError when the call starts; a sparse
  file, as `np.lib.format.open_memmap` makes, kills the process with SIGBUS when a page cannot
  be allocated halfway through.
- A private temporary name means two calls given the same target never write into each other's
  file: each returns its own result, and the last one to finish leaves its file at the target.
- Readers of the target never see a half-written file.
The file follows the umask, as `numpy.save` does.
"""

from __future__ import annotations

import io
import os
import secrets
from contextlib import ExitStack
from typing import Any, Tuple

import numpy as np

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _header(shape: Tuple[int, ...], dtype: np.dtype) -> bytes:
    d = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": shape}
    buf = io.BytesIO()
    try:
        np.lib.format.write_array_header_1_0(buf, d)
    except ValueError:  # a header over 64 KiB: only version 2 can hold it
        buf = io.BytesIO()
        np.lib.format.write_array_header_2_0(buf, d)
    return buf.getvalue()


def create(path: str, shape: Tuple[int, ...], dtype: np.dtype, stack: ExitStack) -> np.memmap:
    """A writable memmap of a new .npy for `path`. When `stack` closes without an exception the
    file is flushed and renamed to `path`; with one, it is removed."""
    target = os.path.abspath(path)
    folder = os.path.dirname(target)
    # Short, so that any target name that fits the file system has a temporary that does too.
    tmp = os.path.join(folder, f".trajarena-{os.getpid()}-{secrets.token_hex(6)}.npy.tmp")
    header = _header(tuple(shape), dtype)
    nbytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
    try:
        fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW, 0o666)
    except OSError as e:
        raise OSError(e.errno, f"out: cannot create the output beside {path!r}: {e.strerror}") from None
    try:
        os.write(fd, header)
        total = len(header) + nbytes
        try:
            if hasattr(os, "posix_fallocate"):
                os.posix_fallocate(fd, 0, total)
            else:  # pragma: no cover - no reservation primitive: size the file at least
                os.ftruncate(fd, total)
        except OSError as e:
            raise OSError(e.errno, f"out: cannot reserve {total} bytes for {path!r}: {e.strerror}") from None
    except BaseException:
        os.close(fd)
        _unlink(tmp)
        raise
    os.close(fd)
    try:
        mm = np.memmap(tmp, dtype=dtype, mode="r+", offset=len(header), shape=tuple(shape))
    except BaseException:
        _unlink(tmp)
        raise

    def finish(exc_type: Any, exc: Any, tb: Any) -> bool:
        if exc_type is not None:
            _unlink(tmp)
            return False
        try:
            mm.flush()
            os.replace(tmp, target)
        except BaseException:
            _unlink(tmp)
            raise
        mm.filename = target  # the same file, now under its name
        return False

    stack.push(finish)
    return mm


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
