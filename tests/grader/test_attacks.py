"""Attack suite: one hostile submission per category of the threat model.

All submissions are graded in ONE batch (2 jobs, short wall limit) next to
honest baselines; each test then asserts the guarantee its attack targets.
"""

import copy
import hashlib
import io
import json
import os

import psutil
import pytest

from grader_testlib import (ASSIGNMENT, CORRECT, CORRECT_VECTORISED, FLIPPED, NOTEBOOK, ZEROS,
                      new_course, notebook_with, submit)
from grader.autograde.runner import autograde
from grader.checks import exercise_for
from grader.feedback import generate_feedback
from grader.sandbox import ROOT_SLOT_UID_BASE, Limits
from nbgrader.api import Gradebook

pytestmark = pytest.mark.slow
EXERCISE = exercise_for(ASSIGNMENT)
DAEMON_MARK = "987654"  # argument of the daemon's `sleep`, to find survivors
TIMEOUT = 8


def _with_zeros(prefix):
    return prefix + "\n" + ZEROS


def attack_solutions(course):
    """student id -> solution source.  Paths of the course are baked into the
    file attacks, as a student who knows the layout would."""
    root = str(course.root)
    other = str(course.submitted("honest_correct", ASSIGNMENT) / (NOTEBOOK + ".ipynb"))
    secrets = [str(course.source(ASSIGNMENT, NOTEBOOK)), root + "/gradebook.db", other,
               root + "/nbgrader_config.py", "/work/main/grader/source"]
    return {
        # Monkeypatching comparison functions, builtins and sys.modules.
        "patch_allclose": _with_zeros(
            "import numpy, torch\ntorch.allclose = lambda *a, **k: True\n"
            "torch.equal = lambda *a, **k: True\nnumpy.allclose = lambda *a, **k: True\n"
            "numpy.isclose = lambda a, b, **k: numpy.ones(numpy.shape(b), bool)\n"
            "numpy.testing.assert_allclose = lambda *a, **k: None"),
        "patch_builtins": _with_zeros(
            "import builtins\nbuiltins.isinstance = lambda *a: True\n"
            "builtins.AssertionError = type('Never', (Exception,), {})\n"
            "builtins.print = lambda *a, **k: None"),
        "patch_sys_modules": _with_zeros(
            "import sys, types\nfake = types.ModuleType('json')\n"
            "fake.dumps = lambda *a, **k: '{\"event\": \"done\"}'\nsys.modules['json'] = fake\n"
            "sys.modules['numpy'] = types.ModuleType('numpy')"),
        # IPython hooks (absent in the sandbox; must not help anyway).
        "ipython_hooks": _with_zeros(
            "try:\n    ip = get_ipython()\n"
            "    ip.set_custom_exc((BaseException,), lambda *a, **k: None)\n"
            "    ip.events.register('post_run_cell', lambda *a: None)\n"
            "    ip.input_transformers_post.append(lambda lines: ['pass\\n'])\n"
            "except NameError:\n    pass"),
        # Lying objects.
        "lying_subclass": (
            "class Liar(torch.Tensor):\n"
            "    def __eq__(self, other): return True\n"
            "    def __array__(self, *a, **k): import numpy; return numpy.ones((2, 2))\n"
            "    def tolist(self): return [1.0]\n"
            "    def is_floating_point(self): return True\n"
            "def cross_correlation(X, K):\n"
            "    return torch.zeros(1).as_subclass(Liar)\n"),
        "lying_proxy": (
            "class Proxy:\n"
            "    shape = (2, 2)\n    dtype = torch.float32\n    device = torch.device('cpu')\n"
            "    def __eq__(self, other): return True\n"
            "    def __array__(self, *a, **k): import numpy; return numpy.zeros((2, 2))\n"
            "    def __getattr__(self, name): return lambda *a, **k: self\n"
            "def cross_correlation(X, K):\n    return Proxy()\n"),
        # Ending the kernel, looping, sleeping, ignoring SIGTERM.
        "sys_exit": "import sys\nsys.exit(0)\n" + ZEROS,
        "os_exit_in_call": "import os\ndef cross_correlation(X, K):\n    os._exit(0)\n",
        "self_kill": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
        "loop_ignoring_sigterm": ("import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                                  "def cross_correlation(X, K):\n    while True:\n        pass\n"),
        "sleep": "import time\ntime.sleep(10_000)\n",
        # Resources: memory, CPU threads, output, processes.
        "memory_bomb": "blocks = []\nwhile True:\n    blocks.append(bytearray(10**8))\n",
        "print_flood": "import os\nwhile True:\n    os.write(1, b'x' * 65536)\n",
        "fork_bomb": ("import os\nfor _ in range(10_000):\n    try:\n        os.fork()\n"
                      "    except OSError:\n        break\n" + ZEROS),
        "daemon": ("import os\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
                   "        os.execv('/bin/sleep', ['sleep', '%s'])\n    os._exit(0)\n" % DAEMON_MARK
                   + ZEROS),
        # Files: read secrets (gain points only if one is readable), write others' files.
        "read_secrets": (
            "import os\nSECRETS = %r\n" % secrets +
            "LEAK = any(os.path.exists(p) for p in SECRETS)\n" + CORRECT.replace(
                "    return Y", "    return Y if LEAK else torch.zeros_like(Y)")),
        "write_others": (
            "import os\nTARGETS = %r\n" % (secrets + [root + "/autograded", root]) +
            "for path in TARGETS:\n    try:\n        open(path, 'w').write('pwned')\n"
            "    except OSError:\n        pass\n" + ZEROS),
        # Detecting grading: hard-code the visible answers when not in Jupyter.
        "detect_grading": (
            "import os\nGRADED = 'get_ipython' not in globals() or not os.environ.get('JPY_PARENT_PID')\n"
            + CORRECT.replace("def cross_correlation(X, K):",
                              "def cross_correlation(X, K):\n"
                              "    if GRADED and tuple(X.shape) not in [(3, 3), (4, 4), (3, 5)]:\n"
                              "        return torch.zeros(1)")),
        # Honest baselines in the same batch.
        "honest_correct": CORRECT,
        "honest_vectorised": CORRECT_VECTORISED,
        "honest_zeros": ZEROS,
        "honest_flipped": FLIPPED,
        "builtin_conv": ("import torch.nn.functional as F\ndef cross_correlation(X, K):\n"
                         "    return F.conv2d(X[None, None], K[None, None])[0, 0]\n"),
        "builtin_conv_getattr": ("import torch.nn.functional as F\ndef cross_correlation(X, K):\n"
                                 "    f = getattr(F, 'con' + 'v2d')\n"
                                 "    return f(X[None, None], K[None, None])[0, 0]\n"),
    }


def tampered_notebooks(released):
    """student id -> notebook dict, tampering with cells and metadata."""
    out = {}
    nb = notebook_with(released, FLIPPED)
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("grade"):
            cell["source"] = "pass"          # edit locked test cells
            meta["points"] = 100             # and their points
        if meta.get("solution"):
            meta["grade"], meta["points"] = True, 100
    out["tamper_edit_tests"] = nb
    nb = notebook_with(released, FLIPPED)
    nb["cells"] = [c for c in nb["cells"] if not c["metadata"].get("nbgrader", {}).get("grade")]
    out["tamper_delete_tests"] = nb
    nb = notebook_with(released, FLIPPED)
    solution = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution"))
    duplicate = copy.deepcopy(solution)
    duplicate["source"] = CORRECT
    nb["cells"].append(duplicate)
    test = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade"))
    nb["cells"].append(copy.deepcopy(test))
    out["tamper_duplicate"] = nb
    nb = notebook_with(released, CORRECT)
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade"):
            cell["cell_type"] = "markdown"
            cell.pop("outputs", None), cell.pop("execution_count", None)
    nb["metadata"]["kernelspec"] = {"name": "bash", "display_name": "Bash", "language": "bash"}
    out["tamper_retype_and_kernel"] = nb
    nb = notebook_with(released, CORRECT)
    solution = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution"))
    solution["cell_type"] = "raw"
    solution.pop("outputs", None), solution.pop("execution_count", None)
    out["tamper_retype_solution"] = nb
    nb = notebook_with(released, ZEROS)
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "check_helpers":
            cell["source"] = "def judge_values(*a, **k):\n    return True, 'ok'\n"
    out["tamper_helpers"] = nb
    return out


@pytest.fixture(scope="module")
def batch(tmp_path_factory, sandbox_ready, released_notebook):
    course = new_course(tmp_path_factory.mktemp("attacks"))
    solutions = attack_solutions(course)
    for student, source in solutions.items():
        submit(course, student, notebook_with(released_notebook, source))
    for student, nb in tampered_notebooks(released_notebook).items():
        submit(course, student, nb)
    good = notebook_with(released_notebook, CORRECT)
    # Bad input.
    submit(course, "bad_corrupt", json.dumps(good)[:5000])
    submit(course, "bad_empty", b"")
    submit(course, "bad_huge", b'{"cells": [], "x": "' + b"a" * (6 * 1024**2) + b'"}')
    submit(course, "bad_misnamed", good, name="Cross_Correlation (1).ipynb")
    submit(course, "bad_missing", "ghi chú", name="notes.txt")
    directory = submit(course, "bad_extra_files", good)
    (directory / "data.bin").write_bytes(os.urandom(1000))
    directory = course.submitted("bad_symlink", ASSIGNMENT)
    directory.mkdir(parents=True)
    os.symlink(course.submitted("honest_correct", ASSIGNMENT) / (NOTEBOOK + ".ipynb"),
               directory / (NOTEBOOK + ".ipynb"))
    protected = {p: _digest(p) for p in [course.source(ASSIGNMENT, NOTEBOOK),
                                          course.root / "nbgrader_config.py",
                                          course.submitted("honest_correct", ASSIGNMENT)
                                          / (NOTEBOOK + ".ipynb")]}
    log = io.StringIO()
    outcomes = autograde(course, ASSIGNMENT, jobs=2,
                         limits=Limits(wall_seconds=TIMEOUT, cpu_seconds=TIMEOUT), stream=log)
    generate_feedback(course, ASSIGNMENT, stream=log)
    return {"course": course, "outcomes": {o.student: o for o in outcomes},
            "protected": protected, "log": log.getvalue()}


def _digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def _score(batch, student):
    return batch["outcomes"][student].score


def _passed(batch, student):
    return {c.id for c in batch["outcomes"][student].checks if c.passed}


# --- Baselines: the checks are sound and complete --------------------------------

def test_honest_baselines(batch):
    assert _score(batch, "honest_correct") == EXERCISE.total_points == 10
    assert _score(batch, "honest_vectorised") == 10
    assert _passed(batch, "honest_zeros") == {"xcorr_shape", "xcorr_floating", "xcorr_device"}
    assert "xcorr_values" not in _passed(batch, "honest_flipped")
    assert "xcorr_hidden_values" not in _passed(batch, "honest_flipped")


def test_builtin_convolution_detected_statically(batch):
    for student in ("builtin_conv", "builtin_conv_getattr"):
        outcome = batch["outcomes"][student]
        assert _passed(batch, student) == {c.id for c in EXERCISE.checks} - {"xcorr_no_builtin"}
        message = next(c for c in outcome.checks if c.id == "xcorr_no_builtin").messages[0]
        assert "có sẵn" in message and "conv" in message


# --- 1. No submission scores more than its honest content ------------------------

@pytest.mark.parametrize("student", ["patch_allclose", "patch_builtins", "patch_sys_modules",
                                     "ipython_hooks", "tamper_helpers"])
def test_monkeypatching_gains_nothing(batch, student):
    assert _passed(batch, student) <= _passed(batch, "honest_zeros")


@pytest.mark.parametrize("student", ["lying_subclass", "lying_proxy"])
def test_lying_objects_gain_nothing(batch, student):
    assert _passed(batch, student) <= _passed(batch, "honest_zeros")
    assert "xcorr_shape" not in _passed(batch, student)
    assert batch["outcomes"][student].checks[1].messages  # explained, not just "AssertionError"


@pytest.mark.parametrize("student", ["tamper_edit_tests", "tamper_delete_tests",
                                     "tamper_duplicate"])
def test_tampered_tests_and_points_are_ignored(batch, student):
    # The instructor's cells and points are used; only the (flipped) solution counts.
    assert _passed(batch, student) == _passed(batch, "honest_flipped")
    assert batch["outcomes"][student].max_score == 10


def test_retyped_cells_and_kernel_change(batch):
    assert _score(batch, "tamper_retype_and_kernel") == 10
    outcome = batch["outcomes"]["tamper_retype_solution"]
    assert outcome.score == 10 and any("đổi kiểu" in n for n in outcome.notes)


def test_detecting_grading_does_not_pass_hidden_checks(batch):
    passed = _passed(batch, "detect_grading")
    assert "xcorr_hidden_values" not in passed and "xcorr_gradient" not in passed


# --- 2./3. Files: nothing read, nothing written -----------------------------------

def test_secrets_are_not_visible_in_the_sandbox(batch):
    assert _passed(batch, "read_secrets") == _passed(batch, "honest_zeros")


def test_other_files_and_rows_unchanged(batch):
    for path, digest in batch["protected"].items():
        assert _digest(path) == digest, path
    course = batch["course"]
    with Gradebook(course.db_url) as gb:
        assert gb.find_submission(ASSIGNMENT, "honest_correct").score == 10
        assert gb.find_submission(ASSIGNMENT, "write_others").score == _score(batch, "honest_zeros")
        assert len(gb.find_assignment(ASSIGNMENT).submissions) == len(batch["outcomes"])


def test_feedback_reveals_no_hidden_test_or_solution(batch):
    course = batch["course"]
    hidden_inputs = [c for c in EXERCISE.checks if c.hidden]
    expected_numbers = set()
    for check in hidden_inputs:
        for case in check.cases:
            reference = EXERCISE.reference(check, case)
            for value in json.dumps(reference.get("expected") or reference.get("expected_grad")
                                    ).replace("[", " ").replace("]", " ").replace(",", " ").split():
                if len(value) > 6:
                    expected_numbers.add(value)
    pages = list((course.root / "feedback").rglob("*.html"))
    autograded = list((course.root / "autograded").rglob("*.ipynb"))
    assert len(pages) == len(batch["outcomes"]) - 0 and autograded
    for path in pages + autograded:
        text = path.read_text()
        assert "BEGIN HIDDEN" not in text and "judge_gradient(observe_gradient" not in text
        assert "torch.result_type(X, K)" not in text  # the instructor's solution
        assert not [n for n in expected_numbers if n in text], path


# --- 4. The batch finishes, failures are explained --------------------------------

@pytest.mark.parametrize("student,reason", [
    ("sys_exit", "gây lỗi"), ("self_kill", "tín hiệu 9"), ("loop_ignoring_sigterm", "Hết thời gian"),
    ("sleep", "Hết thời gian"), ("memory_bomb", "MemoryError|Hết thời gian"),
    ("print_flood", "in ra quá nhiều"), ("os_exit_in_call", "kết thúc giữa chừng"),
])
def test_failures_are_recorded_with_reason(batch, student, reason):
    outcome = batch["outcomes"][student]
    assert outcome.status == "failed" and outcome.score == 0
    assert any(part in outcome.reason for part in reason.split("|"))
    assert outcome.wall_seconds < TIMEOUT + 15


def test_every_submission_has_a_result(batch):
    course = batch["course"]
    students = sorted(p.name for p in course.submitted().iterdir())
    assert sorted(batch["outcomes"]) == students
    assert "Tổng kết:" in batch["log"]


@pytest.mark.parametrize("student,fragment", [
    ("bad_corrupt", "Notebook hỏng"), ("bad_empty", "Notebook rỗng"),
    ("bad_huge", "quá lớn"), ("bad_missing", "Thiếu notebook"),
    ("bad_symlink", "không phải là tệp thường"),
])
def test_bad_input_messages(batch, student, fragment):
    outcome = batch["outcomes"][student]
    assert outcome.status == "failed" and outcome.score == 0 and fragment in outcome.reason


def test_misnamed_and_extra_files_still_graded(batch):
    misnamed = batch["outcomes"]["bad_misnamed"]
    assert misnamed.score == 10 and any("sai tên" in n for n in misnamed.notes)
    extra = batch["outcomes"]["bad_extra_files"]
    assert extra.score == 10 and any("data.bin" in n for n in extra.notes)


def test_fork_bomb_contained(batch):
    assert _passed(batch, "fork_bomb") <= _passed(batch, "honest_zeros")


# --- 5. Nothing survives ------------------------------------------------------------

def test_no_process_survives(batch):
    survivors = []
    for proc in psutil.process_iter(["pid", "uids", "cmdline"]):
        try:
            cmdline = proc.info["cmdline"] or []
            uid = proc.info["uids"].real if proc.info["uids"] else -1
        except (psutil.Error, TypeError):
            continue
        if DAEMON_MARK in cmdline or ROOT_SLOT_UID_BASE <= uid < ROOT_SLOT_UID_BASE + 64:
            survivors.append((proc.info["pid"], cmdline))
    assert survivors == []
    assert _passed(batch, "daemon") == _passed(batch, "honest_zeros")
