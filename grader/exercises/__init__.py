"""The graded exercises: one definition per (exercise, framework).

Side: trusted grader.  A new exercise adds a module here with its
definitions (and, if it needs new probe operations, a module in
grader/student/probes/); a new framework adds an adapter in
grader/student/adapters/ and its definitions.  Nothing else switches on them.
"""

from ..frameworks import FRAMEWORK_KEYS
from .cross_correlation import EXERCISES as CROSS_CORRELATION
from .my_dense import EXERCISES as MY_DENSE
from .my_init import EXERCISES as MY_INIT
from .spec import Exercise

EXERCISES: dict[str, Exercise] = {exercise.assignment: exercise
                                  for exercise in (*MY_INIT, *MY_DENSE, *CROSS_CORRELATION)}


def exercise_for(assignment: str) -> Exercise | None:
    return EXERCISES.get(assignment)


def exercises_for(frameworks: list[str] | None = None) -> list[Exercise]:
    """Every exercise, or those of the given frameworks, in a stable order."""
    unknown = set(frameworks or ()) - set(FRAMEWORK_KEYS)
    if unknown:
        raise KeyError(", ".join(sorted(unknown)))
    return [exercise for exercise in EXERCISES.values()
            if not frameworks or exercise.framework in frameworks]
