"""Fixtures of the grader tests (helpers live in grader_testlib.py)."""

import json

import pytest

from grader_testlib import ASSIGNMENT, NOTEBOOK, new_course
from grader.sandbox import check_sandbox


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: grades real batches in sandboxes (about a minute); "
                            "still part of `make test`")


@pytest.fixture(scope="session")
def sandbox_ready():
    problem = check_sandbox()
    if problem:
        pytest.fail("Các bài kiểm tra bộ chấm cần bubblewrap (CI cài bằng .ci/run): " + problem)


@pytest.fixture(scope="session")
def released_notebook(tmp_path_factory):
    course = new_course(tmp_path_factory.mktemp("template"))
    return json.loads(course.release(ASSIGNMENT, NOTEBOOK).read_text())
