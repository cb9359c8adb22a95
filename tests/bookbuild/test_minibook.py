"""A two-section book built with the real configuration: tabs, downloads, caching."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bookbuild.frameworks import FRAMEWORK_KEYS
from bookbuild.paths import jupyter_book_build

from .sections import code_cell, one_of_each, section

ROOT = Path(__file__).resolve().parents[2]
TOC = """format: jb-book
root: book/first
chapters:
  - file: book/second
"""


def build(book: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        jupyter_book_build(book, "--warningiserror"),
        cwd=book, capture_output=True, text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(book)},
    )


def executed_runs(log: str) -> int:
    found = re.search(r"\[bookbuild\] chạy (\d+) sổ tay", log)
    return int(found.group(1)) if found else 0


@pytest.fixture(scope="module")
def minibook(tmp_path_factory):
    book = tmp_path_factory.mktemp("minibook")
    shutil.copy(ROOT / "_config.yml", book)
    shutil.copytree(ROOT / "book" / "_static", book / "book" / "_static")
    shutil.copytree(ROOT / "book" / "_locale", book / "book" / "_locale",
                    ignore=shutil.ignore_patterns("*.mo"))
    (book / "_toc.yml").write_text(TOC)
    (book / "book" / "first.md").write_text(one_of_each(), encoding="utf-8")
    (book / "book" / "second.md").write_text(
        section("Trang hai", "Chỉ có MXNet ở đây.\n", code_cell("print('một mình')", "mxnet"),
                "Công thức: $y = \\sum_i x_i$.\n"),
        encoding="utf-8",
    )
    first = build(book)
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-4000:]
    return book, first.stdout + first.stderr


def test_cold_build_executes_every_framework_of_every_section(minibook):
    _, log = minibook
    assert executed_runs(log) == 6


def test_framework_cells_become_one_synced_tab_set(minibook):
    book, _ = minibook
    html = (book / "_build" / "html" / "book" / "first.html").read_text(encoding="utf-8")
    # one group for the three framework cells, one for the shared cell whose output differs
    assert html.count('class="sd-tab-set framework-tabs') == 2
    labels = re.findall(r'<label[^>]*data-sync-group="framework" data-sync-id="(\w+)"[^>]*>\s*([^<]+)', html)
    assert [(key, text.strip()) for key, text in labels[:3]] == [
        ("mxnet", "MXNet"), ("pytorch", "PyTorch"), ("tensorflow", "TensorFlow")]
    assert "tên: mx" in html and "tên: pt" in html and "tên: tf" in html
    # the shared cell with identical output is shown once, outside any tabs
    assert html.count("chung") == 2  # its source and its single output


def test_missing_framework_is_said_in_its_tab(minibook):
    book, _ = minibook
    html = (book / "_build" / "html" / "book" / "second.html").read_text(encoding="utf-8")
    assert "Đoạn này không có mã PyTorch." in html
    assert "Đoạn này không có mã TensorFlow." in html


def test_each_page_offers_its_per_framework_notebooks(minibook):
    book, _ = minibook
    html = (book / "_build" / "html" / "book" / "first.html").read_text(encoding="utf-8")
    for framework in FRAMEWORK_KEYS:
        href = f"../notebooks/book/first-{framework}.ipynb"
        assert f'href="{href}"' in html
        assert (book / "_build" / "html" / "book" / href).resolve().is_file()


def test_math_is_served_from_the_site(minibook):
    book, _ = minibook
    html = (book / "_build" / "html" / "book" / "second.html").read_text(encoding="utf-8")
    assert 'src="../_static/mathjax/tex-chtml.js' in html
    assert (book / "_build" / "html" / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert "cdn" not in html.lower()


def test_rebuilds_execute_only_what_changed(minibook):
    book, _ = minibook
    unchanged = build(book)
    assert unchanged.returncode == 0
    assert executed_runs(unchanged.stdout) == 0

    second = book / "book" / "second.md"
    second.write_text(second.read_text(encoding="utf-8").replace("Chỉ có MXNet", "Chỉ MXNet"), encoding="utf-8")
    prose_only = build(book)
    assert prose_only.returncode == 0 and executed_runs(prose_only.stdout) == 0

    first = book / "book" / "first.md"
    first.write_text(first.read_text(encoding="utf-8").replace("name = 'pt'", "name = 'torch'"), encoding="utf-8")
    code_edit = build(book)
    assert code_edit.returncode == 0
    assert executed_runs(code_edit.stdout) == 1  # only PyTorch of the edited section
    html = (book / "_build" / "html" / "book" / "first.html").read_text(encoding="utf-8")
    assert "tên: torch" in html


def test_a_failing_cell_fails_the_build_and_says_where(minibook):
    book, _ = minibook
    broken = book / "book" / "second.md"
    broken.write_text(section("Hỏng", code_cell("undefined_name + 1", "tensorflow")), encoding="utf-8")
    result = build(book)
    assert result.returncode != 0
    log = result.stdout + result.stderr
    assert "book/second" in log and "TensorFlow" in log and "ô mã thứ 1" in log
    assert "NameError" in log
