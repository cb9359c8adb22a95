"""Runs untrusted code in a bubblewrap (bwrap) sandbox with hard limits.

What is enforced (Linux with bwrap):
- new PID, network, IPC, UTS and mount namespaces; the process sees only the
  system and Python installation (read-only), a per-run directory with its own
  files (read-only) and a small private tmpfs; no network, no course tree;
- the environment is cleared; capabilities are dropped; as root the code runs
  under a per-slot unprivileged uid (setpriv), otherwise in a user namespace
  where further user namespaces are disabled;
- rlimits: address space, CPU seconds, file size, number of processes/threads
  (per sandbox, applied before student code), no core files;
- wall time is enforced from outside: on expiry the whole process group is
  SIGKILLed; bwrap's --die-with-parent and the PID namespace then take every
  descendant (including double-forked daemons) down with it;
- output is read through pipes with a size cap; past the cap the run is killed.
Elsewhere (no bwrap, not Linux) grading is refused unless the instructor
passes --allow-unsafe, which only keeps rlimits, a scrubbed environment,
a fresh directory and the external timeout.
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

ROOT_SLOT_UID_BASE = 61000  # unprivileged uids used per job slot when grading as root


@dataclass
class Limits:
    wall_seconds: float = 60.0
    cpu_seconds: int = 60
    memory_bytes: int = 2 * 1024**3      # address space; importing torch maps ~0.6 GiB
    nproc: int = 64                      # processes + threads inside one sandbox
    file_bytes: int = 16 * 1024**2
    tmpfs_bytes: int = 64 * 1024**2
    output_bytes: int = 2 * 1024**2      # stdout + stderr before the run is killed
    result_bytes: int = 8 * 1024**2


@dataclass
class RunResult:
    result_text: str = ""
    stdout_tail: str = ""
    stderr_tail: str = ""
    exit_code: int | None = None
    timed_out: bool = False
    output_exceeded: bool = False
    wall_seconds: float = 0.0
    extra: dict = field(default_factory=dict)


# Resolved once, before any fork: preexec code must not load libraries.
_PRCTL = ctypes.CDLL(None, use_errno=True).prctl
_PR_SET_PDEATHSIG = 1


def check_sandbox():
    """Return None when bwrap isolation works here, else a Vietnamese reason."""
    if not sys.platform.startswith("linux"):
        return "Cách ly bằng bubblewrap chỉ có trên Linux (máy này: %s)." % sys.platform
    if shutil.which("bwrap") is None:
        return ("Không tìm thấy bubblewrap (lệnh `bwrap`). Cài bằng: "
                "sudo apt-get install -y bubblewrap")
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        return "Chạy với quyền root cần lệnh `setpriv` (gói util-linux) để hạ quyền."
    # Probe with the interpreter that will run submissions, not just /bin/true:
    # it must be reachable and runnable inside the sandbox.
    probe = subprocess.run(bwrap_command([sys.executable, "-c", "pass"], Path("/"), slot=0, probe=True),
                           capture_output=True, text=True, timeout=30,
                           preexec_fn=_preexec(Limits(), slot=0, isolated=True))
    if probe.returncode != 0:
        return ("bubblewrap không chạy được Python của khóa học trong hộp cát trên máy này: "
                + probe.stderr.strip()[:300])
    return None


def _ancestor_dirs(path):
    parts = Path(path).parts
    return [str(Path(*parts[:i])) for i in range(2, len(parts))]


def _python_roots():
    roots = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(),
             Path(sys.executable).resolve().parent.parent}
    return sorted(str(r) for r in roots if not str(r).startswith("/usr"))


def bwrap_command(command, workdir, slot, probe=False, limits=None):
    limits = limits or Limits()
    as_root = os.geteuid() == 0
    args = ["bwrap", "--die-with-parent", "--new-session",
            "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--hostname", "sandbox"]
    if as_root:
        # No user namespace: the code will run as a real unprivileged uid so that
        # RLIMIT_NPROC applies (root is exempt from it).
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
    # The private /tmp comes before the Python installation, which may itself
    # live under /tmp (a course cloned there) and must stay visible.
    args += ["--proc", "/proc", "--dev", "/dev",
             "--perms", "1777", "--size", str(limits.tmpfs_bytes), "--tmpfs", "/tmp"]
    created = {"/tmp"}
    for root in _python_roots():
        for ancestor in _ancestor_dirs(root):
            if ancestor not in created:
                created.add(ancestor)
                args += ["--perms", "0755", "--dir", ancestor]
        args += ["--ro-bind", root, root]
    # GPUs, after the fresh /dev (which would hide them otherwise).
    for device in sorted(Path("/dev").glob("nvidia*")):
        args += ["--dev-bind-try", str(device), str(device)]
    if not probe:
        args += ["--ro-bind", str(workdir), "/sandbox", "--chdir", "/sandbox"]
    args += ["--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/tmp",
             "--setenv", "LANG", "C.UTF-8", "--setenv", "OMP_NUM_THREADS", "1",
             "--setenv", "MKL_NUM_THREADS", "1", "--setenv", "PYTHONDONTWRITEBYTECODE", "1"]
    args.append("--")
    if as_root:
        uid = str(ROOT_SLOT_UID_BASE + slot)
        args += ["setpriv", "--reuid", uid, "--regid", uid, "--clear-groups",
                 "--inh-caps", "-all", "--bounding-set", "-all", "--no-new-privs"]
    return args + list(command)


def _preexec(limits, slot, isolated):
    as_root = os.geteuid() == 0

    def apply():
        # Runs in the child between fork and exec: inherited by bwrap and the code.
        os.setpgid(0, 0)
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)  # die with the grader, even on kill -9
        for limit, value in ((resource.RLIMIT_AS, limits.memory_bytes),
                             (resource.RLIMIT_CPU, limits.cpu_seconds),
                             (resource.RLIMIT_FSIZE, limits.file_bytes),
                             (resource.RLIMIT_CORE, 0)):
            resource.setrlimit(limit, (value, value))
        if as_root or not isolated:
            # Root is exempt until setpriv drops it; unisolated runs share the uid.
            resource.setrlimit(resource.RLIMIT_NPROC, (limits.nproc, limits.nproc))
    return apply


class _CappedReader(threading.Thread):
    def __init__(self, stream, cap, on_overflow, keep_all=False):
        super().__init__(daemon=True)
        self.stream, self.cap, self.on_overflow, self.keep_all = stream, cap, on_overflow, keep_all
        self.head, self.tail, self.total = bytearray(), bytearray(), 0
        self.first_data_at = None

    def run(self):
        while True:
            chunk = self.stream.read1(65536) if hasattr(self.stream, "read1") else self.stream.read(65536)
            if not chunk:
                break
            if self.first_data_at is None:
                self.first_data_at = time.monotonic()
            self.total += len(chunk)
            if self.total > self.cap:
                self.on_overflow()
                continue  # keep draining so the child cannot block on a full pipe
            if self.keep_all:
                self.head += chunk
            else:
                self.tail = (self.tail + chunk)[-4096:]
                if len(self.head) < 4096:
                    self.head += chunk[: 4096 - len(self.head)]


def run_sandboxed(workdir, command, limits, slot=0, isolated=True):
    """Run ``command`` (paths relative to /sandbox) and return what it produced.

    The child gets a result pipe whose fd number replaces "{RESULT_FD}" in the
    command; stdout and stderr are captured apart, each with a size cap.
    """
    workdir = Path(workdir)
    read_fd, write_fd = os.pipe()
    os.set_inheritable(write_fd, True)
    command = [sys.executable if c == "python" else c for c in command]
    if isolated:
        args = bwrap_command(command, workdir, slot, limits=limits)
        cwd = None
    else:
        args, cwd = command, workdir
    env = None if isolated else {"PATH": "/usr/bin:/bin", "HOME": str(workdir),
                                 "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1"}
    args = [str(write_fd) if a == "{RESULT_FD}" else a for a in args]
    started = time.monotonic()
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, pass_fds=(write_fd,), cwd=cwd, env=env,
                            preexec_fn=_preexec(limits, slot, isolated))
    os.close(write_fd)
    result = RunResult()

    def kill_all():
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def output_flood():
        result.output_exceeded = True
        kill_all()

    readers = [_CappedReader(proc.stdout, limits.output_bytes, output_flood),
               _CappedReader(proc.stderr, limits.output_bytes, output_flood),
               _CappedReader(os.fdopen(read_fd, "rb"), limits.result_bytes, output_flood,
                             keep_all=True)]
    for reader in readers:
        reader.start()
    try:
        proc.wait(timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        result.timed_out = True
        kill_all()
    proc.wait()
    # The PID namespace dies with bwrap; this also covers --allow-unsafe runs.
    kill_all()
    for reader in readers:
        reader.join(timeout=5)
    result.wall_seconds = time.monotonic() - started
    result.exit_code = proc.returncode
    out, err, res = readers
    result.stdout_tail = bytes(out.head + (b"\n...\n" + out.tail if out.total > 4096 else b"")).decode("utf-8", "replace")
    result.stderr_tail = bytes(err.head + (b"\n...\n" + err.tail if err.total > 4096 else b"")).decode("utf-8", "replace")
    result.result_text = bytes(res.head).decode("utf-8", "replace")
    # The harness writes its first record once the interpreter and framework are
    # loaded: a (benchmark-only) split between start-up and running the code.
    if res.first_data_at is not None:
        result.extra["startup_seconds"] = res.first_data_at - started
    return result
