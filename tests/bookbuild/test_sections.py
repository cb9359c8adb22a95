"""Execution through real kernels: errors are located, results are cached."""
from __future__ import annotations

import pytest

from bookbuild.sections import SectionBuildError, SectionRunner, parse_section

from .sections import code_cell, one_of_each, section


def test_each_framework_runs_in_its_own_kernel(tmp_path):
    runner = SectionRunner(tmp_path, jobs=2)
    nb = parse_section(one_of_each())
    merged, executed = runner.merged("thu", nb)
    printed = {fw: "".join(o.get("text", "") for c in fnb.cells if c.cell_type == "code" for o in c.outputs)
               for fw, fnb in executed.items()}
    # `name` is redefined by each framework: one shared kernel would leak 'tf' into all
    assert "tên: mx" in printed["mxnet"]
    assert "tên: pt" in printed["pytorch"]
    assert "tên: tf" in printed["tensorflow"]
    assert runner.executed_count == 3


def test_second_run_comes_from_the_cache(tmp_path):
    nb = parse_section(one_of_each())
    SectionRunner(tmp_path, jobs=2).merged("thu", nb)
    again = SectionRunner(tmp_path, jobs=2)
    assert again.pending("thu", nb) == []
    again.merged("thu", nb)
    assert again.executed_count == 0


def test_failing_cell_is_named_by_section_framework_and_cell(tmp_path):
    source = section(
        "Lỗi",
        code_cell("x = 1"),
        code_cell("print('ok')", "mxnet"),
        code_cell("raise ValueError('hỏng rồi')", "pytorch"),
        code_cell("print('ok')", "tensorflow"),
    )
    runner = SectionRunner(tmp_path, jobs=2)
    nb = parse_section(source)
    with pytest.raises(SectionBuildError) as caught:
        runner.run(runner.pending("book/loi", nb), progress=lambda _: None)
    [failure] = caught.value.failures
    assert (failure.section, failure.framework, failure.cell_number) == ("book/loi", "pytorch", 2)
    message = str(caught.value)
    assert "book/loi" in message and "PyTorch" in message and "ô mã thứ 2" in message
    assert "hỏng rồi" in message
    expected_line = source.splitlines().index(":tags: [pytorch]")  # the fence is one line above
    assert f"dòng {expected_line}" in message
    # the frameworks that succeeded are cached; the failing one is not
    assert [job.framework for job in runner.pending("book/loi", nb)] == ["pytorch"]


def test_cells_tagged_raises_exception_may_fail(tmp_path):
    nb = parse_section(section("Cố ý", code_cell("1 / 0", "raises-exception")))
    merged, _ = SectionRunner(tmp_path, jobs=1).merged("co-y", nb)
    [cell] = [c for c in merged.cells if c.cell_type == "code"]
    assert cell.outputs[0]["output_type"] == "error"
    assert cell.outputs[0]["ename"] == "ZeroDivisionError"
