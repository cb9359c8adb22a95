"""`python -m grader release`: source notebooks from the check definitions,
then nbgrader's own generate_assignment (release/ + gradebook structure)."""

import subprocess
import sys

from .checks import EXERCISES
from .notebook_builder import write_source_notebooks


def release(course, assignments=None, stream=sys.stdout):
    exercises = [e for e in EXERCISES.values() if not assignments or e.assignment in assignments]
    if assignments:
        unknown = set(assignments) - {e.assignment for e in exercises}
        if unknown:
            raise SystemExit("Không có bài tập tên: %s. Các bài tập hiện có: %s"
                             % (", ".join(sorted(unknown)), ", ".join(sorted(EXERCISES))))
    write_source_notebooks(course.root, exercises)
    for exercise in sorted({e.assignment for e in exercises}):
        result = subprocess.run(
            [sys.executable, "-m", "nbgrader", "generate_assignment", exercise, "--force",
             "--CourseDirectory.root=%s" % course.root, "--CourseDirectory.db_url=%s" % course.db_url],
            cwd=course.root, capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit("nbgrader generate_assignment thất bại cho %s:\n%s"
                             % (exercise, result.stdout[-3000:] + result.stderr[-3000:]))
        print("Đã phát hành %s → %s" % (exercise, course.release(exercise)), file=stream)
