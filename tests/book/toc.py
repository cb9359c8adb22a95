"""The book's sections, as the table of contents lists them."""
from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _entries(items):
    for item in items or []:
        yield item
        yield from _entries(item.get("sections"))


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files.extend(entry["file"] for entry in _entries(part.get("chapters")))
    return files


def chapter_sections() -> list[str]:
    """Docnames (relative to book/) of the lessons: sections nested under a chapter."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    sections = []
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            sections.extend(e["file"].removeprefix("book/") for e in _entries(chapter.get("sections")))
    return sections
