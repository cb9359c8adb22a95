"""Data model of an exercise's checks: defined once, used by the notebook
builder (visible and hidden test cells) and by the trusted verifier."""

from dataclasses import dataclass, field
from typing import Callable

# What each kind of check observes in the sandbox and how it is judged.
# "call": the student's function on the case's inputs; "gradient": the same
# plus the gradient of a weighted sum w.r.t. K; "static": the submitted source.
PROBE_OF_KIND = {
    "shape": "call",
    "values": "call",
    "floating": "call",
    "device": "call",
    "gradient": "gradient",
    "no_builtin": "static",
}


@dataclass
class Case:
    """One set of grader-chosen inputs, e.g. X 3x5 and K 2x3."""
    label: str
    inputs: dict  # name -> numpy array (the function's arguments, plus "weights")


@dataclass
class Check:
    id: str              # nbgrader grade_id of the test cell
    title: str           # Vietnamese, shown to students and in feedback
    points: int
    kind: str            # key of PROBE_OF_KIND
    cases: list = field(default_factory=list)
    hidden: bool = False
    requires: tuple = ()  # checks that must pass for this one to earn points
    rtol: float = 1e-4
    atol: float = 1e-4

    @property
    def probe(self):
        return PROBE_OF_KIND[self.kind]

    @property
    def all_devices(self):
        return self.kind == "device"


@dataclass
class Exercise:
    """A graded notebook: what students write and how it is checked."""
    assignment: str         # nbgrader assignment name
    notebook: str           # notebook name without .ipynb
    framework: str          # "pytorch" (MXNet/TensorFlow plug in as more definitions)
    function: str           # name of the function students implement
    title: str
    instructions: str       # Vietnamese markdown
    setup_code: str         # locked cell run before the solution (imports)
    solution_code: str      # instructor solution (between BEGIN/END SOLUTION)
    checks: list
    reference: Callable     # trusted numpy reference: (check, case) -> judge kwargs

    @property
    def total_points(self):
        return sum(check.points for check in self.checks)

    def check(self, check_id):
        for check in self.checks:
            if check.id == check_id:
                return check
        raise KeyError(check_id)

    def solution_grade_id(self):
        return self.function + "_solution"

