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
from .toc import toc_files

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

    def __init__(self, api, profile_dir, **options):
        """``options``: Playwright context options (viewport, is_mobile, has_touch...)."""
        self.api, self.profile_dir, self.blocked, self.options = api, profile_dir, [], options
        self.context = None

    def __enter__(self):
        self.context = self.api.chromium.launch_persistent_context(
            str(self.profile_dir), executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True,
            **self.options)
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
    pages = [f"book/{d}.html" for d in SECTIONS] + [f"{d}.html" for d in toc_files()]
    with_math = [p for p in dict.fromkeys(pages)
                 if 'class="math' in (built_book.html_dir / p).read_text(encoding="utf-8")]
    assert with_math, "không trang nào có công thức để kiểm tra"
    with OfflineBrowser(playwright_api, tmp_path / "math") as browser:
        for path in with_math:
            page = browser.open(f"{site}/{path}")
            page.wait_for_selector(".math .katex", state="attached", timeout=20_000)
            untypeset = page.eval_on_selector_all(
                ".math", "all => all.filter(m => !m.querySelector('.katex')).map(m => m.textContent.slice(0, 80))")
            assert not untypeset, f"{path}: KaTeX không dựng được {untypeset}"
            # no raw TeX delimiters left in the text
            assert not re.search(r"\\\(|\\\[", page.inner_text("main")), path
            page.close()
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


def site_pages() -> list[str]:
    """Every page of the site, as paths under the HTML root: the table of contents and the search page."""
    return [f"{docname}.html" for docname in toc_files()] + ["search.html"]


# English strings the themes and extensions show when left untranslated: in
# text, placeholders, tooltips or labels for screen readers.
THEME_ENGLISH = re.compile(
    r"\b(Toggle|Search|Copy|Copied|Skip to|Back to top|Site navigation|Section Navigation|"
    r"On this page|Download|Fullscreen|Light|Dark|System Settings|Color mode|Contents|Previous|Next|"
    r"previous page|next page|Show code|Hide code|Click to|Print to PDF|Link to this|Main|Page|"
    r"Copyright|Created using|Last updated|hidden content|Version warning|Announcement|Breadcrumb)\b")
UI_TEXT = """() => {
  const attributes = ['title', 'aria-label', 'placeholder', 'alt', 'data-tooltip', 'data-bs-title',
                      'data-bs-original-title', 'data-toggle-hint'];
  const found = [];
  for (const element of document.querySelectorAll('*')) {
    for (const name of attributes) {
      const value = element.getAttribute(name);
      if (value) found.push(`${name}="${value}"`);
    }
  }
  // The page's text outside the lesson itself: header, sidebars, footer, search page.
  const chrome = document.body.cloneNode(true);
  chrome.querySelectorAll('article.bd-article').forEach((article) => article.remove());
  found.push(chrome.innerText);
  found.push(document.title);
  return found;
}"""


def test_no_english_theme_string_on_any_page(built_book, site, playwright_api, tmp_path):
    with OfflineBrowser(playwright_api, tmp_path / "ui") as browser:
        for path in site_pages():
            page = browser.open(f"{site}/{path}")
            page.wait_for_load_state("networkidle")
            english = [match for text in page.evaluate(UI_TEXT) for match in THEME_ENGLISH.findall(text)]
            assert not english, f"{path}: giao diện còn tiếng Anh {sorted(set(english))}"
            # in the lesson, the strings the extensions insert (code folds, copy buttons)
            article = page.locator("article.bd-article").inner_text() if path != "search.html" else ""
            assert not re.search(r"Show code cell|Hide code cell|Copied!|Click to show", article), path
            page.close()
        assert not browser.blocked, f"yêu cầu ra ngoài localhost: {browser.blocked}"


def test_copy_button_speaks_vietnamese(built_book, site, playwright_api, tmp_path):
    with OfflineBrowser(playwright_api, tmp_path / "copy") as browser:
        page = browser.open(f"{site}/book/{SECTIONS[0]}.html")
        button = page.locator("button.copybtn").first
        assert button.get_attribute("data-tooltip") == "Chép"
        assert "Chép vào bộ nhớ tạm" in button.inner_html()


def test_phone_menu_opens(built_book, site, playwright_api, tmp_path):
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
             "device_scale_factor": 2}
    with OfflineBrowser(playwright_api, tmp_path / "phone", **phone) as browser:
        page = browser.open(f"{site}/book/{SECTIONS[0]}.html")
        toggles = page.locator(".primary-toggle")
        visible = [i for i in range(toggles.count()) if toggles.nth(i).is_visible()]
        assert len(visible) == 1, "cần đúng một nút mở mục lục nhìn thấy được trên điện thoại"
        # the next section of the same chapter, listed in the (opened) menu
        next_section = SECTIONS[1].rsplit("/", 1)[-1]
        chapter_link = page.locator(f'#pst-primary-sidebar-modal a.reference[href$="{next_section}.html"]')
        toggles.nth(visible[0]).tap()
        page.wait_for_function("document.querySelector('#pst-primary-sidebar-modal').open")
        chapter_link.first.wait_for(state="visible")
        box = chapter_link.first.bounding_box()
        assert box and 0 <= box["x"] < 390 and box["width"] > 0, "mục lục mở nhưng không nằm trong màn hình"
        chapter_link.first.tap()
        page.wait_for_url(f"**/{SECTIONS[1]}.html")


def mark_vietnamese_code(page, limit: int = 5) -> list[str]:
    """Mark up to ``limit`` visible code or output elements whose own text has Vietnamese letters."""
    return page.evaluate("""limit => {
      const vietnamese = /[\\u1EA0-\\u1EF9\\u0103\\u0111\\u01A1\\u01B0]/;
      const found = [];
      for (const element of document.querySelectorAll('div.highlight pre *, div.highlight pre, .output pre')) {
        const own = [...element.childNodes].filter(n => n.nodeType === Node.TEXT_NODE)
          .map(n => n.textContent).join('');
        if (found.length < limit && vietnamese.test(own) && element.checkVisibility()) {
          element.setAttribute('data-test-vietnamese', String(found.length));
          found.push(own);
        }
      }
      return found;
    }""", limit)


def test_vietnamese_in_code_uses_the_bundled_font_only(built_book, site, playwright_api, tmp_path):
    checked = 0
    with OfflineBrowser(playwright_api, tmp_path / "font") as browser:
        for docname in SECTIONS:
            page = browser.open(f"{site}/book/{docname}.html")
            texts = mark_vietnamese_code(page)
            page.evaluate("document.fonts.ready.then(() => true)")
            cdp = page.context.new_cdp_session(page)
            cdp.send("DOM.enable")
            cdp.send("CSS.enable")
            root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
            for number, text in enumerate(texts):
                selector = f'[data-test-vietnamese="{number}"]'
                node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
                # the fonts Chromium really drew this text with: no fallback to a system font
                fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
                assert fonts and {font["familyName"] for font in fonts} == {"JetBrains Mono"}, \
                    f"{docname}: «{text.strip()[:60]}» vẽ bằng {fonts}"
                checked += 1
            if texts:  # and the font came from the site itself
                served = [url for url in page.evaluate("performance.getEntriesByType('resource').map(r => r.name)")
                          if "jetbrains-mono-vietnamese" in url]
                assert served and all(url.startswith(site) for url in served), served
            page.close()
        assert not browser.blocked
    assert checked, "không ô mã hay kết quả nào có chữ tiếng Việt để kiểm tra phông"


def search_results(page) -> list[tuple[str, str]]:
    page.wait_for_selector("#search-results p.search-summary:not(:empty)", timeout=20_000)
    return page.eval_on_selector_all("#search-results ul.search li > a",
                                     "links => links.map(a => [a.textContent.trim(), a.getAttribute('href')])")


@pytest.mark.parametrize("query, title, href", [
    ("tich chap", "Tích chập cho ảnh", "cnn/conv-layer.html"),
    ("TÍCH CHẬP", "Tích chập cho ảnh", "cnn/conv-layer.html"),
    ("khoi tao", "Khởi tạo trễ", "computation/deferred-init.html"),
])
def test_search_matches_with_or_without_diacritics(built_book, site, playwright_api, tmp_path,
                                                   query, title, href):
    with OfflineBrowser(playwright_api, tmp_path / "search") as browser:
        page = browser.open(f"{site}/search.html?q={query}")
        results = search_results(page)
        assert any(title in text and link.startswith(f"book/{href}") for text, link in results), results
        assert page.locator("#search-results h2").first.is_visible()
        assert page.locator("#search-results h2").first.inner_text() == "Kết quả tìm kiếm"
        assert not browser.blocked


def test_search_from_the_search_button_on_a_phone(built_book, site, playwright_api, tmp_path):
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
    with OfflineBrowser(playwright_api, tmp_path / "search-ui", **phone) as browser:
        page = browser.open(f"{site}/book/{SECTIONS[0]}.html")
        page.locator("button.search-button__button:visible, button.search-button-field:visible").first.tap()
        field = page.locator("#pst-search-dialog input[name=q]")
        field.wait_for(state="visible")
        assert field.get_attribute("placeholder") == "Tìm trong sách..."
        field.fill("tich chap")
        field.press("Enter")
        page.wait_for_url("**/search.html?q=*")
        results = search_results(page)
        assert any(text.endswith("Tích chập cho ảnh") and link.startswith("book/cnn/conv-layer.html")
                   for text, link in results), results
        # the excerpt shows where the words are, not the page's header
        excerpt = page.locator("#search-results ul.search li", has_text="Tích chập cho ảnh").locator("p.context")
        assert re.search(r"tích chập", excerpt.first.inner_text(), re.I)
        assert not browser.blocked


def test_search_page_says_when_nothing_matches(built_book, site, playwright_api, tmp_path):
    with OfflineBrowser(playwright_api, tmp_path / "nothing") as browser:
        page = browser.open(f"{site}/search.html?q=qwzxv")
        assert search_results(page) == []
        assert page.locator("#search-results h2").first.is_visible()
        assert page.locator("p.search-summary").inner_text().startswith("Không tìm thấy trang nào")


def page_weight(page, url) -> tuple[int, dict[str, int]]:
    """Bytes of every resource of a first load of ``url`` (uncompressed), and the largest ones."""
    sizes: dict[str, int] = {}

    def count(response):
        try:
            sizes[response.url] = len(response.body())
        except Exception:  # a redirect or an aborted request has no body
            pass

    page.on("response", count)
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return sum(sizes.values()), dict(sorted(sizes.items(), key=lambda item: -item[1])[:5])


def test_every_page_weighs_under_one_and_a_half_megabytes(built_book, site, playwright_api, tmp_path):
    limit = 1_500_000
    weights = {}
    with OfflineBrowser(playwright_api, tmp_path / "weight", viewport={"width": 1280, "height": 900}) as browser:
        for path in site_pages():
            page = browser.context.new_page()
            weights[path], largest = page_weight(page, f"{site}/{path}")
            assert weights[path] < limit, f"{path}: {weights[path] / 1e6:.2f} MB; lớn nhất: {largest}"
            page.close()
        assert not browser.blocked
    print("\nTrọng lượng lần tải đầu (MB): " + ", ".join(
        f"{path} {weight / 1e6:.2f}" for path, weight in sorted(weights.items(), key=lambda kv: -kv[1])))
