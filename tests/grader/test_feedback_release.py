"""Feedback pages carry what `nbgrader release_feedback` needs, with modes that
let only the right student read the released copy; `make grades` is clean CSV."""

import hashlib
import os
import stat
import subprocess
import sys

import pytest
from nbgrader.api import Gradebook

from grader_testlib import ASSIGNMENT, NOTEBOOK, REPO, new_course
from grader.autograde.record import build_autograded_notebook, record_outcome, write_autograded
from grader.exchange import install_jupyter_config
from grader.feedback import generate_feedback
from grader.setup import setup
from test_late_penalty import DUE, LATE, ON_TIME, full_marks, set_due_date


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def grade(course, student, timestamp, secret=None):
    """What collect + the engine leave behind, without running a sandbox."""
    folder = course.submitted(student, ASSIGNMENT)
    folder.mkdir(parents=True)
    (folder / (NOTEBOOK + ".ipynb")).write_text("{}")
    if secret is not None:
        (folder / "submission_secret.txt").write_text(secret)
    outcome = full_marks(student, timestamp)
    notebook = build_autograded_notebook(course.release(ASSIGNMENT, NOTEBOOK), {}, outcome)
    write_autograded(course.autograded(student, ASSIGNMENT, NOTEBOOK), notebook)
    with Gradebook(course.db_url) as gradebook:
        record_outcome(gradebook, outcome)


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    course = new_course(tmp_path_factory.mktemp("feedback"))
    set_due_date(course, DUE)
    grade(course, "sv001", ON_TIME, secret="a" * 128)
    grade(course, "sv002", LATE, secret="b" * 128)
    grade(course, "lms01", None)          # imported from an LMS: no secret, no timestamp
    generate_feedback(course, ASSIGNMENT, stream=open(os.devnull, "w"))
    return course


def test_pages_and_files_for_release_feedback(graded_course):
    course = graded_course
    for student in ("sv001", "sv002", "lms01"):
        folder = course.feedback(student, ASSIGNMENT)
        page = course.feedback(student, ASSIGNMENT, NOTEBOOK)
        assert mode(page) == 0o644, "release_feedback copies the mode into the exchange"
        assert mode(folder) == mode(folder.parent) == 0o700
        assert mode(folder / "submission_secret.txt") == 0o600
        assert (folder / "timestamp.txt").read_text().endswith(" UTC")
    assert (course.feedback("sv001", ASSIGNMENT) / "submission_secret.txt").read_text() == "a" * 128
    assert (course.feedback("sv001", ASSIGNMENT) / "timestamp.txt").read_text() == \
        "2025-01-10 16:00:00.000000 UTC"
    generated = (course.feedback("lms01", ASSIGNMENT) / "submission_secret.txt").read_text()
    assert len(generated) == 128
    generate_feedback(course, ASSIGNMENT, stream=open(os.devnull, "w"))
    assert (course.feedback("lms01", ASSIGNMENT) / "submission_secret.txt").read_text() == \
        generated, "a generated secret stays the same across runs"


def test_late_penalty_on_the_page(graded_course):
    late = graded_course.feedback("sv002", ASSIGNMENT, NOTEBOOK).read_text()
    assert "Điểm bài làm: 10/10" in late and "trừ 10 điểm" in late
    assert "Tổng điểm: <b>0/10</b>" in late
    on_time = graded_course.feedback("sv001", ASSIGNMENT, NOTEBOOK).read_text()
    assert "Tổng điểm: <b>10/10</b>" in on_time and "Nộp muộn" not in on_time


def test_nbgrader_release_feedback_publishes_under_the_secret(graded_course, tmp_path):
    course = graded_course
    config = tmp_path / "jupyter"
    setup(course, config_dir=config, stream=open(os.devnull, "w"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env.update(HOME=str(tmp_path), JUPYTER_CONFIG_PATH=str(config))
    result = subprocess.run([str(REPO / ".venv" / "bin" / "nbgrader"), "release_feedback",
                             ASSIGNMENT], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    outbound = course.root / "exchange" / "dl-tinh-toan-cnn" / "feedback"
    assert mode(outbound) == 0o711, "students open their page by name, cannot list others"
    expected = hashlib.md5(("a" * 128 + NOTEBOOK).encode()).hexdigest() + ".html"
    released = outbound / expected
    assert released.is_file() and mode(released) == 0o644
    assert released.read_text() == course.feedback("sv001", ASSIGNMENT, NOTEBOOK).read_text()
    assert len(list(outbound.glob("*.html"))) == 3


def test_setup_installs_a_config_and_refuses_a_foreign_one(graded_course, tmp_path):
    from grader.exchange import ExchangeSetupError
    target = install_jupyter_config(graded_course, tmp_path)
    assert str(graded_course.root / "nbgrader_config.py") in target.read_text()
    install_jupyter_config(graded_course, tmp_path)  # ours: rewritten
    target.write_text("c.Exchange.root = '/srv/other'\n")
    with pytest.raises(ExchangeSetupError, match="không do lệnh này tạo ra"):
        install_jupyter_config(graded_course, tmp_path)


def test_make_grades_out_is_clean_csv(graded_course, tmp_path):
    env = dict(os.environ, GRADER_COURSE_DIR=str(graded_course.root))
    # -o: take the installed environment as up to date (no reinstall from a test)
    base = ["make", "--no-print-directory", "-o", ".venv/.installed", "grades"]
    printed = subprocess.run(base, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert printed.returncode == 0, printed.stderr
    lines = printed.stdout.splitlines()
    assert lines[0].startswith("assignment,duedate,timestamp,student_id")
    assert len(lines) == 4 and all(line.startswith(ASSIGNMENT + ",") for line in lines[1:])
    out = tmp_path / "điểm.csv"
    written = subprocess.run(base + ["OUT=%s" % out], cwd=REPO, env=env, capture_output=True,
                             text=True, timeout=120)
    assert written.returncode == 0 and written.stdout == ""
    assert out.read_text(encoding="utf-8").splitlines() == lines
    sv002 = [line for line in lines if ",sv002," in line][0]
    assert sv002.endswith(",10.0,10.0,0.0,10.0")  # raw, late penalty, score, max
