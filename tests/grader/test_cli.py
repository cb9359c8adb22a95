"""The command line speaks Vietnamese and refuses bad input clearly."""

import subprocess
import sys

import pytest

from grader_testlib import ASSIGNMENT, REPO


def run(*args):
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("command", [["grader"], ["grader", "release"], ["grader", "autograde"],
                                     ["grader", "feedback"], ["grader", "grades"],
                                     ["grader.bench"]])
def test_help_is_vietnamese(command):
    result = run(*command, "--help")
    assert result.returncode == 0
    assert "Cách dùng:" in result.stdout and "in hướng dẫn này rồi thoát" in result.stdout
    assert "usage:" not in result.stdout and "show this help" not in result.stdout


def test_errors_are_vietnamese():
    missing = run("grader", "autograde")
    assert missing.returncode == 2 and "thiếu tham số bắt buộc" in missing.stderr
    unknown = run("grader", "autograde", "khong-ton-tai")
    assert unknown.returncode != 0 and "Không có bài tập «khong-ton-tai»" in unknown.stderr


def test_subcommand_help_lists_round_trip_commands():
    result = run("grader", "--help")
    for command in ("release", "autograde", "feedback", "grades", "import", "lab", "formgrader"):
        assert command in result.stdout


def _course_with_submissions(tmp_path, students, source):
    from grader_testlib import new_course, notebook_with, released, submit
    course = new_course(tmp_path)
    release_nb = released(course, ASSIGNMENT)
    for student in students:
        submit(course, student, notebook_with(release_nb, source))
    return course


@pytest.mark.slow
def test_student_typo_changes_nothing(tmp_path, sandbox_ready):
    from grader_testlib import CORRECT
    course = _course_with_submissions(tmp_path, ["sv001", "sv002"], CORRECT)
    result = run("grader", "--course-dir", str(course.root), "autograde", ASSIGNMENT,
                 "--student", "sv0001")
    assert result.returncode == 2
    assert "«sv0001»" in result.stderr and "sv001" in result.stderr
    from nbgrader.api import Gradebook, MissingEntry
    with Gradebook(course.db_url) as gradebook:
        with pytest.raises(MissingEntry):
            gradebook.find_student("sv0001")
        assert gradebook.find_assignment(ASSIGNMENT).submissions == []


@pytest.mark.slow
def test_ctrl_c_keeps_what_was_graded_and_exits_130(tmp_path, sandbox_ready):
    """SIGINT (Ctrl-C) mid-batch: a clear Vietnamese message, status 130, finished
    submissions kept, no sandbox left behind."""
    import signal
    import time
    from grader_testlib import CORRECT
    slow = "import time\ntime.sleep(3)\n" + CORRECT
    course = _course_with_submissions(tmp_path, [f"sv{i:02d}" for i in range(6)], slow)
    process = subprocess.Popen([sys.executable, "-m", "grader", "--course-dir", str(course.root),
                                "autograde", ASSIGNMENT, "--jobs", "2"], cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    import sqlite3

    def recorded():
        if not (course.root / "gradebook.db").exists():
            return 0
        with sqlite3.connect(str(course.root / "gradebook.db")) as db:
            return db.execute("SELECT COUNT(*) FROM submitted_assignment").fetchone()[0]

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and recorded() < 1:
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Đã dừng theo yêu cầu (Ctrl-C)" in stderr and "Traceback" not in stderr
    from nbgrader.api import Gradebook
    with Gradebook(course.db_url) as gradebook:
        graded = gradebook.find_assignment(ASSIGNMENT).submissions
        assert 1 <= len(graded) < 6 and all(s.score == 10 for s in graded)
