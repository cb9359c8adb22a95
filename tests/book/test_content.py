"""Every lesson is in the table of contents, shows three frameworks, ends with exercises."""
from __future__ import annotations

import re

import pytest

from bookbuild.frameworks import FRAMEWORK_KEYS
from bookbuild.notebook import cell_framework
from bookbuild.sections import parse_section

from .toc import ROOT, chapter_sections, toc_files

OUTLINE = {
    "computation": ["layers-blocks", "parameters", "deferred-init", "custom-layers", "read-write", "gpu"],
    "cnn": ["conv-layer", "padding-stride", "channels", "pooling", "lenet", "performance"],
}
SECTIONS = [f"{chapter}/{name}" for chapter, names in OUTLINE.items() for name in names]


def read(docname: str):
    return parse_section((ROOT / "book" / f"{docname}.md").read_text(encoding="utf-8"))


def code_groups(nb):
    """Runs of consecutive framework cells, as the tab transform groups them."""
    groups, current = [], []
    for cell in nb.cells:
        framework = cell_framework(cell) if cell.cell_type == "code" else None
        if framework:
            current.append(framework)
            continue
        if current:
            groups.append(current)
        current = []
    if current:
        groups.append(current)
    return groups


def test_every_outlined_section_is_in_the_table_of_contents():
    lessons = [docname for docname in chapter_sections() if docname.split("/")[0] in OUTLINE]
    assert lessons == SECTIONS
    for docname in toc_files():
        assert (ROOT / f"{docname}.md").is_file(), f"{docname}.md có trong _toc.yml nhưng không tồn tại"


@pytest.mark.parametrize("docname", SECTIONS)
def test_every_code_group_has_all_three_frameworks(docname):
    groups = code_groups(read(docname))
    assert groups, f"{docname} không có nhóm mã framework nào"
    for number, group in enumerate(groups, 1):
        assert set(group) == set(FRAMEWORK_KEYS), f"{docname}: nhóm mã thứ {number} chỉ có {sorted(set(group))}"


@pytest.mark.parametrize("docname", SECTIONS)
def test_section_ends_with_practice_questions(docname):
    text = (ROOT / "book" / f"{docname}.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings and headings[-1].strip() == "Bài tập", f"{docname}: đề mục cuối phải là «Bài tập»"
    tail = text.split("## Bài tập")[-1]
    questions = re.findall(r"^\s*(?:\d+\.|[-*])\s+\S", tail, re.M)
    assert len(questions) >= 2, f"{docname}: phần Bài tập cần ít nhất hai câu hỏi"


@pytest.mark.book
@pytest.mark.parametrize("docname", SECTIONS)
def test_built_page_shows_three_framework_tabs_per_group(built_book, docname):
    html = built_book.page(docname).read_text(encoding="utf-8")
    tab_sets = html.split('class="sd-tab-set framework-tabs')[1:]
    assert tab_sets, f"{docname}: trang không có nhóm thẻ framework nào"
    for block in tab_sets:
        # the first three labels after a tab-set opens are its own
        labels = re.findall(r'data-sync-group="framework" data-sync-id="(\w+)"', block)
        assert labels[:3] == list(FRAMEWORK_KEYS)
    assert "framework-missing" not in html, f"{docname}: có nhóm thẻ thiếu mã của một framework"
