"""The notebooks the site offers open cleanly in JupyterLab or Colab: plain Jupyter
Markdown, and only the reader's framework."""
from __future__ import annotations

import re
from collections import Counter

import pytest

from bookbuild.frameworks import FRAMEWORK_KEYS

from .test_content import SECTIONS
from .toc import ROOT

pytestmark = pytest.mark.book

DIRECTIVE_FENCE = re.compile(r"(?m)^\s*(`{3,}|~{3,}|:{3,})\s*\{[\w:.-]+\}")
ROLE = re.compile(r"(?<!`)\{[a-z][\w:.-]*\}`")
TAB_ITEM = re.compile(r"^(?P<fence>`{3,}|:{3,})\{tab-item\}")
SYNC = re.compile(r"^:sync:\s*(?P<framework>\w+)\s*$")


def framework_prose(source: str) -> dict[str, list[str]]:
    """Per framework, the prose lines of its synced tab items in the section's source.

    Read here with a parser of its own (fences closing on the same length), not
    with bookbuild's, so the test does not share a bug with the code it checks.
    """
    found: dict[str, list[str]] = {}
    lines = source.splitlines()
    index = 0
    while index < len(lines):
        opening = TAB_ITEM.match(lines[index].strip())
        index += 1
        if not opening:
            continue
        fence = opening["fence"]
        body = []
        while index < len(lines) and lines[index].strip() != fence:
            body.append(lines[index])
            index += 1
        sync = next((SYNC.match(line.strip()) for line in body if SYNC.match(line.strip())), None)
        if not sync:
            continue
        in_code = False
        for line in body:
            text = line.strip()
            if text.startswith("```"):
                in_code = not in_code
                continue
            # prose long enough to be specific to its tab, and untouched by the rewrite
            if not in_code and len(text) > 25 and not text.startswith(":") and "{" not in text:
                found.setdefault(sync["framework"], []).append(text)
    # a sentence written the same in two frameworks' tabs belongs to neither alone
    counts = Counter(line for lines in found.values() for line in set(lines))
    return {framework: [line for line in lines if counts[line] == 1] for framework, lines in found.items()}


def test_downloaded_notebooks_are_plain_markdown_of_one_framework(built_book):
    checked = 0
    for framework in FRAMEWORK_KEYS:
        root = built_book.html_dir / "notebooks" / framework
        for path in sorted(root.rglob("*.ipynb")):
            docname = path.relative_to(root).with_suffix("").as_posix()
            source = (ROOT / "book" / f"{docname}.md").read_text(encoding="utf-8")
            prose_by_framework = framework_prose(source)
            nb = built_book.notebook(docname, framework)
            markdown = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
            where = f"{docname} ({framework})"
            assert not DIRECTIVE_FENCE.search(markdown), f"{where}: còn chỉ thị MyST"
            assert not ROLE.search(markdown), f"{where}: còn vai trò MyST {ROLE.findall(markdown)}"
            for line in prose_by_framework.get(framework, []):
                assert line in markdown, f"{where}: thiếu lời của chính framework này: {line!r}"
            for other, lines in prose_by_framework.items():
                leaked = [line for line in lines if other != framework and line in markdown]
                assert not leaked, f"{where}: có lời của {other}: {leaked[:2]}"
            checked += 1
    # every lesson, in every framework
    assert checked >= len(SECTIONS) * len(FRAMEWORK_KEYS)


def test_the_check_sees_framework_prose_in_the_book():
    """The book has framework tab-sets in prose; otherwise the test above proves nothing."""
    counted = {framework: 0 for framework in FRAMEWORK_KEYS}
    for docname in SECTIONS:
        for framework, lines in framework_prose((ROOT / "book" / f"{docname}.md").read_text(encoding="utf-8")).items():
            counted[framework] += len(lines)
    assert all(count > 0 for count in counted.values()), counted
