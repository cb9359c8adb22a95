"""Fixtures of the grader tests (helpers live in grader_testlib.py)."""

import pytest

from grader.sandbox.host import isolation_problem


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: grades real batches in sandboxes (about a minute); "
                            "still part of `make test`")


@pytest.fixture(scope="session")
def sandbox_ready():
    problem = isolation_problem()
    if problem:
        pytest.fail("Các bài kiểm tra bộ chấm cần bubblewrap (CI cài bằng .ci/run): " + problem)


@pytest.fixture(scope="session")
def released_notebook(tmp_path_factory):
    """The released PyTorch cross_correlation notebook, as a dict."""
    from grader_testlib import ASSIGNMENT, new_course, released
    return released(new_course(tmp_path_factory.mktemp("template")), ASSIGNMENT)
