"""Builds an exercise's nbgrader *source* notebook from its check definitions.

The visible test cells call the very judge functions the trusted grader uses
(their source is copied into a locked helper cell), so Validate in JupyterLab
and the engine cannot disagree on what a check means.  Hidden checks are
written between nbgrader's BEGIN/END HIDDEN TESTS markers: they stay in the
instructor's source (stock nbgrader can still run them) and are removed from
the released notebook.
"""

import ast
import inspect
from pathlib import Path

import nbformat
import numpy as np

from . import harness
from .checks import judges

HELPER_FUNCTIONS_FROM_HARNESS = ("observe_tensor", "observe_call", "observe_gradient",
                                 "available_devices")


def nbgrader_metadata(grade_id, *, grade=False, solution=False, locked=False, points=None):
    meta = {"grade": grade, "solution": solution, "locked": locked, "grade_id": grade_id,
            "schema_version": 3, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _strip_docstring(source):
    tree = ast.parse(source)
    body = tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    lines = source.splitlines()
    return "\n".join(lines[body[0].lineno - 1:]) + "\n"


def helper_cell_source():
    """Judges + observers, verbatim, for the notebook's locked helper cell."""
    judge_source = _strip_docstring(inspect.getsource(judges))
    harness_source = inspect.getsource(harness)
    tree = ast.parse(harness_source)
    parts = ["MAX_VALUES = %d" % harness.MAX_VALUES]
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in HELPER_FUNCTIONS_FROM_HARNESS:
            parts.append(ast.get_source_segment(harness_source, node))
    require = (
        "def _require(verdict):\n"
        "    passed, message = verdict\n"
        "    if not passed:\n"
        "        raise AssertionError(message)\n"
        "    print('Đạt:', message)\n\n\n"
        "def _solution_source():\n"
        "    import inspect\n"
        "    try:\n"
        "        return inspect.getsource(cross_correlation)\n"
        "    except (OSError, TypeError):\n"
        "        return ''\n")
    header = ("# Các hàm kiểm tra dùng chung với bộ chấm điểm tự động. Đừng sửa ô này:\n"
              "# khi chấm, bộ chấm dùng bản gốc của giảng viên, không dùng bản trong bài nộp.\n")
    return header + judge_source + "\n\n" + "\n\n\n".join(parts) + "\n\n\n" + require


def tensor_literal(array, device_expr=None):
    array = np.asarray(array)
    dtype = "float64" if array.dtype == np.float64 else "float32"
    as_text = np.array2string(
        array, separator=", ", threshold=10**6, max_line_width=10**6,
        formatter={"float_kind": lambda v: np.format_float_positional(
            np.asarray(v, dtype=array.dtype)[()], unique=True, trim="0")})
    device = ", device=%s" % device_expr if device_expr else ""
    return "torch.tensor(%s, dtype=torch.%s%s)" % (as_text, dtype, device)


def _case_lines(exercise, check, case, device_expr=None):
    """Code that runs one case of ``check`` and raises AssertionError on failure."""
    expected = exercise.reference(check, case)
    lines = ["_X = " + tensor_literal(case.inputs["X"], device_expr),
             "_K = " + tensor_literal(case.inputs["K"], device_expr)]
    call = "observe_call(%s, _X, _K)" % exercise.function
    label = repr(case.label)
    if check.kind == "shape":
        lines.append("_require(judge_shape(%s, %r, %s))" % (call, expected["expected_shape"], label))
    elif check.kind == "values":
        lines.append("_require(judge_values(%s, %r, rtol=%r, atol=%r, reveal=%r, label=%s, "
                     "hints=%r))" % (call, expected["expected"], check.rtol, check.atol,
                                     expected["reveal"], label, expected["hints"]))
    elif check.kind == "floating":
        lines.append("_require(judge_floating(%s, %s))" % (call, label))
    elif check.kind == "device":
        lines.append("_require(judge_device(%s, str(_X.device), %s))" % (call, label))
    elif check.kind == "gradient":
        lines.append("_W = " + tensor_literal(case.inputs["weights"], device_expr))
        lines.append(
            "_require(judge_gradient(observe_gradient(%s, _X, _K, _W), %r, rtol=%r, atol=%r, "
            "reveal=%r, label=%s))" % (exercise.function, expected["expected_grad"], check.rtol,
                                       check.atol, expected["reveal"], label))
    return lines


def check_code(exercise, check):
    lines = []
    for required in check.requires:
        lines += check_code(exercise, exercise.check(required))
    if check.kind == "no_builtin":
        lines.append("_require(judge_no_builtin(find_builtin_convolutions(_solution_source()), "
                     "'mã nguồn lời giải'))")
        return lines
    for case in check.cases:
        if check.all_devices:
            lines.append("for _device in available_devices():")
            lines += ["    " + line for line in _case_lines(exercise, check, case, "_device")]
        else:
            lines += _case_lines(exercise, check, case)
    return lines


def test_cell_source(exercise, check):
    header = "# Bài kiểm tra «%s» (%d điểm): %s" % (check.id, check.points, check.title)
    body = check_code(exercise, check)
    if check.hidden:
        return "\n".join([header, "# Đây là bài kiểm tra ẩn: chỉ chạy khi chấm điểm.",
                          "### BEGIN HIDDEN TESTS"] + body + ["### END HIDDEN TESTS"])
    return "\n".join([header] + body)


def build_source_notebook(exercise):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    cells = [
        md(exercise.instructions, metadata=nbgrader_metadata("instructions", locked=True)),
        code(exercise.setup_code, metadata=nbgrader_metadata("setup", locked=True)),
        code(exercise.solution_code,
             metadata=nbgrader_metadata(exercise.solution_grade_id(), solution=True)),
        md("## Các bài kiểm tra\n\nCác ô dưới đây bị khóa. Mỗi ô là một bài kiểm tra có điểm; "
           "ô trống là bài kiểm tra ẩn, chỉ chạy khi chấm.",
           metadata=nbgrader_metadata("tests_intro", locked=True)),
        code(helper_cell_source(), metadata=nbgrader_metadata("check_helpers", locked=True)),
    ]
    for check in exercise.checks:
        cells.append(code(test_cell_source(exercise, check),
                          metadata=nbgrader_metadata(check.id, grade=True, locked=True,
                                                     points=check.points)))
    for index, cell in enumerate(cells):
        cell["id"] = cell.metadata["nbgrader"]["grade_id"].replace("_", "-")[:64] or str(index)
    nb.cells = cells
    return nb


def write_source_notebooks(course_dir, exercises):
    """(Re)write source/<assignment>/<notebook>.ipynb; returns the paths written."""
    written = []
    for exercise in exercises:
        path = Path(course_dir) / "source" / exercise.assignment / (exercise.notebook + ".ipynb")
        path.parent.mkdir(parents=True, exist_ok=True)
        text = nbformat.writes(build_source_notebook(exercise))
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
