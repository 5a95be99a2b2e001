"""Where shared files live (/dev/shm when it has room, else the temp directory), how they are
named and marked so that a dead owner's files can be told apart from everything else, and
`cleanup_stale()`.

Shared memory is plain files under /dev/shm opened by path, never
`multiprocessing.shared_memory`: before Python 3.13 attaching to a segment registers it with the
attaching process's resource tracker, which then unlinks it or warns at exit.

A file the library names itself is called

    trajarena-<kind>-<boot>-<pidns>-<pid>-<start>-<token>.<ext>

(kind "arena" with ext "arena", kind "out" with ext "bin"; the arena writer's temporary is
"." + that name + ".<pid>-<ns>.tmp"). boot is the first 8 hex digits of the kernel's boot id,
pidns the inode of the owner's PID namespace, pid its id in that namespace and start its start
time in clock ticks after boot: together they name one process for the life of the machine, so
a reused pid or a process in another container is never mistaken for the owner. The content
marks the file as ours: an arena starts with the arena magic, an output file with `OUT_MAGIC`.
"""

from __future__ import annotations

import mmap
import os
import re
import secrets
import stat
import tempfile
import time
from typing import Dict, List, Optional, Tuple

SHM_DIR = "/dev/shm"
PREFIX = "trajarena-"
ARENA_MAGIC = b"TRJARENA"
OUT_MAGIC = b"TRJAOUT1"
# Output data starts this far into its file: a page boundary, so each worker's map of its range
# and the parent's np.memmap start on a page.
OUT_DATA_AT = max(4096, mmap.ALLOCATIONGRANULARITY)
_NAME = re.compile(
    r"^(?P<dot>\.?)trajarena-(?P<kind>arena|out)-(?P<boot>[0-9a-f]{8})-(?P<ns>\d+)-(?P<pid>\d+)"
    r"-(?P<start>\d+)-[0-9a-f]+\.(?:arena|bin)(?P<tmp>\.\d+-\d+\.tmp)?$")
# Keep this much of a tmpfs free for everything else on the machine.
_SHM_MARGIN = 64 << 20
# The automatic cleanup runs when a process creates its first shared file, then at most this
# often (seconds) in that process: one directory listing a minute costs nothing noticeable.
CLEANUP_EVERY = 60.0
_clock = time.monotonic
_last_cleanup: Optional[Tuple[int, float]] = None  # (pid, clock) of this process's last run
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


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


# ---------------------------------------------------------------- owner identity
def _boot_id() -> Optional[str]:
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            b = f.read().strip().replace("-", "")[:8].lower()
    except OSError:
        return None
    return b if re.fullmatch(r"[0-9a-f]{8}", b) else None


def _pid_ns(pid: str = "self") -> Optional[int]:
    try:
        link = os.readlink(f"/proc/{pid}/ns/pid")  # "pid:[4026531836]"
        return int(link[link.index("[") + 1:link.index("]")])
    except (OSError, ValueError):
        return None


def _start_ticks(pid: str) -> Optional[int]:
    """Field 22 of /proc/<pid>/stat: when the process started, in clock ticks after boot. None
    when there is no such process; OSError when it cannot be told."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its last ")".
    return int(data.rsplit(b")", 1)[1].split()[19])


_IDENTITY: Dict[int, Optional[str]] = {}


def owner_id() -> Optional[str]:
    """"<boot>-<pidns>-<pid>-<start>" of this process; None where /proc cannot tell (not Linux)."""
    pid = os.getpid()
    if pid not in _IDENTITY:  # keyed by pid: a forked child is a new owner
        boot, ns = _boot_id(), _pid_ns()
        try:
            start = _start_ticks("self")
        except (OSError, ValueError, IndexError):
            start = None
        _IDENTITY[pid] = None if None in (boot, ns, start) else f"{boot}-{ns}-{pid}-{start}"
    return _IDENTITY[pid]


def new_path(nbytes: int, kind: str = "arena") -> str:
    """A fresh file name carrying this process's identity, so `cleanup_stale` can tell when the
    owner is gone. Creating a shared file is also when stale files of dead owners are removed
    (see `CLEANUP_EVERY`)."""
    if kind not in ("arena", "out"):
        raise ValueError(f"kind: expected 'arena' or 'out', got {kind!r}")
    _auto_cleanup()
    ext = "arena" if kind == "arena" else "bin"
    # Without /proc the owner cannot be identified: zeros, which cleanup_stale never removes.
    owner = owner_id() or f"00000000-0-{os.getpid()}-0"
    return os.path.join(shared_dir(nbytes), f"{PREFIX}{kind}-{owner}-{secrets.token_hex(8)}.{ext}")


# ---------------------------------------------------------------- creating and removing
def create_out(nbytes: int) -> Tuple[str, int]:
    """A new process-backend output file (0600, never through a symlink) with room for `nbytes`
    of data; returns (path, byte offset of the data). The whole file is allocated up front, so a
    full tmpfs raises OSError (ENOSPC) here instead of killing a process with SIGBUS when it
    touches a page of the map. The owner removes it (`unlink_quietly`)."""
    path = new_path(OUT_DATA_AT + nbytes, kind="out")
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW, 0o600)
    try:
        # The magic goes first: a file killed at any later point is still recognisably ours.
        os.write(fd, OUT_MAGIC)
        os.fchmod(fd, 0o600)  # whatever the umask, workers must be able to open it for writing
        total = OUT_DATA_AT + nbytes
        if hasattr(os, "posix_fallocate"):
            os.posix_fallocate(fd, 0, total)
        else:  # pragma: no cover - macOS: no reservation primitive, size the file at least
            os.ftruncate(fd, total)
    except BaseException:
        os.close(fd)
        unlink_quietly(path)
        raise
    os.close(fd)
    return path, OUT_DATA_AT


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


# ---------------------------------------------------------------- stale files
def _proc_is_ours() -> bool:
    """Whether /proc shows this PID namespace's pids (a container that did not mount its own
    /proc sees the host's, where its pids mean other processes)."""
    try:
        return int(os.readlink("/proc/self")) == os.getpid()
    except (OSError, ValueError):
        return False


def _owner_dead(m: "re.Match[str]", me: Optional[str]) -> bool:
    """True only when the owner named by the file name certainly no longer runs."""
    if me is None or m["start"] == "0":  # this process, or the owner, could not be identified
        return False
    boot, ns = me.split("-")[:2]
    if m["boot"] != boot:
        return True  # written before the last reboot (a temp directory that outlives boots)
    if m["ns"] != ns:
        return False  # another container's process: we cannot see whether it runs
    if m["start"] == "0" or not _proc_is_ours():
        return False
    try:
        start = _start_ticks(m["pid"])
    except (OSError, ValueError, IndexError):
        return False
    return start is None or str(start) != m["start"]  # gone, or the pid now names another process


def _ours_by_content(path: str, m: "re.Match[str]", st: os.stat_result) -> bool:
    """The file still is the one listed (same inode, a regular file of this user) and holds what
    trajarena writes. Opened without following links and without blocking (a FIFO)."""
    try:
        fd = os.open(path, os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK)
    except OSError:
        return False
    try:
        fst = os.fstat(fd)
        if (fst.st_dev, fst.st_ino) != (st.st_dev, st.st_ino) or not stat.S_ISREG(fst.st_mode):
            return False
        head = os.read(fd, 8)
    except OSError:
        return False
    finally:
        os.close(fd)
    magic = ARENA_MAGIC if m["kind"] == "arena" else OUT_MAGIC
    if head == magic:
        return True
    # Both writers put the magic first, right after creating the file: a file shorter than the
    # magic and matching its start (empty, mostly) is one killed in between, holding nothing.
    # A sealed arena is only ever renamed into place, so under an arena's final name only the
    # whole magic counts.
    return magic.startswith(head) and (m["tmp"] is not None or m["kind"] == "out")


def cleanup_stale(dirs: Optional[List[str]] = None) -> List[str]:
    """Removes the arena and output files that trajarena processes killed before they could
    clean up left in /dev/shm and the temp directory.

    A file is removed only when all of these hold: its name is one trajarena gives, it belongs
    to this user, its content starts as trajarena's files do, and the process its name
    identifies is gone (an earlier boot, or no process with that pid and start time in this
    PID namespace). Files of live processes, of processes in other PID namespaces (containers
    sharing /dev/shm) and anything in doubt are kept.

    Parameters
    ----------
    dirs : list of str, optional
        The folders to look in (default: /dev/shm and the temp directory).

    Returns
    -------
    list of str
        The removed paths.
    """
    if dirs is None:
        dirs = [d for d in (SHM_DIR, tempfile.gettempdir()) if os.path.isdir(d)]
    me = owner_id()
    uid = os.getuid()
    removed = []
    for d in dict.fromkeys(os.fspath(d) for d in dirs):
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
                st = os.lstat(path)
            except OSError:
                continue
            if st.st_uid != uid or not stat.S_ISREG(st.st_mode):
                continue
            if not _owner_dead(m, me) or not _ours_by_content(path, m, st):
                continue
            try:
                os.unlink(path)
                removed.append(path)
            except OSError:
                pass
    return removed


def _auto_cleanup() -> None:
    """`cleanup_stale()` on this process's first shared file, then at most every CLEANUP_EVERY
    seconds: a process killed by a signal (a Jupyter kernel on restart) never runs its own
    cleanup, so the next process of the same user does it. Never raises."""
    global _last_cleanup
    now, pid = _clock(), os.getpid()
    last = _last_cleanup
    if last is not None and last[0] == pid and now - last[1] < CLEANUP_EVERY:
        return
    _last_cleanup = (pid, now)
    try:
        cleanup_stale()
    except Exception:  # pragma: no cover - best effort; creating the file must not fail for it
        pass
