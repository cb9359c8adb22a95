"""Where the book's sources and build products live."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOK_DIR = ROOT / "book"
BUILD_DIR = ROOT / "_build"
HTML_DIR = BUILD_DIR / "html"
CACHE_DIR = BUILD_DIR / ".bookbuild-cache"
LAB_DIR = BUILD_DIR / "notebooks"


def jupyter_book_build(source: Path, *flags: str) -> list[str]:
    """Command that builds the book rooted at ``source`` with this interpreter's Jupyter Book."""
    return [sys.executable, "-c", "from jupyter_book.cli.main import main; main()",
            "build", str(source), *flags]
