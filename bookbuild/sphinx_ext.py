"""Sphinx extension: executes sections per framework and shows them as tabs.

Wiring (see book/README.md): MyST-NB reads every ``.md`` through
``read_section`` (a MyST-NB custom format), which returns the section with
the merged outputs of its three per-framework runs; MyST-NB itself executes
nothing. Before Sphinx reads the changed documents, their missing runs are
executed in parallel (``env-before-read-docs``).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

from .frameworks import FRAMEWORKS
from .sections import SectionBuildError, SectionRunner, parse_section
from .tabs import FrameworkTabs

logger = logging.getLogger(__name__)
DOWNLOAD_DIR = "notebooks"  # under the HTML output
_state: dict = {}


def read_section(text: str):
    """MyST-NB reader for ``.md``: the section with every framework's outputs."""
    app: Sphinx = _state["app"]
    docname = app.env.docname
    nb = parse_section(text, str(app.env.doc2path(docname)), app.env.myst_config)
    try:
        merged, executed = _state["runner"].merged(docname, nb)
    except SectionBuildError as error:
        raise ExtensionError(f"Không chạy được mã của mục «{docname}»:\n{error}") from None
    _write_downloads(app, docname, executed)
    app.env.metadata[docname]["framework_notebooks"] = sorted(executed)
    return merged


def _write_downloads(app: Sphinx, docname: str, executed: dict) -> None:
    stem = Path(docname).name
    for framework, nb in executed.items():
        target = Path(app.outdir, DOWNLOAD_DIR, docname).parent / f"{stem}-{framework}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)


def _on_builder_inited(app: Sphinx) -> None:
    _state["app"] = app
    # Beside the build output, so a fresh clone or `make clean` starts cold.
    cache_dir = Path(app.config.bookbuild_cache_dir or Path(app.srcdir, "_build", ".bookbuild-cache"))
    _state["runner"] = SectionRunner(cache_dir, jobs=app.config.bookbuild_jobs or None)


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


def _add_download_links(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    frameworks = app.env.metadata.get(pagename, {}).get("framework_notebooks")
    if not frameworks or "body" not in context:
        return
    depth = pagename.count("/")
    prefix = "../" * depth + DOWNLOAD_DIR + "/" + pagename.rsplit("/", 1)[0] + "/" if depth else DOWNLOAD_DIR + "/"
    stem = pagename.rsplit("/", 1)[-1]
    links = " ".join(
        f'<a class="reference download" href="{prefix}{stem}-{f.key}.ipynb" download>{f.label}</a>'
        for f in FRAMEWORKS if f.key in frameworks
    )
    bar = f'<p class="framework-downloads">Tải sổ tay của mục này: {links}</p>\n'
    body = context["body"]
    context["body"] = body.replace("</h1>", "</h1>\n" + bar, 1) if "</h1>" in body else bar + body


def _copy_mathjax(app: Sphinx, exception) -> None:
    """Serve MathJax from the site itself: the book must work offline."""
    if exception is not None or app.builder.format != "html":
        return
    import mathjax  # django-static-mathjax ships MathJax 3 as package data

    source = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    target = Path(app.outdir, "_static", "mathjax")
    if not (target / "tex-chtml.js").is_file():
        shutil.copytree(source, target, dirs_exist_ok=True)


def setup(app: Sphinx) -> dict:
    app.add_config_value("bookbuild_jobs", 0, "env")
    app.add_config_value("bookbuild_cache_dir", "", "env")
    app.connect("builder-inited", _on_builder_inited)
    app.connect("env-before-read-docs", _on_before_read_docs)
    app.connect("html-page-context", _add_download_links)
    app.connect("build-finished", _copy_mathjax)
    app.add_transform(FrameworkTabs)
    return {"version": "1.0", "parallel_read_safe": False, "parallel_write_safe": True}
