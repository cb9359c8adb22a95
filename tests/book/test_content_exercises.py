"""No section of the book hands out a working solution of a graded exercise.

The contract (exercise-contract.md) fixes three names: ``cross_correlation(X, K)``,
``MyInit`` and ``MyDense``. The book never defines them, and no function or class
it defines would do their job if a student renamed it:

* a statically checked rule: no top-level definition uses an exercise's name;
* a behavioural probe, per framework in its own process and per section in its own
  namespace: the statements of the section's notebook that its definitions need are
  run (not the costly training and timing runs), then every top-level function and
  class it defines is graded, under each exercise's name, by every check of the
  course's own exercise definitions (hidden ones included, with the notebook's
  helper code: ``grader.notebook_builder.check_in_process``).  Full marks on any
  exercise is a working solution given away.

Run the probe by hand: ``python -m tests.book.test_content_exercises pytorch book/cnn/conv-layer.md``.
"""
from __future__ import annotations

import ast
import json
import re
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
        assert report["exercises"], f"{framework}: không có bài tập chấm điểm nào để thử"
        assert not report["solutions"], (
            f"{section} ({framework}): định nghĩa sau giải được bài tập chấm điểm: {report['solutions']}")


def test_probe_recognises_solutions_and_only_solutions():
    """The probe is what makes the test above able to fail: it must give full marks to
    a correct solution of each PyTorch exercise and refuse a near miss."""
    from grader.exercises import EXERCISES
    from grader.samples import WRONG, samples_for

    exercises = [e for e in EXERCISES.values() if e.framework == "pytorch"]
    assert exercises
    for exercise in exercises:
        solution = re.sub(r"[ \t]*### (BEGIN|END) SOLUTION\n", "", exercise.solution_code)
        wrong = next(s for s in samples_for(exercise) if s.kind == WRONG)
        for source, expected in ((solution, True), (wrong.source, False)):
            namespace: dict = {"__name__": "__main__"}
            run_source(exercise.setup_code + "\n" + source, f"<{exercise.assignment}>", namespace)
            candidate = namespace[exercise.entry]
            assert solves(exercise, candidate, namespace) is expected, (exercise.assignment, expected)


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


def run_source(source: str, filename: str, namespace: dict) -> None:
    """exec source so that inspect.getsource finds the functions it defines."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)


def solves(exercise, candidate, namespace) -> bool:
    """Full marks when ``candidate`` is graded as the exercise's entry by every check."""
    from grader.notebook_builder import check_in_process

    graded = dict(namespace)
    graded[exercise.entry] = candidate
    passed = check_in_process(exercise, graded, stop_at_first_failure=True,
                              guard=lambda run: _attempt_or_raise(run))
    return len(passed) == len(exercise.checks) and all(passed.values())


def _attempt_or_raise(action, seconds: int = 60):
    _alarm(seconds)
    try:
        return action()
    finally:
        signal.alarm(0)


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
    from grader.exercises import EXERCISES

    exercises = [e for e in EXERCISES.values() if e.framework == framework]
    solutions, tried = [], 0
    for name in dict.fromkeys(names):
        obj = namespace.get(name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            tried += 1
            for exercise in exercises:
                if solves(exercise, obj, namespace):
                    solutions.append(f"{name} → {exercise.entry}")
    return {"names": names, "tried": tried, "solutions": solutions,
            "exercises": [e.assignment for e in exercises]}


if __name__ == "__main__":
    framework_key, sections = sys.argv[1], sys.argv[2:]
    reports = {}
    for section in sections:
        reports[section] = probe((ROOT / section).resolve(), framework_key)
        import matplotlib.pyplot as plt
        plt.close("all")
    sys.stdout.flush()
    print(json.dumps(reports, ensure_ascii=False))
