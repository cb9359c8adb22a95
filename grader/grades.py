"""`python -m grader grades`: the gradebook as CSV (same columns as `nbgrader export`).

Side: trusted grader.
"""

import csv
import sys

from nbgrader.api import Gradebook

COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name",
           "email", "raw_score", "late_submission_penalty", "score", "max_score"]


def export_grades(course, out=sys.stdout):
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    rows = 0
    with Gradebook(course.db_url) as gradebook:
        for assignment in sorted(gradebook.assignments, key=lambda a: a.name):
            for student in sorted(gradebook.students, key=lambda s: s.id):
                try:
                    submission = gradebook.find_submission(assignment.name, student.id)
                except Exception:
                    writer.writerow([assignment.name, assignment.duedate, "", student.id,
                                     student.last_name, student.first_name, student.email,
                                     0.0, 0.0, 0.0, assignment.max_score])
                    rows += 1
                    continue
                penalty = submission.late_submission_penalty or 0.0
                writer.writerow([assignment.name, assignment.duedate, submission.timestamp,
                                 student.id, student.last_name, student.first_name,
                                 student.email, submission.score, penalty,
                                 max(0.0, submission.score - penalty), assignment.max_score])
                rows += 1
    return rows
