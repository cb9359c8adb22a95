"""The whole round trip on one machine, in real JupyterLab (headless Chromium,
every request off localhost refused):

instructor `python -m grader release` + `nbgrader release_assignment` →
student fetches in the Assignments tab, validates (Vietnamese messages),
submits → instructor `nbgrader collect`, `python -m grader autograde`,
`python -m grader feedback`, `nbgrader release_feedback` → student fetches the
feedback and opens it.

nbgrader runs from the repository root and finds the course through a Jupyter
config dir (what `python -m grader setup` installs into the environment).
"""

import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from nbgrader.api import Gradebook

from grader_testlib import ASSIGNMENT, CORRECT, FLIPPED, NOTEBOOK, REPO, new_course
from grader.setup import setup

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"]
STUDENT = "sv001"
TOKEN = "roundtrip-token"
UI_TIMEOUT_MS = 120_000
pytestmark = [pytest.mark.browser, pytest.mark.slow]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(home, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env.update(HOME=str(home), **extra)
    return env


def run(command, env, timeout=300):
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=timeout)
    output = result.stdout + result.stderr
    assert result.returncode == 0, "%s thất bại:\n%s" % (" ".join(command[:4]), output[-4000:])
    return output


def nbgrader(*args):
    return [str(Path(sys.executable).with_name("nbgrader")), *args]


def wait_for_server(url, process, log):
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("JupyterLab dừng sớm:\n" + log.read_text()[-4000:])
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail("JupyterLab không khởi động:\n" + log.read_text()[-4000:])


@pytest.fixture
def classroom(tmp_path, sandbox_ready):
    course = new_course(tmp_path)
    instructor_config = tmp_path / "instructor-jupyter"
    setup(course, config_dir=instructor_config, stream=open(os.devnull, "w"))
    instructor = clean_env(tmp_path / "instructor-home", JUPYTER_CONFIG_PATH=str(instructor_config))
    stray_db = REPO / "gradebook.db"
    stray_before = stray_db.exists()
    run(nbgrader("release_assignment", ASSIGNMENT), instructor)

    workspace, port = tmp_path / "workspace", free_port()
    log = tmp_path / "lab.log"
    student = clean_env(tmp_path / "student-home", JUPYTER_TOKEN=TOKEN)
    with open(log, "w") as out:
        lab = subprocess.Popen([sys.executable, "-m", "grader", "--course-dir", str(course.root),
                                "lab", "--workspace", str(workspace), "--no-browser",
                                "--port", str(port), "--student", STUDENT],
                               cwd=REPO, env=student, stdout=out, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        wait_for_server("http://127.0.0.1:%d/api/status?token=%s" % (port, TOKEN), lab, log)
        yield course, instructor, workspace, "http://127.0.0.1:%d" % port
    finally:
        lab.terminate()  # Jupyter stops its kernels on SIGTERM
        try:
            lab.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, signal.SIGKILL)
            lab.wait()
    assert stray_before or not stray_db.exists(), "nbgrader để lại gradebook.db ở gốc kho mã"


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    blocked = []

    def guard(route):
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with sync_playwright() as api:
        instance = api.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS,
                                       headless=True)
        context = instance.new_context(viewport={"width": 1400, "height": 900})
        context.set_default_timeout(UI_TIMEOUT_MS)
        context.route("**/*", guard)
        yield context, blocked
        instance.close()


def open_assignments(page):
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.locator(".lm-Menu-itemLabel", has_text="Assignment List").click()
    page.locator("#released_assignments_list").wait_for()


def show_assignments_tab(page):
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tabLabel", has_text="Assignments").click()
    page.locator("#refresh_assignments_list").click()


def replace_solution(page, cell, source):
    cell.query_selector(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(source)
    page.keyboard.press("Control+s")
    page.locator(".jp-NotebookPanel-toolbar", has_text="Validate").wait_for()


def validate(page):
    page.locator(".jp-NotebookPanel-toolbar").get_by_text("Validate", exact=True).click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for()
    page.locator(".jp-Dialog", has_text="Validat").wait_for()
    text = dialog.inner_text()
    dialog.locator("button.jp-mod-accept").click()
    dialog.wait_for(state="detached")
    return text


def test_round_trip_in_jupyterlab(classroom, browser):
    course, instructor, workspace, url = classroom
    context, blocked = browser
    page = context.new_page()
    page.goto("%s/lab?token=%s" % (url, TOKEN))
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").wait_for()
    menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
    assert "Tệp" in menus and "Trợ giúp" in menus, menus  # the Vietnamese language pack
    book = list((workspace / "sach").glob("pytorch/*/*.ipynb"))
    assert book, "the book's PyTorch notebooks are beside the assignments"

    # Student: fetch, validate a wrong then a right solution, submit.
    open_assignments(page)
    page.locator("#released_assignments_list .list_item", has_text=ASSIGNMENT) \
        .get_by_role("button", name="Fetch").click()
    fetched = page.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT).first
    fetched.wait_for()
    assert (workspace / "bai-tap" / ASSIGNMENT / (NOTEBOOK + ".ipynb")).is_file()
    fetched.locator("a.assignment-notebooks-link").click()
    page.locator("#fetched_assignments_list .nested_list_item a", has_text=NOTEBOOK).click()
    solution = page.locator(".jp-Notebook .jp-Cell", has_text="VIẾT LỜI GIẢI").first
    solution.wait_for()
    cell = solution.element_handle()

    replace_solution(page, cell, FLIPPED)
    report = validate(page)
    assert "xcorr_values" in report and "Giá trị sai" in report, report[:2000]

    replace_solution(page, cell, CORRECT)
    report = validate(page)
    assert "Success" in report and "failed" not in report, report[:2000]

    show_assignments_tab(page)
    page.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT).first \
        .get_by_role("button", name="Submit").click()
    page.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT).first.wait_for()

    # Instructor: collect, grade with the engine, write and release feedback.
    run(nbgrader("collect", ASSIGNMENT), instructor)
    submitted = course.submitted(STUDENT, ASSIGNMENT)
    assert {"timestamp.txt", "submission_secret.txt", NOTEBOOK + ".ipynb"} <= \
        {p.name for p in submitted.iterdir()}
    graded = run([sys.executable, "-m", "grader", "--course-dir", str(course.root), "autograde",
                  ASSIGNMENT, "--jobs", "1"], instructor)
    assert "Tệp thừa" not in graded, graded
    with Gradebook(course.db_url) as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, STUDENT)
        assert submission.timestamp is not None
        assert submission.score == submission.max_score == 10, graded
    run([sys.executable, "-m", "grader", "--course-dir", str(course.root), "feedback",
         ASSIGNMENT], instructor)
    page_file = course.feedback(STUDENT, ASSIGNMENT, NOTEBOOK)
    assert stat.S_IMODE(page_file.stat().st_mode) == 0o644
    assert stat.S_IMODE(page_file.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((page_file.parent / "submission_secret.txt").stat().st_mode) == 0o600
    run(nbgrader("release_feedback", ASSIGNMENT), instructor)
    released = list((course.root / "exchange" / "dl-tinh-toan-cnn" / "feedback").glob("*.html"))
    assert len(released) == 1 and stat.S_IMODE(released[0].stat().st_mode) == 0o644

    # Student: fetch the feedback and open it.
    show_assignments_tab(page)
    item = page.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT).first
    item.get_by_role("button", name="Fetch Feedback").click()
    fetched_pages = lambda: list((workspace / "bai-tap" / ASSIGNMENT / "feedback").glob(  # noqa: E731
        "*/%s.html" % NOTEBOOK))
    deadline = time.monotonic() + 60
    while not fetched_pages() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert len(fetched_pages()) == 1
    # "(view feedback)" shows the folder in the file browser; the student opens the page.
    page.locator("#submitted_assignments_list a", has_text="view feedback").first.click()
    page.locator(".jp-DirListing-item", has_text=NOTEBOOK + ".html").dblclick()
    text = page.frame_locator(".jp-HTMLViewer iframe").locator("body").inner_text()
    assert "Tổng điểm: 10/10" in text and STUDENT in text, text[:2000]
    assert not blocked, "yêu cầu ra ngoài localhost: %s" % blocked
