"""GPU checks (`make gpu-check`): every check also runs on each GPU the framework sees.

Runs where a CUDA build of PyTorch sees a GPU; skipped elsewhere (``make test``
never needs one).  It drives the sandbox directly (plan, run, verify), without
nbgrader, so it also runs on a machine that has only PyTorch and numpy:
``python3 -m pytest --noconftest -m gpu tests/grader/test_gpu.py``.
"""

import os
import re
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU here")]

from grader.autograde.plan import (census_from, census_plan, encode_plan, probes,  # noqa: E402
                                   write_bundle)
from grader.autograde.verify import verify  # noqa: E402
from grader.exercises import EXERCISES  # noqa: E402
from grader.samples import samples_for  # noqa: E402
from grader.sandbox.host import Limits, decide_isolation, run_plan  # noqa: E402

ASSIGNMENT = "bai3-cross-correlation-pytorch"
EXERCISE = EXERCISES[ASSIGNMENT]
LIMITS = Limits(wall_seconds=120, cpu_seconds=120, memory_bytes=16 * 1024**3)


@pytest.fixture(scope="module")
def setup():
    isolation = decide_isolation(allow_unsafe=True, allow_no_memory_limit=True, gpu_present=True)
    print(f"\nCách ly: bwrap={isolation.bwrap}, cgroup={isolation.cgroups}; "
          + "; ".join(isolation.warnings))
    bundle = write_bundle(Path(tempfile.mkdtemp(prefix="gpu-check-")) / "bundle", "pytorch", "calls")
    census = census_from(run_plan(bundle, census_plan(), LIMITS, isolation), "pytorch")
    print(f"Kiểm kê thiết bị (PyTorch {census.version}): {', '.join(census.devices)}")
    return bundle, isolation, census


def grade(setup, solution):
    bundle, isolation, census = setup
    planned = probes(EXERCISE, census)
    run = run_plan(bundle, encode_plan([EXERCISE.setup_code, solution], planned), LIMITS, isolation)
    verdict = verify(EXERCISE, census, planned, run, solution, LIMITS, [1])
    if verdict.failure:  # what the sandbox said, for whoever reads the failure
        print(f"Lần chạy: mã thoát {run.exit_code}, {run.wall_seconds:.1f} giây, thông điệp "
              f"{[header.get('type') for header, _ in run.messages][:8]}, cắt ngang={run.torn}\n"
              f"stderr: {run.stderr_tail[-3000:]}\nstdout: {run.stdout_tail[-1000:]}")
    return verdict, planned


def test_census_sees_every_gpu_torch_sees(setup):
    _, _, census = setup
    expected = ["cpu"] + [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    assert list(census.devices) == expected and census.accelerators


def test_reference_full_marks_with_every_check_on_the_gpu(setup):
    reference = re.sub(r"[ \t]*### (BEGIN|END) SOLUTION\n", "", EXERCISE.solution_code)
    verdict, planned = grade(setup, reference)
    assert [c.id for c in verdict.checks if not c.passed] == [], verdict.failure
    on_gpu = [probe for probe in planned if probe.device.startswith("cuda")]
    assert {probe.check_id for probe in on_gpu} >= {"xcorr_values", "xcorr_hidden_values",
                                                    "xcorr_device", "xcorr_gradient"}
    assert not [probe for probe in planned if probe.device == "meta"]  # a real GPU: no stand-in
    print(f"Lời giải mẫu: {sum(c.points for c in verdict.checks)}/{EXERCISE.total_points} điểm, "
          f"{len(on_gpu)} lần thử trên GPU")


@pytest.mark.parametrize("name,fails", [
    ("dung_vong_lap", set()), ("dung_unfold", set()), ("dung_future_stack", set()),
    ("sai_thiet_bi", {"xcorr_device"}), ("sai_dung_conv2d", {"xcorr_no_builtin"}),
    ("sai_gia_dinh_lien_bo_nho", {"xcorr_hidden_values"}),
    ("sai_lat_hat_nhan", {"xcorr_values", "xcorr_nonsquare", "xcorr_hidden_values",
                          "xcorr_no_builtin", "xcorr_gradient"}),
])
def test_samples_on_the_gpu(setup, name, fails):
    sample = next(s for s in samples_for(EXERCISE) if s.name == name)
    verdict, _ = grade(setup, sample.source)
    failed = {c.id for c in verdict.checks if not c.passed}
    assert failed == fails, [c.messages for c in verdict.checks if not c.passed]
    if name == "sai_thiet_bi":
        device = next(c for c in verdict.checks if c.id == "xcorr_device")
        assert any("cuda:0" in message for message in device.messages)
