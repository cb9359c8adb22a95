"""Per-sandbox control groups: memory, processes and CPU of a whole sandbox.

Side: trusted grader.

cgroup v2 (one unified hierarchy) and v1 (one hierarchy per controller:
memory, pids, cpu) are both in the field; this module finds which one this
machine has, creates one group per sandbox nested under the grader's own
group (so a container's limits still apply), sets the limits, and tells
afterwards whether the memory limit was hit.  The sandbox's first process
joins its group between fork and exec (``join_path``), so every process the
student's code starts is counted.
"""

import os
import signal
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
V1_CONTROLLERS = ("memory", "pids", "cpu")
CPU_PERIOD_US = 100_000


class CgroupUnavailable(Exception):
    """No per-sandbox limit can be set here; the message says why (Vietnamese)."""


@dataclass
class Cgroup:
    version: int
    paths: dict[str, Path]          # controller ("memory", ...) or "unified" -> directory
    procs_files: list[str] = field(default_factory=list)

    def join_in_child(self) -> None:
        """Called between fork and exec: move the calling process into the group."""
        for procs in self.procs_files:
            fd = os.open(procs, os.O_WRONLY)
            try:
                os.write(fd, b"0")
            finally:
                os.close(fd)

    def memory_exceeded(self) -> bool:
        if self.version == 2:
            counters = dict(line.split() for line in
                            _read(self.paths["unified"] / "memory.events").splitlines()
                            if len(line.split()) == 2)
            return counters.get("oom_kill", "0") != "0" or counters.get("max", "0") != "0"
        memory = self.paths["memory"]
        control = _read(memory / "memory.oom_control")
        killed = any(line.startswith("oom_kill ") and line.split()[1] != "0"
                     for line in control.splitlines())
        return killed or _read(memory / "memory.failcnt").strip() not in ("", "0")

    def kill_all(self) -> None:
        for directory in self.paths.values():
            for line in _read(directory / "cgroup.procs").split():
                try:
                    os.kill(int(line), signal.SIGKILL)
                except (ProcessLookupError, ValueError, PermissionError):
                    pass

    def remove(self) -> None:
        self.kill_all()
        for directory in self.paths.values():
            for _ in range(50):
                try:
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # processes still leaving the group
                    time.sleep(0.02)


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _own_paths() -> dict[str, str]:
    """controller name (or '' for v2) -> this process's group path, from /proc/self/cgroup."""
    own = {}
    for line in _read(Path("/proc/self/cgroup")).splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3:
            for controller in parts[1].split(",") if parts[1] else [""]:
                own[controller] = parts[2]
    return own


def detect_version() -> int | None:
    if (CGROUP_ROOT / "cgroup.controllers").is_file():
        return 2
    if all((CGROUP_ROOT / name / "cgroup.procs").is_file() for name in V1_CONTROLLERS):
        return 1
    return None


def _write(path: Path, value: str) -> None:
    path.write_text(value)


def _create_v1(name: str, memory_bytes: int, processes: int, cpus: float) -> Cgroup:
    own = _own_paths()
    paths = {}
    try:
        for controller in V1_CONTROLLERS:
            parent = CGROUP_ROOT / controller / own.get(controller, "/").lstrip("/")
            directory = parent / name
            directory.mkdir()
            paths[controller] = directory
        _write(paths["memory"] / "memory.limit_in_bytes", str(memory_bytes))
        swap = paths["memory"] / "memory.memsw.limit_in_bytes"
        if swap.exists():
            _write(swap, str(memory_bytes))
        _write(paths["pids"] / "pids.max", str(processes))
        _write(paths["cpu"] / "cpu.cfs_period_us", str(CPU_PERIOD_US))
        _write(paths["cpu"] / "cpu.cfs_quota_us", str(max(1000, int(cpus * CPU_PERIOD_US))))
    except OSError as error:
        Cgroup(1, paths).remove()
        raise CgroupUnavailable(f"không tạo được nhóm điều khiển (cgroup v1): {error}") from None
    return Cgroup(1, paths, [str(p / "cgroup.procs") for p in paths.values()])


def _create_v2(name: str, memory_bytes: int, processes: int, cpus: float) -> Cgroup:
    own = _own_paths().get("", "/").lstrip("/")
    wanted = {"memory", "pids", "cpu"}
    candidates = [CGROUP_ROOT / own, CGROUP_ROOT] if own else [CGROUP_ROOT]
    last_error = "không có nhóm cha nào dùng được"
    for parent in candidates:
        try:
            enabled = set(_read(parent / "cgroup.subtree_control").split())
            if not wanted <= enabled:
                _write(parent / "cgroup.subtree_control",
                       " ".join(f"+{c}" for c in sorted(wanted - enabled)))
            directory = parent / name
            directory.mkdir()
        except OSError as error:
            last_error = str(error)
            continue
        try:
            _write(directory / "memory.max", str(memory_bytes))
            if (directory / "memory.swap.max").exists():
                _write(directory / "memory.swap.max", "0")
            _write(directory / "pids.max", str(processes))
            _write(directory / "cpu.max", f"{max(1000, int(cpus * CPU_PERIOD_US))} {CPU_PERIOD_US}")
        except OSError as error:
            Cgroup(2, {"unified": directory}).remove()
            last_error = str(error)
            continue
        return Cgroup(2, {"unified": directory}, [str(directory / "cgroup.procs")])
    raise CgroupUnavailable(f"không tạo được nhóm điều khiển (cgroup v2): {last_error}")


def create(memory_bytes: int, processes: int, cpus: float) -> Cgroup:
    """A fresh group with these limits, or CgroupUnavailable."""
    version = detect_version()
    name = f"grader-{uuid.uuid4().hex[:12]}"
    if version == 2:
        return _create_v2(name, memory_bytes, processes, cpus)
    if version == 1:
        return _create_v1(name, memory_bytes, processes, cpus)
    raise CgroupUnavailable("máy này không có cgroup (v1 hay v2) với các bộ điều khiển "
                            "memory, pids và cpu")


def probe() -> str | None:
    """None when per-sandbox groups can be made here, else the reason (Vietnamese)."""
    try:
        create(64 * 1024**2, 8, 0.5).remove()
    except CgroupUnavailable as error:
        return str(error)
    return None
