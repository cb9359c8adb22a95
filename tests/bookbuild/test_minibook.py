"""A small book built with the real configuration: tabs, figures, search, downloads, caching."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from bookbuild.frameworks import FRAMEWORK_KEYS
from bookbuild.paths import jupyter_book_build

from .sections import code_cell, figure_cell, one_of_each, section

ROOT = Path(__file__).resolve().parents[2]
TOC = """format: jb-book
root: book/first
parts:
  - caption: Phần một
    numbered: true
    chapters:
      - file: book/chapter
        sections:
          - file: book/second
"""
LINE_PLOT = "import matplotlib.pyplot as plt\nplt.figure(figsize=(4, 2))\nplt.plot([0, 1], [0, {}])\nplt.show()"
LINE_ALT = "Đường thẳng đi lên từ góc dưới bên trái"
LINE_CAPTION = "Một đường thẳng, vẽ bằng framework đang chọn"
BAR_ALT = "Ba cột cao dần"
BAR_CAPTION = "Ba cột"
PROSE_TABS = """`````{tab-set}
:sync-group: framework

````{tab-item} MXNet
:sync: mxnet
Lời riêng cho MXNet.
````

````{tab-item} PyTorch
:sync: pytorch
Lời riêng cho PyTorch.
````

````{tab-item} TensorFlow
:sync: tensorflow
Lời riêng cho TensorFlow.
````
`````
"""


def first_page() -> str:
    """The shared/framework cells of one_of_each, plus prose a notebook must rewrite."""
    extra = ("\n" + PROSE_TABS + "\n```{note}\nMột ghi chú.\n```\n\n"
             "Xem {doc}`second`. Ta ăn no rồi in ra to, do an toàn.\n")
    return one_of_each() + extra


def second_page() -> str:
    return section(
        "Tích chập cho ảnh", "Chỉ có MXNet ở đây.\n", code_cell("print('một mình')", "mxnet"),
        "Công thức: $y = \\sum_i x_i$. {numref}`fig-duong` vẽ một đường.\n",
        *(figure_cell(LINE_PLOT.format(height), LINE_ALT, LINE_CAPTION, framework, name="fig-duong")
          for framework, height in zip(FRAMEWORK_KEYS, (1, 2, 3))),
        "Hình sau giống nhau ở mọi framework.\n",
        figure_cell("import matplotlib.pyplot as plt\nplt.figure(figsize=(3, 2))\nplt.bar([0, 1, 2], [1, 2, 3])\nplt.show()",
                    BAR_ALT, BAR_CAPTION),
    )


def build(book: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        jupyter_book_build(book, "--warningiserror"),
        cwd=book, capture_output=True, text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(book)},
    )


def executed_runs(log: str) -> int:
    found = re.search(r"\[bookbuild\] chạy (\d+) sổ tay", log)
    return int(found.group(1)) if found else 0


@pytest.fixture(scope="module")
def minibook(tmp_path_factory):
    book = tmp_path_factory.mktemp("minibook")
    shutil.copy(ROOT / "_config.yml", book)
    shutil.copytree(ROOT / "book" / "_static", book / "book" / "_static")
    shutil.copytree(ROOT / "book" / "_locale", book / "book" / "_locale",
                    ignore=shutil.ignore_patterns("*.mo"))
    shutil.copytree(ROOT / "book" / "_templates", book / "book" / "_templates")
    (book / "_toc.yml").write_text(TOC)
    (book / "book" / "first.md").write_text(first_page(), encoding="utf-8")
    (book / "book" / "chapter.md").write_text("# Chương thử\n\nMở đầu chương.\n", encoding="utf-8")
    (book / "book" / "second.md").write_text(second_page(), encoding="utf-8")
    first = build(book)
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-4000:]
    return book, first.stdout + first.stderr


def test_cold_build_executes_every_framework_of_every_section(minibook):
    _, log = minibook
    assert executed_runs(log) == 6  # first and second, three frameworks each; chapter has no code


def test_framework_cells_become_one_synced_tab_set(minibook):
    book, _ = minibook
    html = (book / "_build" / "html" / "book" / "first.html").read_text(encoding="utf-8")
    # one group for the three framework cells, one for the shared cell whose output differs
    assert html.count('class="sd-tab-set framework-tabs') == 2
    labels = re.findall(r'<label[^>]*data-sync-group="framework" data-sync-id="(\w+)"[^>]*>\s*([^<]+)', html)
    assert [(key, text.strip()) for key, text in labels[:3]] == [
        ("mxnet", "MXNet"), ("pytorch", "PyTorch"), ("tensorflow", "TensorFlow")]
    assert "tên: mx" in html and "tên: pt" in html and "tên: tf" in html
    # the shared cell with identical output is shown once, outside any tabs
    assert html.count("chung") == 2  # its source and its single output


def test_missing_framework_is_said_in_its_tab(minibook):
    book, _ = minibook
    html = (book / "_build" / "html" / "book" / "second.html").read_text(encoding="utf-8")
    assert "Đoạn này không có mã PyTorch." in html
    assert "Đoạn này không có mã TensorFlow." in html


def test_each_page_offers_its_per_framework_notebooks(minibook):
    book, _ = minibook
    html = (book / "_build" / "html" / "book" / "first.html").read_text(encoding="utf-8")
    for framework in FRAMEWORK_KEYS:
        href = f"../notebooks/{framework}/first.ipynb"
        assert f'href="{href}" download="first-{framework}.ipynb"' in html
        assert (book / "_build" / "html" / "book" / href).resolve().is_file()
    # Colab and JupyterHub links stay hidden while _config.yml leaves them empty
    assert "colab.research.google.com" not in html and "git-pull" not in html


def test_downloaded_notebooks_are_plain_jupyter_markdown(minibook):
    book, _ = minibook
    for framework in FRAMEWORK_KEYS:
        nb = nbformat.read(book / "_build" / "html" / "notebooks" / framework / "first.ipynb", as_version=4)
        prose = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
        label = {"mxnet": "MXNet", "pytorch": "PyTorch", "tensorflow": "TensorFlow"}[framework]
        assert f"Lời riêng cho {label}." in prose
        others = [other for other in ("MXNet", "PyTorch", "TensorFlow")
                  if other != label and f"Lời riêng cho {other}." in prose]
        assert not others, f"sổ tay {framework} chứa lời của {others}"
        assert "> **Ghi chú**" in prose and "[Tích chập cho ảnh](second.ipynb)" in prose
        assert not re.search(r"(?m)^\s*(`{3,}|:{3,})\s*\{|\{[a-z-]+\}`", prose), prose
        assert any(c.outputs for c in nb.cells if c.cell_type == "code")  # executed


def test_figure_drawn_in_three_tabs_has_one_number_and_alt_text(minibook):
    book, _ = minibook
    html = (book / "_build" / "html" / "book" / "second.html").read_text(encoding="utf-8")
    numbers = re.findall(r'<span class="caption-number">(Hình [\d.]+) </span>', html)
    # the line drawn in three tabs is one figure; the shared bar chart, identical
    # in every framework, is shown once and is the next figure
    assert numbers == ["Hình 1.1.1"] * 3 + ["Hình 1.1.2"], numbers
    assert html.count(f'alt="{LINE_ALT}"') == 3 and html.count(f'alt="{BAR_ALT}"') == 1
    assert html.count(f"{LINE_CAPTION}") == 3
    # every plot is a vector image, loaded only once its tab is shown
    images = re.findall(r"<img [^>]*>", html)
    assert len(images) == 4 and all(".svg" in img and 'loading="lazy"' in img for img in images)
    # {numref} to the figure's name (written on all three cells) reads its one number
    assert re.search(r'<span class="std std-numref">Hình 1\.1\.1</span>', html)


def test_sections_are_numbered(minibook):
    book, _ = minibook
    html = (book / "_build" / "html" / "book" / "second.html").read_text(encoding="utf-8")
    assert re.search(r'<h1>\s*<span class="section-number">1\.1\. </span>Tích chập cho ảnh', html)


def test_search_finds_vietnamese_without_diacritics_and_keeps_short_words(minibook):
    book, _ = minibook
    index = (book / "_build" / "html" / "searchindex.js").read_text(encoding="utf-8")
    data = json.loads(index[index.index("(") + 1:index.rindex(")")])
    assert {"tich", "chap", "anh"} <= set(data["titleterms"])
    # "an", "do", "to", "no", "in" are English stop words but Vietnamese words
    assert {"an", "do", "to", "no", "in"} <= set(data["terms"])
    assert not any(any(ch in term for ch in "ăâđêôơưáàảãạíìỉĩị") for term in data["terms"])
    language_data = (book / "_build" / "html" / "_static" / "language_data.js").read_text(encoding="utf-8")
    assert "var stopwords = [];" in language_data and 'normalize("NFD")' in language_data


def test_math_is_typeset_by_the_site_only_where_there_is_maths(minibook):
    book, _ = minibook
    html_dir = book / "_build" / "html"
    with_maths = (html_dir / "book" / "second.html").read_text(encoding="utf-8")
    assert 'src="../_static/katex/katex.min.js' in with_maths and 'src="../_static/katex-render.js' in with_maths
    assert (html_dir / "_static" / "katex" / "katex.min.js").is_file()
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', with_maths)
    assert not [src for src in scripts if "://" in src or "mathjax" in src.lower()], scripts
    # the root page's toctree reaches the maths page, but it has none itself
    without_maths = (html_dir / "book" / "first.html").read_text(encoding="utf-8")
    assert "katex" not in without_maths
    assert not [src for src in re.findall(r'<script[^>]*src="([^"]+)"', without_maths) if "mathjax" in src]


def test_rebuilds_execute_only_what_changed(minibook):
    book, _ = minibook
    unchanged = build(book)
    assert unchanged.returncode == 0
    assert executed_runs(unchanged.stdout) == 0

    second = book / "book" / "second.md"
    second.write_text(second.read_text(encoding="utf-8").replace("Chỉ có MXNet", "Chỉ MXNet"), encoding="utf-8")
    prose_only = build(book)
    assert prose_only.returncode == 0 and executed_runs(prose_only.stdout) == 0

    first = book / "book" / "first.md"
    first.write_text(first.read_text(encoding="utf-8").replace("name = 'pt'", "name = 'torch'"), encoding="utf-8")
    code_edit = build(book)
    assert code_edit.returncode == 0
    assert executed_runs(code_edit.stdout) == 1  # only PyTorch of the edited section
    html = (book / "_build" / "html" / "book" / "first.html").read_text(encoding="utf-8")
    assert "tên: torch" in html


def test_a_failing_cell_fails_the_build_and_says_where(minibook):
    book, _ = minibook
    broken = book / "book" / "second.md"
    broken.write_text(section("Hỏng", code_cell("undefined_name + 1", "tensorflow")), encoding="utf-8")
    result = build(book)
    assert result.returncode != 0
    log = result.stdout + result.stderr
    assert "book/second" in log and "TensorFlow" in log and "ô mã thứ 1" in log
    assert "NameError" in log
