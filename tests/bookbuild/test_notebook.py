"""Split / merge / cache-key logic, without running any kernel."""
from __future__ import annotations

import copy

import nbformat
import pytest

from bookbuild.frameworks import FRAMEWORK_KEYS
from bookbuild.notebook import (
    SectionFormatError, cell_framework, execution_key, merge, split,
)
from bookbuild.sections import parse_section

from .sections import code_cell, one_of_each, section


def sources(nb):
    return [cell.source for cell in nb.cells if cell.cell_type == "code"]


def fake_run(fnb, framework, outputs_for):
    """What a kernel would return: each code cell gets the given outputs."""
    run = copy.deepcopy(fnb)
    for cell in run.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=outputs_for(cell.source, framework))]
    return run


def test_split_keeps_shared_cells_everywhere_and_framework_cells_once():
    nb = parse_section(one_of_each())
    parts = split(nb)
    assert set(parts) == set(FRAMEWORK_KEYS)
    for framework, fnb in parts.items():
        code = sources(fnb)
        assert code[0].startswith("shared = ")
        assert code[-1] == "print('tên:', name)"
        assert len(code) == 3
        assert f"print('{framework}'" in code[1]
        # prose stays, so a downloaded notebook still reads as a lesson
        assert any("Lời giảng ở giữa" in c.source for c in fnb.cells if c.cell_type == "markdown")


def test_framework_without_cells_gets_only_shared_cells():
    nb = parse_section(section("Một framework", code_cell("x = 1"), code_cell("print(x)", "mxnet")))
    parts = split(nb)
    assert sources(parts["mxnet"]) == ["x = 1", "print(x)"]
    assert sources(parts["pytorch"]) == ["x = 1"]
    assert sources(parts["tensorflow"]) == ["x = 1"]


def test_a_cell_cannot_belong_to_two_frameworks():
    nb = parse_section(section("Sai", code_cell("x = 1", "mxnet", "pytorch")))
    with pytest.raises(SectionFormatError, match="một framework"):
        split(nb)
    assert cell_framework(nbformat.v4.new_code_cell("x", metadata={"tags": ["hide-input"]})) is None


def test_merge_puts_each_frameworks_outputs_on_its_own_cells():
    nb = parse_section(one_of_each())
    def outputs(src, fw):  # only cells that use `name` print framework-specific text
        return f"{fw}: {src.splitlines()[-1]}\n" if "name" in src else "chung\n"

    executed = {fw: fake_run(fnb, fw, outputs) for fw, fnb in split(nb).items()}
    merged = merge(nb, executed)
    code = [c for c in merged.cells if c.cell_type == "code"]
    assert cell_framework(code[0]) is None and code[0].outputs[0]["text"] == "chung\n"
    owned = {cell_framework(c): c for c in code[1:4]}
    for fw in FRAMEWORK_KEYS:
        assert owned[fw].outputs[0]["text"].startswith(f"{fw}: ")
    # the last shared cell printed differently per framework: one tagged copy each
    tail = code[4:]
    assert [cell_framework(c) for c in tail] == list(FRAMEWORK_KEYS)
    assert all(c.source == "print('tên:', name)" for c in tail)
    # MyST-NB needs one source line per merged cell
    assert len(merged.metadata["source_map"]) == len(merged.cells)


def test_merge_shows_identical_shared_outputs_once():
    nb = parse_section(one_of_each())
    executed = {fw: fake_run(fnb, fw, lambda src, fw: "same\n") for fw, fnb in split(nb).items()}
    merged = merge(nb, executed)
    shared = [c for c in merged.cells if c.cell_type == "code" and c.source.startswith("shared")]
    assert len(shared) == 1 and shared[0].outputs[0]["text"] == "same\n"
    assert len({c["id"] for c in merged.cells}) == len(merged.cells)


def test_cache_key_depends_on_code_not_prose():
    base = parse_section(one_of_each())
    prose_edit = parse_section(one_of_each().replace("Lời giảng mở đầu.", "Lời giảng đã sửa."))
    code_edit = parse_section(one_of_each(marker="!"))
    salt = "test"
    for fw in FRAMEWORK_KEYS:
        key = execution_key(split(base)[fw], fw, salt)
        assert execution_key(split(prose_edit)[fw], fw, salt) == key
        assert execution_key(split(code_edit)[fw], fw, salt) != key
        assert execution_key(split(base)[fw], fw, "other-versions") != key


def test_editing_one_frameworks_cell_changes_only_that_key():
    base = parse_section(one_of_each())
    edited = parse_section(one_of_each().replace("name = 'pt'", "name = 'torch'"))
    changed = {fw for fw in FRAMEWORK_KEYS
               if execution_key(split(base)[fw], fw, "s") != execution_key(split(edited)[fw], fw, "s")}
    assert changed == {"pytorch"}
