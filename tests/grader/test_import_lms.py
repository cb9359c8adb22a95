"""`python -m grader import`: an LMS export (zip or folder) into submitted/."""

import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from nbgrader.api import Gradebook

from grader_testlib import ASSIGNMENT, NOTEBOOK, REPO
from grader.autograde.discover import discover_students
from grader.lms_import import LmsImportError, import_submissions, zip_entries
from grader.paths import Course

EXPECTED = NOTEBOOK + ".ipynb"


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(REPO / "grader" / "nbgrader_config.py", root / "nbgrader_config.py")
    return Course(root.resolve())


def notebook_bytes(tag):
    return ('{"cells": [], "metadata": {"tag": "%s"}, "nbformat": 4, "nbformat_minor": 5}'
            % tag).encode()


def lms_zip(path, files):
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return path


def imported(course, student):
    return (course.submitted(student, ASSIGNMENT) / EXPECTED).read_bytes()


def test_zip_with_matched_misnamed_and_unknown_files(course, tmp_path):
    export = lms_zip(tmp_path / "lms.zip", {
        "sv001_cross_correlation.ipynb": notebook_bytes("sv001"),      # id + notebook name
        "SV002.ipynb": notebook_bytes("sv002"),                        # id alone, upper case
        "nộp bài/sv003/cross_correlation.ipynb": notebook_bytes("sv003"),  # nested folders
        "Trần Thị Bình - sv005/bai_lam.ipynb": notebook_bytes("sv005"),  # Vietnamese folder
        "Nguyễn Văn An.ipynb": notebook_bytes("an"),                   # no id: unknown
        "sv004_lan1.ipynb": notebook_bytes("sv004a"),                  # two for one student
        "sv004_lan2.ipynb": notebook_bytes("sv004b"),
        "__MACOSX/._sv001_cross_correlation.ipynb": b"junk",
        "readme.txt": b"not a notebook",
        "sv006.zip": b"PK nested",
    })
    report, known = import_submissions(course, ASSIGNMENT, export)
    assert not known
    assert sorted(report.matched) == [
        ("sv001", "sv001_cross_correlation.ipynb"), ("sv002", "SV002.ipynb"),
        ("sv003", "nộp bài/sv003/cross_correlation.ipynb"),
        ("sv005", "Trần Thị Bình - sv005/bai_lam.ipynb")]
    assert sorted(report.renamed) == ["SV002.ipynb", "Trần Thị Bình - sv005/bai_lam.ipynb",
                                      "sv001_cross_correlation.ipynb"]
    assert [name for name, _ in report.unknown] == ["Nguyễn Văn An.ipynb"]
    assert report.conflicts == [("sv004", ["sv004_lan1.ipynb", "sv004_lan2.ipynb"])]
    assert sorted(name for name, _ in report.ignored) == [
        "__MACOSX/._sv001_cross_correlation.ipynb", "readme.txt", "sv006.zip"]
    for student in ("sv001", "sv002", "sv003", "sv005"):
        assert imported(course, student) == notebook_bytes(student)
    assert discover_students(course, ASSIGNMENT) == ["sv001", "sv002", "sv003", "sv005"]


def test_known_students_beat_other_numbers(course, tmp_path):
    with Gradebook(course.db_url) as gradebook:
        gradebook.add_student("20231234")
        gradebook.add_student("sv010")
    export = lms_zip(tmp_path / "moodle.zip", {
        # Moodle: "<full name>_<participant number>_assignsubmission_file_/<file>"
        "Lê Văn Cường_483920_assignsubmission_file_/sv010.ipynb": notebook_bytes("sv010"),
        "Phạm Thu_483921_assignsubmission_file_/20231234_bai3.ipynb": notebook_bytes("2023"),
        "Vũ Hà_483922_assignsubmission_file_/bai3.ipynb": notebook_bytes("unknown"),
    })
    report, known = import_submissions(course, ASSIGNMENT, export)
    assert known
    assert sorted(s for s, _ in report.matched) == ["20231234", "sv010"]
    assert [name for name, _ in report.unknown] == [
        "Vũ Hà_483922_assignsubmission_file_/bai3.ipynb"]


def test_existing_submissions_are_kept_unless_forced(course, tmp_path):
    collected = course.submitted("sv001", ASSIGNMENT)
    collected.mkdir(parents=True)
    (collected / EXPECTED).write_bytes(b"from nbgrader collect")
    export = lms_zip(tmp_path / "lms.zip", {"sv001.ipynb": notebook_bytes("new")})
    report, _ = import_submissions(course, ASSIGNMENT, export)
    assert report.existing == ["sv001"] and not report.matched
    assert imported(course, "sv001") == b"from nbgrader collect"
    report, _ = import_submissions(course, ASSIGNMENT, export, force=True)
    assert report.matched == [("sv001", "sv001.ipynb")]
    assert imported(course, "sv001") == notebook_bytes("new")


def test_dry_run_writes_nothing(course, tmp_path):
    export = lms_zip(tmp_path / "lms.zip", {"sv001.ipynb": notebook_bytes("x")})
    report, _ = import_submissions(course, ASSIGNMENT, export, dry_run=True)
    assert report.matched == [("sv001", "sv001.ipynb")]
    assert not course.submitted().exists()


def test_folder_export_does_not_follow_symlinks(course, tmp_path):
    export = tmp_path / "export"
    (export / "sv001").mkdir(parents=True)
    (export / "sv001" / EXPECTED).write_bytes(notebook_bytes("sv001"))
    secret = tmp_path / "secret.ipynb"
    secret.write_bytes(b"instructor only")
    (export / "sv002.ipynb").symlink_to(secret)
    report, _ = import_submissions(course, ASSIGNMENT, export)
    assert report.matched == [("sv001", "sv001/" + EXPECTED)]
    assert ("sv002.ipynb", "liên kết tượng trưng (symlink), không đọc") in report.ignored
    assert not course.submitted("sv002").exists()


def test_oversized_and_cp437_names(course, tmp_path):
    big = b"{" + b" " * (5 * 1024**2 + 10) + b"}"
    export = lms_zip(tmp_path / "lms.zip", {"sv001.ipynb": big})
    report, _ = import_submissions(course, ASSIGNMENT, export)
    assert not report.matched and report.ignored[0][1].startswith("quá lớn")

    # A zip tool that stores UTF-8 bytes without the UTF-8 flag: Python reads cp437.
    class UnflaggedName(zipfile.ZipInfo):
        def _encodeFilenameFlags(self):
            return self.filename.encode("cp437"), self.flag_bits & ~0x800

    legacy = tmp_path / "legacy.zip"
    with zipfile.ZipFile(legacy, "w") as archive:
        archive.writestr(UnflaggedName("Đỗ Minh - sv007.ipynb".encode().decode("cp437")),
                         notebook_bytes("sv007"))
    assert not zipfile.ZipFile(legacy).infolist()[0].flag_bits & 0x800
    names = [entry.name for entry in zip_entries(legacy)]
    assert names == ["Đỗ Minh - sv007.ipynb"]


def test_errors_and_cli(course, tmp_path):
    with pytest.raises(LmsImportError, match="Không có thư mục hay tệp zip"):
        import_submissions(course, ASSIGNMENT, tmp_path / "missing.zip")
    (tmp_path / "bad.zip").write_bytes(b"not a zip")
    with pytest.raises(LmsImportError, match="Không mở được tệp zip"):
        import_submissions(course, ASSIGNMENT, tmp_path / "bad.zip")
    with pytest.raises(LmsImportError, match="Không có bài tập"):
        import_submissions(course, "bai9-khong-co", tmp_path / "bad.zip")

    export = lms_zip(tmp_path / "lms.zip", {"sv001_bai.ipynb": notebook_bytes("x"),
                                            "ghi chú.txt": b"x"})
    result = subprocess.run([sys.executable, "-m", "grader", "--course-dir", str(course.root),
                             "import", ASSIGNMENT, str(export)], cwd=REPO, capture_output=True,
                            text=True, timeout=120, env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    assert "Đã nhập 1 bài nộp" in result.stdout
    assert "sv001 ← sv001_bai.ipynb  (đổi tên thành %s)" % EXPECTED in result.stdout
    assert "ghi chú.txt: không phải notebook" in result.stdout
    missing = subprocess.run([sys.executable, "-m", "grader", "--course-dir", str(course.root),
                              "import", ASSIGNMENT, str(tmp_path / "nothing")], cwd=REPO,
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "Không có thư mục hay tệp zip" in missing.stderr
