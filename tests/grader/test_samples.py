"""Soundness and completeness, per (exercise, framework, sample submission).

Each graded notebook is released into a throw-away course and every sample of
grader/samples/ (plus the reference solution and the untouched release) is
graded in one batch per notebook.  A correct sample must get full marks; a
wrong one must fail exactly the checks it declares, so it loses exactly
their points.
"""

import io

import pytest

from grader_testlib import new_course, notebook_with, reference_solution, released, submit
from grader.autograde.runner import autograde
from grader.exercises import EXERCISES
from grader.samples import CORRECT, samples_for
from grader.sandbox.host import Limits

pytestmark = pytest.mark.slow
TIMEOUT = 20
CASES = [(assignment, sample.name) for assignment, exercise in sorted(EXERCISES.items())
         for sample in samples_for(exercise)]


@pytest.fixture(scope="session")
def graded(tmp_path_factory, sandbox_ready):
    """assignment -> {student: Outcome}, each notebook's batch graded on first use."""
    batches = {}

    def grade(assignment):
        if assignment not in batches:
            exercise = EXERCISES[assignment]
            course = new_course(tmp_path_factory.mktemp(assignment), [assignment])
            release_nb = released(course, assignment)
            submit(course, "ban_phat_hanh", release_nb, assignment=assignment)
            submit(course, "loi_giai_mau", notebook_with(release_nb, reference_solution(exercise)),
                   assignment=assignment)
            for sample in samples_for(exercise):
                submit(course, sample.name, notebook_with(release_nb, sample.source),
                       assignment=assignment)
            outcomes = autograde(course, assignment, jobs=2, stream=io.StringIO(),
                                 limits=Limits(wall_seconds=TIMEOUT, cpu_seconds=TIMEOUT))
            batches[assignment] = {outcome.student: outcome for outcome in outcomes}
        return batches[assignment]
    return grade


def failed(outcome):
    return {check.id for check in outcome.checks if not check.passed}


@pytest.mark.parametrize("assignment", sorted(EXERCISES))
def test_reference_full_marks_release_zero(graded, assignment):
    outcomes = graded(assignment)
    total = EXERCISES[assignment].total_points
    assert outcomes["loi_giai_mau"].score == total, failed(outcomes["loi_giai_mau"])
    assert outcomes["ban_phat_hanh"].score == 0
    assert "NotImplementedError" in outcomes["ban_phat_hanh"].checks[0].messages[0]


@pytest.mark.parametrize("assignment", sorted(EXERCISES))
def test_enough_samples(assignment):
    samples = samples_for(EXERCISES[assignment])
    assert sum(sample.kind == CORRECT for sample in samples) >= 2
    assert sum(sample.kind == "wrong" for sample in samples) >= 5


@pytest.mark.parametrize("assignment,name", CASES)
def test_sample_loses_exactly_its_points(graded, assignment, name):
    exercise = EXERCISES[assignment]
    sample = next(s for s in samples_for(exercise) if s.name == name)
    outcome = graded(assignment)[name]
    expected = sample.failed_checks(exercise)
    assert failed(outcome) == expected, [c.messages for c in outcome.checks if not c.passed]
    lost = sum(check.points for check in exercise.checks if check.id in expected)
    assert outcome.score == exercise.total_points - lost
    for check in outcome.checks:
        if not check.passed:  # explained in Vietnamese, never a bare AssertionError
            assert check.messages and all("AssertionError" not in m for m in check.messages)
