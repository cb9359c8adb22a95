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
    # Where the framework seeing a GPU changes what it fails (a device mistake that only
    # errors on a real GPU): the checks it must fail then.  None: the same as ``fails``.
    fails_on_gpu: frozenset | None = None

    def failed_checks(self, exercise, gpu: bool = False) -> set[str]:
        fails = self.fails_on_gpu if gpu and self.fails_on_gpu is not None else self.fails
        return {c.id for c in exercise.checks} if fails == ALL else set(fails)


ALL = frozenset({"*"})


def samples_for(exercise) -> list[Sample]:
    """The samples of one (exercise, framework) definition."""
    from . import cross_correlation, my_dense, my_init
    registry = {**my_init.SAMPLES, **my_dense.SAMPLES, **cross_correlation.SAMPLES}
    return registry.get(exercise.assignment, [])
