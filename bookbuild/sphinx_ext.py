"""Sphinx extension: executes sections per framework and shows them as tabs.

Wiring (see book/README.md): MyST-NB reads every ``.md`` through
``read_section`` (a MyST-NB custom format), which returns the section with
the merged outputs of its three per-framework runs; MyST-NB itself executes
nothing. Before Sphinx reads the changed documents, their missing runs are
executed in parallel (``env-before-read-docs``).

The site around the sections: figures numbered once across framework tabs
(``figures``), a Vietnamese search language (``search_vi``), per-framework
notebooks for readers with their links (``readers``, ``site``), and pages
without the scripts they do not use (``site``).
"""
from __future__ import annotations

import hashlib
import html
from pathlib import Path

import nbformat
from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.ext.mathjax import html_visit_displaymath, html_visit_math
from sphinx.util import logging
from sphinx.writers.html5 import HTML5Translator

from .exercise_tables import ExerciseChecks
from .figures import FrameworkFigures, NumberFigureCopies, dedupe_figure_names, prepare_output_images
from .icons import IconFontError, shrink_theme_icon_font
from .paths import BOOK_DIR
from .readers import notebook_path, reader_notebook
from .search_vi import SearchVietnamese
from .sections import SectionBuildError, SectionRunner, parse_section
from .settings import CONFIG_KEY, BookSettings, NotebookLinks, SettingsError
from .site import (DOWNLOAD_DIR, add_page_helpers, copybutton_translation, katex_where_maths,
                   notebook_links_html, write_js_translations)
from .tabs import FrameworkTabs

logger = logging.getLogger(__name__)
BOOK_DIR_NAME = BOOK_DIR.name  # sections live under <source dir>/book
_state: dict = {}


def read_section(text: str):
    """MyST-NB reader for ``.md``: the section with every framework's outputs."""
    app: Sphinx = _state["app"]
    docname = app.env.docname
    source = Path(app.env.doc2path(docname))
    nb = parse_section(text, str(source), app.env.myst_config)
    try:
        merged, executed = _state["runner"].merged(docname, nb)
    except SectionBuildError as error:
        raise ExtensionError(f"Không chạy được mã của mục «{docname}»:\n{error}") from None
    dedupe_figure_names(merged)
    _write_downloads(app, source, executed)
    app.env.metadata[docname]["framework_notebooks"] = sorted(executed)
    return merged


def _settings(app: Sphinx) -> BookSettings:
    try:
        links = NotebookLinks.from_mapping(app.config.bookbuild_notebook_links)
    except SettingsError as error:
        raise ExtensionError(str(error)) from None
    return BookSettings(links, app.config.html_baseurl or "")


def _book_dir(app: Sphinx) -> Path:
    return Path(app.srcdir, BOOK_DIR_NAME)


def _write_downloads(app: Sphinx, source: Path, executed: dict) -> None:
    """Each framework's executed notebook, for readers, where the page's links point."""
    book_dir, site_url = _book_dir(app), _settings(app).site_url
    for framework, nb in executed.items():
        target = Path(app.outdir, DOWNLOAD_DIR, notebook_path(book_dir, source, framework))
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(reader_notebook(nb, framework, source, book_dir, site_url), target)


def _digest(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _on_config_inited(app: Sphinx, config) -> None:
    """Record what Sphinx's up-to-date check does not see, as config values it compares.

    With no source changed, Sphinx writes nothing and copies no static file, so
    an edit to book/_static, _templates or _locale would not reach the site
    (a changed value below rewrites every page); an edit to bookbuild's own
    code re-reads every page (executions stay cached).
    """
    confdir = Path(app.confdir)
    assets = [path for folder in [*config.html_static_path, *config.templates_path]
              for path in (confdir / folder).rglob("*") if path.is_file()]
    # the catalogues' sources only: the .mo and .js beside them are compiled from them
    assets += [path for folder in config.locale_dirs for path in (confdir / folder).rglob("*.po")]
    config.bookbuild_assets_digest = _digest(assets)
    config.bookbuild_code_digest = _digest(list(Path(__file__).parent.glob("*.py")))


def _on_builder_inited(app: Sphinx) -> None:
    _state["app"] = app
    # Beside the build output, so a fresh clone or `make clean` starts cold.
    cache_dir = Path(app.config.bookbuild_cache_dir or Path(app.srcdir, "_build", ".bookbuild-cache"))
    _state["runner"] = SectionRunner(cache_dir, jobs=app.config.bookbuild_jobs or None)
    _settings(app)  # a wrong setting stops the build before any section runs
    write_js_translations(app)
    # Right after sphinx-copybutton's script (priority 500).
    app.add_js_file(None, body=copybutton_translation(), priority=510)


def _on_before_read_docs(app: Sphinx, env, docnames: list[str]) -> None:
    """Execute, in parallel, every run the documents about to be read need."""
    runner: SectionRunner = _state["runner"]
    jobs = []
    for docname in docnames:
        path = Path(env.doc2path(docname))
        if path.suffix != ".md":
            continue
        nb = parse_section(path.read_text(encoding="utf-8"), str(path), env.myst_config)
        jobs.extend(runner.pending(docname, nb))
    if not jobs:
        return
    logger.info(f"[bookbuild] chạy {len(jobs)} sổ tay (mục × framework), {runner.jobs} song song")
    try:
        runner.run(jobs, progress=lambda line: logger.info(f"[bookbuild] {line}"))
    except SectionBuildError as error:
        raise ExtensionError(f"Có ô mã gây lỗi khi xây dựng sách:\n{error}") from None


def _add_notebook_links(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    frameworks = app.env.metadata.get(pagename, {}).get("framework_notebooks")
    if not frameworks or "body" not in context:
        return
    source = Path(app.env.doc2path(pagename))
    bar = notebook_links_html(_settings(app), _book_dir(app), source, pagename, frameworks)
    body = context["body"]
    context["body"] = body.replace("</h1>", "</h1>\n" + bar, 1) if "</h1>" in body else bar + body


def _shrink_icon_font(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    try:
        before, after = shrink_theme_icon_font(Path(app.outdir))
    except IconFontError as error:
        raise ExtensionError(str(error)) from None
    logger.info(f"[bookbuild] phông biểu tượng: {before // 1024} kB → {after // 1024} kB")


def _visit_hidden_input(self: HTML5Translator, node: HideCodeCellNode) -> None:
    """MyST-NB's fold for hidden code, without its English aria-label: the visible
    prompt ("Hiện mã" / "Ẩn mã") already names the control."""
    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n<summary>\n')
    for state, prompt in (("collapsed", node["prompt_show"]), ("expanded", node["prompt_hide"])):
        self.body.append(f'<p class="{state} admonition-title">{html.escape(prompt)}</p>\n')
    self.body.append("</summary>\n")


def _output_images(app: Sphinx, doctree) -> None:
    prepare_output_images(doctree, Path(app.srcdir))


def setup(app: Sphinx) -> dict:
    app.add_config_value("bookbuild_jobs", 0, "env")
    app.add_config_value("bookbuild_cache_dir", "", "env")
    # Colab / JupyterHub links of the notebooks (see book/README.md); empty: not shown.
    app.add_config_value(CONFIG_KEY, {}, "html", types=[dict])
    app.add_config_value("bookbuild_assets_digest", "", "html")
    app.add_config_value("bookbuild_code_digest", "", "env")
    app.connect("config-inited", _on_config_inited)
    app.connect("builder-inited", _on_builder_inited)
    app.connect("env-before-read-docs", _on_before_read_docs)
    app.connect("doctree-read", _output_images)
    app.connect("html-page-context", add_page_helpers)
    app.connect("html-page-context", _add_notebook_links)
    app.connect("html-page-context", katex_where_maths)
    app.connect("build-finished", _shrink_icon_font)
    app.add_transform(FrameworkTabs)
    app.add_transform(FrameworkFigures)
    app.add_post_transform(NumberFigureCopies)
    app.add_search_language(SearchVietnamese)
    app.add_directive("exercise-checks", ExerciseChecks)
    # Sphinx's MathJax visitors write the TeX between \( \) and \[ \] (with equation
    # numbers); katex-render.js typesets it in the browser.
    app.add_html_math_renderer("katex", (html_visit_math, None), (html_visit_displaymath, None))
    app.add_node(HideCodeCellNode, override=True, html=(_visit_hidden_input, depart_HideCellInput))
    return {"version": "1.0", "parallel_read_safe": False, "parallel_write_safe": True}
