"""The glossary page shows book/glossary.csv, which must equal the course glossary."""
from __future__ import annotations

import csv
import html
import os
import re
from pathlib import Path

import pytest

from .toc import ROOT

DATA = ROOT / "book" / "glossary.csv"
# The course-wide glossary lives beside the repository (../shared); override for other layouts.
SHARED = Path(os.environ.get("COURSE_GLOSSARY", ROOT.parent / "shared" / "glossary.md"))


def data_rows() -> list[tuple[str, str]]:
    with DATA.open(encoding="utf-8", newline="") as handle:
        rows = [tuple(row) for row in csv.reader(handle)]
    assert rows[0] == ("Tiếng Anh", "Tiếng Việt")
    return rows[1:]


def markdown_table_rows(text: str) -> list[tuple[str, ...]]:
    """Body rows of the first Markdown table in text."""
    lines = [line.strip() for line in text.splitlines()]
    start = next(i for i, line in enumerate(lines) if re.fullmatch(r"\|(\s*:?-{3,}:?\s*\|)+", line))
    rows = []
    for line in lines[start + 1:]:
        if not line.startswith("|"):
            break
        rows.append(tuple(cell.strip() for cell in line.strip("|").split("|")))
    return rows


def test_markdown_table_reader_stops_at_the_table_end():
    text = "Lời dẫn\n\n| A | B |\n| --- | --- |\n| x | y |\n| z | w |\n\n| không | phải |\n"
    assert markdown_table_rows(text) == [("x", "y"), ("z", "w")]


def test_data_has_two_nonempty_unique_columns():
    rows = data_rows()
    assert rows and all(len(row) == 2 and all(cell.strip() == cell and cell for cell in row) for row in rows)
    english = [en for en, _ in rows]
    assert len(set(english)) == len(english), "một thuật ngữ tiếng Anh xuất hiện hai lần"


def test_data_matches_the_course_glossary():
    if not SHARED.is_file():
        pytest.skip(f"không có bảng thuật ngữ chung ở {SHARED} (đặt COURSE_GLOSSARY để chỉ tới nó)")
    expected = markdown_table_rows(SHARED.read_text(encoding="utf-8"))
    found = data_rows()
    missing = [row for row in expected if row not in found]
    extra = [row for row in found if row not in expected]
    assert not missing and not extra, f"thiếu: {missing}\nthừa: {extra}"
    assert found == expected, "cùng các cặp thuật ngữ nhưng khác thứ tự"


def table_cells(table_html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", table_html, re.S)]


@pytest.mark.book
def test_built_page_shows_every_pair(built_book):
    page = html.unescape(built_book.page("glossary").read_text(encoding="utf-8"))
    tables = re.findall(r"<table.*?</table>", page, re.S)
    assert tables, "trang thuật ngữ không có bảng nào"
    cells = table_cells(tables[0])  # the course glossary comes first
    pairs = list(zip(cells[0::2], cells[1::2]))
    assert pairs == data_rows()


# Programming terms the book adds to the course glossary: one Vietnamese name each.
BOOK_TERMS = {"constructor": "hàm khởi tạo"}


@pytest.mark.book
def test_built_page_names_the_book_programming_terms(built_book):
    page = html.unescape(built_book.page("glossary").read_text(encoding="utf-8"))
    rows = [table_cells(row) for row in re.findall(r"<tr.*?</tr>", page, re.S)]
    found = {row[0]: row[1] for row in rows if len(row) >= 2}
    for english, vietnamese in BOOK_TERMS.items():
        assert found.get(english) == vietnamese, f"bảng thuật ngữ thiếu «{english}» = «{vietnamese}»"
