"""No section of the book hands out a working solution of a graded exercise.

The contract (exercise-contract.md) fixes three names: ``cross_correlation(X, K)``,
``MyInit`` and ``MyDense``. The book never defines them, and no function or class
it defines would do their job if a student renamed it:

* a statically checked rule: no top-level definition uses an exercise's name;
* a behavioural probe, per framework in its own process and per section in its own
  namespace: the statements of the section's notebook that its definitions need are
  run (not the costly training and timing runs), then every top-level function and
  class it defines is tried as each exercise's solution on the exercise's own inputs
  (the grader's cases for ``cross_correlation``). A function that computes cross-correlation is allowed
  only if it relies on a built-in convolution, which the grader refuses.

Run the probe by hand: ``python -m tests.book.test_content_exercises pytorch book/cnn/conv-layer.md``.
"""
from __future__ import annotations

import ast
import json
import linecache
import os
import signal
import subprocess
import symtable
import sys
import tempfile
from pathlib import Path

import pytest

from bookbuild.frameworks import FRAMEWORK_KEYS

from .test_content import SECTIONS, read
from .toc import ROOT

EXERCISE_NAMES = ("cross_correlation", "MyInit", "MyDense")
PROBE_TIMEOUT_S = 600


@pytest.mark.parametrize("docname", SECTIONS)
def test_no_section_defines_an_exercise_name(docname):
    defined = []
    for cell in read(docname).cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                           for line in cell.source.splitlines())
        for node in ast.parse(source).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in EXERCISE_NAMES:
                defined.append(node.name)
    assert not defined, f"{docname} định nghĩa tên của bài tập chấm điểm: {defined}"


@pytest.mark.parametrize("framework", FRAMEWORK_KEYS)
def test_no_definition_solves_a_graded_exercise(framework):
    # One process per framework (importing a framework takes seconds), a fresh
    # namespace per section inside it.
    result = subprocess.run(
        [sys.executable, "-m", "tests.book.test_content_exercises", framework,
         *[f"book/{docname}.md" for docname in SECTIONS]],
        cwd=ROOT, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S,
        env={**os.environ, "MPLBACKEND": "Agg", "PYTHONWARNINGS": "ignore"},
    )
    assert result.returncode == 0, f"{framework}: không chạy được sổ tay:\n{result.stderr[-4000:]}"
    reports = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(reports) == {f"book/{docname}.md" for docname in SECTIONS}
    for section, report in reports.items():
        assert report["tried"] == len(set(report["names"])), report
        assert not report["solutions"], (
            f"{section} ({framework}): định nghĩa sau giải được bài tập chấm điểm: {report['solutions']}")


def test_probe_recognises_solutions_and_only_solutions():
    """The probe is what makes the test above able to fail: it must accept a correct
    solution of each exercise and reject near misses."""
    import torch
    from grader.checks.cross_correlation import SOLUTION_CODE

    namespace = {"torch": torch, "nn": torch.nn, "F": torch.nn.functional}
    run_source(SOLUTION_CODE, "<lời giải mẫu>", namespace)
    run_source(
        "def flipped(X, K):\n"
        "    return cross_correlation(X, torch.flip(K, (0, 1)))\n"
        "def builtin(X, K):\n"
        "    return F.conv2d(X[None, None], K[None, None])[0, 0]\n"
        "def wraps_builtin(X, K):\n"
        "    return builtin(X, K)\n"
        "class GoodDense(nn.Module):\n"
        "    def __init__(self, in_units, units):\n"
        "        super().__init__()\n"
        "        self.weight = nn.Parameter(torch.randn(in_units, units))\n"
        "        self.bias = nn.Parameter(torch.randn(units))\n"
        "    def forward(self, X):\n"
        "        return torch.relu(X @ self.weight + self.bias)\n"
        "class NoReluDense(GoodDense):\n"
        "    def forward(self, X):\n"
        "        return X @ self.weight + self.bias\n"
        "class GoodInit:\n"
        "    def __call__(self, module):\n"
        "        if isinstance(module, nn.Linear):\n"
        "            with torch.no_grad():\n"
        "                w = module.weight\n"
        "                u = torch.rand(w.shape)\n"
        "                mag = torch.rand(w.shape) * 5 + 5\n"
        "                sign = torch.where(torch.rand(w.shape) < 0.5, 1.0, -1.0)\n"
        "                w.copy_(torch.where(u < 0.5, torch.zeros_like(w), sign * mag))\n"
        "class UniformInit:\n"
        "    def __call__(self, module):\n"
        "        if isinstance(module, nn.Linear):\n"
        "            nn.init.uniform_(module.weight, -10, 10)\n",
        "<ví dụ>", namespace)
    fw = Framework("pytorch")
    assert solves_cross_correlation(namespace["cross_correlation"], fw, namespace)
    assert not solves_cross_correlation(namespace["flipped"], fw, namespace)
    assert not solves_cross_correlation(namespace["builtin"], fw, namespace)
    assert not solves_cross_correlation(namespace["wraps_builtin"], fw, namespace)
    assert solves_my_dense(namespace["GoodDense"], fw)
    assert not solves_my_dense(namespace["NoReluDense"], fw)
    assert solves_my_init(namespace["GoodInit"], fw)
    assert not solves_my_init(namespace["UniformInit"], fw)


def test_definition_slice_keeps_what_definitions_need_and_skips_runs():
    sources = ["def costly():\n    raise RuntimeError('chạy tốn thời gian')\n",
               "LIMIT = 3\nresult = costly()\nscale = costly()\n",
               "def uses(x, k=LIMIT):\n    return x * scale\n"]
    kept = [[ast.unparse(s) for s in cell] for cell in definition_slice(sources)]
    assert kept[1] == ["LIMIT = 3", "scale = costly()"]
    assert kept[0][0].startswith("def costly") and kept[2][0].startswith("def uses")


# ---------------------------------------------------------------------------
# The probe, run in its own process (it executes the book's code).

class ProbeTimeout(Exception):
    pass


def _alarm(seconds: int):
    def handler(signum, frame):
        raise ProbeTimeout()
    signal.signal(signal.SIGALRM, handler)
    signal.alarm(seconds)


def _attempt(action, seconds: int = 20):
    """Run action(); None when it raises or runs too long (not a solution then)."""
    _alarm(seconds)
    try:
        return action()
    except BaseException:  # the book's code, called the wrong way, may raise anything
        return None
    finally:
        signal.alarm(0)


class Framework:
    """The few framework operations the probe needs."""

    def __init__(self, key: str):
        self.key = key
        if key == "pytorch":
            import torch
            self.torch = torch
        elif key == "mxnet":
            import mxnet
            from mxnet import np as mnp, npx
            npx.set_np()
            self.mx, self.mnp = mxnet, mnp
        else:
            import keras
            import tensorflow as tf
            self.tf, self.keras = tf, keras

    def array(self, values):
        import numpy
        values = numpy.asarray(values)
        if self.key == "pytorch":
            return self.torch.tensor(values)
        if self.key == "mxnet":
            return self.mnp.array(values, dtype=values.dtype)
        return self.tf.constant(values)

    def numpy(self, value):
        if self.key == "pytorch" and isinstance(value, self.torch.Tensor):
            return value.detach().cpu().numpy()
        if self.key == "mxnet" and isinstance(value, self.mnp.ndarray):
            return value.asnumpy()
        if self.key == "tensorflow" and isinstance(value, (self.tf.Tensor, self.tf.Variable)):
            return value.numpy()
        return None  # not the framework's own array: the grader rejects it

    def is_layer_class(self, obj) -> bool:
        if self.key == "pytorch":
            return issubclass(obj, self.torch.nn.Module)
        if self.key == "mxnet":
            return issubclass(obj, self.mx.gluon.Block)
        return issubclass(obj, self.keras.layers.Layer)

    def dense_weights(self, cls, in_units: int, units: int):
        """Build cls as the exercise would; return (layer, weight, bias, call) or None."""
        if self.key == "pytorch":
            layer = cls(in_units, units)
            params = dict(layer.named_parameters())
            weight, bias = params.get("weight"), params.get("bias")
            return layer, weight, bias, lambda X: layer(X)
        if self.key == "mxnet":
            layer = cls(units, in_units)
            layer.initialize()
            params = {name.rsplit("_", 1)[-1]: p for name, p in layer.collect_params().items()}
            weight, bias = params.get("weight"), params.get("bias")
            return layer, weight and weight.data(), bias and bias.data(), lambda X: layer(X)
        layer = cls(units)
        layer.build((None, in_units))
        by_shape = {tuple(w.shape): w for w in layer.weights}
        return layer, by_shape.get((in_units, units)), by_shape.get((units,)), lambda X: layer(X)

    def initialised_weights(self, obj):
        """Weights (64 × 4096) that obj() initialises as the exercise would, or None."""
        if self.key == "pytorch":
            init = obj()
            net = self.torch.nn.Sequential(self.torch.nn.Linear(64, 4096))
            net.apply(init)
            return net[0].weight.detach().numpy()
        if self.key == "mxnet":
            if not issubclass(obj, self.mx.init.Initializer):
                return None
            net = self.mx.gluon.nn.Dense(4096, in_units=64)
            net.initialize(obj(), force_reinit=True)
            return net.weight.data().asnumpy()
        if not issubclass(obj, self.keras.initializers.Initializer):
            return None
        return obj()((64, 4096), dtype="float32").numpy()


def run_source(source: str, filename: str, namespace: dict) -> None:
    """exec source so that inspect.getsource finds the functions it defines."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)


def _closure_source(function, namespace, seen=None) -> str:
    """Source of function and of the book's functions it calls (the grader reads all)."""
    import inspect
    seen = set() if seen is None else seen
    if function in seen:
        return ""
    seen.add(function)
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return ""
    parts = [source]
    for name in getattr(getattr(function, "__code__", None), "co_names", ()):
        helper = namespace.get(name)
        if inspect.isfunction(helper):
            parts.append(_closure_source(helper, namespace, seen))
    return "\n".join(parts)


def solves_cross_correlation(function, fw: Framework, namespace) -> bool:
    import numpy
    from grader.checks.cross_correlation import CROSS_CORRELATION_PYTORCH, reference_correlation
    from grader.checks.judges import find_builtin_convolutions
    cases = [case for check in CROSS_CORRELATION_PYTORCH.checks if check.kind == "values"
             for case in check.cases]
    for case in cases:
        X, K = case.inputs["X"], case.inputs["K"]
        result = _attempt(lambda: fw.numpy(function(fw.array(X), fw.array(K))))
        expected = reference_correlation(X, K)
        if result is None or result.shape != expected.shape:
            return False
        if not numpy.allclose(result, expected, rtol=1e-4, atol=1e-4):
            return False
    # Correct values: still no solution if it rests on a built-in convolution.
    return not find_builtin_convolutions(_closure_source(function, namespace))


def solves_my_dense(cls, fw: Framework) -> bool:
    import numpy
    if not fw.is_layer_class(cls):
        return False
    built = _attempt(lambda: fw.dense_weights(cls, 5, 3))
    if built is None:
        return False
    layer, weight, bias, call = built
    W, b = _attempt(lambda: fw.numpy(weight)), _attempt(lambda: fw.numpy(bias))
    if W is None or b is None or W.shape != (5, 3) or b.shape != (3,):
        return False
    X = numpy.random.default_rng(0).normal(size=(4, 5)).astype(numpy.float32)
    out = _attempt(lambda: fw.numpy(call(fw.array(X))))
    return out is not None and out.shape == (4, 3) and bool(
        numpy.allclose(out, numpy.maximum(X @ W + b, 0), rtol=1e-4, atol=1e-5))


def solves_my_init(cls, fw: Framework) -> bool:
    import numpy
    weights = _attempt(lambda: fw.initialised_weights(cls))
    if weights is None or numpy.shape(weights) != (4096, 64) and numpy.shape(weights) != (64, 4096):
        return False
    w = numpy.asarray(weights, dtype=numpy.float64)
    zero = numpy.mean(w == 0)
    positive = numpy.mean((w >= 5) & (w <= 10))
    negative = numpy.mean((w <= -5) & (w >= -10))
    return (abs(zero - 0.5) < 0.01 and abs(positive - 0.25) < 0.01
            and abs(negative - 0.25) < 0.01 and zero + positive + negative > 0.999)


DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)


def definition_slice(sources: list[str]) -> list[list[ast.stmt]]:
    """Per cell, the top-level statements needed to define the section's functions
    and classes as the notebook does, leaving out the costly runs (training, timing).

    Kept: definitions and imports; statements that call none of the section's own
    functions (cheap setup such as npx.set_np()); and statements that assign a global
    name some definition needs (found with symtable), with what those need in turn.
    """
    trees = [ast.parse(source) for source in sources]
    own = {node.name for tree in trees for node in tree.body
           if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    needed: set[str] = set()
    for tree, source in zip(trees, sources):
        tables = list(symtable.symtable(source, "<cell>", "exec").get_children())
        while tables:
            table = tables.pop()
            tables += table.get_children()
            needed |= {s.get_name() for s in table.get_symbols() if s.is_referenced() and s.is_global()}
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                evaluated_now = node.decorator_list + (node.bases if isinstance(node, ast.ClassDef)
                                                       else node.args.defaults + node.args.kw_defaults)
                needed |= {n.id for e in evaluated_now if e for n in ast.walk(e) if isinstance(n, ast.Name)}

    def names(statement, context):
        return {n.id for n in ast.walk(statement) if isinstance(n, ast.Name) and isinstance(n.ctx, context)}

    def calls_own(statement):
        return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in own
                   for n in ast.walk(statement))

    kept: list[list[ast.stmt]] = [[] for _ in trees]
    for index in reversed(range(len(trees))):
        for statement in reversed(trees[index].body):
            if (isinstance(statement, DEFINITIONS) or not calls_own(statement)
                    or names(statement, ast.Store) & needed):
                kept[index].insert(0, statement)
                if not isinstance(statement, DEFINITIONS):
                    needed |= names(statement, ast.Load)
    return kept


def probe(section: Path, framework: str) -> dict:
    """Define what the section's notebook for framework defines, then try each definition."""
    import inspect

    from bookbuild.notebook import split
    from bookbuild.sections import parse_section

    notebook = split(parse_section(section.read_text(encoding="utf-8"), str(section)))[framework]
    sources = ["\n".join("" if line.lstrip().startswith(("%", "!")) else line
                         for line in cell.source.splitlines())
               for cell in notebook.cells if cell.cell_type == "code"]
    namespace: dict = {"__name__": "__main__"}
    names: list[str] = []
    workdir = tempfile.mkdtemp(prefix="book-probe-")
    os.chdir(workdir)  # the book's cells may write files; keep them out of the repository
    for number, (source, statements) in enumerate(zip(sources, definition_slice(sources))):
        filename = f"<{section.name} ô {number}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        for statement in statements:
            code = compile(ast.Module(body=[statement], type_ignores=[]), filename, "exec")
            if isinstance(statement, DEFINITIONS):
                exec(code, namespace)  # a definition that fails is a broken section
                if not isinstance(statement, (ast.Import, ast.ImportFrom)):
                    names.append(statement.name)
                continue
            try:
                exec(code, namespace)
            except Exception:
                pass  # setup that needed a skipped run; definitions do not depend on it
    fw = Framework(framework)
    solutions, tried = [], 0
    for name in dict.fromkeys(names):
        obj = namespace.get(name)
        if inspect.isfunction(obj):
            tried += 1
            if solves_cross_correlation(obj, fw, namespace):
                solutions.append(f"{name} → cross_correlation")
        elif inspect.isclass(obj):
            tried += 1
            if solves_my_dense(obj, fw):
                solutions.append(f"{name} → MyDense")
            if solves_my_init(obj, fw):
                solutions.append(f"{name} → MyInit")
    return {"names": names, "tried": tried, "solutions": solutions}


if __name__ == "__main__":
    framework_key, sections = sys.argv[1], sys.argv[2:]
    reports = {}
    for section in sections:
        reports[section] = probe((ROOT / section).resolve(), framework_key)
        import matplotlib.pyplot as plt
        plt.close("all")
    sys.stdout.flush()
    print(json.dumps(reports, ensure_ascii=False))
