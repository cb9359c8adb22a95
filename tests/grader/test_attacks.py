"""Attack suite: one hostile submission per attack class of the threat model and of
the engine's own design, graded in ONE batch next to honest baselines; each test
asserts the guarantee its attack targets.  (PyTorch cross_correlation; the
other frameworks' soundness is in test_samples.py.)
"""

import copy
import hashlib
import io
import json
import os
import re

import numpy as np
import psutil
import pytest

from grader_testlib import new_course, notebook_with, released, submit
from grader.autograde.runner import autograde
from grader.exercises import EXERCISES
from grader.feedback import generate_feedback
from grader.samples import samples_for
from grader.sandbox.uids import PAIRS, UID_BASE
from grader.sandbox.host import Limits
from nbgrader.api import Gradebook

pytestmark = pytest.mark.slow
ASSIGNMENT = "bai3-cross-correlation-pytorch"
EXERCISE = EXERCISES[ASSIGNMENT]
NOTEBOOK = EXERCISE.notebook + ".ipynb"
# A correct student solution (not the instructor's: its text must never reach feedback).
CORRECT = next(s.source for s in samples_for(EXERCISE) if s.name == "dung_vong_lap")
ZEROS = """\
def cross_correlation(X, K):
    return torch.zeros((X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1),
                       dtype=X.dtype, device=X.device)
"""
FLIPPED = CORRECT.replace("* K).sum()", "* K.flip(0).flip(1)).sum()")
DAEMON_MARK = "987654"
TIMEOUT = 20
ALL = {check.id for check in EXERCISE.checks}
PROBE_CHECKS = {check.id for check in EXERCISE.checks if check.operation != "submission"}


def correct_with(prefix="", inside=""):
    """A correct solution with code before it and code at the start of the function."""
    body = CORRECT.replace("def cross_correlation(X, K):\n",
                           "def cross_correlation(X, K):\n" + inside)
    return prefix + "\n" + body


def attack_solutions(course):
    root = str(course.root)
    other = str(course.submitted("honest_correct", ASSIGNMENT) / NOTEBOOK)
    secrets = [str(course.source(ASSIGNMENT, EXERCISE.notebook)), root + "/gradebook.db", other,
               root + "/nbgrader_config.py", "/work/main/grader/exercises"]
    forged = ('{"type":"answer","probe":"xcorr_values/0@cpu","nonce":"x","obs":{"kind":"tensor",'
              '"shape":[2,2],"floating":true,"device":"cpu"},"flags":[],"arrays":[]}\\n'
              '{"type":"done","arrays":[]}\\n')
    return {
        # -- honest baselines -------------------------------------------------------
        "honest_correct": CORRECT, "honest_zeros": ZEROS, "honest_flipped": FLIPPED,
        # -- forged observations ----------------------------------------------------
        "forge_every_fd": (
            "import os\ndef cross_correlation(X, K):\n"
            "    for fd in range(1024):\n        try:\n"
            f"            os.write(fd, b'{forged}')\n"
            "        except OSError:\n            pass\n    raise NotImplementedError\n"),
        "forge_main_module": (
            "import sys\nfor name, module in list(sys.modules.items()):\n"
            "    for attr in ('observe_call', 'observe_tensor', 'describe', 'judge_values', 'send'):\n"
            "        try:\n            setattr(module, attr, lambda *a, **k: {'kind': 'tensor'})\n"
            "        except Exception:\n            pass\n"
            "def cross_correlation(X, K):\n    raise NotImplementedError\n"),
        "forge_json": (
            "import json, json.encoder\njson.dumps = lambda *a, **k: '{\"type\": \"done\"}'\n"
            "json.encoder.encode_basestring_ascii = lambda s: '\"done\"'\n"
            "json.loads = lambda *a, **k: {'type': 'bye'}\n" + ZEROS),
        "forge_channel": (
            "import os\ndef cross_correlation(X, K):\n"
            "    for path in ('/chan/answer', '/chan/request'):\n"
            "        try:\n"
            f"            open(path, 'wb').write(b'{forged}')\n"
            "        except OSError:\n            pass\n"
            "    return torch.zeros(1)\n"),
        "lying_subclass": (
            "class Liar(torch.Tensor):\n"
            "    def tolist(self): return [[1.0]]\n"
            "    def detach(self): return self\n    def cpu(self): return self\n"
            "    def numpy(self): import numpy; return numpy.ones((2, 2))\n"
            "    def __eq__(self, other): return True\n"
            "    def is_floating_point(self): return True\n"
            "def cross_correlation(X, K):\n    return torch.zeros(1).as_subclass(Liar)\n"),
        "lying_proxy": (
            "class Proxy:\n"
            "    shape = (2, 2)\n    dtype = torch.float32\n    device = torch.device('cpu')\n"
            "    def __eq__(self, other): return True\n"
            "    def __array__(self, *a, **k): import numpy; return numpy.zeros((2, 2))\n"
            "    def __getattr__(self, name): return lambda *a, **k: self\n"
            "def cross_correlation(X, K):\n    return Proxy()\n"),
        "numpy_sets_grad": (
            "import numpy\n"
            "def _corr(x, k):\n    kh, kw = k.shape\n"
            "    return numpy.array([[(x[i:i+kh, j:j+kw] * k).sum() for j in range(x.shape[1]-kw+1)]"
            " for i in range(x.shape[0]-kh+1)])\n"
            "def cross_correlation(X, K):\n"
            "    x, k = X.detach().numpy(), K.detach().numpy()\n"
            "    Y = torch.tensor(_corr(x, k), dtype=X.dtype, requires_grad=True)\n"
            "    K.grad = torch.ones_like(K)\n    return Y\n"),
        "dispatch_mode": (
            "from torch.overrides import TorchFunctionMode\n"
            "class Fake(TorchFunctionMode):\n"
            "    def __torch_function__(self, func, types, args=(), kwargs=None):\n"
            "        return func(*args, **(kwargs or {}))\n"
            "Fake().__enter__()\n" + ZEROS),
        # -- introspection: blocked and flagged -----------------------------------
        "gc_search": ("import gc\n_found = [o for o in gc.get_objects() if isinstance(o, dict) "
                      "and 'nonce' in o]\n" + CORRECT),
        "frame_walk": correct_with("import sys", "    sys._getframe(1).f_locals\n"),
        "traceback_frames": correct_with(
            "", "    try:\n        raise KeyError\n    except KeyError as e:\n"
                "        e.__traceback__.tb_frame.f_back\n"),
        "inspect_stack": correct_with("import inspect", "    inspect.stack()\n"),
        "ctypes_memory": correct_with("import sys", "    sys.modules['ctypes'].string_at(id(X), 64)\n"),
        "proc_fd": correct_with("import os", "    os.listdir('/proc/self/fd')\n"),
        "subprocess_cat": correct_with(
            "import subprocess", "    subprocess.run(['cat', '/chan/request'])\n"),
        "settrace": correct_with("import sys", "    sys.settrace(lambda *a: None)\n"),
        # -- hidden inputs must not leak --------------------------------------------
        "leak_exception": correct_with(
            "", "    if tuple(X.shape) not in [(3, 3), (4, 4), (3, 5), (5, 3), (2, 5), (5, 2)]:\n"
                "        raise ValueError(repr(X.tolist()) + repr(K.tolist()))\n"),
        "leak_exception_class": correct_with(
            "", "    if tuple(X.shape) == (7, 9):\n"
                "        raise type('L_' + '_'.join(str(int(abs(v) * 1000)) for v in "
                "X.flatten()[:4].tolist()), (Exception,), {})()\n"),
        "leak_stdout": correct_with("", "    print('INPUT', X.tolist(), K.tolist())\n"),
        "ansi_in_error": "raise RuntimeError('\\x1b[2J\\x1b[31mxoa man hinh\\x07')\n" + ZEROS,
        # -- the policy, reached in disguise ----------------------------------------
        "conv_join_chr": (
            "import torch.nn.functional as F\ndef cross_correlation(X, K):\n"
            "    f = getattr(F, ''.join(map(chr, [99, 111, 110, 118, 50, 100])))\n"
            "    return f(X[None, None], K[None, None])[0, 0]\n"),
        "conv_exec_base64": (
            "import base64\nexec(base64.b64decode(%r).decode())\n" % __import__("base64").b64encode(
                b"import torch.nn.functional as F\ndef cross_correlation(X, K):\n"
                b"    return F.conv2d(X[None, None], K[None, None])[0, 0]\n").decode()),
        "conv_local_alias": (
            "import torch.nn.functional as F\n"
            "def conv2d(a, b):\n    return F.conv2d(a, b)\n"
            "def cross_correlation(X, K):\n    return conv2d(X[None, None], K[None, None])[0, 0]\n"),
        "fft_numpy": (
            "import numpy\ndef cross_correlation(X, K):\n"
            "    x, k = X.detach().cpu().numpy().astype('float64'), K.detach().cpu().numpy()\n"
            "    kh, kw = k.shape\n    h, w = x.shape\n"
            "    full = numpy.real(numpy.fft.ifft2(numpy.fft.fft2(x) * numpy.conj(numpy.fft.fft2(k, x.shape))))\n"
            "    Y = torch.tensor(full[:h - kh + 1, :w - kw + 1], dtype=X.dtype, device=X.device)\n"
            "    return Y + 0 * K.sum()\n"),
        "scipy_correlate": (
            "import importlib\ndef cross_correlation(X, K):\n"
            "    signal = importlib.import_module('scipy.sig' + 'nal')\n"
            "    out = signal.correlate2d(X.detach().cpu().numpy(), K.detach().cpu().numpy(), 'valid')\n"
            "    return torch.tensor(out, dtype=X.dtype, device=X.device)\n"),
        # -- ending the process, looping, sleeping ---------------------------------
        "sys_exit": "import sys\nsys.exit(0)\n" + ZEROS,
        "os_exit_in_call": "import os\ndef cross_correlation(X, K):\n    os._exit(0)\n",
        "self_kill": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
        "loop_ignoring_sigterm": ("import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                                  "def cross_correlation(X, K):\n    while True:\n        pass\n"),
        "sleep": "import time\ntime.sleep(10_000)\n",
        # -- resources, also spread over processes -----------------------------------
        "memory_bomb": "blocks = []\nwhile True:\n    blocks.append(bytearray(10**8))\n",
        # Correct only if six 700 MB processes all survive: more than the sandbox may use.
        "memory_spread": correct_with(
            "import os, time\nCHILDREN = []\nfor _ in range(6):\n    pid = os.fork()\n"
            "    if pid == 0:\n        block = bytearray(700 * 1024**2)\n"
            "        for i in range(0, len(block), 4096):\n            block[i] = 1\n"
            "        time.sleep(60)\n        os._exit(0)\n    CHILDREN.append(pid)\n"
            "time.sleep(6)\n"
            "def _alive(pid):\n    try:\n        return os.waitpid(pid, os.WNOHANG)[0] == 0\n"
            "    except ChildProcessError:\n        return False",
            "    if not all(_alive(pid) for pid in CHILDREN):\n"
            "        return torch.zeros(1)\n"),
        "print_flood": "import os\nwhile True:\n    os.write(1, b'x' * 65536)\n",
        "fork_bomb": ("import os\nfor _ in range(10_000):\n    try:\n        os.fork()\n"
                      "    except OSError:\n        break\n" + ZEROS),
        "daemon": ("import os\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
                   f"        os.execv('/bin/sleep', ['sleep', '{DAEMON_MARK}'])\n    os._exit(0)\n"
                   + ZEROS),
        # -- files: read secrets (points only if one is readable), write others' files --
        "read_secrets": correct_with(
            f"import os\nSECRETS = {secrets!r}\nLEAK = any(os.path.exists(p) for p in SECRETS)",
            "    if not LEAK:\n        return torch.zeros(1)\n"),
        "write_others": (
            f"TARGETS = {secrets + [root + '/autograded', root]!r}\n"
            "for path in TARGETS:\n    try:\n        open(path, 'w').write('pwned')\n"
            "    except OSError:\n        pass\n" + ZEROS),
        # -- detecting grading: hard-code the visible answers -----------------------
        "detect_grading": correct_with(
            "import os\nGRADED = 'get_ipython' not in globals() or not os.environ.get('JPY_PARENT_PID')",
            "    if GRADED and tuple(X.shape) not in [(3, 3), (4, 4), (3, 5), (5, 3)]:\n"
            "        return torch.zeros(1)\n"),
    }


def tampered_notebooks(release_nb):
    """student id -> notebook dict, tampering with cells and metadata."""
    out = {}
    nb = notebook_with(release_nb, FLIPPED)
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("grade"):
            cell["source"] = "pass"
            meta["points"] = 100
        if meta.get("solution"):
            meta["grade"], meta["points"] = True, 100
    out["tamper_edit_tests"] = nb
    nb = notebook_with(release_nb, FLIPPED)
    nb["cells"] = [c for c in nb["cells"] if not c["metadata"].get("nbgrader", {}).get("grade")]
    out["tamper_delete_tests"] = nb
    nb = notebook_with(release_nb, FLIPPED)
    solution = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution"))
    duplicate = copy.deepcopy(solution)
    duplicate["source"] = CORRECT
    nb["cells"].append(duplicate)
    out["tamper_duplicate"] = nb
    nb = notebook_with(release_nb, CORRECT)
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade"):
            cell["cell_type"] = "markdown"
            cell.pop("outputs", None), cell.pop("execution_count", None)
    nb["metadata"]["kernelspec"] = {"name": "bash", "display_name": "Bash", "language": "bash"}
    out["tamper_retype_and_kernel"] = nb
    nb = notebook_with(release_nb, CORRECT)
    solution = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution"))
    solution["cell_type"] = "raw"
    solution.pop("outputs", None), solution.pop("execution_count", None)
    out["tamper_retype_solution"] = nb
    nb = notebook_with(release_nb, ZEROS)
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "check_helpers":
            cell["source"] = "def judge_values(*a, **k):\n    return True, 'ok'\n"
    out["tamper_helpers"] = nb
    return out


def _digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


@pytest.fixture(scope="module")
def batch(tmp_path_factory, sandbox_ready):
    course = new_course(tmp_path_factory.mktemp("attacks"), [ASSIGNMENT])
    release_nb = released(course, ASSIGNMENT)
    for student, source in attack_solutions(course).items():
        submit(course, student, notebook_with(release_nb, source))
    for student, nb in tampered_notebooks(release_nb).items():
        submit(course, student, nb)
    good = notebook_with(release_nb, CORRECT)
    submit(course, "bad_corrupt", json.dumps(good)[:5000])
    submit(course, "bad_empty", b"")
    submit(course, "bad_huge", b'{"cells": [], "x": "' + b"a" * (6 * 1024**2) + b'"}')
    submit(course, "bad_misnamed", good, name="Cross_Correlation (1).ipynb")
    submit(course, "bad_missing", "ghi chú", name="notes.txt")
    directory = submit(course, "bad_extra_files", good)
    (directory / "data.bin").write_bytes(os.urandom(1000))
    directory = course.submitted("bad_symlink", ASSIGNMENT)
    directory.mkdir(parents=True)
    os.symlink(course.submitted("honest_correct", ASSIGNMENT) / NOTEBOOK, directory / NOTEBOOK)
    protected = {p: _digest(p) for p in [course.source(ASSIGNMENT, EXERCISE.notebook),
                                          course.root / "nbgrader_config.py",
                                          course.submitted("honest_correct", ASSIGNMENT) / NOTEBOOK]}
    log = io.StringIO()
    outcomes = autograde(course, ASSIGNMENT, jobs=2, stream=log,
                         limits=Limits(wall_seconds=TIMEOUT, cpu_seconds=TIMEOUT,
                                       memory_bytes=1536 * 1024**2))
    generate_feedback(course, ASSIGNMENT, stream=log)
    return {"course": course, "outcomes": {o.student: o for o in outcomes},
            "protected": protected, "log": log.getvalue()}


def passed(batch, student):
    return {c.id for c in batch["outcomes"][student].checks if c.passed}


def score(batch, student):
    return batch["outcomes"][student].score


# --- baselines ------------------------------------------------------------------------

def test_honest_baselines(batch):
    assert score(batch, "honest_correct") == EXERCISE.total_points == 10
    assert passed(batch, "honest_zeros") == {"xcorr_shape", "xcorr_floating", "xcorr_device"}
    assert "xcorr_values" not in passed(batch, "honest_flipped")


# --- 1. no submission scores more than its honest content ----------------------------

@pytest.mark.parametrize("student", ["forge_every_fd", "forge_main_module", "forge_channel"])
def test_forged_observations_earn_nothing(batch, student):
    """Writing records to any descriptor, replacing observer functions anywhere in
    sys.modules, or opening the channel FIFOs: the function raises or returns junk, and
    that is all that is graded."""
    assert score(batch, student) == 0


def test_patching_json_gains_nothing(batch):
    assert passed(batch, "forge_json") <= passed(batch, "honest_zeros")


def test_channel_access_is_flagged(batch):
    flags = batch["outcomes"]["forge_channel"].flags
    assert any("/chan" in flag for flag in flags), flags


@pytest.mark.parametrize("student", ["lying_subclass", "lying_proxy"])
def test_lying_objects_gain_nothing(batch, student):
    assert passed(batch, student) == set()
    message = batch["outcomes"][student].checks[0].messages[0]
    assert "tensor" in message and "AssertionError" not in message


def test_gradient_set_by_hand_does_not_count(batch):
    assert "xcorr_gradient" not in passed(batch, "numpy_sets_grad")
    assert "xcorr_values" in passed(batch, "numpy_sets_grad")  # the values are honest work


def test_dispatch_mode_left_behind_is_tampering(batch):
    outcome = batch["outcomes"]["dispatch_mode"]
    assert outcome.score == 0 and outcome.flags


@pytest.mark.parametrize("student,evidence", [
    ("gc_search", "gc.get_objects"), ("frame_walk", "sys._getframe"),
    ("traceback_frames", "tb_frame"), ("inspect_stack", "sys._getframe"),
    ("ctypes_memory", "ctypes"), ("proc_fd", "/proc"), ("subprocess_cat", "chương trình khác"),
    ("settrace", "sys.settrace")])
def test_introspection_is_blocked_flagged_and_scores_zero(batch, student, evidence):
    """An otherwise correct solution that touches the grader's internals loses every
    check from that point on, and the instructor sees why."""
    outcome = batch["outcomes"][student]
    assert outcome.score == 0, [c.messages for c in outcome.checks]
    assert any(evidence in flag for flag in outcome.flags), outcome.flags
    assert any("can thiệp vào bộ chấm" in note for note in outcome.notes)


def test_detecting_grading_does_not_pass_hidden_checks(batch):
    assert "xcorr_hidden_values" not in passed(batch, "detect_grading")


@pytest.mark.parametrize("student", ["conv_join_chr", "conv_exec_base64", "conv_local_alias",
                                     "fft_numpy", "scipy_correlate"])
def test_builtin_routines_in_disguise_lose_the_policy_point(batch, student):
    outcome = batch["outcomes"][student]
    assert "xcorr_no_builtin" not in passed(batch, student)
    assert "xcorr_values" in passed(batch, student)
    message = next(c for c in outcome.checks if c.id == "xcorr_no_builtin").messages[0]
    assert "có sẵn" in message


# --- tampering with the notebook ---------------------------------------------------------

@pytest.mark.parametrize("student", ["tamper_edit_tests", "tamper_delete_tests",
                                     "tamper_duplicate"])
def test_tampered_tests_and_points_are_ignored(batch, student):
    assert passed(batch, student) == passed(batch, "honest_flipped")
    assert batch["outcomes"][student].max_score == 10


def test_retyped_cells_and_kernel_change(batch):
    assert score(batch, "tamper_retype_and_kernel") == 10
    outcome = batch["outcomes"]["tamper_retype_solution"]
    assert outcome.score == 10 and any("đổi kiểu" in n for n in outcome.notes)


def test_replaced_helper_cell_is_not_used(batch):
    assert passed(batch, "tamper_helpers") == passed(batch, "honest_zeros")


# --- 2./3. files: nothing read, nothing written; nothing hidden leaks --------------------

def test_secrets_are_not_visible_in_the_sandbox(batch):
    assert "xcorr_values" not in passed(batch, "read_secrets")


def test_other_files_and_rows_unchanged(batch):
    for path, digest in batch["protected"].items():
        assert _digest(path) == digest, path
    course = batch["course"]
    with Gradebook(course.db_url) as gradebook:
        assert gradebook.find_submission(ASSIGNMENT, "honest_correct").score == 10
        assert len(gradebook.find_assignment(ASSIGNMENT).submissions) == len(batch["outcomes"])


def _hidden_numbers():
    numbers = set()
    for check in EXERCISE.checks:
        if check.hidden:
            for case in check.cases:
                for array in case.arrays.values():
                    numbers |= {f"{v:.3f}".rstrip("0") for v in np.asarray(array).ravel()
                                if abs(v) >= 0.1 and len(f"{abs(v):.3f}".rstrip("0")) >= 5}
    return numbers


def test_feedback_reveals_no_hidden_input_solution_or_error_text(batch):
    course = batch["course"]
    numbers = _hidden_numbers()
    assert len(numbers) > 20
    pages = list((course.root / "feedback").rglob("*.html"))
    autograded = list((course.root / "autograded").rglob("*.ipynb"))
    assert pages and autograded
    for path in pages + autograded:
        text = path.read_text()
        assert "BEGIN HIDDEN" not in text and "torch.result_type(X, K)" not in text
        found = [n for n in numbers if re.search(r"(?<![\d.])" + re.escape(n) + r"(?!\d)", text)]
        assert not found, (path, found[:5])
    hidden = next(c for c in batch["outcomes"]["leak_exception"].checks
                  if c.id == "xcorr_hidden_values")
    assert not hidden.passed and "ValueError" in hidden.messages[0]
    assert "chỉ cho biết loại lỗi" in hidden.messages[0]
    custom = next(c for c in batch["outcomes"]["leak_exception_class"].checks
                  if c.id == "xcorr_hidden_values")
    assert "tự định nghĩa" in " ".join(custom.messages)


def test_control_characters_are_escaped_for_the_instructor(batch):
    assert "\x1b" not in batch["log"] and "\x07" not in batch["log"]
    assert "\\x1b[2J" in batch["log"]


# --- 4. the batch finishes, failures are explained -----------------------------------------

@pytest.mark.parametrize("student,reason", [
    ("sys_exit", "gây lỗi"), ("self_kill", "tín hiệu 9"), ("loop_ignoring_sigterm", "Hết thời gian"),
    ("sleep", "Hết thời gian"), ("memory_bomb", "bộ nhớ"), ("print_flood", "in ra quá nhiều"),
    ("os_exit_in_call", "kết thúc giữa chừng"),
])
def test_failures_are_recorded_with_reason(batch, student, reason):
    outcome = batch["outcomes"][student]
    assert outcome.status == "failed" and outcome.score == 0
    assert reason in outcome.reason, outcome.reason
    assert outcome.wall_seconds < TIMEOUT + 20


def test_memory_spread_over_processes_is_capped_for_the_whole_sandbox(batch):
    """Six processes of 700 MB each exceed the sandbox's 1.5 GB: the group limit,
    not a per-process one, stops them (the solution is correct only if all six
    survive), and the batch goes on."""
    assert "xcorr_values" not in passed(batch, "memory_spread")
    assert score(batch, "honest_correct") == 10


def test_fork_bomb_is_contained(batch):
    assert passed(batch, "fork_bomb") <= passed(batch, "honest_zeros")


def test_every_submission_has_a_result(batch):
    students = sorted(p.name for p in batch["course"].submitted().iterdir())
    assert sorted(batch["outcomes"]) == students
    assert "Tổng kết:" in batch["log"]


@pytest.mark.parametrize("student,fragment", [
    ("bad_corrupt", "Notebook hỏng"), ("bad_empty", "Notebook rỗng"), ("bad_huge", "quá lớn"),
    ("bad_missing", "Thiếu notebook"), ("bad_symlink", "không phải là tệp thường"),
])
def test_bad_input_messages(batch, student, fragment):
    outcome = batch["outcomes"][student]
    assert outcome.status == "failed" and outcome.score == 0 and fragment in outcome.reason


def test_misnamed_and_extra_files_still_graded(batch):
    misnamed = batch["outcomes"]["bad_misnamed"]
    assert misnamed.score == 10 and any("sai tên" in n for n in misnamed.notes)
    extra = batch["outcomes"]["bad_extra_files"]
    assert extra.score == 10 and any("data.bin" in n for n in extra.notes)


# --- 5. nothing survives ------------------------------------------------------------------

def test_no_process_survives(batch):
    survivors = []
    for proc in psutil.process_iter(["pid", "uids", "cmdline"]):
        try:
            cmdline = proc.info["cmdline"] or []
            uid = proc.info["uids"].real if proc.info["uids"] else -1
        except (psutil.Error, TypeError):
            continue
        if DAEMON_MARK in cmdline or UID_BASE <= uid < UID_BASE + 2 * PAIRS:
            survivors.append((proc.info["pid"], cmdline))
    assert survivors == []
    assert passed(batch, "daemon") == passed(batch, "honest_zeros")
