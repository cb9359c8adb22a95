"""`python -m grader autograde`: one batch, in parallel, resumable, every result kept.

Side: trusted grader.  Worker threads each drive one sandbox at a time (the
CPU work happens in the sandboxes); only the main thread writes the
gradebook, one transaction per submission as soon as it is judged, so an
interrupted batch loses nothing and a re-run grades only what is missing.
At the start of a batch a sandboxed run with no student code takes the
census of the devices the framework sees there; every check runs on the CPU
and on each of those devices.
"""

import difflib
import os
import queue
import shutil
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from ..errors import GraderError, NotReleased, UnknownAssignment, UnknownStudent
from ..exercises import EXERCISES, exercise_for
from ..exercises.spec import Exercise
from ..paths import Course
from ..sandbox.host import Isolation, Limits, decide_isolation, run_plan
from ..late import LatePolicy
from .discover import discover_students, find_misplaced
from .plan import Census, census_from, census_plan, encode_plan, probes, program_cells, write_bundle
from .progress import ProgressBar, escape_controls, summary_table
from .record import build_autograded_notebook, is_recorded, record_outcome, write_autograded
from .submission import BadSubmission, load_submission
from .verify import Outcome, verify


class GradingInterrupted(GraderError):
    """Ctrl-C: what was graded is saved; the command line exits with status 130."""

    exit_code = 130


def remove_stale_run_dirs(course: Course) -> None:
    """Work dirs left by a batch that was killed (its pid is gone)."""
    if not course.work.is_dir():
        return
    for entry in course.work.glob("run-*"):
        try:
            pid = int(entry.name.split("-")[1])
            os.kill(pid, 0)
        except (IndexError, ValueError):
            continue
        except ProcessLookupError:
            shutil.rmtree(entry, ignore_errors=True)
        except PermissionError:
            pass


def take_census(bundle: Path, framework: str, limits: Limits, isolation: Isolation) -> Census:
    return census_from(run_plan(bundle, census_plan(), limits, isolation), framework)


@dataclass
class Batch:
    """What every submission of one batch shares."""
    course: Course
    exercise: Exercise
    limits: Limits
    isolation: Isolation
    census: Census
    bundle: Path

    @property
    def release_notebook(self) -> Path:
        return self.course.release(self.exercise.assignment, self.exercise.notebook)


def grade_one(batch: Batch, student: str):
    """Everything for one submission except the gradebook write (the caller does it)."""
    started = time.monotonic()
    exercise = batch.exercise
    planned = probes(exercise, batch.census)
    outcome = Outcome(student, exercise.assignment, status="graded")
    solutions: dict[str, str] = {}
    run, source, solution_indices = None, "", []
    try:
        submission = load_submission(batch.course.submitted(student, exercise.assignment), student,
                                     exercise.assignment, exercise.notebook,
                                     [exercise.solution_grade_id], exercise.entry)
        outcome.notes, outcome.timestamp = submission.notes, submission.timestamp
        solutions = submission.solutions
        if not solutions:
            outcome.status, outcome.reason = "failed", "Bài nộp không có lời giải nào để chấm."
    except BadSubmission as bad:
        outcome.status, outcome.reason = "failed", bad.message
    if solutions:
        cells, solution_indices = program_cells(batch.release_notebook, solutions)
        source = "\n\n".join(cells[index] for index in solution_indices)
        run = run_plan(batch.bundle, encode_plan(cells, planned), batch.limits, batch.isolation)
    verdict = verify(exercise, batch.census, planned, run, source, batch.limits, solution_indices)
    outcome.checks, outcome.flags = verdict.checks, verdict.flags
    if run is not None:
        outcome.timings = {"sandbox": run.wall_seconds, "student": verdict.student_seconds}
    if verdict.failure:
        outcome.status, outcome.reason = "failed", verdict.failure
    if not batch.census.accelerators:
        outcome.notes = list(outcome.notes) + [
            "Máy chấm không có GPU: các bài kiểm tra chỉ chạy trên CPU, phần trên GPU đã bỏ qua"
            + (f" (bài kiểm tra thiết bị dùng {batch.census.stand_in} thay cho GPU)."
               if batch.census.stand_in else ".")]
    if outcome.flags:
        outcome.notes = list(outcome.notes) + [
            "Bộ chấm phát hiện lời giải can thiệp vào bộ chấm: " + "; ".join(outcome.flags[:5])
            + ". Các bài kiểm tra chạy sau thời điểm đó không được tính điểm."]
    outcome.wall_seconds = time.monotonic() - started
    return outcome, build_autograded_notebook(batch.release_notebook, solutions, outcome)


def check_students(requested: list[str], available: list[str], assignment: str) -> None:
    unknown = [name for name in requested if name not in available]
    if unknown:
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, available, n=3)
            hints.append(f"«{name}»" + (f" (có phải {', '.join(close)}?)" if close else ""))
        raise UnknownStudent(f"Không có bài nộp {assignment} của: {', '.join(hints)}. Sổ điểm "
                             "không bị thay đổi.")


def autograde(course: Course, assignment: str, *, jobs: int | None = None, force: bool = False,
              limits: Limits | None = None, allow_unsafe: bool = False,
              allow_no_memory_limit: bool = False, students: list[str] | None = None,
              stream=sys.stderr) -> list[Outcome]:
    limits = limits or Limits()
    jobs = max(1, jobs or os.cpu_count() or 1)
    exercise = exercise_for(assignment)
    if exercise is None:
        raise UnknownAssignment(f"Không có bài tập «{assignment}» trong bộ chấm. Các bài tập có "
                                f"định nghĩa bài kiểm tra: {', '.join(sorted(EXERCISES))}.")
    if not course.release(assignment, exercise.notebook).is_file():
        raise NotReleased(f"Bài tập «{assignment}» chưa được phát hành: chạy `make assignments` "
                          "trước.")
    available = discover_students(course, assignment)
    if students:
        check_students(students, available, assignment)
    for misplaced in find_misplaced(course, assignment, exercise.notebook):
        stream.write(f"CHÚ Ý: {misplaced.message}\n")
    late_policy = LatePolicy.from_course(course.root)
    isolation = decide_isolation(allow_unsafe, allow_no_memory_limit,
                                 gpu_present=any(Path("/dev").glob("nvidia[0-9]*")))
    for warning in isolation.warnings:
        stream.write(f"CẢNH BÁO: {warning}\n")
    with Gradebook(course.db_url) as gradebook:
        try:
            gradebook.find_assignment(assignment)
        except MissingEntry:
            raise NotReleased(f"Sổ điểm chưa có bài tập «{assignment}»: chạy `make assignments` "
                              "trước.") from None
        everyone = students or available
        if not everyone:
            stream.write(f"Không có bài nộp nào trong {course.submitted()}/*/{assignment}.\n")
            return []
        pending = [s for s in everyone if force or not is_recorded(gradebook, assignment, s)]
        earlier = [s for s in everyone if s not in pending]
        remove_stale_run_dirs(course)
        run_dir = course.work / f"run-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        run_dir.mkdir(parents=True, exist_ok=True)
        run_dir.chmod(0o755)
        try:
            bundle = write_bundle(run_dir / "bundle", exercise.framework, exercise.probes)
            stream.write(f"Kiểm kê thiết bị của {exercise.framework} trong hộp cát...\n")
            census = take_census(bundle, exercise.framework, limits, isolation)
            stream.write(f"Chấm {assignment}: {len(pending)} bài nộp ({len(earlier)} đã chấm từ "
                         f"trước), {jobs} luồng song song, giới hạn {limits.wall_seconds:g} "
                         f"giây/bài; thiết bị: {', '.join(census.devices)}"
                         + (f" (thay GPU bằng {census.stand_in})"
                            if not census.accelerators and census.stand_in else "") + ".\n")
            batch = Batch(course, exercise, limits, isolation, census, bundle)
            outcomes = _grade_all(batch, pending, jobs, gradebook, late_policy, stream)
        finally:
            shutil.rmtree(run_dir, ignore_errors=True)
        summary_table(outcomes, earlier, gradebook, assignment, stream)
        return outcomes


def _grade_all(batch: Batch, pending: list[str], jobs: int, gradebook, late_policy,
               stream) -> list[Outcome]:
    outcomes: list[Outcome] = []
    progress = ProgressBar(len(pending), stream)

    def task(student):
        progress.started(student)
        try:
            return grade_one(batch, student)
        except Exception as error:  # a grader bug must not stop the batch
            # The details are the instructor's; the student reads only that it was not them.
            stream.write(f"\nLỖI NỘI BỘ của bộ chấm khi chấm {escape_controls(student)}: "
                         f"{type(error).__name__}: {escape_controls(str(error))[:500]}\n")
            outcome = Outcome(student, batch.exercise.assignment, status="failed",
                              reason="Lỗi nội bộ của bộ chấm (không phải lỗi của bài nộp); bài "
                                     "này cần được chấm lại.")
            outcome.checks = verify(batch.exercise, batch.census, [], None, "", batch.limits).checks
            return outcome, build_autograded_notebook(batch.release_notebook, {}, outcome)

    pool = ThreadPoolExecutor(max_workers=jobs)
    futures = []
    try:
        futures += [pool.submit(task, student) for student in pending]
        for future in as_completed(futures):
            outcome, notebook = future.result()
            write_autograded(batch.course.autograded(outcome.student, outcome.assignment,
                                                     batch.exercise.notebook), notebook)
            record_outcome(gradebook, outcome, late_policy)
            outcomes.append(outcome)
            progress.finished(outcome.student)
    except KeyboardInterrupt:
        progress.stop()
        for future in futures:
            future.cancel()
        raise GradingInterrupted(
            f"Đã dừng theo yêu cầu (Ctrl-C). {len(outcomes)} bài đã chấm xong đã được lưu vào sổ "
            "điểm; chạy lại lệnh để chấm tiếp phần còn lại.") from None
    finally:
        progress.stop()
        pool.shutdown(wait=False, cancel_futures=True)
    return outcomes
