"""Helpers of the grader tests: throw-away courses, submissions, sample solutions."""

import copy
import json
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from grader.bench import ASSIGNMENT, KINDS, NOTEBOOK  # noqa: E402
from grader.paths import Course  # noqa: E402
from grader.release import release  # noqa: E402

# The benchmark's correct loop solution doubles as the tests' reference submission.
CORRECT = KINDS["dung_vonglap"]

CORRECT_VECTORISED = """\
def cross_correlation(X, K):
    kh, kw = K.shape
    windows = X.unfold(0, kh, 1).unfold(1, kw, 1)
    return (windows * K).sum(dim=(-1, -2))
"""

FLIPPED = CORRECT.replace("* K).sum()", "* K.flip(0).flip(1)).sum()")

ZEROS = """\
def cross_correlation(X, K):
    return torch.zeros((X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1))
"""


def new_course(tmp_path):
    root = Path(tmp_path) / "course"
    root.mkdir(parents=True)
    shutil.copy(REPO / "grader" / "nbgrader_config.py", root / "nbgrader_config.py")
    course = Course(root.resolve())
    release(course, [ASSIGNMENT], stream=open("/dev/null", "w"))
    return course


def notebook_with(released, solution):
    nb = copy.deepcopy(released)
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("solution"):
            cell["source"] = solution
    return nb


def submit(course, student, content, name=NOTEBOOK + ".ipynb"):
    """Write a submission; ``content`` is a notebook dict, str or bytes."""
    directory = course.submitted(student, ASSIGNMENT)
    directory.mkdir(parents=True, exist_ok=True)
    if isinstance(content, dict):
        content = json.dumps(content)
    if isinstance(content, str):
        content = content.encode()
    (directory / name).write_bytes(content)
    return directory
