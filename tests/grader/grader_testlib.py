"""Helpers of the grader tests: throw-away courses, submissions, sandboxed runs."""

import copy
import io
import json
import re
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from grader.autograde.plan import encode_plan, write_bundle  # noqa: E402
from grader.exercises import EXERCISES  # noqa: E402
from grader.paths import Course  # noqa: E402
from grader.sandbox.host import Limits, decide_isolation, run_plan  # noqa: E402

REPORT_MARK = "REPORT:"
# The notebook most engine tests use, and two student solutions of it.
ASSIGNMENT = "bai3-cross-correlation-pytorch"
NOTEBOOK = EXERCISES[ASSIGNMENT].notebook


def new_course(tmp_path, assignments=(ASSIGNMENT,)) -> Course:
    from grader.release import release
    root = Path(tmp_path) / "course"
    root.mkdir(parents=True)
    shutil.copy(REPO / "grader" / "nbgrader_config.py", root / "nbgrader_config.py")
    course = Course(root.resolve())
    release(course, list(assignments), stream=io.StringIO())
    return course


def released(course, assignment) -> dict:
    exercise = EXERCISES[assignment]
    return json.loads(course.release(assignment, exercise.notebook).read_text())


def reference_solution(exercise) -> str:
    return re.sub(r"[ \t]*### (BEGIN|END) SOLUTION\n", "", exercise.solution_code)


def notebook_with(released_nb, solution) -> dict:
    nb = copy.deepcopy(released_nb)
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("solution"):
            cell["source"] = solution
    return nb


def submit(course, student, content, name=None, assignment=ASSIGNMENT) -> Path:
    """Write a submission; ``content`` is a notebook dict, str or bytes."""
    exercise = EXERCISES[assignment]
    directory = course.submitted(student, assignment)
    directory.mkdir(parents=True, exist_ok=True)
    if isinstance(content, dict):
        content = json.dumps(content)
    if isinstance(content, str):
        content = content.encode()
    (directory / (name or f"{exercise.notebook}.ipynb")).write_bytes(content)
    return directory


def all_failing(exercise):
    """CheckResults of a submission that could not run at all."""
    from grader.autograde.plan import Census
    from grader.autograde.verify import verify
    from grader.frameworks import facts
    cpu = facts(exercise.framework).cpu
    census = Census(exercise.framework, "", (cpu,), facts(exercise.framework).stand_in)
    return verify(exercise, census, [], None, "", Limits()).checks


def run_cells(tmp_path, cells, framework="pytorch", limits=None, probes=()):
    """Run ``cells`` in a real sandbox's student process; returns (SandboxRun, reports).

    Cells report by printing a line ``REPORT:<json>`` (stdout is the only way out
    of the student process besides the answer FIFO)."""
    bundle = write_bundle(Path(tmp_path) / "bundle", framework, "calls")
    isolation = decide_isolation(False, False, gpu_present=False)
    run = run_plan(bundle, encode_plan(list(cells), list(probes)),
                   limits or Limits(wall_seconds=30, cpu_seconds=30), isolation)
    reports = [json.loads(line[len(REPORT_MARK):]) for line in run.stdout_tail.splitlines()
               if line.startswith(REPORT_MARK)]
    return run, reports


def _sample(name):
    from grader.samples import samples_for
    return next(s.source for s in samples_for(EXERCISES[ASSIGNMENT]) if s.name == name)


CORRECT = _sample("dung_vong_lap")
FLIPPED = _sample("sai_lat_hat_nhan")
