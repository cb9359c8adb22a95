"""The frameworks the grader knows, as the trusted side sees them.

Side: trusted grader.  The list and the tab labels come from
``bookbuild.frameworks`` (one list for the book and the grader); what the
grader needs to know of each framework (its CPU device name, its stand-in
for a GPU, which input layouts it can build) is read from the class constants of its student-side adapter,
``grader/student/adapters/<key>.py``, the one definition of the framework.
Importing an adapter module runs no framework code: frameworks are imported
in ``Adapter.__init__``, in the student process.
"""

import importlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bookbuild.frameworks import BY_KEY, FRAMEWORK_KEYS

ADAPTER_DIR = Path(__file__).resolve().parent / "student" / "adapters"

__all__ = ["FRAMEWORK_KEYS", "FrameworkFacts", "facts"]


@dataclass(frozen=True)
class FrameworkFacts:
    key: str
    label: str
    adapter_path: Path
    cpu: str
    stand_in: str | None
    layouts: tuple[str, ...]


@cache
def facts(key: str) -> FrameworkFacts:
    if key not in BY_KEY:
        raise KeyError(f"unknown framework {key!r}; known: {', '.join(FRAMEWORK_KEYS)}")
    adapter = importlib.import_module(f"grader.student.adapters.{key}").Adapter
    return FrameworkFacts(key=key, label=BY_KEY[key].label, adapter_path=ADAPTER_DIR / f"{key}.py",
                          cpu=adapter.CPU, stand_in=adapter.STAND_IN,
                          layouts=tuple(adapter.LAYOUTS))
