"""Builds an exercise's nbgrader *source* notebook from its definition.

Side: trusted grader (it writes instructor material: hidden tests included).

The locked helper cell holds the very code the grader uses: the framework's
adapter, the probe session and operations (as in the student process) and
the judges, executed in a private dictionary ``_grader`` so that no name of
the student's notebook is shadowed (an MXNet notebook's ``np`` stays
``mxnet.np``).  Each test cell calls ``_grader["check"]`` with its inputs and
the expected values the trusted reference computed, so Validate in
JupyterLab and the engine cannot disagree on what a check means.  Hidden
checks sit between nbgrader's BEGIN/END HIDDEN TESTS markers: they stay in
the instructor's source (stock nbgrader can still run them) and are removed
from the released notebook.
"""

import inspect
from pathlib import Path

import nbformat
import numpy as np

from .exercises import judges
from .exercises.spec import SUBMISSION, Check, Exercise
from .frameworks import facts

STUDENT_DIR = Path(__file__).resolve().parent / "student"
HELPER_GLUE = '''
_STATE = {}


def start(namespace, entry):
    session = Session(Adapter())
    session.namespace = namespace
    _STATE.update(session=session, entry=entry, policy=[])


def _devices(where):
    adapter = _STATE["session"].adapter
    devices = adapter.devices()
    if where == "cpu":
        return devices[:1]
    if where == "every+stand_in" and len(devices) == 1 and adapter.stand_in():
        devices = devices + [adapter.stand_in()]
    return devices


def check(judge_name, operation, arrays, dtypes, params, expected, label, where, reveal):
    """Run one case on each device and judge it as the grader does; AssertionError if it fails."""
    session, judge = _STATE["session"], globals()[judge_name]
    operations = dict(OPERATIONS)
    operations.update(COMMON_OPERATIONS)
    for device in _devices(where):
        inputs = {name: numpy.asarray(value, dtype=dtypes[name]) for name, value in arrays.items()}
        full = dict(params, device=device, reveal=reveal, entry=_STATE["entry"], seed=0)
        obs, out = session.run_probe(operations, {"op": operation, "params": full}, inputs)
        _STATE["policy"].extend(obs.get("policy", []))
        obs.update(out)
        passed, message = judge(obs, expected, label, device, reveal)
        if not passed:
            raise AssertionError(message)
        print("Đạt:", message)


def check_submission(judge_name):
    """Judge the solution's source (the whole cell defining the entry) and what ran so far."""
    import inspect
    import linecache
    source = ""
    value = _STATE["session"].namespace.get(_STATE["entry"])
    try:
        source = "".join(linecache.getlines(inspect.getsourcefile(value)))
    except (OSError, TypeError):
        pass
    passed, message = globals()[judge_name]({"source": source, "policy": _STATE["policy"]},
                                            {}, "", "", True)
    if not passed:
        raise AssertionError(message)
    print("Đạt:", message)
'''


def nbgrader_metadata(grade_id: str, *, grade=False, solution=False, locked=False,
                      points=None) -> dict:
    meta = {"grade": grade, "solution": solution, "locked": locked, "grade_id": grade_id,
            "schema_version": 3, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def judge_modules(exercise: Exercise) -> list:
    """``judges`` and any other module a check's judge comes from (each self-contained)."""
    modules = [judges]
    for check in exercise.checks:
        module = inspect.getmodule(check.judge)
        if module not in modules:
            modules.append(module)
    return modules


def helper_sources(exercise: Exercise) -> str:
    parts = [facts(exercise.framework).adapter_path.read_text(encoding="utf-8"),
             (STUDENT_DIR / "session.py").read_text(encoding="utf-8"),
             (STUDENT_DIR / "probes" / f"{exercise.probes}.py").read_text(encoding="utf-8"),
             *(inspect.getsource(module) for module in judge_modules(exercise)), HELPER_GLUE]
    source = "\n\n".join(parts)
    if "'''" in source or source.rstrip().endswith("\\"):
        raise ValueError("helper sources cannot be embedded in a raw ''' string")
    return source


def helper_cell_source(exercise: Exercise) -> str:
    return ("# Các hàm kiểm tra, giống hệt mã bộ chấm dùng khi chấm điểm. Đừng sửa ô này: khi\n"
            "# chấm, bộ chấm dùng bản gốc của giảng viên, không dùng bản trong bài nộp.\n"
            "_grader = {'__name__': 'grader_helpers'}\n"
            f"exec(compile(r'''{helper_sources(exercise)}''', '<các hàm kiểm tra>', 'exec'), _grader)\n"
            f"_grader['start'](globals(), {exercise.entry!r})\n")


def literal(value):
    """A Python literal of plain lists and numbers for a value that may hold numpy arrays."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {key: literal(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [literal(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def check_code(exercise: Exercise, check: Check) -> list[str]:
    lines = []
    for required in check.requires:
        lines += check_code(exercise, exercise.check(required))
    if check.operation == SUBMISSION:
        return lines + [f"_grader['check_submission']({check.judge_name!r})"]
    for case in check.cases:
        arrays = {name: literal(np.asarray(array)) for name, array in case.arrays.items()}
        dtypes = {name: str(np.asarray(array).dtype) for name, array in case.arrays.items()}
        lines.append(f"_grader['check']({check.judge_name!r}, {check.operation!r}, {arrays!r}, "
                     f"{dtypes!r}, {literal(case.params)!r}, {literal(case.expected)!r}, "
                     f"{case.label!r}, {check.devices!r}, {not check.hidden!r})")
    return lines


def test_cell_source(exercise: Exercise, check: Check) -> str:
    header = f"# Bài kiểm tra «{check.id}» ({check.points} điểm): {check.title}"
    body = check_code(exercise, check)
    if check.hidden:
        return "\n".join([header, "# Đây là bài kiểm tra ẩn: chỉ chạy khi chấm điểm.",
                          "### BEGIN HIDDEN TESTS", *body, "### END HIDDEN TESTS"])
    return "\n".join([header, *body])


def build_source_notebook(exercise: Exercise) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    cells = [
        md(exercise.instructions, metadata=nbgrader_metadata("instructions", locked=True)),
        code(exercise.setup_code, metadata=nbgrader_metadata("setup", locked=True)),
        code(exercise.solution_code,
             metadata=nbgrader_metadata(exercise.solution_grade_id, solution=True)),
        md("## Các bài kiểm tra\n\nCác ô dưới đây bị khóa. Mỗi ô là một bài kiểm tra có điểm; "
           "ô chỉ có lời chú thích là bài kiểm tra ẩn, chỉ chạy khi chấm.",
           metadata=nbgrader_metadata("tests_intro", locked=True)),
        code(helper_cell_source(exercise), metadata=nbgrader_metadata("check_helpers", locked=True)),
    ]
    for check in exercise.checks:
        cells.append(code(test_cell_source(exercise, check),
                          metadata=nbgrader_metadata(check.id, grade=True, locked=True,
                                                     points=check.points)))
    for cell in cells:
        cell["id"] = cell.metadata["nbgrader"]["grade_id"].replace("_", "-")[:64]
    nb.cells = cells
    return nb


def write_source_notebooks(course_dir: Path, exercises) -> list[Path]:
    """(Re)write source/<assignment>/<notebook>.ipynb; returns the paths written."""
    written = []
    for exercise in exercises:
        path = Path(course_dir) / "source" / exercise.assignment / f"{exercise.notebook}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = nbformat.writes(build_source_notebook(exercise))
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def check_in_process(exercise: Exercise, namespace: dict, stop_at_first_failure: bool = False,
                     guard=None) -> dict[str, bool]:
    """Every check of ``exercise`` (hidden ones too) on what ``namespace`` defines, run in
    this process with the notebook's helper code: which checks pass.

    For trusted code only (the book's own examples, in the book's tests): nothing here
    is isolated.  ``guard`` wraps each check's run (e.g. a time limit); an exception out
    of a check counts as a failure.
    """
    helpers = {"__name__": "grader_helpers"}
    exec(compile(helper_sources(exercise), "<các hàm kiểm tra>", "exec"), helpers)
    helpers["start"](namespace, exercise.entry)
    passed: dict[str, bool] = {}
    for check in exercise.checks:
        calls = [line.replace("_grader['check']", "check").replace("_grader['check_submission']",
                                                                       "check_submission")
                 for line in check_code(exercise, check)]
        try:
            for call in calls:
                run = (lambda call=call: exec(call, helpers))
                guard(run) if guard else run()
            passed[check.id] = True
        except BaseException:  # the code under test may raise anything
            passed[check.id] = False
        if stop_at_first_failure and not passed[check.id]:
            break
    return passed
