"""`python -m grader autograde`: the batch, in parallel and resumable.

Worker threads each drive one sandboxed process at a time (the CPU work is in
the sandboxes).  Only the main thread touches the gradebook, committing each
submission as soon as it is judged; a re-run skips what is recorded.
"""

import os
import queue
import shutil
import signal
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed

from nbgrader.api import Gradebook, MissingEntry

from ..checks import exercise_for
from ..sandbox import Limits, check_sandbox, run_sandboxed
from .plan import HARNESS_COMMAND, instructor_program, write_workdir
from .progress import ProgressBar, summary_table
from .record import build_autograded_notebook, is_recorded, record_outcome, write_autograded
from .submission import BadSubmission, load_submission
from .verify import Outcome, verify


class GradingError(SystemExit):
    """Fatal, instructor-facing error (Vietnamese message, exit code 2)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def discover_students(course, assignment):
    root = course.submitted()
    if not root.is_dir():
        return []
    students = []
    for entry in sorted(root.iterdir()):
        target = entry / assignment
        if entry.is_dir() and not entry.is_symlink() and target.is_dir() and not target.is_symlink():
            students.append(entry.name)
    return students


def remove_stale_run_dirs(course):
    """Work dirs left by a run that was killed (its pid is gone)."""
    if not course.work.is_dir():
        return
    for entry in course.work.glob("run-*"):
        try:
            pid = int(entry.name.split("-")[1])
        except (IndexError, ValueError):
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(entry, ignore_errors=True)
        except PermissionError:
            pass


def grade_one(course, exercise, student, limits, slot, isolated, run_dir):
    """Everything for one submission except the gradebook write (done by the caller)."""
    started = time.monotonic()
    release_nb = course.release(exercise.assignment, exercise.notebook)
    solution_ids = [exercise.solution_grade_id()]
    outcome = Outcome(student, exercise.assignment, status="graded")
    solutions = {}
    try:
        submission = load_submission(course.submitted(student, exercise.assignment), student,
                                     exercise.assignment, exercise.notebook, solution_ids,
                                     exercise.function)
        outcome.notes, outcome.timestamp = submission.notes, submission.timestamp
        solutions = submission.solutions
    except BadSubmission as bad:
        outcome.status, outcome.reason = "failed", bad.message
        outcome.checks, _ = verify(exercise, "", None, limits)
        outcome.wall_seconds = time.monotonic() - started
        return outcome, build_autograded_notebook(release_nb, {}, outcome)
    source = "\n\n".join(solutions.values())
    if not solutions:
        outcome.status, outcome.reason = "failed", "Bài nộp không có lời giải nào để chấm."
        outcome.checks, _ = verify(exercise, "", None, limits)
    else:
        workdir = run_dir / ("slot%d-%s" % (slot, uuid.uuid4().hex[:8]))
        try:
            write_workdir(workdir, exercise, instructor_program(release_nb, solutions, solution_ids),
                          limits)
            run = run_sandboxed(workdir, HARNESS_COMMAND, limits, slot=slot, isolated=isolated)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        outcome.checks, failure = verify(exercise, source, run, limits)
        outcome.timings = {"sandbox": run.wall_seconds,
                           "startup": run.extra.get("startup_seconds", run.wall_seconds)}
        if failure:
            outcome.status, outcome.reason = "failed", failure
    outcome.wall_seconds = time.monotonic() - started
    return outcome, build_autograded_notebook(release_nb, solutions, outcome)


def autograde(course, assignment, jobs=None, force=False, allow_unsafe=False, limits=None,
              stream=sys.stderr, students=None):
    limits = limits or Limits()
    jobs = max(1, jobs or os.cpu_count() or 1)
    exercise = exercise_for(assignment)
    if exercise is None:
        raise GradingError("Không có bài tập «%s» trong bộ chấm. Các bài tập có định nghĩa "
                           "bài kiểm tra: %s." % (assignment, ", ".join(_known())))
    if not course.release(assignment, exercise.notebook).is_file():
        raise GradingError("Bài tập «%s» chưa được phát hành: chạy `python -m grader release` "
                           "(hoặc `make assignments`) trước." % assignment)
    problem = check_sandbox()
    isolated = problem is None
    if problem and not allow_unsafe:
        raise GradingError("Từ chối chấm vì không cách ly được mã của sinh viên: %s\n"
                           "Nếu chấp nhận rủi ro (mã của sinh viên chạy không cách ly), "
                           "thêm tùy chọn --allow-unsafe." % problem)
    if problem:
        stream.write("CẢNH BÁO: chấm KHÔNG cách ly (--allow-unsafe): %s\n" % problem)
    gradebook = Gradebook(course.db_url)
    try:
        try:
            gradebook.find_assignment(assignment)
        except MissingEntry:
            raise GradingError("Sổ điểm chưa có bài tập «%s»: chạy `python -m grader release` "
                               "trước." % assignment)
        everyone = students or discover_students(course, assignment)
        if not everyone:
            stream.write("Không có bài nộp nào trong %s/*/%s.\n" % (course.submitted(), assignment))
            return []
        pending = [s for s in everyone if force or not is_recorded(gradebook, assignment, s)]
        skipped = len(everyone) - len(pending)
        stream.write("Chấm %s: %d bài nộp (%d đã chấm từ trước), %d luồng song song, "
                     "giới hạn %g giây/bài.\n" % (assignment, len(pending), skipped, jobs,
                                                 limits.wall_seconds))
        remove_stale_run_dirs(course)
        run_dir = course.work / ("run-%d-%s" % (os.getpid(), uuid.uuid4().hex[:6]))
        run_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(run_dir, 0o755)
        outcomes = []
        progress = ProgressBar(len(pending), stream)
        slots = queue.Queue()
        for slot in range(jobs):
            slots.put(slot)

        def task(student):
            slot = slots.get()
            try:
                return grade_one(course, exercise, student, limits, slot, isolated, run_dir)
            except Exception as exc:  # a grader bug must not stop the batch
                outcome = Outcome(student, assignment, status="failed",
                                  reason="Lỗi nội bộ của bộ chấm: %s: %s" % (type(exc).__name__, exc))
                outcome.checks, _ = verify(exercise, "", None, limits)
                return outcome, build_autograded_notebook(
                    course.release(assignment, exercise.notebook), {}, outcome)
            finally:
                slots.put(slot)

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(task, student): student for student in pending}
            try:
                for future in as_completed(futures):
                    outcome, notebook = future.result()
                    write_autograded(course.autograded(outcome.student, assignment,
                                                       exercise.notebook), notebook)
                    record_outcome(gradebook, outcome)
                    outcomes.append(outcome)
                    progress.advance(outcome.student)
            except KeyboardInterrupt:
                stream.write("\nĐã dừng. Các bài đã chấm xong vẫn được lưu; chạy lại lệnh để "
                             "chấm tiếp phần còn lại.\n")
                stream.flush()
                # Sandboxes die with this process (PDEATHSIG + PID namespaces).
                os.kill(os.getpid(), signal.SIGKILL)
        shutil.rmtree(run_dir, ignore_errors=True)
        summary_table(outcomes, skipped, stream)
        return outcomes
    finally:
        gradebook.close()


def _known():
    from ..checks import EXERCISES
    return sorted(EXERCISES)
