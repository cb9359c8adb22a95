"""The per-framework notebooks readers download, open in Colab or in JupyterLab.

One layout everywhere: ``<framework>/<section path under book/>.ipynb``, in
the site (under ``notebooks/``), in ``make lab``'s folder and in the public
repository an instructor publishes them to (see book/README.md). Markdown
cells are plain Jupyter Markdown (``jupyter_markdown``), so the notebook
reads the same in any notebook application.
"""
from __future__ import annotations

import copy
import functools
import posixpath
from pathlib import Path, PurePosixPath

from nbformat import NotebookNode

from .jupyter_markdown import to_jupyter_markdown
from .notebook import LINE_KEY, SOURCE_INDEX, needs_execution
from .sections import parse_section

# Notebook metadata that only the build uses.
_BUILD_METADATA = ("jupytext", "source_map")


def notebook_path(book_dir: Path, source: Path, framework: str) -> PurePosixPath:
    """Where ``framework``'s notebook of the section ``source`` lives, relative to the notebooks' root."""
    relative = PurePosixPath(Path(source).resolve().relative_to(Path(book_dir).resolve()).as_posix())
    return PurePosixPath(framework) / relative.with_suffix(".ipynb")


@functools.lru_cache(maxsize=None)
def _page_facts(path: Path) -> tuple[str, bool]:
    """(title, has code cells) of a book page, read from its source."""
    text = path.read_text(encoding="utf-8")
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), path.stem)
    return title, needs_execution(parse_section(text, str(path)))


def reader_notebook(fnb: NotebookNode, framework: str, source: Path, book_dir: Path,
                    site_url: str = "") -> NotebookNode:
    """``framework``'s notebook of the section ``source``, for readers."""
    source, book_dir = Path(source).resolve(), Path(book_dir).resolve()
    here = notebook_path(book_dir, source, framework)

    def resolve_doc(target: str) -> tuple[str, str | None]:
        # {doc} targets are relative to the section, or to the project root with a leading '/'.
        path = (book_dir.parent / target.lstrip("/")) if target.startswith("/") else (source.parent / target)
        path = path.with_suffix(".md").resolve()
        if not path.is_file():
            return target, None
        title, has_notebook = _page_facts(path)
        if has_notebook:
            return title, posixpath.relpath(notebook_path(book_dir, path, framework), here.parent)
        if site_url:
            page = path.relative_to(book_dir.parent).with_suffix(".html").as_posix()
            return title, f"{site_url.rstrip('/')}/{page}"
        return title, None

    result = copy.deepcopy(fnb)
    for key in _BUILD_METADATA:
        result.metadata.pop(key, None)
    for cell in result.cells:
        cell.metadata.pop(SOURCE_INDEX, None)
        cell.metadata.pop(LINE_KEY, None)
        if cell.cell_type == "markdown":
            cell.source = to_jupyter_markdown(cell.source, framework, resolve_doc)
    result.cells = [cell for cell in result.cells if cell.cell_type != "markdown" or cell.source.strip()]
    return result
