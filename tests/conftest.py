"""Shared fixtures: the full book is built once per test session."""
from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bookbuild import paths  # noqa: E402


@dataclass
class BuiltBook:
    html_dir: Path
    build_log: str

    def page(self, docname: str) -> Path:
        """HTML page of a section, docname relative to book/ (e.g. 'cnn/lenet')."""
        return self.html_dir / "book" / f"{docname}.html"

    def notebook_path(self, docname: str, framework: str) -> Path:
        """Where the site serves a section's executed notebook for one framework."""
        return self.html_dir / "notebooks" / framework / f"{docname}.ipynb"

    def notebook(self, docname: str, framework: str) -> nbformat.NotebookNode:
        """The executed per-framework notebook offered for download."""
        return nbformat.read(self.notebook_path(docname, framework), as_version=4)


@pytest.fixture(scope="session")
def built_book() -> BuiltBook:
    """Build the book as `make book` does (warnings are errors); fail on error."""
    result = subprocess.run(
        [sys.executable, "-m", "bookbuild", "build"],
        cwd=ROOT, capture_output=True, text=True,
    )
    log = result.stdout + result.stderr
    if result.returncode != 0:
        pytest.fail(f"Xây dựng sách thất bại (mã {result.returncode}):\n{log[-8000:]}")
    return BuiltBook(paths.HTML_DIR, log)
