"""Figures of the built book: one number per figure whatever the tab, a description for
screen readers, and vector images (the machinery is proved on a small book in
tests/bookbuild/test_minibook.py; here it is checked on the real sections)."""
from __future__ import annotations

import re
from collections import Counter

import pytest

from bookbuild.frameworks import FRAMEWORK_KEYS

from .test_content import SECTIONS

pytestmark = pytest.mark.book

FIGURE = re.compile(r"<figure\b.*?</figure>", re.S)
NUMBER = re.compile(r'<span class="caption-number">Hình (?P<number>[\d.]+) </span>')
SECTION_NUMBER = re.compile(r'<h1>\s*<span class="section-number">(?P<number>[\d.]+)\. </span>')


@pytest.mark.parametrize("docname", SECTIONS)
def test_figures_are_numbered_once_per_figure(built_book, docname):
    html = built_book.page(docname).read_text(encoding="utf-8")
    section = SECTION_NUMBER.search(html)
    assert section, f"{docname}: mục không được đánh số"
    numbers = [match["number"] for match in NUMBER.finditer(html)]
    # a figure is shown once, or once in each framework's tab, always under the same number
    counts = Counter(numbers)
    assert all(count in (1, len(FRAMEWORK_KEYS)) for count in counts.values()), counts
    expected = [f"{section['number']}.{n}" for n in range(1, len(counts) + 1)]
    assert list(dict.fromkeys(numbers)) == expected, f"{docname}: {numbers}"


@pytest.mark.parametrize("docname", SECTIONS)
def test_figures_describe_themselves_and_are_vector_images(built_book, docname):
    html = built_book.page(docname).read_text(encoding="utf-8")
    for figure in FIGURE.findall(html):
        for image in re.findall(r"<img [^>]*>", figure):
            alt = re.search(r'alt="([^"]*)"', image)
            assert alt and alt.group(1).strip() and "_images/" not in alt.group(1), \
                f"{docname}: hình không có mô tả (alt): {image[:160]}"
            assert re.search(r'src="[^"]+\.svg"', image), f"{docname}: hình không phải SVG: {image[:160]}"
