"""Late submissions as nbgrader defines them: the due date (plus extension) in
the gradebook and the LateSubmissionPlugin named in nbgrader_config.py.  The
engine applies the penalty once; regrading recomputes it, never adds to it."""

import csv
import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from nbgrader.plugins import LateSubmissionPlugin

from grader_testlib import (ASSIGNMENT, CORRECT, NOTEBOOK, REPO, all_failing, new_course,
                            notebook_with, submit)
from grader.autograde.record import late_remark, record_outcome
from grader.autograde.verify import Outcome
from grader.exercises import exercise_for
from grader.grades import export_grades
from grader.late import LatePolicy, LatePolicyError, describe_lateness

DUE = "2025-01-10 23:59:00+07:00"          # 16:59 UTC
ON_TIME = "2025-01-10 16:00:00.000000 UTC"
LATE = "2025-01-11 18:59:00.000000 UTC"    # one day and two hours late
TESTS_DIR = str(Path(__file__).resolve().parent)


class ThirtyPercentOff(LateSubmissionPlugin):
    """A course-defined policy: late work loses 30% of its score."""

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        return 0.3 * score


def use_policy(course, plugin_class):
    with open(course.root / "nbgrader_config.py", "a", encoding="utf-8") as config:
        config.write("\nc.AssignLatePenalties.plugin_class = %r\n" % plugin_class)


def set_due_date(course, duedate=DUE):
    with Gradebook(course.db_url) as gradebook:
        gradebook.update_or_create_assignment(ASSIGNMENT, duedate=duedate)


def full_marks(student, timestamp):
    outcome = Outcome(student, ASSIGNMENT, status="graded", timestamp=timestamp)
    outcome.checks = all_failing(exercise_for(ASSIGNMENT))
    for check in outcome.checks:
        check.passed = True
    return outcome


def recorded(course, student):
    with Gradebook(course.db_url) as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, student)
        notebook = gradebook.find_submission_notebook(NOTEBOOK, ASSIGNMENT, student)
        comment = [c.auto_comment for c in notebook.comments if c.auto_comment][0]
        return (submission.score, submission.late_submission_penalty, submission.extension,
                comment)


def csv_rows(course):
    out = io.StringIO()
    export_grades(course, out)
    return {row["student_id"]: row for row in csv.DictReader(io.StringIO(out.getvalue()))}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = new_course(tmp_path_factory.mktemp("late"))
    use_policy(course, "test_late_penalty.ThirtyPercentOff")
    set_due_date(course)
    return course


def test_penalty_applied_once_and_recomputed_on_regrade(course):
    with Gradebook(course.db_url) as gradebook:
        record_outcome(gradebook, full_marks("muon", LATE))
        record_outcome(gradebook, full_marks("dunghan", ON_TIME))
    score, penalty, _, comment = recorded(course, "muon")
    assert (score, penalty) == (10, 3)
    assert "Nộp muộn 1 ngày 2 giờ" in comment and "trừ 3 điểm" in comment
    assert recorded(course, "dunghan")[:2] == (10, 0)

    for _ in range(2):  # regrading twice
        with Gradebook(course.db_url) as gradebook:
            record_outcome(gradebook, full_marks("muon", LATE))
    assert recorded(course, "muon")[:2] == (10, 3)
    row = csv_rows(course)["muon"]
    assert (float(row["raw_score"]), float(row["late_submission_penalty"]),
            float(row["score"])) == (10, 3, 7)


def test_extension_survives_regrading_and_cancels_the_penalty(course):
    with Gradebook(course.db_url) as gradebook:
        record_outcome(gradebook, full_marks("giahan", LATE))
        gradebook.find_submission(ASSIGNMENT, "giahan").extension = timedelta(days=2)
        gradebook.db.commit()
        record_outcome(gradebook, full_marks("giahan", LATE))
    score, penalty, extension, comment = recorded(course, "giahan")
    assert (score, penalty, extension) == (10, 0, timedelta(days=2))
    assert "muộn" not in comment


class Fixed(LateSubmissionPlugin):
    points = 0.0

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        return self.points


def test_penalty_clamped_like_nbgrader():
    policy = LatePolicy(Fixed())
    policy.plugin.points = 100.0
    assert policy.penalty("sv", 4.0, 60) == 4.0
    policy.plugin.points = -2.0
    assert policy.penalty("sv", 4.0, 60) == 0.0


def test_nbgrader_built_in_methods():
    zero = LatePolicy(LateSubmissionPlugin(penalty_method="zero"))
    none = LatePolicy(LateSubmissionPlugin(penalty_method="none"))
    assert zero.penalty("sv", 8.0, 3600) == 8.0
    assert zero.penalty("sv", 8.0, 0) is None
    assert none.penalty("sv", 8.0, 3600) is None


def test_course_config_chooses_the_policy(tmp_path):
    config = tmp_path / "nbgrader_config.py"
    config.write_text((REPO / "grader" / "nbgrader_config.py").read_text())
    policy = LatePolicy.from_course(tmp_path)
    assert policy.plugin.penalty_method == "zero"  # the course's setting
    config.write_text("c.AssignLatePenalties.plugin_class = 'khong.co.lop.nay'\n")
    with pytest.raises(LatePolicyError, match="Không nạp được"):
        LatePolicy.from_course(tmp_path)


def test_vietnamese_lateness():
    assert describe_lateness(30) == "chưa tới 1 phút"
    assert describe_lateness(45 * 60) == "45 phút"
    assert describe_lateness(26 * 3600 + 120) == "1 ngày 2 giờ"
    assert late_remark(0, None) == ""
    assert "không" not in late_remark(60, None) and "trừ" not in late_remark(60, None)


@pytest.mark.slow
def test_engine_cli_applies_the_penalty_once_when_regrading(tmp_path, sandbox_ready,
                                                            released_notebook):
    course = new_course(tmp_path)
    use_policy(course, "test_late_penalty.ThirtyPercentOff")
    set_due_date(course)
    for student, timestamp in (("sv01", LATE), ("sv02", ON_TIME)):
        folder = submit(course, student, notebook_with(released_notebook, CORRECT))
        (folder / "timestamp.txt").write_text(timestamp)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([TESTS_DIR, str(REPO)]))
    env.pop("GRADER_COURSE_DIR", None)  # the policy must come from --course-dir's course
    base = [sys.executable, "-m", "grader", "--course-dir", str(course.root)]
    for extra in ([], ["--force"]):
        result = subprocess.run(base + ["autograde", ASSIGNMENT, "--jobs", "2", *extra], cwd=REPO,
                                env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        rows = csv_rows(course)
        assert (float(rows["sv01"]["raw_score"]), float(rows["sv01"]["score"])) == (10, 7), \
            result.stderr[-3000:]
        assert float(rows["sv02"]["score"]) == 10
