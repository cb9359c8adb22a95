"""`python -m grader feedback`: one HTML page of feedback per student.

Built from the gradebook (the points, including any manual override made in
formgrader) and the engine's per-check explanations stored in the autograded
notebook's metadata.  It contains no code at all: neither hidden tests, nor
the instructor's solution, nor reference values of hidden checks.
"""

import html
import sys

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from .autograde.record import ENGINE_METADATA_KEY, atomic_write_text
from .exercises import exercise_for

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
<p style="font-size:1.3rem">Tổng điểm: <b>{score:g}/{max_score:g}</b></p>
{notes}
<table><thead><tr><th>Bài kiểm tra</th><th>Điểm</th><th>Kết quả</th><th>Giải thích</th></tr></thead>
<tbody>
{rows}
</tbody></table>
<p>Bài kiểm tra ẩn dùng đầu vào khác với bài kiểm tra hiển thị; nhận xét chỉ nói sai ở đâu,
không cho biết giá trị đúng.</p>
</body></html>
"""


def render_feedback(student, assignment, notebook, engine, scores):
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
    return PAGE.format(assignment=e(assignment), student=e(student), notebook=e(notebook),
                       score=sum(scores.values()) if scores else engine.get("score", 0),
                       max_score=engine.get("max_score", 0), notes=notes, rows="\n".join(rows))


def generate_feedback(course, assignment, stream=sys.stderr):
    exercise = exercise_for(assignment)
    if exercise is None:
        raise SystemExit("Không có bài tập «%s» trong bộ chấm." % assignment)
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
            target = course.feedback(student, assignment, exercise.notebook)
            atomic_write_text(target, render_feedback(student, assignment, exercise.notebook,
                                                      engine, scores))
            written.append(target)
    stream.write("Đã viết %d trang nhận xét vào %s.\n" % (len(written), course.root / "feedback"))
    return written
