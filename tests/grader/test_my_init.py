"""Bài tập 1 (MyInit): the failure budget, the statistical checks' false-failure rate and
power, every sample graded in this process, and the notebook's own cells.

In-process grading runs the same student-side code as the sandbox (adapter, session,
probe operations), sends each answer through the wire format, and judges it with the
trusted verifier; only the isolation is missing (the samples are ours).  It takes
seconds per notebook; test_samples.py grades the same samples in real sandboxes.
"""

import ast
import functools
import importlib
import inspect
import io
import math
import re

import numpy as np
import pytest

from grader import wire
from grader.autograde.plan import Census, probes
from grader.autograde.verify import verify
from grader.exercises import EXERCISES, judges_my_init, my_init
from grader.frameworks import facts
from grader.notebook_builder import STUDENT_DIR, build_source_notebook, judge_modules
from grader.samples import CORRECT, LOOP, WRONG, samples_for
from grader.sandbox.host import Limits, SandboxRun
from grader.student import session as session_module

MY_INIT = [name for name in EXERCISES if name.startswith("bai1-my-init-")]
STATISTICAL = ("judge_init_support", "judge_init_proportions", "judge_init_uniform",
               "judge_init_independent", "judge_init_fresh")


# -- grading in this process ------------------------------------------------------
@functools.cache
def adapter_for(framework):
    return importlib.import_module(f"grader.student.adapters.{framework}").Adapter()


def reference_source(exercise):
    return re.sub(r"\s*### (BEGIN|END) SOLUTION\n", "\n", exercise.solution_code)


def grade_in_process(exercise, source):
    """{check id: CheckResult} for ``source`` as the solution cell, on this machine's devices."""
    adapter = adapter_for(exercise.framework)
    probe_module = importlib.import_module(f"grader.student.probes.{exercise.probes}")
    operations = dict(probe_module.OPERATIONS)
    operations.update(session_module.COMMON_OPERATIONS)
    namespace = {"__name__": "__main__"}
    exec(exercise.setup_code, namespace)
    session = session_module.Session(adapter)
    session.namespace = namespace
    cells = [{"ok": True}, {"ok": True}]
    try:
        exec(compile(source, "<ô 2>", "exec"), namespace)
    except Exception as error:
        cells[1] = {"ok": False, "error": session.describe_error(error, reveal=True)}
    census = Census(exercise.framework, "test", tuple(adapter.devices()), adapter.stand_in())
    planned = probes(exercise, census)
    messages = [({"type": "loaded", "cells": cells, "flags": []}, {})]
    for probe in planned:
        obs, out = session.run_probe(operations, {"op": probe.operation, "params": probe.params},
                                     dict(probe.arrays))
        data = wire.encode({"type": "answer", "probe": probe.id, "obs": obs, "flags": []}, out)
        messages.append(wire.read_message(io.BytesIO(data), max_elements=1 << 28))
    messages.append(({"type": "done"}, {}))
    verdict = verify(exercise, census, planned, SandboxRun(messages=messages), source, Limits(),
                     [1])
    return {result.id: result for result in verdict.checks}


def failed_checks(results):
    return {check_id for check_id, result in results.items() if not result.passed}


def sees_gpu(framework):
    """Whether the framework sees a GPU here (the sandbox sees the same devices)."""
    return len(adapter_for(framework).devices()) > 1


def sample_cases(prefix):
    return [pytest.param(name, sample, id=f"{name}-{sample.name}")
            for name in EXERCISES if name.startswith(prefix)
            for sample in samples_for(EXERCISES[name]) if sample.kind != LOOP]


# -- definitions -------------------------------------------------------------------
@pytest.mark.parametrize("assignment", MY_INIT)
def test_failure_budget_covers_every_statistical_test(assignment):
    exercise = EXERCISES[assignment]
    framework = exercise.framework
    counted = 0
    for check in exercise.checks:
        for case in check.cases:
            count = judges_my_init.init_test_count(check.judge_name, case.expected)
            counted += count
            if count:
                assert case.expected["delta"] == my_init.DELTA[framework]
    assert counted == my_init.STATISTICAL_TESTS[framework] > 0
    total = my_init.MAX_DEVICES * counted * my_init.DELTA[framework]
    assert total == pytest.approx(my_init.FAILURE_BUDGET, rel=1e-12)
    assert total <= 1e-9 * (1 + 1e-12)


@pytest.mark.parametrize("assignment", MY_INIT)
def test_statistical_tensors_are_large_and_tolerances_small(assignment):
    exercise = EXERCISES[assignment]
    for check in exercise.checks:
        if check.judge_name not in STATISTICAL:
            continue
        for case in check.cases:
            for shape in case.expected["shapes"]:
                assert 10**5 <= math.prod(shape) <= 10**6
    tolerances = my_init.tolerances(exercise)
    assert max(tolerances[check] for check in ("init_support", "init_proportions",
                                                "init_uniform", "init_independent")) < 0.01


@pytest.mark.parametrize("assignment", MY_INIT)
def test_points_and_visibility(assignment):
    exercise = EXERCISES[assignment]
    assert exercise.total_points == 10
    hidden = {check.id for check in exercise.checks if check.hidden}
    assert hidden == {"init_uniform", "init_independent", "init_fresh"}
    specific = {"pytorch": {"init_scope"}, "tensorflow": {"init_direct"}, "mxnet": set()}
    common = {"init_support", "init_proportions", "init_shapes"} | hidden
    assert {check.id for check in exercise.checks} == common | specific[exercise.framework]


# -- statistics on numpy draws ------------------------------------------------------
def observation(framework, shapes, draws, draw_weights):
    """What the probe reports, with weights from ``draw_weights(draw, index, shape)``."""
    tensors, arrays = [], {}
    for draw in range(draws):
        for index, shape in enumerate(shapes):
            name = f"d{draw}_{index}"
            arrays[name] = np.asarray(draw_weights(draw, index, shape), dtype=np.float32)
            tensors.append({"draw": draw, "index": index, "layer": index, "kind": "dense",
                            "role": "weight", "shape": list(shape), "dtype": "float32",
                            "device": "cpu", "array": name})
    return dict(arrays, kind="initialised", framework=framework, tensors=tensors)


def statistical_cases(framework, scale=1):
    """(check, case) of every statistical check, shapes divided by ``scale`` per axis."""
    exercise = EXERCISES[f"bai1-my-init-{framework}"]
    found = []
    for check in exercise.checks:
        if check.judge_name in STATISTICAL:
            case = check.cases[0]
            expected = dict(case.expected, shapes=[[max(2, size // scale) for size in shape]
                                                   for shape in case.expected["shapes"]])
            found.append((check, expected))
    return found


def failure_rate(check, expected, seeds, delta):
    expected = dict(expected, delta=delta)
    failures = 0
    for seed in range(seeds):
        rng = np.random.default_rng([seed, 2024])
        obs = observation("pytorch", expected["shapes"], expected["draws"],
                          lambda draw, index, shape: my_init.reference_sample(rng, shape))
        passed, message = check.judge(obs, expected, "mẫu đúng", "cpu", True)
        failures += not passed
    return failures


@pytest.mark.slow
def test_correct_initialiser_never_fails_at_the_grading_level():
    """The real checks, sizes and delta on correct draws: no failure (bound ~1e-10 per case)."""
    seeds = 100
    print(f"\n{'kiểm tra':18s} {'số mẫu':>7s} {'trượt':>6s} {'tỷ lệ':>7s} {'cận trên/mẫu':>13s}")
    for check, expected in statistical_cases("pytorch"):
        failures = failure_rate(check, expected, seeds, expected["delta"])
        bound = judges_my_init.init_test_count(check.judge_name, expected) * expected["delta"]
        print(f"{check.id:18s} {seeds:7d} {failures:6d} {failures / seeds:7.3f} {bound:13.2e}")
        assert failures == 0


def binomial_tail(count, trials, probability):
    """P(X >= count) for X ~ Binomial(trials, probability), summed in log space."""
    if count <= 0 or probability >= 1:
        return 1.0
    logs = [math.lgamma(trials + 1) - math.lgamma(k + 1) - math.lgamma(trials - k + 1)
            + k * math.log(probability) + (trials - k) * math.log1p(-probability)
            for k in range(count, trials + 1)]
    largest = max(logs)
    return math.exp(largest) * sum(math.exp(value - largest) for value in logs)


def test_false_failure_rate_stays_below_the_bound_with_a_loose_delta():
    """With delta = 0.01 per elementary test the bounds become measurable: on many seeds of
    correct (smaller) draws, each check fails no more often than init_test_count * delta,
    up to sampling noise (DKW-Massart is nearly tight, so the observed rate of the
    uniformity check comes close to its bound).  Tolerances half as wide would fail here."""
    seeds, delta = 1000, 0.01
    print(f"\n{'kiểm tra':18s} {'số mẫu':>7s} {'trượt':>6s} {'tỷ lệ':>7s} {'cận trên':>9s}"
          f" {'P(≥ số trượt)':>14s}")
    for check, expected in statistical_cases("pytorch", scale=8):
        failures = failure_rate(check, expected, seeds, delta)
        bound = judges_my_init.init_test_count(check.judge_name, expected) * delta
        tail = binomial_tail(failures, seeds, bound)
        print(f"{check.id:18s} {seeds:7d} {failures:6d} {failures / seeds:7.3f} {bound:9.3f}"
              f" {tail:14.2e}")
        assert tail > 1e-6  # observed failures compatible with a rate no larger than the bound


def test_loose_delta_test_can_fail():
    """The check above notices tolerances that are too narrow: halving every tolerance makes
    correct draws fail far more often than the bound allows."""
    check, expected = next((c, e) for c, e in statistical_cases("pytorch", scale=8)
                           if c.judge_name == "judge_init_proportions")
    seeds, delta = 100, 0.01
    original = judges_my_init.init_tolerance
    try:
        judges_my_init.init_tolerance = lambda count, level: original(count, level) / 2
        failures = failure_rate(check, expected, seeds, delta)
    finally:
        judges_my_init.init_tolerance = original
    bound = judges_my_init.init_test_count(check.judge_name, expected) * delta
    assert binomial_tail(failures, seeds, bound) < 1e-6


def top_level_names(source):
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


@pytest.mark.parametrize("assignment", [name for name in EXERCISES
                                        if name.startswith(("bai1-", "bai2-"))])
def test_helper_cell_modules_do_not_shadow_each_other(assignment):
    """The helper cell runs the adapter, the session, the probe module and the judges in one
    namespace: a name one of them defines must not replace another's."""
    exercise = EXERCISES[assignment]
    parts = {"adapter": facts(exercise.framework).adapter_path.read_text(encoding="utf-8"),
             "session": (STUDENT_DIR / "session.py").read_text(encoding="utf-8"),
             "probes": (STUDENT_DIR / "probes" / f"{exercise.probes}.py").read_text(
                 encoding="utf-8")}
    parts.update({module.__name__: inspect.getsource(module)
                  for module in judge_modules(exercise)})
    seen = {}
    for part, source in parts.items():
        for name in top_level_names(source):
            assert name not in seen, f"{name} defined in {seen.get(name)} and {part}"
            seen[name] = part


def wrong_draws(kind):
    """Weights drawn with a typical mistake, as a function of (draw, index, shape)."""
    rng = np.random.default_rng(7)

    def draw(draw_index, index, shape):
        if kind == "thirds":
            part = rng.integers(0, 3, size=shape)
            magnitude = rng.uniform(5, 10, size=shape)
            return np.where(part == 0, magnitude, np.where(part == 1, -magnitude, 0.0))
        if kind == "normal":
            part = rng.integers(0, 4, size=shape)
            magnitude = np.clip(rng.normal(7.5, 1.0, size=shape), 5, 10)
            return np.where(part == 2, magnitude, np.where(part == 3, -magnitude, 0.0))
        if kind == "near_zero":
            values = my_init.reference_sample(rng, shape).astype(np.float64)
            return np.where(values == 0, rng.normal(0, 1e-4, size=shape), values)
        if kind == "same_row":
            row = my_init.reference_sample(rng, (shape[0], 1))
            return np.repeat(row, shape[1], axis=1)
        if kind == "reseeded":
            return my_init.reference_sample(np.random.default_rng(0), shape)
        if kind == "sorted_rows":
            return np.sort(my_init.reference_sample(rng, shape), axis=1)
        raise KeyError(kind)

    return draw


@pytest.mark.parametrize("kind, judge, fragment", [
    ("thirds", "judge_init_proportions", "Tỷ lệ trọng số bằng 0 là 0.33"),
    ("normal", "judge_init_uniform", "không phân bố đều"),
    ("near_zero", "judge_init_support", "phải bằng đúng 0"),
    ("same_row", "judge_init_independent", "trên cùng một hàng"),
    ("sorted_rows", "judge_init_independent", "trên cùng một hàng"),
    ("reseeded", "judge_init_independent", "cùng một ma trận"),
    ("reseeded", "judge_init_fresh", "giống hệt lần trước"),
])
def test_typical_mistakes_are_found_and_named(kind, judge, fragment):
    check, expected = next((c, e) for c, e in statistical_cases("pytorch")
                           if c.judge_name == judge)
    obs = observation("pytorch", expected["shapes"], expected["draws"], wrong_draws(kind))
    passed, message = check.judge(obs, expected, "mẫu sai", "cpu", False)
    assert not passed
    assert fragment in message


# -- samples, graded here ------------------------------------------------------------
@pytest.mark.parametrize("assignment", MY_INIT)
def test_reference_gets_full_marks_in_process(assignment):
    exercise = EXERCISES[assignment]
    results = grade_in_process(exercise, reference_source(exercise))
    assert failed_checks(results) == set()


@pytest.mark.parametrize("assignment, sample", sample_cases("bai1-my-init-"))
def test_sample_loses_exactly_its_checks_in_process(assignment, sample):
    exercise = EXERCISES[assignment]
    results = grade_in_process(exercise, sample.source)
    expected = sample.failed_checks(exercise, gpu=sees_gpu(exercise.framework))
    assert failed_checks(results) == expected
    for check_id in expected:
        assert results[check_id].messages  # every lost point is explained


@pytest.mark.parametrize("assignment", MY_INIT)
def test_enough_samples(assignment):
    samples = samples_for(EXERCISES[assignment])
    assert sum(sample.kind == CORRECT for sample in samples) >= 2
    assert sum(sample.kind == WRONG for sample in samples) >= 5


# -- the notebook's own Validate path --------------------------------------------------
def run_notebook_cells(exercise, solution):
    """Run the source notebook's code cells in order as a kernel would; {cell id: error}."""
    notebook = build_source_notebook(exercise)
    namespace = {"__name__": "__main__"}
    errors = {}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        source = solution if cell.metadata["nbgrader"].get("solution") else cell.source
        try:
            exec(compile(source, f"<{grade_id}>", "exec"), namespace)
        except AssertionError as error:
            errors[grade_id] = str(error)
    return errors


@pytest.mark.parametrize("assignment", MY_INIT)
def test_notebook_cells_pass_with_the_reference_and_fail_with_a_mistake(assignment):
    exercise = EXERCISES[assignment]
    assert run_notebook_cells(exercise, reference_source(exercise)) == {}
    wrong = next(sample for sample in samples_for(exercise) if sample.name == "sai_ti_le")
    errors = run_notebook_cells(exercise, wrong.source)
    assert set(errors) == {"init_proportions"}
    assert "Tỷ lệ trọng số" in errors["init_proportions"]
