"""The sandbox itself: what the student process can see and do, limits per sandbox,
uid leases, and the wire format's refusal of malformed data."""

import os
import random
import threading

import numpy as np
import pytest

from grader_testlib import REPO, REPORT_MARK, run_cells
from grader import wire
from grader.sandbox import cgroups, uids
from grader.sandbox.host import Limits

REPORT = f"import json\ndef report(**values):\n    print({REPORT_MARK!r} + json.dumps(values), flush=True)\n"


def test_sees_no_course_tree_no_network_no_plan_and_a_clean_environment(tmp_path, sandbox_ready):
    run, reports = run_cells(tmp_path, [REPORT + f"""
import os, socket
found = {{}}
found["course_visible"] = os.path.exists({str(REPO / "grader")!r})
found["host_tmp_visible"] = os.path.exists({str(tmp_path)!r})
found["code_dir"] = sorted(os.listdir("/sandbox/code"))
found["env"] = sorted(os.environ)
found["uid"] = os.getuid()
found["pid"] = os.getpid()
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2)
    found["network"] = True
except OSError:
    found["network"] = False
try:
    open("/sandbox/code/runner.py", "a").write("x")
    found["can_write_code"] = True
except OSError:
    found["can_write_code"] = False
report(**found)
"""])
    (found,) = reports
    assert found["course_visible"] is False and found["host_tmp_visible"] is False
    # The plan (every probe's inputs) is never a file in the sandbox.
    assert not [name for name in found["code_dir"] if "plan" in name or name.endswith(".json")]
    assert found["network"] is False and found["can_write_code"] is False
    assert set(found["env"]) <= {"PATH", "HOME", "LANG", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                 "PYTHONDONTWRITEBYTECODE", "TF_CPP_MIN_LOG_LEVEL", "MPLBACKEND",
                                 "PWD", "MXNET_ENGINE_TYPE"}
    if os.geteuid() == 0:
        assert uids.UID_BASE <= found["uid"] < uids.UID_BASE + 2 * uids.PAIRS
    assert found["pid"] < 10  # own PID namespace


def test_student_process_cannot_reach_the_observer(tmp_path, sandbox_ready):
    run, reports = run_cells(tmp_path, [REPORT + """
import os, signal
results = {}
for pid in range(1, 10):
    if pid == os.getpid():
        continue
    try:
        os.kill(pid, signal.SIGKILL)
        results[pid] = "killed"
    except ProcessLookupError:
        pass
    except PermissionError:
        results[pid] = "refused"
report(results=results)
"""])
    (found,) = reports
    # The launcher (root) and the observer (another uid) are out of reach when grading
    # as root; the run still finished normally.
    if os.geteuid() == 0:
        assert found["results"] and set(found["results"].values()) == {"refused"}
    assert any(header.get("type") == "loaded" for header, _ in run.messages)


@pytest.mark.skipif(os.geteuid() != 0 or cgroups.probe() is not None,
                    reason="needs root and a cgroup hierarchy (as in CI)")
def test_memory_and_processes_are_limited_per_sandbox(tmp_path, sandbox_ready):
    run, reports = run_cells(tmp_path, [REPORT + """
import os, time
children = 0
try:
    for _ in range(500):
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
        children += 1
except OSError:
    pass
report(children=children)
blocks = []
while True:
    block = bytearray(50 * 1024**2)
    block[::4096] = b"x" * len(block[::4096])
    blocks.append(block)
"""], limits=Limits(wall_seconds=40, cpu_seconds=40, memory_bytes=768 * 1024**2, processes=48))
    (found,) = reports
    assert found["children"] < 48
    assert run.memory_exceeded and not run.timed_out


def test_file_size_and_wall_time(tmp_path, sandbox_ready):
    run, reports = run_cells(tmp_path, [REPORT + """
try:
    with open("/tmp/big", "wb") as handle:
        handle.write(b"x" * (32 * 1024**2))
    report(big_file=True)
except OSError:
    report(big_file=False)
import signal
signal.signal(signal.SIGTERM, signal.SIG_IGN)
while True:
    pass
"""], limits=Limits(wall_seconds=8, cpu_seconds=30))
    assert reports == [{"big_file": False}]
    assert run.timed_out and run.wall_seconds < 20


@pytest.mark.skipif(os.geteuid() != 0, reason="uid pairs are leased when grading as root")
def test_uid_pairs_are_private_and_released():
    leases = [uids.lease() for _ in range(20)]
    used = {lease.observer_uid for lease in leases} | {lease.student_uid for lease in leases}
    assert len(used) == 40  # no two sandboxes share a uid
    first = leases[0]
    first.release()
    again = [uids.lease() for _ in range(8)]
    for lease in leases[1:] + again:
        lease.release()
    assert all(uid >= uids.UID_BASE for uid in used)


@pytest.mark.skipif(os.geteuid() != 0, reason="uid pairs are leased when grading as root")
def test_concurrent_leases_never_collide():
    leases, lock = [], threading.Lock()

    def take():
        lease = uids.lease()
        with lock:
            leases.append(lease)

    threads = [threading.Thread(target=take) for _ in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({lease.student_uid for lease in leases}) == 32
    for lease in leases:
        lease.release()


def test_wire_round_trip_and_strictness():
    arrays = {"X": np.arange(12, dtype=np.float32).reshape(3, 4), "m": np.array([True, False])}
    data = wire.encode({"type": "answer", "obs": {"kind": "tensor", "shape": [3, 4]}}, arrays)
    header, decoded, used = wire.decode(data)
    assert used == len(data) and header["obs"]["shape"] == [3, 4]
    assert np.array_equal(decoded["X"], arrays["X"]) and decoded["m"].dtype == np.bool_
    with pytest.raises(wire.WireError):
        wire.encode({}, {"o": np.array([object()], dtype=object)})  # no pickled objects
    with pytest.raises(wire.WireError):
        wire.decode(data[:-3])  # truncated payload
    bad_dtype = b'{"arrays": [{"name": "x", "dtype": "|O", "shape": [1]}]}\n' + b"\0" * 8
    with pytest.raises(wire.WireError):
        wire.decode(bad_dtype)
    huge = b'{"arrays": [{"name": "x", "dtype": "<f8", "shape": [100000, 100000]}]}\n'
    with pytest.raises(wire.WireError):
        wire.decode(huge, max_elements=10**6)


def test_wire_never_fails_other_than_wire_error_on_random_bytes():
    rng = random.Random(7)
    good = wire.encode({"type": "x"}, {"a": np.ones(3)})
    for _ in range(2000):
        data = bytearray(good)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            wire.decode(bytes(data))
        except wire.WireError:
            pass
    messages, torn = wire.decode_all(good + good + good[:10])
    assert len(messages) == 2 and torn
