"""Split a section into per-framework notebooks, and merge their outputs back.

A code cell tagged with a framework key belongs to that framework; an
untagged code cell is shared and runs in every framework's kernel.
"""
from __future__ import annotations

import copy
import hashlib
import json

import nbformat
from nbformat import NotebookNode

from .frameworks import BY_KEY, FRAMEWORK_KEYS

# Cell metadata key recording a cell's position in its section, so outputs of
# a per-framework run can be put back in the right place.
SOURCE_INDEX = "bookbuild_index"
# Cell metadata key: the cell's line in the source file, for error messages.
LINE_KEY = "bookbuild_line"
# Tags that change how a cell executes, hence part of the cache key.
EXECUTION_TAGS = frozenset({"raises-exception", "skip-execution"})
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


class SectionFormatError(ValueError):
    """The section's source breaks an authoring rule."""


def cell_framework(cell: NotebookNode) -> str | None:
    """The framework a code cell belongs to, or None for a shared cell."""
    tags = cell.get("metadata", {}).get("tags", [])
    found = [tag for tag in tags if tag in BY_KEY]
    if len(found) > 1:
        raise SectionFormatError(
            f"Một ô mã chỉ được thuộc về một framework, nhưng ô này có các thẻ {found}."
        )
    return found[0] if found else None


def code_cells(nb: NotebookNode) -> list[NotebookNode]:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def needs_execution(nb: NotebookNode) -> bool:
    return bool(code_cells(nb))


def split(nb: NotebookNode) -> dict[str, NotebookNode]:
    """One notebook per framework: prose, shared cells and that framework's cells."""
    for cell in code_cells(nb):
        cell_framework(cell)  # validate tags once, before any copying
    lines = nb.metadata.get("source_map") or []
    result = {}
    for key in FRAMEWORK_KEYS:
        sub = nbformat.v4.new_notebook(metadata=copy.deepcopy(dict(nb.metadata)))
        sub.nbformat_minor = 5
        sub.metadata["kernelspec"] = dict(KERNELSPEC)
        sub.metadata.pop("source_map", None)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and cell_framework(cell) not in (None, key):
                continue
            kept = copy.deepcopy(cell)
            kept.metadata[SOURCE_INDEX] = index
            if index < len(lines):
                # MyST-NB maps a cell to the 0-based line after its fence,
                # which is the fence's line counted from 1.
                kept.metadata[LINE_KEY] = lines[index]
            if kept.cell_type == "code":
                kept.outputs = []
                kept.execution_count = None
            kept["id"] = f"cell-{index}"
            sub.cells.append(kept)
        result[key] = sub
    return result


def execution_key(framework_nb: NotebookNode, framework: str, salt: str) -> str:
    """Content hash of what executing this notebook depends on (code, not prose)."""
    cells = [
        [cell.source, sorted(EXECUTION_TAGS.intersection(cell.metadata.get("tags", [])))]
        for cell in code_cells(framework_nb)
    ]
    payload = json.dumps({"framework": framework, "salt": salt, "cells": cells}, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _comparable(outputs: list) -> str:
    """Outputs without run-specific fields, for equality across frameworks."""
    cleaned = []
    for out in outputs:
        out = {k: v for k, v in out.items() if k not in ("execution_count", "metadata")}
        cleaned.append(out)
    return json.dumps(cleaned, sort_keys=True, default=str)


def merge(nb: NotebookNode, executed: dict[str, NotebookNode]) -> NotebookNode:
    """The section with each cell's outputs taken from its framework's run.

    A shared cell whose outputs differ between frameworks is shown once per
    framework (same code, each framework's outputs), tagged so that it joins
    the framework tabs.
    """
    by_index = {
        key: {cell.metadata[SOURCE_INDEX]: cell for cell in code_cells(fnb)}
        for key, fnb in executed.items()
    }
    merged = copy.deepcopy(nb)
    merged.nbformat, merged.nbformat_minor = 4, 5  # cell ids below need 4.5
    merged.cells = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            merged.cells.append(_from_source(cell, index))
            continue
        owner = cell_framework(cell)
        if owner is not None:
            merged.cells.append(_with_outputs(cell, by_index[owner][index]))
            continue
        runs = {key: by_index[key][index] for key in FRAMEWORK_KEYS if key in by_index}
        if len({_comparable(run.outputs) for run in runs.values()}) <= 1:
            merged.cells.append(_with_outputs(cell, next(iter(runs.values()))))
            continue
        for key, run in runs.items():
            copy_cell = _with_outputs(cell, run)
            copy_cell.metadata.setdefault("tags", [])
            copy_cell.metadata["tags"] = [*copy_cell.metadata["tags"], key]
            merged.cells.append(copy_cell)
    lines = nb.metadata.get("source_map")
    if lines:  # MyST-NB needs one source line per cell
        merged.metadata["source_map"] = [lines[cell.metadata[SOURCE_INDEX]] for cell in merged.cells]
    for position, cell in enumerate(merged.cells):
        cell["id"] = f"cell-{position}"
        cell.metadata.pop(SOURCE_INDEX, None)
    return merged


def _from_source(cell: NotebookNode, index: int) -> NotebookNode:
    result = copy.deepcopy(cell)
    result.metadata[SOURCE_INDEX] = index
    return result


def _with_outputs(cell: NotebookNode, run: NotebookNode) -> NotebookNode:
    result = copy.deepcopy(cell)
    result.metadata[SOURCE_INDEX] = run.metadata[SOURCE_INDEX]
    result.outputs = copy.deepcopy(run.outputs)
    result.execution_count = run.execution_count
    return result
