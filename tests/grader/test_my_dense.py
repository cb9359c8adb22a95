"""Bài tập 2 (MyDense): the cases and their expected values, and every sample graded in
this process (fast, no sandbox; see test_my_init.py for how)."""

import numpy as np
import pytest

from grader.exercises import EXERCISES, my_dense
from grader.samples import CORRECT, WRONG, samples_for
from test_my_init import (failed_checks, grade_in_process, reference_source,
                          run_notebook_cells, sample_cases, sees_gpu)

MY_DENSE = [name for name in EXERCISES if name.startswith("bai2-my-dense-")]


def numeric_gradient(function, value, step=1e-6):
    """Central differences of a scalar function of one array."""
    value = np.array(value, dtype=np.float64)
    grad = np.zeros_like(value)
    for index in np.ndindex(value.shape):
        up, down = value.copy(), value.copy()
        up[index] += step
        down[index] -= step
        grad[index] = (function(up) - function(down)) / (2 * step)
    return grad


def forward_cases(exercise):
    return [(check, case) for check in exercise.checks for case in check.cases
            if check.operation == "forward"]


@pytest.mark.parametrize("assignment", MY_DENSE)
def test_points_and_visibility(assignment):
    exercise = EXERCISES[assignment]
    assert exercise.total_points == 10
    hidden = {check.id for check in exercise.checks if check.hidden}
    assert hidden == {"dense_hidden_values", "dense_train_step", "dense_sequential"}


@pytest.mark.parametrize("assignment", MY_DENSE)
def test_cases_make_relu_and_bias_matter(assignment):
    """Pre-activations of both signs, away from the kink; a nonzero bias; sizes that differ
    pairwise (one square case on purpose); expected values are relu(X W + b)."""
    square = 0
    for check, case in forward_cases(EXERCISES[assignment]):
        X, W, b = (case.arrays[name].astype(np.float64) for name in ("X", "W", "b"))
        Z = X @ W + b
        assert np.all(np.abs(Z) >= my_dense.MARGIN) and (Z < 0).any() and (Z > 0).any()
        assert np.all(b != 0)
        batch, (n_in, units) = X.shape[0], W.shape
        if n_in == units:
            square += 1
        else:
            assert len({batch, n_in, units}) == 3 or 1 in (batch, n_in, units)
        if "values" in case.expected:
            np.testing.assert_allclose(case.expected["values"], np.where(Z > 0, Z, 0))
            for mistake, _ in case.expected["hints"]:
                assert not np.allclose(mistake, case.expected["values"], atol=1e-4)
    assert square == 1


@pytest.mark.parametrize("assignment", MY_DENSE)
def test_expected_gradients_match_finite_differences(assignment):
    exercise = EXERCISES[assignment]
    for check, case in forward_cases(exercise):
        if "grad" not in case.expected:
            continue
        X, W, b, G = (case.arrays[name].astype(np.float64) for name in ("X", "W", "b", "G"))
        np.testing.assert_allclose(
            case.expected["grad"]["weight"],
            numeric_gradient(lambda w: np.sum(my_dense.reference(X, w, b) * G), W), atol=1e-5)
        np.testing.assert_allclose(
            case.expected["grad"]["bias"],
            numeric_gradient(lambda v: np.sum(my_dense.reference(X, W, v) * G), b), atol=1e-5)


@pytest.mark.parametrize("assignment", MY_DENSE)
def test_expected_steps_match_finite_differences(assignment):
    """After one SGD step: parameter - learning rate * d sum(output * G) / d parameter, for
    one layer and for both layers of the Sequential."""
    exercise = EXERCISES[assignment]
    rate = my_dense.LEARNING_RATE
    step_case = exercise.check("dense_train_step").cases[0]
    X, W, b, G = (step_case.arrays[name].astype(np.float64) for name in ("X", "W", "b", "G"))
    np.testing.assert_allclose(
        step_case.expected["after_step_weight"],
        W - rate * numeric_gradient(lambda w: np.sum(my_dense.reference(X, w, b) * G), W),
        atol=1e-5)
    sequential = exercise.check("dense_sequential").cases[0]
    arrays = {name: value.astype(np.float64) for name, value in sequential.arrays.items()}

    def loss(**changed):
        values = dict(arrays, **changed)
        hidden = my_dense.reference(values["X"], values["W0"], values["b0"])
        return np.sum(my_dense.reference(hidden, values["W1"], values["b1"]) * values["G"])

    for index in (0, 1):
        for role, name in (("weight", f"W{index}"), ("bias", f"b{index}")):
            want = arrays[name] - rate * numeric_gradient(lambda v: loss(**{name: v}),
                                                          arrays[name])
            np.testing.assert_allclose(sequential.expected[f"after_step_{index}_{role}"], want,
                                       atol=1e-5)


@pytest.mark.parametrize("assignment", MY_DENSE)
def test_reference_gets_full_marks_in_process(assignment):
    exercise = EXERCISES[assignment]
    assert failed_checks(grade_in_process(exercise, reference_source(exercise))) == set()


@pytest.mark.parametrize("assignment, sample", sample_cases("bai2-my-dense-"))
def test_sample_loses_exactly_its_checks_in_process(assignment, sample):
    exercise = EXERCISES[assignment]
    results = grade_in_process(exercise, sample.source)
    assert failed_checks(results) == sample.failed_checks(exercise,
                                                          gpu=sees_gpu(exercise.framework))


@pytest.mark.parametrize("assignment", MY_DENSE)
def test_enough_samples(assignment):
    samples = samples_for(EXERCISES[assignment])
    assert sum(sample.kind == CORRECT for sample in samples) >= 2
    assert sum(sample.kind == WRONG for sample in samples) >= 5


@pytest.mark.parametrize("assignment", MY_DENSE)
def test_typical_mistakes_are_named(assignment):
    exercise = EXERCISES[assignment]
    by_name = {sample.name: sample for sample in samples_for(exercise)}
    results = grade_in_process(exercise, by_name["sai_thieu_relu"].source)
    assert "thiếu hàm kích hoạt ReLU" in " ".join(results["dense_values"].messages)
    detached = by_name.get("sai_dung_data") or by_name["sai_qua_numpy"]
    results = grade_in_process(exercise, detached.source)
    assert "Không có gradient nào đến «weight»" in " ".join(results["dense_gradient"].messages)
    results = grade_in_process(exercise, by_name["sai_chuyen_vi"].source)
    assert "(units, in_units)" in " ".join(results["dense_params"].messages)


@pytest.mark.parametrize("assignment", MY_DENSE)
def test_notebook_cells_pass_with_the_reference_and_fail_with_a_mistake(assignment):
    exercise = EXERCISES[assignment]
    assert run_notebook_cells(exercise, reference_source(exercise)) == {}
    wrong = next(sample for sample in samples_for(exercise) if sample.name == "sai_thieu_relu")
    errors = run_notebook_cells(exercise, wrong.source)
    assert set(errors) == {"dense_values", "dense_gradient", "dense_hidden_values",
                           "dense_train_step", "dense_sequential"}
    assert "ReLU" in errors["dense_values"]
