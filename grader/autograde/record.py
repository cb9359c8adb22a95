"""Writing results where nbgrader's tools expect them.

Side: trusted grader (writes results where nbgrader expects them).

- autograded/<student>/<assignment>/<notebook>.ipynb: the instructor's released
  notebook with the student's solution cells in place and one output per test
  cell (an error output when the check failed, as nbgrader's determine_grade
  expects).  Hidden tests are never in it: the released copy has them removed.
- the gradebook: one transaction per submission, replacing any previous row of
  this (student, assignment), so a re-run never counts a result twice.  The
  late-submission penalty is computed there, as nbgrader's AssignLatePenalties
  does: from the raw score of this grading, never from an earlier result, so
  regrading never applies it twice.  An extension recorded in the gradebook
  is kept.
"""

import os
import tempfile
from functools import lru_cache
from pathlib import Path

import nbformat
from nbgrader import utils as nbgrader_utils
from nbgrader.api import (Comment, Grade, MissingEntry, Student, SubmittedAssignment,
                          SubmittedNotebook)

from ..late import LatePolicy, describe_lateness
from ..paths import Course

ENGINE_METADATA_KEY = "grader_engine"


@lru_cache(maxsize=8)
def _policy_of(config_file, mtime_ns):
    return LatePolicy.from_course(Path(config_file).parent)


def course_root_of(gradebook):
    """The course a gradebook belongs to: the folder of its SQLite file when that
    folder holds an nbgrader_config.py (the layout of every course), otherwise
    the course the engine runs for (GRADER_COURSE_DIR or grader/)."""
    url = gradebook.engine.url
    if url.drivername.startswith("sqlite") and url.database and url.database != ":memory:":
        folder = Path(url.database).resolve().parent
        if (folder / "nbgrader_config.py").is_file():
            return folder
    return Course.from_env().root


def late_policy_for(gradebook):
    """The course's late-submission policy, reloaded when its config file changes."""
    config_file = course_root_of(gradebook) / "nbgrader_config.py"
    mtime = config_file.stat().st_mtime_ns if config_file.is_file() else 0
    return _policy_of(str(config_file), mtime)


def atomic_write_bytes(path, data, mode=None):
    """Write a whole file or nothing; ``mode`` None keeps mkstemp's 0600."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            if mode is not None:
                os.fchmod(out.fileno(), mode)
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def atomic_write_text(path, text, mode=None):
    atomic_write_bytes(path, text.encode("utf-8"), mode)


def outcome_summary(outcome):
    """One Vietnamese paragraph: score, reason, notes (stored as nbgrader auto comment)."""
    parts = ["Điểm chấm tự động: %g/%g." % (outcome.score, outcome.max_score)]
    if outcome.reason:
        parts.append(outcome.reason)
    parts += outcome.notes
    return " ".join(parts)


def outcome_metadata(outcome):
    return {"status": outcome.status, "reason": outcome.reason, "notes": outcome.notes,
            "score": outcome.score, "max_score": outcome.max_score,
            "checks": [{"id": c.id, "title": c.title, "points": c.points,
                        "max_points": c.max_points, "hidden": c.hidden, "passed": c.passed,
                        "messages": c.messages} for c in outcome.checks]}


def build_autograded_notebook(release_notebook, solutions, outcome):
    nb = nbformat.read(str(release_notebook), as_version=4)
    results = {c.id: c for c in outcome.checks}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if cell.cell_type != "code":
            continue
        cell.outputs = []
        cell.execution_count = None
        if meta.get("solution") and grade_id in solutions:
            cell.source = solutions[grade_id]
            if outcome.reason or outcome.notes:
                cell.outputs.append(nbformat.v4.new_output(
                    "stream", name="stdout", text=outcome_summary(outcome) + "\n"))
        elif meta.get("grade") and grade_id in results:
            result = results[grade_id]
            text = "\n".join(result.messages)
            if result.passed:
                cell.outputs.append(nbformat.v4.new_output("stream", name="stdout",
                                                           text="Đạt.\n" + text + "\n"))
            else:
                cell.outputs.append(nbformat.v4.new_output(
                    "error", ename="Chưa đạt", evalue=text, traceback=["Chưa đạt: " + text]))
    nb.metadata[ENGINE_METADATA_KEY] = outcome_metadata(outcome)
    return nb


def write_autograded(path, notebook):
    atomic_write_text(path, nbformat.writes(notebook))


def is_recorded(gradebook, assignment, student):
    try:
        gradebook.find_submission(assignment, student)
        return True
    except MissingEntry:
        return False


def record_outcome(gradebook, outcome, late_policy=None):
    """Replace this student's row for this assignment, in a single transaction."""
    late_policy = late_policy or late_policy_for(gradebook)
    db = gradebook.db
    try:
        with db.no_autoflush:
            try:
                student = gradebook.find_student(outcome.student)
            except MissingEntry:
                student = Student(id=outcome.student)
                db.add(student)
            assignment = gradebook.find_assignment(outcome.assignment)
            try:
                old = gradebook.find_submission(outcome.assignment, outcome.student)
            except MissingEntry:
                old = None
            extension = None
            if old is not None:
                extension = old.extension
                for notebook in old.notebooks:
                    for row in list(notebook.grades) + list(notebook.comments):
                        db.delete(row)
                    db.delete(notebook)
                db.delete(old)
                db.flush()
            timestamp = None
            if outcome.timestamp:
                try:
                    timestamp = nbgrader_utils.parse_utc(outcome.timestamp)
                except Exception:  # a student-written timestamp.txt may hold anything
                    timestamp = None
            submission = SubmittedAssignment(assignment=assignment, student=student,
                                             timestamp=timestamp, extension=extension)
            db.add(submission)
            points = {c.id: c.points for c in outcome.checks}
            seconds_late = submission.total_seconds_late
            for notebook in list(assignment.notebooks):
                submitted = SubmittedNotebook(notebook=notebook, assignment=submission)
                raw_score = sum(points.get(cell.name, 0) for cell in notebook.grade_cells)
                penalty = late_policy.penalty(outcome.student, raw_score, seconds_late)
                submitted.late_submission_penalty = penalty
                comment = outcome_summary(outcome) + late_remark(seconds_late, penalty)
                for cell in notebook.grade_cells:
                    Grade(cell_id=cell.id, notebook=submitted, auto_score=points.get(cell.name, 0),
                          needs_manual_grade=False)
                for cell in notebook.solution_cells:
                    Comment(cell_id=cell.id, notebook=submitted, auto_comment=comment)
                for cell in notebook.task_cells:
                    Comment(cell_id=cell.id, notebook=submitted)
                    Grade(cell_id=cell.id, notebook=submitted, needs_manual_grade=True)
            db.add(submission)
            db.commit()
    except BaseException:
        db.rollback()
        raise


def late_remark(seconds_late, penalty):
    """Vietnamese sentence about lateness for the auto comment ('' when on time)."""
    if seconds_late <= 0:
        return ""
    text = " Nộp muộn %s so với hạn nộp" % describe_lateness(seconds_late)
    if penalty:
        return text + "; bị trừ %g điểm theo quy định nộp muộn của khóa học." % penalty
    return text + "."
