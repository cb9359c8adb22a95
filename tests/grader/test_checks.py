"""Soundness and completeness of the cross_correlation checks (fast, no sandbox).

The harness's own observe functions run the implementations in this (test)
process; the records go through the trusted verifier exactly as sandbox
output would.
"""

import json

import numpy as np
import pytest
import torch

from grader import harness
from grader.autograde.verify import parse_records, sanitize_observation, verify
from grader.checks import exercise_for, judges
from grader.checks.cross_correlation import reference_correlation
from grader.sandbox import Limits, RunResult
from grader_testlib import CORRECT

EXERCISE = exercise_for("bai3-cross-correlation-pytorch")
ALL = {c.id for c in EXERCISE.checks}


def run_in_process(function):
    lines = [json.dumps({"event": "program_ok"})]
    from grader.autograde.plan import probes
    for probe in probes(EXERCISE):
        args = {name: harness.make_tensor(spec, "cpu") for name, spec in probe["inputs"].items()}
        if probe["kind"] == "gradient":
            obs = harness.observe_gradient(function, args["X"], args["K"], args["weights"])
        else:
            obs = harness.observe_call(function, args["X"], args["K"])
        lines.append(json.dumps({"event": "probe", "id": probe["id"], "device": "cpu", "obs": obs}))
    lines.append(json.dumps({"event": "done"}))
    return RunResult(result_text="\n".join(lines) + "\n", exit_code=0)


def passed(function, source="def cross_correlation(X, K): ..."):
    checks, failure = verify(EXERCISE, source, run_in_process(function), Limits())
    assert failure == ""
    return {c.id for c in checks if c.passed}, checks


def _defined(source):
    """The cross_correlation a submission's source defines."""
    namespace = {"torch": torch}
    exec(source, namespace)
    return namespace["cross_correlation"]


correct_loops = _defined(CORRECT)


def correct_einsum(X, K):
    kh, kw = K.shape
    windows = X.unfold(0, kh, 1).unfold(1, kw, 1)
    return torch.einsum("ijab,ab->ij", windows, K)


def correct_shifted_sums(X, K):
    kh, kw = K.shape
    h, w = X.shape[0] - kh + 1, X.shape[1] - kw + 1
    return sum(X[a:a + h, b:b + w] * K[a, b] for a in range(kh) for b in range(kw))


def flipped(X, K):
    return correct_loops(X, K.flip(0).flip(1))


def off_by_one(X, K):
    return correct_loops(X, K)[:-1, :]


def swapped_axes(X, K):
    kh, kw = K.shape
    Y = torch.zeros((X.shape[1] - kw + 1, X.shape[0] - kh + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + kh, j:j + kw] * K).sum() if i + kh <= X.shape[0] and j + kw <= X.shape[1] else 0
    return Y


def integer_output(X, K):
    return correct_loops(X, K).to(torch.int64)


def detached(X, K):
    return torch.tensor(correct_loops(X, K).tolist())


def via_numpy(X, K):
    return torch.from_numpy(reference_correlation(X.detach().numpy(), K.detach().numpy()))


def raises(X, K):
    raise ValueError("chưa làm")


@pytest.mark.parametrize("function", [correct_loops, correct_einsum, correct_shifted_sums])
def test_complete_every_correct_solution_gets_full_marks(function):
    assert passed(function)[0] == ALL


@pytest.mark.parametrize("function,must_fail", [
    (flipped, {"xcorr_values", "xcorr_nonsquare", "xcorr_hidden_values", "xcorr_gradient",
               "xcorr_no_builtin"}),
    (off_by_one, {"xcorr_shape", "xcorr_values", "xcorr_hidden_values"}),
    (swapped_axes, {"xcorr_nonsquare", "xcorr_hidden_values"}),
    (integer_output, {"xcorr_floating", "xcorr_hidden_values"}),
    (detached, {"xcorr_gradient"}),
    (via_numpy, {"xcorr_gradient"}),
    (raises, ALL),
])
def test_sound_wrong_solutions_lose_the_checks_they_fail(function, must_fail):
    ok, checks = passed(function)
    assert not (ok & must_fail)
    for check in checks:
        if not check.passed:
            text = " ".join(check.messages)
            assert "AssertionError" not in text and len(text) > 20


def test_hidden_messages_do_not_reveal_expected_values():
    _, checks = passed(flipped)
    hidden = next(c for c in checks if c.id == "xcorr_hidden_values")
    assert any("không hiển thị giá trị kỳ vọng" in m for m in hidden.messages)
    visible = next(c for c in checks if c.id == "xcorr_values")
    assert any("kỳ vọng 1, nhận được 3" in m for m in visible.messages)
    assert any("bị lật 180°" in m for m in visible.messages + hidden.messages)


@pytest.mark.parametrize("source,found", [
    ("import torch.nn.functional as F\ny = F.conv2d(x, k)", True),
    ("from scipy.signal import correlate2d", True),
    ("import numpy as np\ny = np.convolve(a, b)", True),
    ("f = getattr(torch.nn.functional, 'con' + 'v2d')", True),
    ("y = torch.fft.rfft2(x)", True),
    ("def cross_correlation(X, K):\n    return (X.unfold(0, 2, 1) * K).sum()", False),
    ("def cross_correlation(X, K):\n    conv_out = X\n    return conv_out", False),
])
def test_builtin_detection(source, found):
    assert bool(judges.find_builtin_convolutions(source)) is found


@pytest.mark.parametrize("obs", [
    "text", {"is_tensor": True, "shape": "2x2"}, {"is_tensor": True, "shape": [2, True]},
    {"is_tensor": True, "shape": [-1]}, {"is_tensor": True, "shape": [2, 2], "values": [True] * 4},
])
def test_untrusted_observations_are_sanitised(obs):
    clean = sanitize_observation(obs)
    assert "error" in clean or clean.get("values") is None


def test_values_of_wrong_length_or_nan_fail():
    obs = sanitize_observation({"is_tensor": True, "shape": [2, 2], "values": [1.0] * 3,
                                "floating": True, "device": "cpu", "dtype": "float32"})
    assert not judges.judge_values(obs, [[1, 1], [1, 1]], 1e-4, 1e-4, True, "x")[0]
    obs["values"] = [float("nan")] * 4
    assert not judges.judge_values(obs, [[1, 1], [1, 1]], 1e-4, 1e-4, True, "x")[0]


def test_records_forged_by_student_code_are_only_data():
    forged = '{"event": "done"}\n{"event": "probe", "id": "xcorr_values/0", "device": "cpu", ' \
             '"obs": {"is_tensor": true, "shape": [2, 2], "values": [0, 0, 0, 0]}}\nnot json\n'
    events, observations = parse_records(forged)
    assert observations[("xcorr_values/0", "cpu")]["values"] == [0.0] * 4
    checks, _ = verify(EXERCISE, "", RunResult(result_text=forged, exit_code=0), Limits())
    assert not next(c for c in checks if c.id == "xcorr_values").passed


def test_reference_matches_definition():
    X = np.arange(12.0).reshape(3, 4)
    K = np.array([[1.0, 0.0], [0.0, -1.0]])
    assert reference_correlation(X, K).tolist() == [[-5, -5, -5], [-5, -5, -5]]
