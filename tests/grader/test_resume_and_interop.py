"""Resume after kill -9, nbgrader interoperability, fail-closed, one definition."""

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import nbformat
import psutil
import pytest
from nbclient import NotebookClient

from grader_testlib import (ASSIGNMENT, CORRECT, FLIPPED, NOTEBOOK, REPO, ZEROS, new_course,
                      notebook_with, submit)
from grader import sandbox
from grader.autograde.runner import GradingError, autograde
from grader.checks import EXERCISES, exercise_for
from grader.notebook_builder import build_source_notebook
from grader.sandbox import ROOT_SLOT_UID_BASE

EXERCISE = exercise_for(ASSIGNMENT)


def _rows(course):
    db = sqlite3.connect(str(course.root / "gradebook.db"))
    try:
        return db.execute("SELECT student_id, COUNT(*) FROM submitted_assignment "
                          "GROUP BY student_id").fetchall()
    finally:
        db.close()


def _sandbox_processes():
    found = []
    for proc in psutil.process_iter(["uids"]):
        uids = proc.info["uids"]
        if uids and ROOT_SLOT_UID_BASE <= uids.real < ROOT_SLOT_UID_BASE + 64:
            found.append(proc.pid)
    return found


@pytest.mark.slow
def test_resume_after_sigkill(tmp_path, sandbox_ready, released_notebook):
    course = new_course(tmp_path)
    slow = "import time\ntime.sleep(2)\n" + CORRECT
    students = ["sv%02d" % i for i in range(8)]
    for student in students:
        submit(course, student, notebook_with(released_notebook, slow))
    command = [sys.executable, "-m", "grader", "--course-dir", str(course.root), "autograde",
               ASSIGNMENT, "--jobs", "2", "--timeout", "30"]
    first = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(_rows(course)) < 2 and first.poll() is None:
        time.sleep(0.2)
    os.kill(first.pid, signal.SIGKILL)  # the hard way: no cleanup code runs
    first.wait()
    done_before = {s for s, _ in _rows(course)}
    assert 2 <= len(done_before) < len(students)
    time.sleep(1.0)
    assert _sandbox_processes() == []  # sandboxes died with the grader
    second = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "%d đã chấm từ trước" % len(done_before) in second.stderr
    rows = dict(_rows(course))
    assert sorted(rows) == students and set(rows.values()) == {1}
    with open(course.root / "gradebook.db", "rb"):
        pass
    from nbgrader.api import Gradebook
    with Gradebook(course.db_url) as gb:
        assert all(gb.find_submission(ASSIGNMENT, s).score == 10 for s in students)


@pytest.fixture(scope="module")
def small_batch(tmp_path_factory, sandbox_ready, released_notebook):
    course = new_course(tmp_path_factory.mktemp("interop"))
    for student, source in [("a_correct", CORRECT), ("b_flipped", FLIPPED), ("c_zeros", ZEROS)]:
        submit(course, student, notebook_with(released_notebook, source))
    outcomes = autograde(course, ASSIGNMENT, jobs=2, stream=io.StringIO())
    return course, {o.student: o for o in outcomes}


def test_nbgrader_export_matches(small_batch):
    course, outcomes = small_batch
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    subprocess.run([sys.executable, "-m", "nbgrader", "export"], cwd=course.root, env=env,
                   check=True, capture_output=True)
    with open(course.root / "grades.csv") as handle:
        exported = {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle)}
    assert exported == {"a_correct": 10.0, "b_flipped": float(outcomes["b_flipped"].score),
                        "c_zeros": 3.0}
    # And our own CSV agrees with nbgrader's.
    out = io.StringIO()
    from grader.grades import export_grades
    export_grades(course, out)
    ours = {row["student_id"]: float(row["score"]) for row in csv.DictReader(io.StringIO(out.getvalue()))}
    assert ours == exported


def test_nbgrader_generate_feedback_works_and_hides_tests(small_batch):
    course, _ = small_batch
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    result = subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", ASSIGNMENT,
                             "--force"], cwd=course.root, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    page = (course.root / "feedback" / "b_flipped" / ASSIGNMENT / (NOTEBOOK + ".html")).read_text()
    assert "Chưa đạt" in page and "BEGIN HIDDEN" not in page
    assert "observe_gradient(cross_correlation" not in page  # hidden gradient test code


def test_visible_checks_agree_with_engine(small_batch, released_notebook):
    """Validate (student kernel) and the trusted engine give the same verdicts."""
    course, outcomes = small_batch
    visible = [c.id for c in EXERCISE.checks if not c.hidden]
    for student, source in [("b_flipped", FLIPPED), ("c_zeros", ZEROS)]:
        nb = nbformat.reads(json.dumps(notebook_with(released_notebook, source)), as_version=4)
        NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
        in_kernel = {}
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in visible:
                in_kernel[grade_id] = not any(o.output_type == "error" for o in cell.outputs)
        engine = {c.id: c.passed for c in outcomes[student].checks if c.id in visible}
        assert in_kernel == engine, student


def test_refuses_without_bwrap(tmp_path, monkeypatch, released_notebook):
    course = new_course(tmp_path)
    submit(course, "x", notebook_with(released_notebook, CORRECT))
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    with pytest.raises(GradingError) as error:
        autograde(course, ASSIGNMENT, stream=io.StringIO())
    assert "bubblewrap" in error.value.message and "--allow-unsafe" in error.value.message
    assert _rows(course) == []


def test_source_notebooks_are_generated_from_definitions():
    for exercise in EXERCISES.values():
        path = REPO / "grader" / "source" / exercise.assignment / (exercise.notebook + ".ipynb")
        assert path.read_text(encoding="utf-8") == nbformat.writes(build_source_notebook(exercise)), (
            "grader/source is stale: run `python -m grader release`")


def test_points_defined_once():
    nb = build_source_notebook(EXERCISE)
    points = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
              for c in nb.cells if c.metadata["nbgrader"].get("grade")}
    assert points == {c.id: c.points for c in EXERCISE.checks}
    hidden = [c for c in nb.cells if "BEGIN HIDDEN TESTS" in c.source]
    assert len(hidden) == len([c for c in EXERCISE.checks if c.hidden])


def test_allow_unsafe_grades_without_sandbox(tmp_path, monkeypatch, released_notebook):
    """The explicit opt-out still grades (rlimits + timeout only) and says so."""
    course = new_course(tmp_path)
    submit(course, "x", notebook_with(released_notebook, CORRECT))
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    log = io.StringIO()
    outcomes = autograde(course, ASSIGNMENT, allow_unsafe=True, stream=log)
    assert [o.score for o in outcomes] == [10]
    assert "KHÔNG cách ly" in log.getvalue()


def test_force_regrades_without_duplicates(small_batch):
    course, outcomes = small_batch
    again = autograde(course, ASSIGNMENT, jobs=1, stream=io.StringIO())
    assert again == []  # everything is recorded: nothing to do
    regraded = autograde(course, ASSIGNMENT, jobs=1, force=True, students=["b_flipped"],
                         stream=io.StringIO())
    assert [o.score for o in regraded] == [outcomes["b_flipped"].score]
    assert sorted(_rows(course)) == [("a_correct", 1), ("b_flipped", 1), ("c_zeros", 1)]
