"""Bài tập 1 (MyInit) graded for real: one sandboxed autograde batch per notebook with the
reference, the released notebook and every sample (the endless loop excepted: the engine's
own tests cover time limits), each losing exactly its declared checks."""

import io
import json
import re
import shutil

import pytest

from grader.autograde.runner import autograde
from grader.exercises import EXERCISES
from grader.paths import Course
from grader.release import release
from grader.samples import LOOP, samples_for
from grader.sandbox.host import Limits
from grader_testlib import REPO

pytestmark = pytest.mark.slow


def grade_batch(root, assignment):
    """{student: (set of failed check ids, Outcome)} for one batch of every sample."""
    exercise = EXERCISES[assignment]
    root.mkdir(parents=True)
    shutil.copy(REPO / "grader" / "nbgrader_config.py", root / "nbgrader_config.py")
    course = Course(root.resolve())
    release(course, [assignment], stream=io.StringIO())
    released = json.loads(course.release(assignment, exercise.notebook).read_text())
    submissions = {"release": None,
                   "reference": re.sub(r"\s*### (BEGIN|END) SOLUTION\n", "\n",
                                       exercise.solution_code)}
    submissions.update({sample.name: sample.source for sample in samples_for(exercise)
                        if sample.kind != LOOP})
    for student, source in submissions.items():
        notebook = json.loads(json.dumps(released))
        for cell in notebook["cells"]:
            if source is not None and cell["metadata"].get("nbgrader", {}).get("solution"):
                cell["source"] = source
        directory = course.submitted(student, assignment)
        directory.mkdir(parents=True)
        (directory / f"{exercise.notebook}.ipynb").write_text(json.dumps(notebook))
    outcomes = autograde(course, assignment, jobs=2, limits=Limits(wall_seconds=90, cpu_seconds=90),
                         stream=io.StringIO())
    return {outcome.student: ({check.id for check in outcome.checks if not check.passed}, outcome)
            for outcome in outcomes}


def expected_failures(assignment):
    from test_my_init import sees_gpu
    exercise = EXERCISES[assignment]
    gpu = sees_gpu(exercise.framework)
    expected = {sample.name: sample.failed_checks(exercise, gpu) for sample in samples_for(exercise)
                if sample.kind != LOOP}
    expected["reference"] = set()
    expected["release"] = {check.id for check in exercise.checks}
    return expected


def check_batch(tmp_path, assignment):
    graded = grade_batch(tmp_path / "course", assignment)
    expected = expected_failures(assignment)
    assert set(graded) == set(expected)
    wrong = {student: (sorted(failed), sorted(expected[student]))
             for student, (failed, _) in graded.items() if failed != expected[student]}
    assert wrong == {}
    exercise = EXERCISES[assignment]
    assert graded["reference"][1].score == exercise.total_points
    assert graded["release"][1].score == 0
    for student, (failed, outcome) in graded.items():
        for check in outcome.checks:
            assert check.messages, (student, check.id)


@pytest.mark.parametrize("assignment", [name for name in EXERCISES
                                        if name.startswith("bai1-my-init-")])
def test_every_sample_graded_in_the_sandbox(tmp_path, sandbox_ready, assignment):
    check_batch(tmp_path, assignment)
