"""The built site in headless Chromium, with every request off localhost refused."""
from __future__ import annotations

import functools
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import pytest

from bookbuild.frameworks import FRAMEWORK_KEYS

from .test_content import SECTIONS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"]
pytestmark = [pytest.mark.book, pytest.mark.browser]


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(built_book):
    handler = functools.partial(QuietHandler, directory=str(built_book.html_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def playwright_api():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as api:
        yield api


class OfflineBrowser:
    """A persistent Chromium profile whose only reachable host is 127.0.0.1."""

    def __init__(self, api, profile_dir):
        self.api, self.profile_dir, self.blocked = api, profile_dir, []
        self.context = None

    def __enter__(self):
        self.context = self.api.chromium.launch_persistent_context(
            str(self.profile_dir), executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        self.context.route("**/*", self._guard)
        return self

    def _guard(self, route):
        url = route.request.url
        if urlparse(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def open(self, url):
        page = self.context.new_page()
        page.goto(url, wait_until="load")
        return page

    def __exit__(self, *exc):
        self.context.close()


def selected_frameworks(page) -> list[str]:
    """For every framework tab set on the page, the framework whose tab is open."""
    return page.evaluate("""keys => Array.from(document.querySelectorAll('.framework-tabs')).map(set =>
        Array.from(set.querySelectorAll(':scope > input')).findIndex(i => i.checked))
        .map(i => keys[i])""", list(FRAMEWORK_KEYS))


def pages_by_tab_groups(built_book):
    counts = {d: built_book.page(d).read_text(encoding="utf-8").count("framework-tabs") for d in SECTIONS}
    return sorted(counts, key=counts.get, reverse=True)


def test_choice_syncs_on_the_page_and_is_remembered(built_book, site, playwright_api, tmp_path):
    busiest, other = pages_by_tab_groups(built_book)[:2]
    with OfflineBrowser(playwright_api, tmp_path / "profile") as browser:
        page = browser.open(f"{site}/book/{busiest}.html")
        before = selected_frameworks(page)
        assert len(before) >= 2 and set(before) == {"mxnet"}
        page.locator('label[data-sync-id="tensorflow"]').first.click()
        assert set(selected_frameworks(page)) == {"tensorflow"}
        # the open TensorFlow panel is what the reader sees
        last_panel = page.locator('.framework-tabs > input:checked + label + .sd-tab-content').last
        assert last_panel.is_visible()

        second = browser.open(f"{site}/book/{other}.html")
        assert set(selected_frameworks(second)) == {"tensorflow"}
        assert not browser.blocked, f"yêu cầu ra ngoài localhost: {browser.blocked}"

    # a new browser session on the same profile: the next visit
    with OfflineBrowser(playwright_api, tmp_path / "profile") as browser:
        page = browser.open(f"{site}/book/{other}.html")
        assert set(selected_frameworks(page)) == {"tensorflow"}
        assert not browser.blocked


def test_math_is_rendered_offline(built_book, site, playwright_api, tmp_path):
    with_math = [d for d in SECTIONS if 'class="math' in built_book.page(d).read_text(encoding="utf-8")]
    assert with_math, "không trang nào có công thức để kiểm tra"
    with OfflineBrowser(playwright_api, tmp_path / "math") as browser:
        page = browser.open(f"{site}/book/{with_math[0]}.html")
        page.wait_for_selector("mjx-container", timeout=20_000)
        assert page.locator("mjx-container").count() > 0
        # MathJax typeset the formulas: no raw TeX delimiters left in the text
        assert not re.search(r"\\\(|\\\[", page.inner_text("main"))
        assert not browser.blocked, f"yêu cầu ra ngoài localhost: {browser.blocked}"


def test_pages_are_in_vietnamese(built_book, site, playwright_api, tmp_path):
    english = ("Skip to main content", "Back to top", "Search this book", "Show code cell",
               "Hide code cell", "Copyright", "previous page", "next page")
    with OfflineBrowser(playwright_api, tmp_path / "vi") as browser:
        for docname in ["intro", *SECTIONS]:
            page = browser.open(f"{site}/book/{docname}.html")
            assert page.evaluate("document.documentElement.lang") == "vi"
            visible = page.inner_text("body")
            assert not [e for e in english if e in visible], f"{docname}: còn chữ tiếng Anh của giao diện"
            page.close()
        assert not browser.blocked, f"yêu cầu ra ngoài localhost: {browser.blocked}"
