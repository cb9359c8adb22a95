"""A private pair of unprivileged uids for each sandbox (when grading as root).

Side: trusted grader.

RLIMIT_NPROC counts processes per uid across the whole machine, and a
signal or ptrace needs a matching uid: if two sandboxes shared a uid, one
could starve or reach the other, even from another grading batch.  Each
sandbox therefore leases its own pair (observer, student) from a range no
login account uses, with an exclusive ``flock`` on a lock file per pair;
the lock dies with the process that holds it, so a killed batch leaks
nothing.
"""

import fcntl
import os
import random
from dataclasses import dataclass
from pathlib import Path

UID_BASE = 200_000
PAIRS = 8192
LOCK_DIR = Path("/run/lock/grader-uids") if Path("/run/lock").is_dir() else Path("/tmp/.grader-uids")


class NoFreeUids(Exception):
    """Every uid pair of the range is in use."""


@dataclass
class UidLease:
    observer_uid: int
    student_uid: int
    _fd: int

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _lock_dir() -> Path:
    LOCK_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = LOCK_DIR.stat()
    if info.st_uid != os.geteuid() or info.st_mode & 0o077:
        raise NoFreeUids(f"thư mục khóa {LOCK_DIR} không thuộc riêng tài khoản chấm bài")
    return LOCK_DIR


def lease() -> UidLease:
    directory = _lock_dir()
    start = random.randrange(PAIRS)
    for step in range(PAIRS):
        pair = (start + step) % PAIRS
        fd = os.open(directory / f"{pair}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return UidLease(UID_BASE + 2 * pair, UID_BASE + 2 * pair + 1, fd)
    raise NoFreeUids("mọi cặp uid dành cho hộp cát đều đang được dùng")
