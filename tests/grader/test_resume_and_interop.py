"""Resume after kill -9, nbgrader interoperability, Validate agrees with the engine, fail-closed."""

import csv
import html
import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time

import nbformat
import psutil
import pytest
from nbclient import NotebookClient

from grader_testlib import (ASSIGNMENT, CORRECT, FLIPPED, NOTEBOOK, REPO, new_course,
                            notebook_with, reference_solution, released, submit)
from grader.autograde.runner import autograde
from grader.errors import IsolationUnavailable
from grader.exercises import EXERCISES
from grader.notebook_builder import build_source_notebook, literal
from grader.samples import samples_for
from grader.sandbox import host
from grader.sandbox.uids import PAIRS, UID_BASE

ZEROS = """\
def cross_correlation(X, K):
    return torch.zeros((X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1),
                       dtype=X.dtype, device=X.device)
"""


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
        if uids and UID_BASE <= uids.real < UID_BASE + 2 * PAIRS:
            found.append(proc.pid)
    return found


@pytest.mark.slow
def test_resume_after_sigkill(tmp_path, sandbox_ready, released_notebook):
    course = new_course(tmp_path)
    slow = "import time\ntime.sleep(2)\n" + CORRECT
    students = [f"sv{i:02d}" for i in range(8)]
    for student in students:
        submit(course, student, notebook_with(released_notebook, slow))
    command = [sys.executable, "-m", "grader", "--course-dir", str(course.root), "autograde",
               ASSIGNMENT, "--jobs", "2", "--timeout", "40"]
    first = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and len(_rows(course)) < 2 and first.poll() is None:
        time.sleep(0.2)
    os.kill(first.pid, signal.SIGKILL)  # the hard way: no cleanup code runs
    first.wait()
    done_before = {s for s, _ in _rows(course)}
    assert 2 <= len(done_before) < len(students)
    time.sleep(1.0)
    assert _sandbox_processes() == []  # sandboxes died with the grader
    second = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=400)
    assert second.returncode == 0, second.stderr[-2000:]
    assert f"{len(done_before)} đã chấm từ trước" in second.stderr
    rows = dict(_rows(course))
    assert sorted(rows) == students and set(rows.values()) == {1}
    from nbgrader.api import Gradebook
    with Gradebook(course.db_url) as gradebook:
        assert all(gradebook.find_submission(ASSIGNMENT, s).score == 10 for s in students)


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
    out = io.StringIO()
    from grader.grades import export_grades
    export_grades(course, out)
    ours = {row["student_id"]: float(row["score"])
            for row in csv.DictReader(io.StringIO(out.getvalue()))}
    assert ours == exported


def test_nbgrader_generate_feedback_works_and_hides_tests(small_batch):
    course, _ = small_batch
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    result = subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", ASSIGNMENT,
                             "--force"], cwd=course.root, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    page = (course.root / "feedback" / "b_flipped" / ASSIGNMENT / (NOTEBOOK + ".html")).read_text()
    assert "Chưa đạt" in page and "BEGIN HIDDEN" not in page
    text = html.unescape(re.sub(r"<[^>]+>", "", page))  # code without its highlighting
    def inputs_of(check):  # how the builder writes a case's inputs into a test cell
        return [repr({name: literal(array) for name, array in case.arrays.items()})[:60]
                for case in check.cases]

    checks = EXERCISES[ASSIGNMENT].checks
    assert not [i for c in checks if c.hidden for i in inputs_of(c) if i in text]
    # The visible tests are there, so the search above can fail.
    assert all(i in text for c in checks if not c.hidden for i in inputs_of(c))


VALIDATE_CASES = [(assignment, name) for assignment in sorted(EXERCISES)
                  if assignment.startswith("bai3-")
                  for name in ("loi_giai_mau", "sai_lat_hat_nhan", "sai_thiet_bi",
                               "sai_co_dinh_thiet_bi")
                  if name == "loi_giai_mau"
                  or any(s.name == name for s in samples_for(EXERCISES[assignment]))]


@pytest.fixture(scope="module")
def release_dir(tmp_path_factory):
    return new_course(tmp_path_factory.mktemp("validate"),
                      sorted(a for a in EXERCISES if a.startswith("bai3-")))


@pytest.mark.slow
@pytest.mark.parametrize("assignment,name", VALIDATE_CASES)
def test_validate_in_a_kernel_agrees_with_the_engine(release_dir, assignment, name):
    """JupyterLab's Validate runs the visible test cells in the student's kernel with
    the grader's own code: a visible check fails there exactly when the engine fails it
    (the engine's verdicts on these samples are asserted in test_samples.py)."""
    exercise = EXERCISES[assignment]
    sample = next((s for s in samples_for(exercise) if s.name == name), None)
    source = reference_solution(exercise) if sample is None else sample.source
    expected_failures = set() if sample is None else sample.failed_checks(exercise)
    nb = nbformat.reads(json.dumps(notebook_with(released(release_dir, assignment), source)),
                        as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True).execute()
    visible = {c.id for c in exercise.checks if not c.hidden}
    verdicts = {}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id == "check_helpers":
            assert not any(o.output_type == "error" for o in cell.outputs), cell.outputs
        if grade_id in visible:
            errors = [o for o in cell.outputs if o.output_type == "error"]
            verdicts[grade_id] = not errors
            for error in errors:  # a Vietnamese explanation, not a bare assertion
                assert error.ename == "AssertionError" and error.evalue.strip(), error
    assert verdicts == {check: check not in expected_failures for check in visible}


def test_refuses_without_bwrap(tmp_path, monkeypatch, released_notebook):
    course = new_course(tmp_path)
    submit(course, "x", notebook_with(released_notebook, CORRECT))
    monkeypatch.setattr(host.shutil, "which", lambda name: None)
    with pytest.raises(IsolationUnavailable) as error:
        autograde(course, ASSIGNMENT, stream=io.StringIO())
    assert "bubblewrap" in error.value.message and "allow_unsafe" in error.value.message
    assert _rows(course) == []


def test_refuses_without_a_memory_limit_unless_allowed(monkeypatch):
    monkeypatch.setattr(host.cgroups, "probe", lambda: "không có cgroup")
    with pytest.raises(IsolationUnavailable) as error:
        host.decide_isolation(False, False, gpu_present=False)
    assert "giới hạn bộ nhớ" in error.value.message
    allowed = host.decide_isolation(False, True, gpu_present=False)
    assert not allowed.cgroups and allowed.address_space_bytes and allowed.warnings
    # With a GPU no address-space cap: CUDA reserves huge virtual ranges.
    assert host.decide_isolation(False, True, gpu_present=True).address_space_bytes is None


@pytest.mark.parametrize("assignment", sorted(EXERCISES))
def test_points_defined_once(assignment):
    exercise = EXERCISES[assignment]
    nb = build_source_notebook(exercise)
    points = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
              for c in nb.cells if c.metadata["nbgrader"].get("grade")}
    assert points == {c.id: c.points for c in exercise.checks}
    hidden = [c for c in nb.cells if "BEGIN HIDDEN TESTS" in c.source]
    assert len(hidden) == len([c for c in exercise.checks if c.hidden])


@pytest.mark.slow
def test_allow_unsafe_grades_without_sandbox(tmp_path, monkeypatch, released_notebook):
    """The explicit opt-out still grades (limits and timeout, no isolation) and says so."""
    course = new_course(tmp_path)
    submit(course, "x", notebook_with(released_notebook, CORRECT))
    monkeypatch.setattr(host.shutil, "which", lambda name: None)
    log = io.StringIO()
    outcomes = autograde(course, ASSIGNMENT, allow_unsafe=True, stream=log)
    assert [o.score for o in outcomes] == [10]
    assert "KHÔNG cách ly" in log.getvalue()


@pytest.mark.slow
def test_force_regrades_without_duplicates(small_batch):
    course, outcomes = small_batch
    again = autograde(course, ASSIGNMENT, jobs=1, stream=io.StringIO())
    assert again == []  # everything is recorded: nothing to do
    regraded = autograde(course, ASSIGNMENT, jobs=1, force=True, students=["b_flipped"],
                         stream=io.StringIO())
    assert [o.score for o in regraded] == [outcomes["b_flipped"].score]
    assert sorted(_rows(course)) == [("a_correct", 1), ("b_flipped", 1), ("c_zeros", 1)]
