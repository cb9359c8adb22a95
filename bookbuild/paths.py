"""Where the book's sources and build products live."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOK_DIR = ROOT / "book"
BUILD_DIR = ROOT / "_build"
HTML_DIR = BUILD_DIR / "html"
CACHE_DIR = BUILD_DIR / ".bookbuild-cache"
LAB_DIR = BUILD_DIR / "notebooks"
