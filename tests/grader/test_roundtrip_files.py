"""Files of the round trip: nbgrader's own files in a submission, symlinked
folders, misplaced folders, the exchange's modes, the student's workspace."""

import json
import os
import shutil
import stat
import threading

import pytest

from grader_testlib import ASSIGNMENT, NOTEBOOK, REPO
from grader.autograde.discover import discover_students, find_misplaced
from grader.autograde.submission import BadSubmission, load_submission
from grader.exercises import exercise_for
from grader.exchange import ExchangeSetupError, ensure_exchange
from grader.lab import (INSTRUCTOR_LAB_PLUGINS, LabError, lab_command, lab_environment,
                        prepare_workspace, sync_book_notebooks)
from grader.paths import Course

EXERCISE = exercise_for(ASSIGNMENT)
NOTEBOOK_JSON = json.dumps({"cells": [{
    "cell_type": "code", "source": "def cross_correlation(X, K):\n    return X",
    "metadata": {"nbgrader": {"grade_id": EXERCISE.solution_grade_id, "solution": True}}}]})


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(REPO / "grader" / "nbgrader_config.py", root / "nbgrader_config.py")
    (root / "release" / ASSIGNMENT).mkdir(parents=True)
    return Course(root.resolve())


def load(course, student):
    return load_submission(course.submitted(student, ASSIGNMENT), student, ASSIGNMENT,
                           NOTEBOOK, [EXERCISE.solution_grade_id], EXERCISE.entry)


def put(course, student, files):
    folder = course.submitted(student, ASSIGNMENT)
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_text(content)
    return folder


def test_nbgrader_files_are_normal(course):
    put(course, "sv001", {NOTEBOOK + ".ipynb": NOTEBOOK_JSON, "submission_secret.txt": "ab" * 64,
                          "timestamp.txt": "2025-01-10 16:00:00.000000 UTC", "ghichu.txt": "x"})
    submission = load(course, "sv001")
    assert submission.timestamp == "2025-01-10 16:00:00.000000 UTC"
    assert submission.notes == ["Tệp thừa bị bỏ qua: ghichu.txt."]


def test_timestamp_is_read_with_a_bound_and_never_blocks(course):
    folder = put(course, "sv001", {NOTEBOOK + ".ipynb": NOTEBOOK_JSON})
    (folder / "timestamp.txt").write_text("2025-01-10 16:00:00 UTC" + " " * 10_000_000 + "junk")
    assert load(course, "sv001").timestamp == "2025-01-10 16:00:00 UTC"
    (folder / "timestamp.txt").unlink()
    os.mkfifo(folder / "timestamp.txt")  # reading a FIFO would wait forever
    result = []
    reader = threading.Thread(target=lambda: result.append(load(course, "sv001")), daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert result and result[0].timestamp is None


def test_symlinked_submission_folders_are_refused_not_skipped(course, tmp_path):
    other = put(course, "sv001", {NOTEBOOK + ".ipynb": NOTEBOOK_JSON})
    course.submitted("sv002").mkdir()
    course.submitted("sv002", ASSIGNMENT).symlink_to(other)       # assignment folder
    course.submitted("sv003").symlink_to(course.submitted("sv001"))  # student folder
    assert discover_students(course, ASSIGNMENT) == ["sv001", "sv002", "sv003"]
    for student in ("sv002", "sv003"):
        with pytest.raises(BadSubmission) as refused:
            load(course, student)
        assert refused.value.code == "symlinked_folder"
        assert "liên kết tượng trưng" in refused.value.message
    assert load(course, "sv001").solutions


def test_misplaced_folders_are_reported(course):
    put(course, "sv001", {NOTEBOOK + ".ipynb": NOTEBOOK_JSON})                 # fine
    misspelt = course.submitted("sv002", "bai3-cross-corelation-pytorch")
    misspelt.mkdir(parents=True)
    deep = course.submitted("sv003", ASSIGNMENT) / "bai3-cross-correlation-pytorch (1)"
    deep.mkdir(parents=True)
    (deep / (NOTEBOOK + ".ipynb")).write_text(NOTEBOOK_JSON)
    course.submitted("sv004").mkdir()
    (course.submitted("sv004") / (NOTEBOOK + ".ipynb")).write_text(NOTEBOOK_JSON)
    course.submitted(ASSIGNMENT).mkdir()                                          # swapped
    (course.submitted() / "sv005.ipynb").write_text(NOTEBOOK_JSON)
    other = course.submitted("sv006", "bai5-khac-pytorch")                      # unrelated
    other.mkdir(parents=True)
    reports = {m.path.relative_to(course.root).as_posix(): m.message
               for m in find_misplaced(course, ASSIGNMENT, NOTEBOOK)}
    assert set(reports) == {
        "submitted/sv002/bai3-cross-corelation-pytorch",
        "submitted/sv003/%s/bai3-cross-correlation-pytorch (1)/%s.ipynb" % (ASSIGNMENT, NOTEBOOK),
        "submitted/sv004/%s.ipynb" % NOTEBOOK,
        "submitted/" + ASSIGNMENT,
        "submitted/sv005.ipynb"}, reports
    assert "viết sai tên" in reports["submitted/sv002/bai3-cross-corelation-pytorch"]
    assert "sâu hơn một cấp" in reports["submitted/sv003/%s/bai3-cross-correlation-pytorch (1)/"
                                        "%s.ipynb" % (ASSIGNMENT, NOTEBOOK)]
    assert "python -m grader import" in reports["submitted/sv005.ipynb"]


def test_exchange_has_nbgrader_modes(course):
    root = ensure_exchange(course)
    assert root == course.root / "exchange"
    modes = {p.relative_to(root).as_posix(): stat.S_IMODE(p.stat().st_mode)
             for p in [root, *root.rglob("*")]}
    assert modes == {".": 0o1777, "dl-tinh-toan-cnn": 0o755, "dl-tinh-toan-cnn/outbound": 0o755,
                     "dl-tinh-toan-cnn/inbound": 0o2733, "dl-tinh-toan-cnn/feedback": 0o711}
    ensure_exchange(course)  # idempotent
    (root / "dl-tinh-toan-cnn" / "inbound").rmdir()
    (root / "dl-tinh-toan-cnn" / "inbound").symlink_to(root)
    with pytest.raises(ExchangeSetupError, match="liên kết tượng trưng"):
        ensure_exchange(course)


def test_book_notebooks_never_overwrite_the_students_files(tmp_path):
    generated, workspace, manifest = tmp_path / "gen", tmp_path / "ws", tmp_path / "m.json"
    (generated / "pytorch").mkdir(parents=True)
    for name in ("a", "b", "c"):
        (generated / "pytorch" / (name + ".ipynb")).write_text("v1 " + name)
    first = sync_book_notebooks(generated, workspace, manifest)
    assert first.copied == ["pytorch/a.ipynb", "pytorch/b.ipynb", "pytorch/c.ipynb"]
    (workspace / "pytorch" / "a.ipynb").write_text("my notes")          # the student's edit
    (workspace / "pytorch" / "c.ipynb").unlink()                        # deleted: comes back
    for name in ("a", "b", "c"):
        (generated / "pytorch" / (name + ".ipynb")).write_text("v2 " + name)  # book updated
    second = sync_book_notebooks(generated, workspace, manifest)
    assert second.kept == ["pytorch/a.ipynb"]
    assert second.updated == ["pytorch/b.ipynb"] and second.copied == ["pytorch/c.ipynb"]
    assert (workspace / "pytorch" / "a.ipynb").read_text() == "my notes"
    assert (workspace / "pytorch" / "b.ipynb").read_text() == "v2 b"
    third = sync_book_notebooks(generated, workspace, manifest)
    assert (third.copied, third.updated, third.kept) == ([], [], ["pytorch/a.ipynb"])


def test_workspace_config(course, tmp_path):
    workspace = tmp_path / "ws"
    config = prepare_workspace(course, workspace, book=False, student="sv001",
                               stream=open(os.devnull, "w"))
    nbgrader_config = (config / "nbgrader_config.py").read_text()
    assert str(course.root / "nbgrader_config.py") in nbgrader_config
    assert "c.CourseDirectory.student_id = 'sv001'" in nbgrader_config
    assert repr(str(workspace.resolve() / "bai-tap")) in nbgrader_config
    overrides = json.loads((config / "labconfig" / "default_setting_overrides.json").read_text())
    assert overrides["@jupyterlab/translation-extension:plugin"]["locale"] == "vi_VN"
    disabled = json.loads((config / "labconfig" / "page_config.json").read_text())
    assert set(disabled["disabledExtensions"]) == set(INSTRUCTOR_LAB_PLUGINS)
    guide = workspace / "HUONG-DAN.md"
    guide.write_text("ghi chú của tôi")
    prepare_workspace(course, workspace, book=False, stream=open(os.devnull, "w"))
    assert guide.read_text() == "ghi chú của tôi"
    env = lab_environment(config, {"JUPYTER_CONFIG_PATH": "/khac"})
    assert env["JUPYTER_CONFIG_PATH"] == str(config) + os.pathsep + "/khac"
    with pytest.raises(LabError, match="không hợp lệ"):
        prepare_workspace(course, workspace, book=False, student="sv 001+x")


def test_lab_command_options():
    command = lab_command("/ws", port=8890, open_browser=False)
    assert "--ServerApp.port=8890" in command and "--ServerApp.open_browser=False" in command
    assert ("--ServerApp.allow_root=True" in command) == (os.geteuid() == 0)
    assert "--ServerApp.port=8890" not in lab_command("/ws")


def make_dry_run(*args):
    import subprocess
    result = subprocess.run(["make", "-n", "--no-print-directory", "-o", ".venv/.installed", *args],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_targets_pass_their_options():
    lab = make_dry_run("lab", "PORT=8890", "NO_BROWSER=1", "STUDENT=sv001")
    assert "-m grader setup" in lab
    assert "-m grader lab --port 8890 --no-browser" in lab and '--student "sv001"' in lab
    assert "--port" not in make_dry_run("lab").split("grader lab", 1)[1]
    assert "-m grader formgrader --port 9000" in make_dry_run("formgrader", "PORT=9000")
    release = make_dry_run("release-feedback", "A=bai3")
    assert release.index('grader feedback "bai3"') < release.index('release_feedback "bai3"')
    assert "workspace" not in make_dry_run("clean") and "exchange" not in make_dry_run("clean")


def test_students_and_exchange_files_are_not_committed():
    import subprocess
    paths = ["workspace/sach/pytorch/a.ipynb", "grader/exchange/dl-tinh-toan-cnn/inbound/x"]
    result = subprocess.run(["git", "check-ignore", *paths], cwd=REPO, capture_output=True,
                            text=True)
    assert result.stdout.split() == paths


@pytest.mark.parametrize("command", ["setup", "import", "lab", "formgrader"])
def test_new_commands_have_vietnamese_help(command):
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-m", "grader", command, "--help"], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "Cách dùng:" in result.stdout
    assert "usage:" not in result.stdout and "show this help" not in result.stdout
