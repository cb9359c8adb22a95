"""The sandbox itself: what a program inside can and cannot see or do."""

import json
import os
import textwrap

from grader_testlib import REPO
from grader.sandbox import Limits, run_sandboxed


def probe(tmp_path, code, limits=None):
    """Run ``code`` in the sandbox; it reports a dict through the result fd (argv[1])."""
    work = tmp_path / "work"
    work.mkdir()
    os.chmod(work, 0o755)
    program = "import json, os, sys\nout = {}\n" + textwrap.dedent(code) + \
        "\nos.write(int(sys.argv[1]), json.dumps(out).encode())\n"
    (work / "p.py").write_text(program)
    os.chmod(work / "p.py", 0o444)
    run = run_sandboxed(work, ["python", "-I", "p.py", "{RESULT_FD}"], limits or Limits(wall_seconds=20))
    assert run.result_text, run.stderr_tail
    return json.loads(run.result_text), run


def test_sees_no_course_tree_no_network_and_a_clean_environment(tmp_path, sandbox_ready):
    report, _ = probe(tmp_path, f"""
        import socket
        out["course_visible"] = os.path.exists({str(REPO / "grader")!r})
        out["repo_listing"] = os.listdir({str(REPO)!r}) if os.path.isdir({str(REPO)!r}) else []
        out["tmp_of_host"] = os.path.exists({str(tmp_path)!r})
        out["env"] = sorted(os.environ)
        out["uid"] = os.getuid()
        out["pid"] = os.getpid()
        try:
            socket.create_connection(("1.1.1.1", 53), timeout=2)
            out["network"] = True
        except OSError:
            out["network"] = False
        try:
            open("p.py", "a").write("x")
            out["can_write_own_code"] = True
        except OSError:
            out["can_write_own_code"] = False
    """)
    assert report["course_visible"] is False and report["tmp_of_host"] is False
    assert set(report["repo_listing"]) <= {".venv"}
    assert report["network"] is False and report["can_write_own_code"] is False
    assert set(report["env"]) <= {"PATH", "HOME", "LANG", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                  "PYTHONDONTWRITEBYTECODE", "PWD"}
    assert report["uid"] != 0 if os.geteuid() == 0 else True
    assert report["pid"] < 10  # own PID namespace


def test_limits_memory_processes_and_file_size(tmp_path, sandbox_ready):
    report, _ = probe(tmp_path, """
        try:
            bytearray(3 * 1024**3)
            out["memory"] = "allocated"
        except MemoryError:
            out["memory"] = "MemoryError"
        children = 0
        try:
            for _ in range(500):
                if os.fork() == 0:
                    import time
                    time.sleep(30)
                    os._exit(0)
                children += 1
        except OSError:
            pass
        out["children"] = children
        try:
            with open("/tmp/big", "wb") as f:
                f.write(b"x" * (32 * 1024**2))
            out["big_file"] = True
        except OSError:
            out["big_file"] = False
    """, Limits(wall_seconds=30, nproc=32))
    assert report["memory"] == "MemoryError"
    assert report["children"] < 32
    assert report["big_file"] is False


def test_wall_time_is_enforced_from_outside(tmp_path, sandbox_ready):
    work = tmp_path / "w"
    work.mkdir()
    os.chmod(work, 0o755)
    (work / "p.py").write_text("import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                               "while True:\n    pass\n")
    run = run_sandboxed(work, ["python", "-I", "p.py"], Limits(wall_seconds=2))
    assert run.timed_out and run.wall_seconds < 10
