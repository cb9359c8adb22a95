"""Bài tập 2 (MyDense) graded for real: one sandboxed autograde batch per notebook with the
reference, the released notebook and every sample but the endless loop."""

import pytest

from grader.exercises import EXERCISES
from test_my_init_grading import check_batch

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("assignment", [name for name in EXERCISES
                                        if name.startswith("bai2-my-dense-")])
def test_every_sample_graded_in_the_sandbox(tmp_path, sandbox_ready, assignment):
    check_batch(tmp_path, assignment)
