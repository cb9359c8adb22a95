"""`python -m grader release`: source notebooks from the exercise definitions, then
nbgrader's own generate_assignment (release/ and the gradebook's structure).

Side: trusted grader.
"""

import subprocess
import sys

from .errors import GraderError, UnknownAssignment
from .exercises import EXERCISES, exercises_for
from .notebook_builder import write_source_notebooks
from .paths import Course


def release(course: Course, assignments: list[str] | None = None,
            frameworks: list[str] | None = None, stream=sys.stdout) -> list[str]:
    """Release the named assignments, or every assignment of ``frameworks`` (all by default)."""
    try:
        chosen = exercises_for(frameworks)
    except KeyError as unknown:
        raise UnknownAssignment(f"Không có framework: {unknown}. Các framework: mxnet, pytorch, "
                                "tensorflow.") from None
    if assignments:
        unknown = sorted(set(assignments) - set(EXERCISES))
        if unknown:
            raise UnknownAssignment(f"Không có bài tập tên: {', '.join(unknown)}. Các bài tập "
                                    f"hiện có: {', '.join(sorted(EXERCISES))}.")
        chosen = [exercise for exercise in chosen if exercise.assignment in assignments]
    write_source_notebooks(course.root, chosen)
    released = []
    for exercise in chosen:
        result = subprocess.run(
            [sys.executable, "-m", "nbgrader", "generate_assignment", exercise.assignment,
             "--force", f"--CourseDirectory.root={course.root}",
             f"--CourseDirectory.db_url={course.db_url}"],
            cwd=course.root, capture_output=True, text=True)
        if result.returncode != 0:
            raise GraderError(f"nbgrader generate_assignment thất bại cho {exercise.assignment}:\n"
                              + result.stdout[-3000:] + result.stderr[-3000:])
        print(f"Đã phát hành {exercise.assignment} ({exercise.total_points} điểm) → "
              f"{course.release(exercise.assignment)}", file=stream)
        released.append(exercise.assignment)
    return released
