"""Starts one sandbox for one plan and collects what its observer reports.

Side: trusted grader.  Nothing here runs student code; everything the
sandbox sends back is decoded as untrusted data.

Isolation (Linux, bubblewrap): new PID, network, IPC, UTS, mount and cgroup
namespaces; the sandbox sees the system and the Python installation read-only,
the bundle of grader code read-only at /sandbox/code, a private /tmp and a
small /chan for the observer's FIFOs; the environment is cleared.  As root,
bwrap keeps only CAP_SETUID/CAP_SETGID for the launcher, which gives the
observer and the student process a leased uid each (``uids``); otherwise a
user namespace with one uid.  A control group per sandbox (``cgroups``)
limits memory, processes and CPU of the sandbox as a whole; rlimits add a
per-process CPU time and file size cap.  Wall time is enforced from here:
on expiry the process group and the control group are killed, and the PID
namespace takes the rest.  Output pipes are capped; past a cap the run is
killed.
"""

import ctypes
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import wire
from ..errors import IsolationUnavailable
from . import cgroups, uids

CODE_DIR_IN_SANDBOX = "/sandbox/code"
# The interpreter by its resolved environment path: a venv reached through a
# symbolic link is mounted at its real place in the sandbox.
_VENV_PYTHON = Path(sys.prefix).resolve() / "bin" / Path(sys.executable).name
PYTHON = str(_VENV_PYTHON) if _VENV_PYTHON.exists() else sys.executable
CHANNEL_DIR_IN_SANDBOX = "/chan"
# Resolved once, before any fork: preexec code must not load libraries.
_PRCTL = ctypes.CDLL(None, use_errno=True).prctl
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Limits:
    """What one sandbox (one submission) may use; set from nbgrader_config.py."""
    wall_seconds: float = 60.0
    cpu_seconds: int = 60
    memory_bytes: int = 3 * 1024**3     # whole sandbox (cgroup), framework import included
    processes: int = 64                 # processes + threads of the whole sandbox
    cpus: float = 1.0
    file_bytes: int = 16 * 1024**2
    tmpfs_bytes: int = 64 * 1024**2
    output_bytes: int = 2 * 1024**2     # student stdout + stderr before the run is killed
    result_bytes: int = 256 * 1024**2   # observer reports (MyInit samples included)


@dataclass(frozen=True)
class Isolation:
    """How sandboxes are made on this machine (decided once per batch)."""
    bwrap: bool = True                  # False only with --allow-unsafe
    cgroups: bool = True                # False when the instructor opted out
    as_root: bool = field(default_factory=lambda: os.geteuid() == 0)
    # Without a cgroup: a per-process address-space cap (breaks CUDA start-up).
    address_space_bytes: int | None = None
    warnings: tuple[str, ...] = ()


@dataclass
class SandboxRun:
    """What came back from one sandbox: the observer's messages and how it ended."""
    messages: list = field(default_factory=list)   # (header, arrays), untrusted
    torn: bool = False
    stdout_tail: str = ""
    stderr_tail: str = ""
    exit_code: int | None = None
    timed_out: bool = False
    output_exceeded: bool = False
    memory_exceeded: bool = False
    wall_seconds: float = 0.0
    first_report_seconds: float | None = None


def _python_roots() -> list[str]:
    roots = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(),
             Path(sys.executable).resolve().parent.parent}
    return sorted(str(r) for r in roots if not str(r).startswith("/usr"))


def _ancestor_dirs(path: str) -> list[str]:
    parts = Path(path).parts
    return [str(Path(*parts[:i])) for i in range(2, len(parts))]


def bwrap_arguments(code_dir: Path, limits: Limits, isolation: Isolation) -> list[str]:
    args = ["bwrap", "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-net",
            "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--hostname", "sandbox"]
    if isolation.as_root:
        args += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        args += ["--unshare-user", "--disable-userns", "--uid", "65534", "--gid", "65534"]
    args += ["--ro-bind", "/usr", "/usr"]
    for link in ("bin", "lib", "lib64", "sbin"):
        target = os.readlink("/" + link) if os.path.islink("/" + link) else None
        if target:
            args += ["--symlink", target, "/" + link]
        elif os.path.isdir("/" + link):
            args += ["--ro-bind", "/" + link, "/" + link]
    for etc_file in ("/etc/ld.so.cache", "/etc/localtime", "/etc/nsswitch.conf"):
        if os.path.exists(etc_file):
            args += ["--ro-bind", etc_file, etc_file]
    # Private /tmp first: the Python installation may live under /tmp (a course
    # cloned there) and must stay visible above it.
    args += ["--proc", "/proc", "--dev", "/dev",
             "--perms", "1777", "--size", str(limits.tmpfs_bytes), "--tmpfs", "/tmp",
             "--perms", "1777", "--size", str(1024**2), "--tmpfs", CHANNEL_DIR_IN_SANDBOX]
    created = {"/tmp", CHANNEL_DIR_IN_SANDBOX}
    for root in _python_roots():
        for ancestor in _ancestor_dirs(root):
            if ancestor not in created:
                created.add(ancestor)
                args += ["--perms", "0755", "--dir", ancestor]
        args += ["--ro-bind", root, root]
    for device in sorted(Path("/dev").glob("nvidia*")):  # after the fresh /dev
        args += ["--dev-bind-try", str(device), str(device)]
    args += ["--perms", "0755", "--dir", "/sandbox", "--ro-bind", str(code_dir), CODE_DIR_IN_SANDBOX,
             "--chdir", "/tmp"]
    args += ["--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/tmp",
             "--setenv", "LANG", "C.UTF-8", "--setenv", "OMP_NUM_THREADS", "1",
             "--setenv", "MKL_NUM_THREADS", "1", "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
             "--setenv", "TF_CPP_MIN_LOG_LEVEL", "3", "--setenv", "MPLBACKEND", "Agg", "--"]
    return args


def _preexec(limits: Limits, isolation: Isolation, cgroup):
    def apply():
        # Between fork and exec, in the child: inherited by bwrap and all below it.
        os.setpgid(0, 0)
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)  # die with the grader, even on kill -9
        if cgroup is not None:
            cgroup.join_in_child()
        rlimits = [(resource.RLIMIT_CPU, limits.cpu_seconds),
                   (resource.RLIMIT_FSIZE, limits.file_bytes), (resource.RLIMIT_CORE, 0),
                   (resource.RLIMIT_NPROC, limits.processes)]
        if isolation.address_space_bytes:
            rlimits.append((resource.RLIMIT_AS, isolation.address_space_bytes))
        for limit, value in rlimits:
            resource.setrlimit(limit, (value, value))
    return apply


class _CappedReader(threading.Thread):
    """Drains a pipe into memory up to a cap (then calls ``on_overflow``, keeps draining)."""

    def __init__(self, stream, cap, on_overflow, keep_all=False):
        super().__init__(daemon=True)
        self.stream, self.cap, self.on_overflow, self.keep_all = stream, cap, on_overflow, keep_all
        self.head, self.tail, self.total = bytearray(), bytearray(), 0
        self.first_data_at = None

    def run(self):
        while True:
            chunk = self.stream.read1(1 << 20)
            if not chunk:
                break
            if self.first_data_at is None:
                self.first_data_at = time.monotonic()
            self.total += len(chunk)
            if self.total > self.cap:
                self.on_overflow()
                continue
            if self.keep_all:
                self.head += chunk
            else:
                self.tail = (self.tail + chunk)[-4096:]
                if len(self.head) < 4096:
                    self.head += chunk[: 4096 - len(self.head)]

    def text(self) -> str:
        body = bytes(self.head)
        if not self.keep_all and self.total > 4096:
            body += b"\n...\n" + bytes(self.tail)
        return body.decode("utf-8", "replace")


def run_plan(code_dir: Path, plan: bytes, limits: Limits, isolation: Isolation) -> SandboxRun:
    """Run the launcher on ``plan`` (wire bytes, sent on stdin) and collect the reports."""
    # Without bwrap (--allow-unsafe) the code keeps the grader's uid: another uid
    # could not even reach an interpreter installed under a private home.
    lease = uids.lease() if isolation.bwrap and isolation.as_root else None
    cgroup = None
    try:
        if isolation.cgroups:
            cgroup = cgroups.create(limits.memory_bytes, limits.processes, limits.cpus)
        return _run(code_dir, plan, limits, isolation, lease, cgroup)
    finally:
        if cgroup is not None:
            cgroup.remove()
        if lease is not None:
            lease.release()


def _run(code_dir, plan, limits, isolation, lease, cgroup) -> SandboxRun:
    read_fd, write_fd = os.pipe()
    os.set_inheritable(write_fd, True)
    observer_uid = lease.observer_uid if lease else -1
    student_uid = lease.student_uid if lease else -1
    if isolation.bwrap:
        code, channel, cwd = CODE_DIR_IN_SANDBOX, CHANNEL_DIR_IN_SANDBOX, None
        prefix, env = bwrap_arguments(code_dir, limits, isolation), None
    else:
        channel_path = Path(code_dir).parent / f"chan-{os.getpid()}-{threading.get_ident()}"
        shutil.rmtree(channel_path, ignore_errors=True)
        channel_path.mkdir(mode=0o700)
        code, channel, cwd = str(code_dir), str(channel_path), str(channel_path)
        prefix = []
        env = {"PATH": "/usr/bin:/bin", "HOME": channel, "LANG": "C.UTF-8",
               "OMP_NUM_THREADS": "1", "TF_CPP_MIN_LOG_LEVEL": "3", "MPLBACKEND": "Agg"}
    command = prefix + [PYTHON, "-I", "-S", "-B", f"{code}/launcher.py", str(observer_uid),
                        str(student_uid), str(write_fd), code, channel]
    started = time.monotonic()
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, pass_fds=(write_fd,), cwd=cwd, env=env,
                            preexec_fn=_preexec(limits, isolation, cgroup))
    os.close(write_fd)
    run = SandboxRun()

    def kill_all():
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if cgroup is not None:
            cgroup.kill_all()

    def flooded():
        run.output_exceeded = True
        kill_all()

    readers = [_CappedReader(proc.stdout, limits.output_bytes, flooded),
               _CappedReader(proc.stderr, limits.output_bytes, flooded),
               _CappedReader(os.fdopen(read_fd, "rb"), limits.result_bytes, flooded, keep_all=True)]
    for reader in readers:
        reader.start()

    def feed_plan():
        try:
            proc.stdin.write(plan)
            proc.stdin.close()
        except (BrokenPipeError, ValueError, OSError):
            pass

    feeder = threading.Thread(target=feed_plan, daemon=True)
    feeder.start()
    try:
        proc.wait(timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        run.timed_out = True
        kill_all()
    proc.wait()
    kill_all()  # the launcher's end ends the PID namespace; this also covers unsafe runs
    for reader in readers:
        reader.join(timeout=5)
    run.wall_seconds = time.monotonic() - started
    run.exit_code = proc.returncode
    out, err, results = readers
    run.stdout_tail, run.stderr_tail = out.text(), err.text()
    run.messages, run.torn = wire.decode_all(bytes(results.head))
    if results.first_data_at is not None:
        run.first_report_seconds = results.first_data_at - started
    run.memory_exceeded = cgroup.memory_exceeded() if cgroup is not None else (
        "MemoryError" in run.stderr_tail)
    if not isolation.bwrap:
        shutil.rmtree(channel, ignore_errors=True)
    return run


def isolation_problem() -> str | None:
    """None when bubblewrap isolation works here, else the reason (Vietnamese)."""
    if not sys.platform.startswith("linux"):
        return f"Cách ly bằng bubblewrap chỉ có trên Linux (máy này: {sys.platform})."
    if shutil.which("bwrap") is None:
        return ("Không tìm thấy bubblewrap (lệnh `bwrap`). Cài bằng: "
                "sudo apt-get install -y bubblewrap")
    probe = subprocess.run(
        bwrap_arguments(Path("/"), Limits(), Isolation(cgroups=False))[:-1]
        + ["--", PYTHON, "-I", "-S", "-c", "pass"],
        capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        return ("bubblewrap không chạy được Python của khóa học trong hộp cát trên máy này: "
                + probe.stderr.strip()[:300])
    return None


def decide_isolation(allow_unsafe: bool, allow_no_memory_limit: bool,
                     gpu_present: bool) -> Isolation:
    """The isolation this batch will use, or IsolationUnavailable (fail closed)."""
    warnings = []
    problem = isolation_problem()
    if problem and not allow_unsafe:
        raise IsolationUnavailable(
            f"Từ chối chấm vì không cách ly được mã của sinh viên: {problem}\n"
            "Nếu chấp nhận rủi ro (mã của sinh viên chạy không cách ly), đặt "
            "GraderEngine.allow_unsafe = True trong nbgrader_config.py hoặc thêm --allow-unsafe.")
    if problem:
        warnings.append(f"chấm KHÔNG cách ly (--allow-unsafe): {problem}")
    cgroup_problem = cgroups.probe()
    address_space = None
    if cgroup_problem:
        if not allow_no_memory_limit:
            raise IsolationUnavailable(
                "Từ chối chấm vì không đặt được giới hạn bộ nhớ cho từng hộp cát: "
                f"{cgroup_problem}.\nChạy bộ chấm với quyền root (hoặc trên máy có cgroup v2 "
                "được ủy quyền), hoặc chấp nhận chỉ giới hạn từng tiến trình bằng "
                "GraderEngine.allow_no_memory_limit = True trong nbgrader_config.py.")
        warnings.append(f"không có giới hạn bộ nhớ cho cả hộp cát ({cgroup_problem}); "
                        "chỉ giới hạn từng tiến trình")
        # RLIMIT_AS breaks CUDA start-up (it reserves huge virtual ranges).
        address_space = None if gpu_present else 4 * 1024**3
    return Isolation(bwrap=problem is None, cgroups=cgroup_problem is None,
                     address_space_bytes=address_space, warnings=tuple(warnings))
