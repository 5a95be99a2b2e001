"""Where shared files live (/dev/shm when it has room, else the temp directory), how they are
named so that a dead owner can be recognised, and `cleanup_stale()`.

Shared memory is plain files under /dev/shm opened by path, never
`multiprocessing.shared_memory`: before Python 3.13 attaching to a segment registers it with the
attaching process's resource tracker, which then unlinks it or warns at exit.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from typing import List, Optional

SHM_DIR = "/dev/shm"
PREFIX = "trajarena-"
# trajarena-<pid>-<token>.arena, trajarena-out-<pid>-<token>.bin, and the writer's temporaries
# .trajarena-<pid>-<token>.arena.<pid>-<ns>.tmp
_NAME = re.compile(r"^\.?trajarena-(?:out-)?(\d+)-[0-9a-f]+\.(?:arena|bin)(?:\.\d+-\d+\.tmp)?$")
# Keep this much of a tmpfs free for everything else on the machine.
_SHM_MARGIN = 64 << 20


def _free_bytes(path: str) -> int:
    try:
        st = os.statvfs(path)
    except OSError:
        return -1
    return st.f_bavail * st.f_frsize


def shared_dir(nbytes: int) -> str:
    """/dev/shm when it exists and can hold `nbytes` with a margin, else the temp directory."""
    if os.path.isdir(SHM_DIR) and os.access(SHM_DIR, os.W_OK) and _free_bytes(SHM_DIR) >= nbytes + _SHM_MARGIN:
        return SHM_DIR
    return tempfile.gettempdir()


def new_path(nbytes: int, kind: str = "arena") -> str:
    """A fresh file name carrying this process's id, so `cleanup_stale` can tell the owner died."""
    tag = "" if kind == "arena" else "out-"
    ext = "arena" if kind == "arena" else "bin"
    return os.path.join(shared_dir(nbytes), f"{PREFIX}{tag}{os.getpid()}-{secrets.token_hex(8)}.{ext}")


def reserve(path: str, nbytes: int) -> None:
    """Creates `path` with `nbytes` allocated up front, so a full tmpfs raises OSError (ENOSPC)
    here instead of killing a process with SIGBUS when it touches a page of the map."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        if nbytes:
            if hasattr(os, "posix_fallocate"):
                os.posix_fallocate(fd, 0, nbytes)
            else:  # pragma: no cover - macOS: no reservation primitive, size the file at least
                os.ftruncate(fd, nbytes)
    except BaseException:
        os.close(fd)
        unlink_quietly(path)
        raise
    os.close(fd)


def unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def unlink_if_owner(path: str, owner_pid: int) -> None:
    """Finalizer of an owning object. A forked child holds a copy of the owner; only the
    process that created the file may remove it."""
    if os.getpid() == owner_pid:
        unlink_quietly(path)


def _process_start_ns(pid: int) -> Optional[int]:
    """When `pid` started (ns since the epoch), from /proc; None when unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        ticks = int(fields[19])  # field 22: starttime, in clock ticks after boot
        with open("/proc/stat", "rb") as f:
            btime = next(int(line.split()[1]) for line in f if line.startswith(b"btime"))
        return int((btime + ticks / os.sysconf("SC_CLK_TCK")) * 1e9)
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def _owner_alive(pid: int, file_mtime_ns: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    start = _process_start_ns(pid)
    # A process that started after the file was written is a later process reusing the pid.
    return start is None or start <= file_mtime_ns + 2_000_000_000


def cleanup_stale(dirs: Optional[List[str]] = None) -> List[str]:
    """Removes arena and output files left in /dev/shm and the temp directory by trajarena
    processes that no longer run (killed before they could clean up). Returns the removed paths.
    Files of live processes, including this one, are never touched."""
    if dirs is None:
        dirs = [d for d in (SHM_DIR, tempfile.gettempdir()) if os.path.isdir(d)]
    removed = []
    for d in dict.fromkeys(dirs):
        try:
            names = os.listdir(d)
        except OSError:
            continue
        for name in names:
            m = _NAME.match(name)
            if not m:
                continue
            path = os.path.join(d, name)
            try:
                st = os.stat(path)
            except FileNotFoundError:
                continue
            if st.st_uid != os.getuid() or _owner_alive(int(m.group(1)), st.st_mtime_ns):
                continue
            try:
                os.unlink(path)
                removed.append(path)
            except OSError:
                pass
    return removed
