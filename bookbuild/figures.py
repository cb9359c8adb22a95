"""Figures drawn by code cells: one number per figure, whatever the framework tab.

An author gives a plotting cell MyST-NB's cell metadata
``mystnb: {image: {alt: ...}, figure: {caption: ...}}``, the same caption in
the three framework cells of one figure. MyST-NB wraps each output in a
figure, and Sphinx's numfig would number the three copies 2.1.3, 2.1.4,
2.1.5. Here the copies of one figure (same caption, in the tabs of one
framework tab-set) share the number of the first:

1. ``dedupe_figure_names`` (on the merged notebook, before MyST-NB reads it)
   keeps an author's ``figure.name`` on the first framework cell only, so the
   label is defined once and ``{numref}`` points at the first tab's copy;
2. ``FrameworkFigures`` (after the tabs are built) takes the copies out of
   numbering, remembering which figure they repeat;
3. ``NumberFigureCopies`` (when the page is written) gives each copy the
   number Sphinx gave the figure it repeats.
"""
from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from nbformat import NotebookNode
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform

from .notebook import cell_framework
from .tabs import framework_of

COPY_OF = "bookbuild_copy_of"  # figure node attribute: id of the figure it repeats
CELL_KEY = "mystnb"  # MyST-NB's cell metadata key


def _figure_name(cell: NotebookNode) -> str | None:
    figure = cell.get("metadata", {}).get(CELL_KEY, {}).get("figure") or {}
    return figure.get("name")


def dedupe_figure_names(nb: NotebookNode) -> None:
    """In each run of framework cells, keep a repeated figure name on its first cell only."""
    seen: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type != "code" or cell_framework(cell) is None:
            seen = set()  # prose or a shared cell ends the run (and the tab-set)
            continue
        name = _figure_name(cell)
        if name is None:
            continue
        if name in seen:
            del cell.metadata[CELL_KEY]["figure"]["name"]
        seen.add(name)


def _caption_text(figure: nodes.figure) -> str | None:
    caption = next(iter(figure.findall(nodes.caption)), None)
    return " ".join(caption.astext().split()) if caption is not None else None


class FrameworkFigures(SphinxTransform):
    """Copies of a figure in the other tabs of a framework tab-set get no number of their own."""

    # After FrameworkTabs (400) built the tab-sets; Sphinx gave figures ids at 210.
    default_priority = 410

    def apply(self, **kwargs) -> None:
        for tab_set in self.document.findall(nodes.container):
            if "framework-tabs" not in tab_set["classes"]:
                continue
            first_with_caption: dict[str, nodes.figure] = {}
            for cell in tab_set.findall(nodes.container):
                if framework_of(cell) is None:
                    continue
                for figure in cell.findall(nodes.figure):
                    caption = _caption_text(figure)
                    if not caption or not figure["ids"]:
                        continue
                    original = first_with_caption.setdefault(caption, figure)
                    if original is figure:
                        continue
                    figure[COPY_OF] = original["ids"][0]
                    figure["ids"] = []
                    figure["names"] = []


class NumberFigureCopies(SphinxPostTransform):
    """Each copy gets an id and, in Sphinx's table of figure numbers, the number of its original."""

    default_priority = 900
    formats = ("html",)

    def run(self, **kwargs) -> None:
        numbers = self.env.toc_fignumbers.get(self.env.docname, {}).get("figure", {})
        for figure in self.document.findall(nodes.figure):
            original = figure.get(COPY_OF)
            if not original or figure["ids"]:
                continue
            copy_id = next(f"{original}-{n}" for n in range(2, 10_000) if f"{original}-{n}" not in self.document.ids)
            figure["ids"].append(copy_id)
            self.document.ids[copy_id] = figure
            if original in numbers:
                numbers[copy_id] = numbers[original]


# Wider than this (CSS px at natural size), a figure is shown on a phone at
# WIDE_FIGURE_PX and scrolls sideways, rather than shrunk until its labels
# (10 pt = 13 px at natural size) are 5 px tall; see book/_static/course.css.
WIDE_FIGURE_PX = 576
WIDE_CLASS = "bookbuild-wide"
_SVG_WIDTH = re.compile(r'<svg\b[^>]*\bwidth="(?P<value>[\d.]+)(?P<unit>pt|px)?"', re.S)


def svg_width_px(path: Path) -> float | None:
    """Natural width of an SVG file in CSS pixels (matplotlib writes points)."""
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:4000]
    except OSError:
        return None
    found = _SVG_WIDTH.search(head)
    if not found:
        return None
    return float(found["value"]) * (4 / 3 if found["unit"] == "pt" else 1)


def prepare_output_images(document: nodes.document, srcdir: Path) -> None:
    """Images in cell outputs load when shown (a closed tab's figures cost nothing
    on first load), and wide figures are marked for their phone layout."""
    for cell in document.findall(nodes.container):
        if cell.get("nb_element") != "cell_code_output":
            continue
        for image in cell.findall(nodes.image):
            image["loading"] = "lazy"
            width = svg_width_px(Path(srcdir, image["uri"])) if image["uri"].endswith(".svg") else None
            if width and width > WIDE_FIGURE_PX and WIDE_CLASS not in image["classes"]:
                image["classes"].append(WIDE_CLASS)
