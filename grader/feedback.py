"""`python -m grader feedback`: one HTML page of feedback per student.

Side: trusted grader.

Built from the gradebook (the points, including any manual override made in
formgrader) and the engine's per-check explanations stored in the autograded
notebook's metadata.  It contains no code at all: neither hidden tests, nor
the instructor's solution, nor reference values of hidden checks.

Beside each page go the two files `nbgrader release_feedback` reads:
timestamp.txt and submission_secret.txt (the secret the student's `nbgrader
submit` chose; the exchange names the released page after a hash of it).

File modes, chosen for a server where every student has an account:
- feedback/<student>/ and below: 0700 (2770 for a group-shared course), so
  other accounts cannot reach the instructor's copies;
- the page itself: 0644 (0664), because `nbgrader release_feedback` copies it
  into the exchange with its mode, into a folder (0711) that nobody can list:
  the student, who alone knows the secret, can open the file by its hashed
  name; without the read bit nobody but the instructor could;
- submission_secret.txt: 0600 (0660); timestamp.txt: 0644 (0664).
"""

import html
import secrets
import sys
from dataclasses import dataclass
from datetime import datetime, timezone

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from .autograde.record import ENGINE_METADATA_KEY, atomic_write_text
from .autograde.submission import read_small_text
from .course_config import load_course_config
from .exercises import exercise_for

SECRET_FILE = "submission_secret.txt"
TIMESTAMP_FILE = "timestamp.txt"
MAX_SECRET_BYTES = 1024  # nbgrader's secrets are 128 hex digits

PAGE = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>Nhận xét — {assignment} — {student}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #ccc; padding: .4rem .6rem; vertical-align: top; text-align: left; }}
.dat {{ color: #126b2f; font-weight: bold; }} .chua {{ color: #a11; font-weight: bold; }}
.note {{ background: #fff6d6; padding: .6rem; border-left: 4px solid #e0b000; }}
ul {{ margin: 0; padding-left: 1.1rem; }}
</style></head><body>
<h1>Nhận xét bài tập {assignment}</h1>
<p>Sinh viên: <b>{student}</b> — notebook <code>{notebook}.ipynb</code></p>
{late}<p style="font-size:1.3rem">Tổng điểm: <b>{score:g}/{max_score:g}</b></p>
{notes}
<table><thead><tr><th>Bài kiểm tra</th><th>Điểm</th><th>Kết quả</th><th>Giải thích</th></tr></thead>
<tbody>
{rows}
</tbody></table>
<p>Bài kiểm tra ẩn dùng đầu vào khác với bài kiểm tra hiển thị; nhận xét chỉ nói sai ở đâu,
không cho biết giá trị đúng.</p>
</body></html>
"""


def render_feedback(student, assignment, notebook, engine, scores, late_penalty=None):
    e = html.escape
    rows = []
    for check in engine.get("checks", []):
        points = scores.get(check["id"], check["points"])
        passed = check["passed"]
        title = e(check["title"]) + (" <i>(bài kiểm tra ẩn)</i>" if check["hidden"] else "")
        explanation = "<ul>" + "".join("<li>%s</li>" % e(m) for m in check["messages"]) + "</ul>"
        rows.append("<tr><td>%s</td><td>%g/%g</td><td class='%s'>%s</td><td>%s</td></tr>" % (
            title, points, check["max_points"], "dat" if passed else "chua",
            "Đạt" if passed else "Chưa đạt", explanation))
    remarks = ([engine["reason"]] if engine.get("reason") else []) + list(engine.get("notes", []))
    notes = "".join("<p class='note'>%s</p>" % e(r) for r in remarks)
    raw = sum(scores.values()) if scores else engine.get("score", 0)
    max_score = engine.get("max_score", 0)
    late = ""
    if late_penalty:
        late = ("<p>Điểm bài làm: %g/%g. Nộp muộn so với hạn nộp: trừ %g điểm.</p>\n"
                % (raw, max_score, late_penalty))
    return PAGE.format(assignment=e(assignment), student=e(student), notebook=e(notebook),
                       score=max(0.0, raw - (late_penalty or 0)), max_score=max_score,
                       late=late, notes=notes, rows="\n".join(rows))


@dataclass(frozen=True)
class FeedbackModes:
    folder: int
    page: int
    secret: int
    timestamp: int

    @classmethod
    def for_course(cls, course):
        shared = bool(load_course_config(course.root).get("CourseDirectory", {})
                      .get("groupshared", False))
        return cls(0o2770, 0o664, 0o660, 0o664) if shared else cls(0o700, 0o644, 0o600, 0o644)


def nbgrader_timestamp(moment):
    """A gradebook time (naive UTC) the way nbgrader's exchange writes timestamps."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f") + " UTC"


def submission_secret(course, student, assignment):
    """The secret of the collected submission, or None (imported from an LMS,
    placed by hand, or unreadable)."""
    text = read_small_text(course.submitted(student, assignment) / SECRET_FILE,
                           MAX_SECRET_BYTES + 1)
    if not text or len(text.encode()) > MAX_SECRET_BYTES:
        return None
    return text


def write_release_files(course, student, assignment, timestamp, modes):
    """timestamp.txt and submission_secret.txt for `nbgrader release_feedback`.

    Without a secret of its own (no exchange submission) the page gets a random
    one, kept across runs: release_feedback then publishes it under a name no
    student can find, instead of failing for the whole class."""
    folder = course.feedback(student, assignment)
    secret = submission_secret(course, student, assignment)
    if secret is None:
        secret = read_small_text(folder / SECRET_FILE, MAX_SECRET_BYTES + 1) or secrets.token_hex(64)
    atomic_write_text(folder / SECRET_FILE, secret, mode=modes.secret)
    when = timestamp or datetime.now(timezone.utc).replace(tzinfo=None)
    atomic_write_text(folder / TIMESTAMP_FILE, nbgrader_timestamp(when), mode=modes.timestamp)


def prepare_folder(course, student, assignment, modes):
    folder = course.feedback(student, assignment)
    folder.mkdir(parents=True, exist_ok=True)
    for path in (folder.parent, folder):
        path.chmod(modes.folder)
    return folder


def generate_feedback(course, assignment, stream=sys.stderr):
    exercise = exercise_for(assignment)
    if exercise is None:
        raise SystemExit("Không có bài tập «%s» trong bộ chấm." % assignment)
    modes = FeedbackModes.for_course(course)
    written = []
    with Gradebook(course.db_url) as gradebook:
        try:
            submissions = gradebook.find_assignment(assignment).submissions
        except MissingEntry:
            raise SystemExit("Sổ điểm chưa có bài tập «%s»: hãy phát hành và chấm trước." % assignment)
        for submission in sorted(submissions, key=lambda s: s.student.id):
            student = submission.student.id
            path = course.autograded(student, assignment, exercise.notebook)
            if not path.is_file():
                stream.write("Bỏ qua %s: chưa có notebook đã chấm.\n" % student)
                continue
            engine = nbformat.read(str(path), as_version=4).metadata.get(ENGINE_METADATA_KEY, {})
            notebook = gradebook.find_submission_notebook(exercise.notebook, assignment, student)
            scores = {grade.name: grade.score for grade in notebook.grades}
            prepare_folder(course, student, assignment, modes)
            target = course.feedback(student, assignment, exercise.notebook)
            atomic_write_text(target, render_feedback(student, assignment, exercise.notebook,
                                                      engine, scores,
                                                      notebook.late_submission_penalty),
                              mode=modes.page)
            write_release_files(course, student, assignment, submission.timestamp, modes)
            written.append(target)
    stream.write("Đã viết %d trang nhận xét vào %s.\n" % (len(written), course.root / "feedback"))
    return written
