"""`python -m grader import <assignment> <folder-or-zip>`: submissions from an
LMS export (or e-mail) into nbgrader's submitted/<student>/<assignment>/.

Side: trusted grader (copies untrusted files as data; runs nothing).

Each notebook is matched to a student by the student id in its path: the
file name (`sv001_cross_correlation.ipynb`, `SV001.ipynb`) or a folder above
it (`sv001/cross_correlation.ipynb`, `Nguyễn Văn An - sv001/bai.ipynb`).
Students known to the course (the gradebook, or --students) are looked for
first; with none known, a word such as `sv001` or `20231234` (up to four
letters, then three or more digits) is taken as the id.  Nothing is guessed
beyond that: every file is reported as imported, unknown, ignored or in
conflict.

The export is untrusted: names only choose a student, never a path; sizes are
bounded; symlinks are not followed.
"""

import csv
import io
import os
import re
import shutil
import stat
import sys
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from nbgrader.api import Gradebook

from .autograde.record import atomic_write_bytes
from .autograde.submission import MAX_NOTEBOOK_BYTES
from .exercises import exercise_for
from .errors import GraderError

MAX_ENTRIES = 20_000
ID_PATTERN = re.compile(r"(?<![0-9a-z])([a-z]{0,4}[0-9]{3,12})(?![0-9a-z])", re.IGNORECASE)
VALID_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
JUNK_PARTS = {"__MACOSX", ".ipynb_checkpoints", ".DS_Store", "Thumbs.db", "desktop.ini"}
ARCHIVE_SUFFIXES = {".zip", ".rar", ".7z", ".tar", ".gz", ".tgz"}


class LmsImportError(GraderError):
    """The import cannot run at all (message in Vietnamese)."""


@dataclass
class Entry:
    name: str          # path inside the export, '/'-separated, NFC
    size: int
    read: object       # () -> bytes, at most MAX_NOTEBOOK_BYTES + 1
    is_link: bool = False


@dataclass
class ImportReport:
    matched: list = field(default_factory=list)     # (student, entry name)
    renamed: list = field(default_factory=list)     # entry names whose file name changes
    unknown: list = field(default_factory=list)     # (entry name, reason)
    ignored: list = field(default_factory=list)     # (entry name, reason)
    conflicts: list = field(default_factory=list)   # (student, [entry names])
    existing: list = field(default_factory=list)    # students who already have a submission
    written: list = field(default_factory=list)     # target paths


def _fix_zip_name(info):
    """Zip tools that do not flag UTF-8 names get them decoded as cp437."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return unicodedata.normalize("NFC", name)


def _bounded(reader):
    return reader.read(MAX_NOTEBOOK_BYTES + 1)


def zip_entries(path):
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise LmsImportError("Không mở được tệp zip %s: %s" % (path, error)) from error
    infos = [i for i in archive.infolist() if not i.is_dir()]
    if len(infos) > MAX_ENTRIES:
        raise LmsImportError("Tệp zip có %d tệp, quá giới hạn %d." % (len(infos), MAX_ENTRIES))
    for info in infos:
        is_link = stat.S_ISLNK(info.external_attr >> 16)

        def read(info=info):
            with archive.open(info) as member:
                return _bounded(member)
        yield Entry(_fix_zip_name(info), info.file_size, read, is_link)


def folder_entries(root):
    root = Path(root)
    count = 0
    for current, dirs, files in os.walk(root):  # does not descend into symlinked folders
        dirs.sort()
        for name in sorted(files) + sorted(d for d in dirs if (Path(current) / d).is_symlink()):
            path = Path(current) / name
            count += 1
            if count > MAX_ENTRIES:
                raise LmsImportError("Thư mục có quá %d tệp." % MAX_ENTRIES)
            relative = unicodedata.normalize("NFC", path.relative_to(root).as_posix())
            is_link = path.is_symlink()

            def read(path=path):
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
                with os.fdopen(fd, "rb") as handle:
                    return _bounded(handle)
            yield Entry(relative, 0 if is_link else path.lstat().st_size, read, is_link)


def known_students(course, students_csv=None):
    """Student ids known to the course: --students CSV (column id), else the gradebook."""
    ids = []
    if students_csv:
        try:
            with open(students_csv, encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                if not reader.fieldnames or "id" not in reader.fieldnames:
                    raise LmsImportError("%s cần có cột «id» (như tệp của `nbgrader db student "
                                         "import`)." % students_csv)
                ids = [row["id"].strip() for row in reader if row.get("id", "").strip()]
        except OSError as error:
            raise LmsImportError("Không đọc được %s: %s" % (students_csv, error)) from error
    else:
        with Gradebook(course.db_url) as gradebook:
            ids = [student.id for student in gradebook.students]
    return [i for i in ids if VALID_ID.match(i) and "+" not in i]


def _candidates(name, known):
    parts = PurePosixPath(name).parts
    text = "/".join(parts[:-1] + (PurePosixPath(name).stem,))
    if known:
        found = {k for k in known
                 if re.search(r"(?<![0-9a-z])%s(?![0-9a-z])" % re.escape(k), text, re.IGNORECASE)}
        return sorted(found)
    return sorted({m.lower() for m in ID_PATTERN.findall(text)})


def _ignored_reason(entry):
    parts = PurePosixPath(entry.name).parts
    if any(p in JUNK_PARTS or p.startswith(".") for p in parts):
        return "tệp hệ thống hoặc tệp ẩn"
    if entry.is_link:
        return "liên kết tượng trưng (symlink), không đọc"
    suffix = PurePosixPath(entry.name).suffix.lower()
    if suffix in ARCHIVE_SUFFIXES:
        return "tệp nén lồng bên trong: giải nén rồi nhập riêng"
    if suffix != ".ipynb":
        return "không phải notebook"
    if entry.size > MAX_NOTEBOOK_BYTES:
        return "quá lớn (%.1f MB)" % (entry.size / 1024**2)
    return None


def plan_import(entries, known, notebook):
    """Which entry goes to which student; nothing is written."""
    report = ImportReport()
    by_student = {}
    for entry in entries:
        reason = _ignored_reason(entry)
        if reason:
            report.ignored.append((entry.name, reason))
            continue
        candidates = _candidates(entry.name, known)
        if not candidates:
            report.unknown.append((entry.name, "không thấy mã sinh viên nào trong tên"))
        elif len(candidates) > 1:
            report.unknown.append((entry.name, "có nhiều mã sinh viên: " + ", ".join(candidates)))
        else:
            by_student.setdefault(candidates[0], []).append(entry)
    plan = {}
    for student, found in sorted(by_student.items()):
        if len(found) > 1:
            report.conflicts.append((student, [e.name for e in found]))
        else:
            plan[student] = found[0]
    return report, plan


def import_submissions(course, assignment, source, students_csv=None, force=False,
                       dry_run=False):
    exercise = exercise_for(assignment)
    if exercise is None:
        raise LmsImportError("Không có bài tập «%s» trong bộ chấm." % assignment)
    source = Path(source)
    if source.is_dir():
        entries = list(folder_entries(source))
    elif source.is_file():
        entries = list(zip_entries(source))
    else:
        raise LmsImportError("Không có thư mục hay tệp zip %s." % source)
    known = known_students(course, students_csv)
    report, plan = plan_import(entries, known, exercise.notebook)
    for student, entry in plan.items():
        folder = course.submitted(student, assignment)
        if folder.is_symlink() or folder.parent.is_symlink():
            report.ignored.append((entry.name, "thư mục đích %s là liên kết tượng trưng"
                                   % folder.relative_to(course.root)))
            continue
        if folder.exists() and any(folder.iterdir()) and not force:
            report.existing.append(student)
            continue
        target = folder / (exercise.notebook + ".ipynb")
        if not dry_run:
            content = entry.read()
            if len(content) > MAX_NOTEBOOK_BYTES:  # the declared size lied
                report.ignored.append((entry.name, "quá lớn"))
                continue
            if folder.exists():
                shutil.rmtree(folder)
            atomic_write_bytes(target, content, mode=0o644)
        report.matched.append((student, entry.name))
        if PurePosixPath(entry.name).name != exercise.notebook + ".ipynb":
            report.renamed.append(entry.name)
        report.written.append(target)
    return report, bool(known)


def format_report(report, assignment, notebook, source, course, known, dry_run=False):
    out = io.StringIO()
    verb = "Sẽ nhập" if dry_run else "Đã nhập"
    out.write("%s %d bài nộp của %s từ %s vào %s/<mã SV>/%s/.\n" % (
        verb, len(report.written), assignment, source, course.submitted(), assignment))
    if not known:
        out.write("(Sổ điểm chưa có danh sách sinh viên: mã sinh viên được đoán theo mẫu chữ + "
                  "số, ví dụ sv001; dùng --students để chỉ rõ.)\n")
    renamed = set(report.renamed)
    for student, name in report.matched:
        out.write("  %s ← %s%s\n" % (student, name, "  (đổi tên thành %s)" % notebook
                                     if name in renamed else ""))
    sections = (("Không rõ của sinh viên nào, không nhập", report.unknown),
                ("Bỏ qua", report.ignored))
    for title, rows in sections:
        if rows:
            out.write("%s (%d):\n" % (title, len(rows)))
            out.writelines("  %s: %s\n" % row for row in rows)
    if report.conflicts:
        out.write("Nhiều notebook cho cùng một sinh viên, không nhập (%d):\n"
                  % len(report.conflicts))
        out.writelines("  %s: %s\n" % (s, ", ".join(names)) for s, names in report.conflicts)
    if report.existing:
        out.write("Đã có bài nộp, giữ nguyên (dùng --force để thay): %s\n"
                  % ", ".join(report.existing))
    return out.getvalue()


def run_import(course, assignment, source, students_csv=None, force=False, dry_run=False,
               stream=sys.stdout):
    report, known = import_submissions(course, assignment, source, students_csv, force, dry_run)
    notebook = exercise_for(assignment).notebook + ".ipynb"
    stream.write(format_report(report, assignment, notebook, source, course, known, dry_run))
    return 0
