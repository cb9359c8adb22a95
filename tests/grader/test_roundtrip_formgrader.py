"""`python -m grader formgrader` (`make formgrader`) serves the course: its
server root contains the course directory, and nbgrader finds the course's
gradebook without any config file in the working directory."""

import http.cookiejar
import os
import signal
import subprocess
import sys
import urllib.request

import pytest

from grader_testlib import ASSIGNMENT, REPO, new_course
from test_roundtrip_browser import clean_env, free_port, wait_for_server

TOKEN = "formgrader-token"


@pytest.mark.slow
def test_formgrader_manages_the_course(tmp_path):
    course = new_course(tmp_path)
    port, log = free_port(), tmp_path / "formgrader.log"
    env = clean_env(tmp_path / "home", JUPYTER_TOKEN=TOKEN)
    with open(log, "w") as out:
        server = subprocess.Popen([sys.executable, "-m", "grader", "--course-dir",
                                   str(course.root), "formgrader", "--no-browser",
                                   "--port", str(port)],
                                  cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        base = "http://127.0.0.1:%d" % port
        wait_for_server("%s/api/status?token=%s" % (base, TOKEN), server, log)
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with opener.open("%s/formgrader?token=%s" % (base, TOKEN), timeout=60) as response:
            page = response.read().decode()
            assert response.url.endswith("/formgrader/manage_assignments")
        assert "Manage Assignments" in page
        assert "subdirectory" not in page and "not configured correctly" not in page
        with opener.open("%s/formgrader/api/assignments" % base, timeout=60) as response:
            assert ASSIGNMENT in response.read().decode()
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    assert "not a subdirectory" not in log.read_text()
