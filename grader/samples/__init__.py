"""Sample submissions of every graded notebook: correct ones written differently,
typical mistakes, crashes and endless loops, each with the checks it must fail.

Side: trusted grader (instructor material).  The tests grade each sample and
require exactly these failures; the benchmark and `make demo-class` build
their classes from them.
"""

from dataclasses import dataclass

CORRECT, WRONG, CRASH, LOOP = "correct", "wrong", "crash", "loop"


@dataclass(frozen=True)
class Sample:
    name: str                 # short id, used in student ids (ascii)
    kind: str                 # CORRECT, WRONG, CRASH or LOOP
    source: str               # the solution cell
    fails: frozenset = frozenset()   # ids of the checks it must fail (all of them: ALL)
    description: str = ""     # Vietnamese, one line, for the instructor

    def failed_checks(self, exercise) -> set[str]:
        return {c.id for c in exercise.checks} if self.fails == ALL else set(self.fails)


ALL = frozenset({"*"})


def samples_for(exercise) -> list[Sample]:
    """The samples of one (exercise, framework) definition."""
    from . import cross_correlation
    registry = {**cross_correlation.SAMPLES}
    return registry.get(exercise.assignment, [])
