"""GPU checks of Bài tập 1 and 2 (PyTorch): every check also runs on each GPU PyTorch sees.

Like test_gpu.py (cross_correlation): runs where a CUDA build of PyTorch sees a GPU,
skipped elsewhere, and drives the sandbox directly (plan, run, verify) without
nbgrader: ``python3 -m pytest --noconftest -m gpu tests/grader/test_my_init_dense_gpu.py``.
A few samples only, chosen for what a GPU changes: values copied from the CPU into
a parameter on the GPU, a parameter replaced by one on the CPU, a tensor made on the
CPU inside the forward pass (which then fails every check run on the GPU).
"""

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

LIMITS = Limits(wall_seconds=120, cpu_seconds=120, memory_bytes=16 * 1024**3)
SAMPLES = {"bai1-my-init-pytorch": ("dung_numpy", "sai_thay_tham_so", "sai_dat_seed"),
           "bai2-my-dense-pytorch": ("dung_addmm", "sai_thiet_bi", "sai_dung_data")}


@pytest.fixture(scope="module")
def setup():
    isolation = decide_isolation(allow_unsafe=True, allow_no_memory_limit=True, gpu_present=True)
    root = Path(tempfile.mkdtemp(prefix="gpu-check-exercises-"))
    bundles = {name: write_bundle(root / name, "pytorch", EXERCISES[name].probes)
               for name in SAMPLES}
    census = census_from(run_plan(next(iter(bundles.values())), census_plan(), LIMITS, isolation),
                         "pytorch")
    return bundles, isolation, census


def grade(setup, assignment, solution):
    bundles, isolation, census = setup
    exercise = EXERCISES[assignment]
    planned = probes(exercise, census)
    run = run_plan(bundles[assignment], encode_plan([exercise.setup_code, solution], planned),
                   LIMITS, isolation)
    verdict = verify(exercise, census, planned, run, solution, LIMITS, [1])
    if verdict.failure:
        print(f"stderr: {run.stderr_tail[-3000:]}\nstdout: {run.stdout_tail[-1000:]}")
    return verdict, planned


@pytest.mark.parametrize("assignment", sorted(SAMPLES))
def test_reference_full_marks_with_every_check_on_the_gpu(setup, assignment):
    exercise = EXERCISES[assignment]
    reference = re.sub(r"[ \t]*### (BEGIN|END) SOLUTION\n", "", exercise.solution_code)
    verdict, planned = grade(setup, assignment, reference)
    assert [c.id for c in verdict.checks if not c.passed] == [], verdict.failure
    on_gpu = {probe.check_id for probe in planned if probe.device.startswith("cuda")}
    cpu_only = {check.id for check in exercise.checks if check.devices == "cpu"}
    assert on_gpu == {check.id for check in exercise.checks} - cpu_only
    print(f"{assignment}: {sum(c.points for c in verdict.checks)}/{exercise.total_points} điểm, "
          f"{sum(p.device.startswith('cuda') for p in planned)} lần thử trên GPU")


@pytest.mark.parametrize("assignment,name", [(a, n) for a, names in sorted(SAMPLES.items())
                                             for n in names])
def test_samples_on_the_gpu(setup, assignment, name):
    exercise = EXERCISES[assignment]
    sample = next(s for s in samples_for(exercise) if s.name == name)
    verdict, _ = grade(setup, assignment, sample.source)
    failed = {c.id for c in verdict.checks if not c.passed}
    assert failed == sample.failed_checks(exercise, gpu=True), \
        [c.messages for c in verdict.checks if not c.passed]
