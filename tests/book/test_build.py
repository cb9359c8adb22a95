"""The whole book builds with warnings as errors, and a rebuild executes nothing."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from bookbuild.frameworks import FRAMEWORK_KEYS

from .toc import ROOT, toc_files

pytestmark = pytest.mark.book


def test_book_builds_every_page(built_book):
    for docname in toc_files():
        page = built_book.html_dir / f"{docname}.html"
        assert page.is_file(), f"thiếu trang {docname}.html"
    assert (built_book.html_dir / "index.html").is_file()


def test_every_section_with_code_offers_three_notebooks(built_book):
    from .test_content import SECTIONS

    for docname in SECTIONS:
        for framework in FRAMEWORK_KEYS:
            nb = built_book.notebook(docname, framework)
            code = [c for c in nb.cells if c.cell_type == "code"]
            assert code and any(c.outputs for c in code), f"{docname} ({framework}) không có kết quả chạy"


def test_rebuild_without_changes_executes_nothing(built_book):
    result = subprocess.run([sys.executable, "-m", "bookbuild", "build"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert not re.search(r"\[bookbuild\] chạy \d+ sổ tay", result.stdout + result.stderr)
