"""`python -m bookbuild notebooks` (behind `make lab`) and `check`."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat

from bookbuild.frameworks import FRAMEWORK_KEYS
from bookbuild.notebook import cell_framework

from .sections import code_cell, section

ROOT = Path(__file__).resolve().parents[2]


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "bookbuild", *args], cwd=cwd, capture_output=True, text=True)


def test_lab_notebooks_one_per_framework_for_every_section_with_code(tmp_path):
    result = run("notebooks", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    for framework in FRAMEWORK_KEYS:
        nb = nbformat.read(tmp_path / framework / "cnn" / "lenet.ipynb", as_version=4)
        owners = {cell_framework(c) for c in nb.cells if c.cell_type == "code"}
        assert owners <= {None, framework}, f"sổ tay {framework} chứa ô của framework khác"
        assert all(not c.outputs for c in nb.cells if c.cell_type == "code")
        nbformat.validate(nb)
    # pages without code (the preface) get no notebooks
    assert not list(tmp_path.rglob("intro.ipynb"))


def test_check_reports_the_failing_cell(tmp_path):
    source = tmp_path / "hong.md"
    source.write_text(section("Hỏng", code_cell("print('ok')"), code_cell("1 / 0", "mxnet")), encoding="utf-8")
    result = run("check", str(source), "--jobs", "1")
    assert result.returncode == 1
    assert "MXNet" in result.stderr and "ô mã thứ 2" in result.stderr and "ZeroDivisionError" in result.stderr
    assert "có ô mã gây lỗi" in result.stdout
