"""Execute sections' per-framework notebooks, in parallel and through the cache."""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import nbformat
from myst_nb.core.read import read_myst_markdown_notebook
from myst_parser.config.main import MdParserConfig
from nbformat import NotebookNode

from .cache import ExecutionCache, environment_salt
from .execute import CellFailure, run_notebook
from .notebook import execution_key, merge, needs_execution, split


class SectionBuildError(Exception):
    """One or more sections failed to execute; the message names each failure."""

    def __init__(self, failures: list[CellFailure]):
        self.failures = failures
        super().__init__("\n\n".join(f.message() for f in failures))


def parse_section(text: str, path: str = "", md_config: MdParserConfig | None = None) -> NotebookNode:
    """Read a MyST Markdown section the way MyST-NB does (with cell line numbers)."""
    return read_myst_markdown_notebook(
        text, config=md_config or MdParserConfig(), add_source_map=True, path=path
    )


@dataclass
class Job:
    section: str
    framework: str
    key: str
    notebook: NotebookNode


def default_jobs() -> int:
    return int(os.environ.get("BOOKBUILD_JOBS") or os.cpu_count() or 1)


class SectionRunner:
    def __init__(self, cache_dir: Path, jobs: int | None = None):
        self.cache = ExecutionCache(cache_dir)
        self.jobs = jobs or default_jobs()
        self.salt = environment_salt()
        self.executed_count = 0  # runs actually performed, for reports and tests

    def pending(self, section: str, nb: NotebookNode) -> list[Job]:
        if not needs_execution(nb):
            return []
        return self._missing(self._jobs(section, nb))

    def _jobs(self, section: str, nb: NotebookNode) -> list[Job]:
        return [Job(section, framework, execution_key(fnb, framework, self.salt), fnb)
                for framework, fnb in split(nb).items()]

    def _missing(self, jobs: list[Job]) -> list[Job]:
        return [job for job in jobs if not self.cache.has(job.framework, job.key)]

    def run(self, jobs: list[Job], progress=print) -> None:
        """Execute jobs, caching each success; raise naming every failure."""
        if not jobs:
            return
        failures: list[CellFailure] = []
        workers = max(1, min(self.jobs, len(jobs)))
        # Spawned workers: each kernel gets a clean parent, whatever Sphinx loaded.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {
                pool.submit(run_notebook, nbformat.writes(job.notebook), job.framework, job.section): job
                for job in jobs
            }
            for done, future in enumerate(as_completed(futures), 1):
                job = futures[future]
                executed_json, failure = future.result()
                self.executed_count += 1
                if failure is not None:
                    failures.append(failure)
                    progress(f"[{done}/{len(jobs)}] LỖI  {job.section} ({job.framework})")
                    continue
                self.cache.put(job.framework, job.key, nbformat.reads(executed_json, as_version=4))
                progress(f"[{done}/{len(jobs)}] xong {job.section} ({job.framework})")
        if failures:
            raise SectionBuildError(failures)

    def executed(self, section: str, nb: NotebookNode) -> dict[str, NotebookNode]:
        """Each framework's executed notebook, running whatever the cache lacks."""
        jobs = self._jobs(section, nb)
        self.run(self._missing(jobs), progress=lambda _msg: None)
        # Prose comes from the current source, outputs from the cached runs.
        return {job.framework: _with_outputs_of(job.notebook, self.cache.get(job.framework, job.key))
                for job in jobs}

    def merged(self, section: str, nb: NotebookNode) -> tuple[NotebookNode, dict[str, NotebookNode]]:
        if not needs_execution(nb):
            return nb, {}
        executed = self.executed(section, nb)
        return merge(nb, executed), executed


def _with_outputs_of(fresh: NotebookNode, run: NotebookNode) -> NotebookNode:
    """The fresh split (current prose) carrying the outputs of a cached run."""
    runs = [c for c in run.cells if c.cell_type == "code"]
    code = [c for c in fresh.cells if c.cell_type == "code"]
    for cell, ran in zip(code, runs):
        cell.outputs = ran.outputs
        cell.execution_count = ran.execution_count
    return fresh

