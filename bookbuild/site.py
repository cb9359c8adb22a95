"""What each HTML page carries: the notebook links bar, Vietnamese where the
themes hard-code English, and no script a page does not use.

Measured on the page weight (all resources of a first load, uncompressed):
``fontawesome.js`` (1.4 MB) only redraws the theme's icons as SVG, which the
theme's CSS webfont already draws; the search scripts and index (≈120 kB) are
loaded on every page for a search-as-you-type feature the book leaves off.
Maths is typeset by KaTeX (≈0.3 MB with the fonts a page uses) rather than
MathJax (1.2 MB for tex-chtml.js alone, which kept every page with maths
above 1.5 MB), and only on pages that have maths: Sphinx's own rule also
counts every page whose toctree reaches one, such as the home page.
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path, PurePosixPath

from markupsafe import Markup
from sphinx.application import Sphinx
from sphinx.locale import _

from .frameworks import FRAMEWORKS
from .readers import notebook_path
from .settings import BookSettings

DOWNLOAD_DIR = "notebooks"  # under the HTML output
# KaTeX (under html_static_path) and the script that typesets a page with it.
KATEX_CSS = "katex/katex.min.css"
KATEX_SCRIPTS = ("katex/katex.min.js", "katex-render.js")

# Scripts the theme's templates add that this book does not use (by file name).
UNUSED_SCRIPTS = ("fontawesome.js", "searchtools.js", "language_data.js", "searchindex.js")
_SCRIPT_TAG = re.compile(r'\s*<script\b[^>]*\bsrc="(?P<src>[^"]+)"[^>]*>\s*</script>')
_PRELOAD_TAG = re.compile(r'\s*<link\b[^>]*\brel="preload"[^>]*\bhref="(?P<src>[^"]+)"[^>]*/?>')
# English the themes write into attributes without passing it through gettext;
# each is translated in book/_locale/vi/LC_MESSAGES/sphinx.po.
HARDCODED_ATTRIBUTES = (
    ("title", "Toggle primary sidebar"), ("title", "Toggle secondary sidebar"),
    ("aria-label", "Main"), ("aria-label", "Page"),
)


def _script_name(src: str) -> str:
    return PurePosixPath(src.split("?", 1)[0]).name


def page_html(fragment: str) -> Markup:
    """A fragment of the theme's page without the unused scripts, its English attributes translated."""
    def keep_or_drop(match: re.Match) -> str:
        return "" if _script_name(match["src"]) in UNUSED_SCRIPTS else match[0]

    fragment = _SCRIPT_TAG.sub(keep_or_drop, str(fragment))
    fragment = _PRELOAD_TAG.sub(keep_or_drop, fragment)
    for attribute, english in HARDCODED_ATTRIBUTES:
        fragment = fragment.replace(f'{attribute}="{english}"', f'{attribute}="{html.escape(_(english))}"')
    return Markup(fragment)


def add_page_helpers(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    context["bookbuild_page"] = page_html


def page_has_maths(app: Sphinx, pagename: str) -> bool:
    """Maths on the page itself (Sphinx's own test also counts every page its toctree reaches)."""
    return bool(app.env.get_domain("math").data["has_equations"].get(pagename, False))


def katex_where_maths(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """KaTeX (bundled in book/_static/katex) on the pages that have maths, and only there."""
    if not page_has_maths(app, pagename):
        return
    app.add_css_file(KATEX_CSS)
    for script in KATEX_SCRIPTS:
        app.add_js_file(script, defer="defer")


def notebook_links_html(settings: BookSettings, book_dir: Path, source: Path, pagename: str,
                        frameworks: list[str]) -> str:
    """The bar under a section's title: per framework, download, Colab and JupyterHub."""
    to_root = "../" * pagename.count("/")
    rows = []
    for framework in FRAMEWORKS:
        if framework.key not in frameworks:
            continue
        notebook = notebook_path(book_dir, source, framework.key)
        download_name = f"{source.stem}-{framework.key}.ipynb"
        links = [f'<a class="reference download" href="{to_root}{DOWNLOAD_DIR}/{notebook}" '
                 f'download="{download_name}" aria-label="Tải sổ tay {framework.label} của mục này">Tải về</a>']
        colab = settings.notebook_links.colab(notebook)
        if colab:
            links.append(f'<a class="reference external" href="{html.escape(colab)}" '
                         f'aria-label="Mở sổ tay {framework.label} trên Colab">Mở trên Colab</a>')
        hub = settings.notebook_links.jupyterhub(notebook)
        if hub:
            links.append(f'<a class="reference external" href="{html.escape(hub)}" '
                         f'aria-label="Mở sổ tay {framework.label} trên JupyterHub">Mở trên JupyterHub</a>')
        rows.append(f'<li data-framework="{framework.key}"><span class="framework-name">{framework.label}</span> '
                    + " · ".join(links) + "</li>")
    return ('<nav class="framework-notebooks" aria-label="Sổ tay của mục này">'
            '<p class="framework-notebooks-title">Sổ tay của mục này</p>'
            f'<ul>{"".join(rows)}</ul></nav>\n')


def copybutton_translation() -> str:
    """Script giving sphinx-copybutton (which ships no Vietnamese) its strings, from sphinx.po.

    copybutton.js keeps its messages in the global ``messages``, picks them by
    ``<html lang>`` into ``locale`` and builds its icons' tooltips when loaded;
    this runs right after it and before the page is ready, when the buttons are made.
    """
    strings = {"copy": _("Copy"), "copy_to_clipboard": _("Copy to clipboard"),
               "copy_success": _("Copied!"), "copy_failure": _("Failed to copy")}
    return (
        "if (typeof messages !== 'undefined' && document.documentElement.lang === 'vi') {\n"
        f"  messages.vi = {json.dumps(strings, ensure_ascii=False)};\n"
        "  locale = 'vi';\n"
        "  iconCopy = iconCopy.replace(messages.en.copy_to_clipboard, messages.vi.copy_to_clipboard);\n"
        "  iconCheck = iconCheck.replace(messages.en.copy_success, messages.vi.copy_success);\n"
        "}\n"
    )


_JS_CATALOG = re.compile(r"Documentation\.addTranslations\((?P<json>.*)\);?\s*$", re.S)


def js_translations(locale_dirs: list[Path], language: str) -> str:
    """translations.js for the search page and other Sphinx scripts.

    Sphinx ships a Vietnamese ``sphinx.js`` whose search messages are empty, and
    does not turn a project's ``sphinx.po`` into JavaScript. This merges the two:
    Sphinx's messages, then every non-empty message of the book's catalogue.
    """
    import sphinx
    from babel.messages.pofile import read_po

    shipped = Path(sphinx.__file__).parent / "locale" / language / "LC_MESSAGES" / "sphinx.js"
    catalog = {"locale": language, "messages": {}, "plural_expr": "0"}
    if shipped.is_file():
        found = _JS_CATALOG.search(shipped.read_text(encoding="utf-8"))
        if found:
            catalog = json.loads(found["json"])
    for locale_dir in locale_dirs:
        po = Path(locale_dir) / language / "LC_MESSAGES" / "sphinx.po"
        if not po.is_file():
            continue
        with po.open("rb") as handle:
            for message in read_po(handle):
                if message.id and isinstance(message.id, str) and message.string:
                    catalog["messages"][message.id] = message.string
    return f"Documentation.addTranslations({json.dumps(catalog, ensure_ascii=False, indent=1)});\n"


def write_js_translations(app: Sphinx) -> None:
    """Compile each locale dir's sphinx.po into the sphinx.js Sphinx copies as translations.js.

    Sphinx takes the first ``<locale dir>/<language>/LC_MESSAGES/sphinx.js`` it
    finds, the project's before its own; like the .mo beside it, the file is
    compiled from the .po (and ignored by git).
    """
    if not app.config.language:
        return
    for locale_dir in app.config.locale_dirs:
        folder = Path(app.srcdir, locale_dir, app.config.language, "LC_MESSAGES")
        if not (folder / "sphinx.po").is_file():
            continue
        script = js_translations([Path(app.srcdir, locale_dir)], app.config.language)
        target = folder / "sphinx.js"
        if not target.is_file() or target.read_text(encoding="utf-8") != script:
            target.write_text(script, encoding="utf-8")
