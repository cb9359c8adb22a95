"""Small section sources for the build tests, written the way authors write them."""
from __future__ import annotations

HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def code_cell(source: str, *tags: str) -> str:
    tag_line = f":tags: [{', '.join(tags)}]\n" if tags else ""
    return f"```{{code-cell}} ipython3\n{tag_line}{source}\n```\n"


def section(title: str, *parts: str) -> str:
    return HEADER + f"\n# {title}\n\n" + "\n".join(parts)


def one_of_each(marker: str = "") -> str:
    """A shared cell, one cell per framework, and a shared cell whose output differs."""
    return section(
        "Thử nghiệm",
        "Lời giảng mở đầu.\n",
        code_cell(f"shared = 'chung{marker}'\nprint(shared)"),
        code_cell("name = 'mx'\nprint('mxnet', name)", "mxnet"),
        code_cell("name = 'pt'\nprint('pytorch', name)", "pytorch"),
        code_cell("name = 'tf'\nprint('tensorflow', name)", "tensorflow"),
        "Lời giảng ở giữa.\n",
        code_cell("print('tên:', name)"),
    )


def figure_cell(source: str, alt: str, caption: str, *tags: str, name: str = "") -> str:
    """A plotting cell with MyST-NB's figure metadata, as authors write it."""
    header = ["---"]
    if tags:
        header.append(f"tags: [{', '.join(tags)}]")
    header += ["mystnb:", "  image:", f"    alt: {alt}", "  figure:", f"    caption: {caption}"]
    if name:
        header.append(f"    name: {name}")
    header.append("---")
    return "```{code-cell} ipython3\n" + "\n".join(header) + f"\n{source}\n```\n"
