"""What a graded exercise is: checks that name what they observe and how it is judged.

Side: trusted grader.  One ``Exercise`` per (exercise, framework), built from
these dataclasses; the notebook builder, the plan and the verifier read
them and switch on nothing exercise-specific.

- A ``Check`` observes either probes (``operation`` names a probe operation
  of the exercise's student-side module ``grader/student/probes/<probes>.py``,
  run once per case and device) or the whole submission (``operation`` is
  ``SUBMISSION``: its source and every probe's record of forbidden
  routines), and is judged by a function of ``judges`` (same code in the
  notebook's Validate and in the grader).
- A ``Case`` holds grader-chosen inputs (arrays) and operation parameters,
  and the expected values the trusted reference computed for them.
"""

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

SUBMISSION = "submission"
# Where a check's probes run: the CPU only; the CPU and every GPU the
# framework sees; or, in addition, the framework's stand-in for a GPU
# (PyTorch's meta device, ...) when the grading machine has none.
ON_CPU, ON_EVERY_DEVICE, ON_EVERY_DEVICE_OR_STAND_IN = "cpu", "every", "every+stand_in"


@dataclass(frozen=True)
class Case:
    label: str                                  # Vietnamese, e.g. "X 3×5, K 2×3"
    arrays: dict[str, np.ndarray]               # inputs (hidden checks: never shown)
    params: dict = field(default_factory=dict)  # operation parameters (JSON-able)
    expected: dict = field(default_factory=dict)  # the judge's keyword arguments


@dataclass(frozen=True)
class Check:
    id: str                  # nbgrader grade_id of the test cell
    title: str               # Vietnamese, shown to students and in feedback
    points: int
    operation: str           # a probe operation, or SUBMISSION
    judge: Callable          # judges.<name>(obs, expected, label, device, reveal) -> (bool, str)
    cases: tuple[Case, ...] = ()
    hidden: bool = False
    requires: tuple[str, ...] = ()  # checks that must pass for this one to earn points
    devices: str = ON_EVERY_DEVICE

    @property
    def judge_name(self) -> str:
        return self.judge.__name__


@dataclass(frozen=True)
class Exercise:
    """A graded notebook for one framework."""
    assignment: str          # nbgrader assignment name, e.g. bai3-cross-correlation-pytorch
    notebook: str            # notebook name without .ipynb
    framework: str           # key in bookbuild.frameworks
    entry: str               # the function or class students write
    title: str
    instructions: str        # Vietnamese Markdown, first cell
    setup_code: str          # locked cell run before the solution (imports)
    solution_code: str       # the instructor's solution (BEGIN/END SOLUTION inside)
    checks: tuple[Check, ...]
    probes: str              # student-side probe module: grader/student/probes/<probes>.py
    book_section: str = ""   # the book page the recap links to

    @property
    def total_points(self) -> int:
        return sum(check.points for check in self.checks)

    @property
    def solution_grade_id(self) -> str:
        return f"{self.entry}_solution"

    def check(self, check_id: str) -> Check:
        for check in self.checks:
            if check.id == check_id:
                return check
        raise KeyError(check_id)
