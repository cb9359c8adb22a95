"""The command line speaks Vietnamese and refuses bad input clearly."""

import subprocess
import sys

import pytest

from grader_testlib import REPO


def run(*args):
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("command", [["grader"], ["grader", "release"], ["grader", "autograde"],
                                     ["grader", "feedback"], ["grader", "grades"],
                                     ["grader.bench"]])
def test_help_is_vietnamese(command):
    result = run(*command, "--help")
    assert result.returncode == 0
    assert "Cách dùng:" in result.stdout and "in hướng dẫn này rồi thoát" in result.stdout
    assert "usage:" not in result.stdout and "show this help" not in result.stdout


def test_errors_are_vietnamese():
    missing = run("grader", "autograde")
    assert missing.returncode == 2 and "thiếu tham số bắt buộc" in missing.stderr
    unknown = run("grader", "autograde", "khong-ton-tai")
    assert unknown.returncode != 0 and "Không có bài tập «khong-ton-tai»" in unknown.stderr
