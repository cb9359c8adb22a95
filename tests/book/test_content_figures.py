"""Every figure has a caption and an alt text that describes it, in every tab.

A figure is drawn by a code cell that calls ``plt.show()`` at top level, or calls a
function of the same section that does. Such a cell carries MyST-NB cell metadata
(``mystnb: {image: {alt: ...}, figure: {caption: ...}}``); the three framework
cells of one figure carry the same caption and alt text.
"""
from __future__ import annotations

import ast
import html
import re

import pytest

from bookbuild.notebook import cell_framework

from .test_content import SECTIONS, read
from .test_content_language import strip_magics

VIETNAMESE_LETTER = re.compile(r"[ăâđêôơưàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ]", re.I)


def called_names(statements) -> set[str]:
    """Names called in statements, not looking inside function or class bodies."""
    names = set()
    for statement in statements:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for node in ast.walk(statement):
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Name):
                    names.add(func.id)
                elif isinstance(func, ast.Attribute):
                    names.add(func.attr if not isinstance(func.value, ast.Name)
                              else f"{func.value.id}.{func.attr}")
    return names


def plotting_functions(trees: list[ast.Module]) -> set[str]:
    """Functions of a section that end up calling plt.show()."""
    bodies = {node.name: node.body for tree in trees for node in ast.walk(tree)
              if isinstance(node, ast.FunctionDef)}
    plotting: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, body in bodies.items():
            if name not in plotting and called_names(body) & ({"plt.show"} | plotting):
                plotting.add(name)
                changed = True
    return plotting


def figure_cells(docname: str):
    """(index, cell) of the code cells of a section that draw a figure."""
    cells = [(i, c) for i, c in enumerate(read(docname).cells) if c.cell_type == "code"]
    trees = {i: ast.parse(strip_magics(c.source)) for i, c in cells}
    plotting = plotting_functions(list(trees.values()))
    return [(i, c) for i, c in cells if called_names(trees[i].body) & ({"plt.show"} | plotting)]


def figure_text(cell) -> tuple[str, str]:
    meta = cell.metadata.get("mystnb", {})
    return meta.get("figure", {}).get("caption", ""), meta.get("image", {}).get("alt", "")


def test_figure_detector():
    trees = [ast.parse("def draw(x):\n    plt.plot(x)\n    plt.show()\n"),
             ast.parse("def twice(x):\n    draw(x)\n    draw(x)\n")]
    assert plotting_functions(trees) == {"draw", "twice"}
    assert called_names(trees[0].body) == set()
    assert called_names(ast.parse("twice(1)").body) == {"twice"}


@pytest.mark.parametrize("docname", SECTIONS)
def test_every_figure_has_a_caption_and_an_alt_text(docname):
    problems = []
    for index, cell in figure_cells(docname):
        caption, alt = figure_text(cell)
        where = f"ô {index} ({cell_framework(cell) or 'dùng chung'})"
        if len(caption) < 20 or not VIETNAMESE_LETTER.search(caption):
            problems.append(f"{where}: thiếu chú thích hình (mystnb.figure.caption)")
        if len(alt) < 60 or not VIETNAMESE_LETTER.search(alt) or re.search(r"\.(png|svg|jpe?g)\b", alt):
            problems.append(f"{where}: thiếu mô tả hình cho người không nhìn thấy (mystnb.image.alt)")
    assert not problems, f"{docname}:\n" + "\n".join(problems)


@pytest.mark.parametrize("docname", SECTIONS)
def test_framework_cells_of_one_figure_say_the_same(docname):
    """Consecutive framework cells form one tab group: one figure, one caption."""
    figures = dict(figure_cells(docname))
    groups, current = [], []
    for index, cell in enumerate(read(docname).cells):
        if cell.cell_type == "code" and cell_framework(cell):
            if index in figures:
                current.append(figures[index])
            continue
        if current:
            groups.append(current)
        current = []
    if current:
        groups.append(current)
    for group in groups:
        texts = {figure_text(cell) for cell in group}
        assert len(texts) == 1, f"{docname}: các thẻ của cùng một hình có chú thích khác nhau: {texts}"


@pytest.mark.book
@pytest.mark.parametrize("docname", SECTIONS)
def test_built_images_have_alt_text_and_captions(built_book, docname):
    page = built_book.page(docname).read_text(encoding="utf-8")
    article = page.split('<article class="bd-article"', 1)[-1].split("</article>", 1)[0]
    images = re.findall(r"<img\b[^>]*>", article)
    expected = len(figure_cells(docname))
    assert len(images) >= expected, f"{docname}: có {len(images)} ảnh, mong đợi ít nhất {expected}"
    for tag in images:
        alt = html.unescape((re.search(r'\balt="([^"]*)"', tag) or [None, ""])[1])
        assert len(alt) >= 60 and not re.search(r"\.(png|svg|jpe?g)$", alt), f"{docname}: ảnh thiếu mô tả: {tag[:200]}"
    figures = re.findall(r"<figure\b.*?</figure>", article, re.S)
    captioned = [f for f in figures if "<img" in f and "<figcaption" in f]
    assert len(captioned) >= expected, f"{docname}: chỉ {len(captioned)} hình có chú thích, mong đợi {expected}"
