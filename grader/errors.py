"""Exceptions of the grading engine.

Side: trusted grader.  Library code raises these with a Vietnamese message
for the instructor; only the command line (``grader/__main__.py``) turns
them into exit codes.
"""


class GraderError(Exception):
    """A problem the instructor must fix before grading can go on (exit code 2)."""

    exit_code = 2

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class IsolationUnavailable(GraderError):
    """Student code cannot be isolated on this machine as configured."""


class UnknownAssignment(GraderError):
    """No exercise definition has this assignment name."""


class NotReleased(GraderError):
    """The assignment has not been released (no release notebook, no gradebook entry)."""


class UnknownStudent(GraderError):
    """A student named on the command line has no submission of this assignment."""
