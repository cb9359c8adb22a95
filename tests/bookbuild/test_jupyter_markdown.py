"""MyST prose rewritten as the plain Markdown a reader's notebook shows."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from bookbuild.jupyter_markdown import to_jupyter_markdown
from bookbuild.notebook import split
from bookbuild.readers import notebook_path, reader_notebook
from bookbuild.sections import parse_section

from .sections import code_cell, section

MYST_LEFT = re.compile(r"(?m)^\s*(`{3,}|~{3,}|:{3,})\s*\{|(?<!`)\{[a-z][\w:.-]*\}`")

FRAMEWORK_PROSE = """Trước tab.

`````{tab-set}
:sync-group: framework

````{tab-item} MXNet
:sync: mxnet

Ở MXNet, gọi `initialize()`.

```python
net.initialize()


print('hai dòng trống ở trên')
```
````

````{tab-item} PyTorch
:sync: pytorch

Ở PyTorch, tham số có ngay khi tạo tầng.
````

````{tab-item} TensorFlow
:sync: tensorflow

Ở TensorFlow, gọi mô hình một lần với `tf.zeros`.
````
`````

Sau tab."""


def no_links(target: str) -> tuple[str, None]:
    return target, None


@pytest.mark.parametrize("framework, own, others", [
    ("mxnet", "Ở MXNet, gọi", ["Ở PyTorch", "Ở TensorFlow"]),
    ("pytorch", "Ở PyTorch, tham số", ["Ở MXNet", "Ở TensorFlow"]),
    ("tensorflow", "Ở TensorFlow, gọi", ["Ở MXNet", "Ở PyTorch"]),
])
def test_framework_tab_set_keeps_only_that_frameworks_item(framework, own, others):
    text = to_jupyter_markdown(FRAMEWORK_PROSE, framework, no_links)
    assert own in text
    assert not [other for other in others if other in text]
    assert text.startswith("Trước tab.") and text.endswith("Sau tab.")
    assert not MYST_LEFT.search(text), text


def test_code_inside_a_tab_stays_verbatim():
    text = to_jupyter_markdown(FRAMEWORK_PROSE, "mxnet", no_links)
    assert "```python\nnet.initialize()\n\n\nprint('hai dòng trống ở trên')\n```" in text


def test_other_tab_sets_list_every_item_under_its_label():
    text = to_jupyter_markdown(
        "::::{tab-set}\n:::{tab-item} Cách một\nMột.\n:::\n:::{tab-item} Cách hai\nHai.\n:::\n::::",
        "pytorch", no_links)
    assert "**Cách một**" in text and "Một." in text and "**Cách hai**" in text and "Hai." in text
    assert not MYST_LEFT.search(text), text


def test_admonitions_become_quotes_with_a_vietnamese_label():
    text = to_jupyter_markdown(
        "```{note}\nGhi nhớ điều này.\n\nDòng hai.\n```\n\n"
        "```{admonition} Sigmoid hay ReLU?\n:class: note\nReLU nhanh hơn.\n```\n\n"
        ":::{warning}\nCẩn thận.\n:::",
        "tensorflow", no_links)
    assert "> **Ghi chú**\n>\n> Ghi nhớ điều này.\n>\n> Dòng hai." in text
    assert "> **Sigmoid hay ReLU?**\n>\n> ReLU nhanh hơn." in text
    assert ":class:" not in text
    assert "> **Cảnh báo**\n>\n> Cẩn thận." in text


def test_roles_become_links_or_text():
    def resolve(target):
        return {"pooling": ("Gộp", "pooling.ipynb"), "../intro": ("Lời nói đầu", None)}[target]

    text = to_jupyter_markdown(
        "Xem {doc}`pooling`, {doc}`mục này <pooling>`, {doc}`../intro`, {ref}`nhãn <sec-x>`, "
        "{numref}`Hình %s <fig-a>`, {math}`x^2` và `{note}` (mã, không phải vai trò).",
        "mxnet", resolve)
    assert "[Gộp](pooling.ipynb)" in text and "[mục này](pooling.ipynb)" in text
    assert "Lời nói đầu" in text and "nhãn" in text and "Hình" in text and "$x^2$" in text
    assert "`{note}`" in text
    assert not MYST_LEFT.search(text.replace("`{note}`", "")), text


def test_targets_and_comments_are_dropped():
    text = to_jupyter_markdown("(sec-x)=\n## Đề mục\n% ghi chú của tác giả\nLời.", "mxnet", no_links)
    assert text == "## Đề mục\nLời."


def test_reader_notebook_links_to_the_same_frameworks_sibling_notebook(tmp_path):
    book = tmp_path / "book"
    (book / "chuong").mkdir(parents=True)
    (book / "chuong" / "khac.md").write_text(section("Mục khác", code_cell("x = 1")), encoding="utf-8")
    (book / "loi-noi-dau.md").write_text("# Lời nói đầu\n\nKhông có mã.\n", encoding="utf-8")
    source = book / "chuong" / "mot.md"
    source.write_text(section("Mục một", "Xem {doc}`khac` và {doc}`../loi-noi-dau`.\n",
                              code_cell("print(1)", "pytorch")), encoding="utf-8")
    nb = parse_section(source.read_text(encoding="utf-8"), str(source))
    fnb = split(nb)["pytorch"]

    reader = reader_notebook(fnb, "pytorch", source, book)
    prose = "\n".join(c.source for c in reader.cells if c.cell_type == "markdown")
    assert "[Mục khác](khac.ipynb)" in prose
    assert "Lời nói đầu" in prose and "loi-noi-dau.ipynb" not in prose  # no notebook: text only
    published = reader_notebook(fnb, "pytorch", source, book, site_url="https://sach.example/")
    assert "[Lời nói đầu](https://sach.example/book/loi-noi-dau.html)" in \
        "\n".join(c.source for c in published.cells if c.cell_type == "markdown")
    assert notebook_path(book, source, "pytorch").as_posix() == "pytorch/chuong/mot.ipynb"
    # only what a reader needs: no build bookkeeping
    assert "jupytext" not in reader.metadata and "source_map" not in reader.metadata
    assert all(not k.startswith("bookbuild") for c in reader.cells for k in c.metadata)
    nbformat.validate(reader)
    assert Path(source).read_text(encoding="utf-8").count("{doc}") == 2  # the source is untouched
