"""Run one per-framework notebook in a fresh kernel of its own."""
from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

from .frameworks import BY_KEY
from .notebook import LINE_KEY, SOURCE_INDEX

CELL_TIMEOUT_SECONDS = 1200
# Quiet the frameworks' start-up chatter and make hashing deterministic, so
# a rebuild shows the same outputs.
KERNEL_ENV = {
    "PYTHONHASHSEED": "0",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
}
# IPython configuration of every kernel. Figures are SVG: vector, so labels stay
# sharp however far a phone zooms in; no date and a fixed id salt, so a rerun
# draws byte-identical files.
KERNEL_CONFIG = """\
c.InlineBackend.figure_formats = {"svg"}
c.InlineBackend.print_figure_kwargs = {"bbox_inches": "tight", "metadata": {"Date": None}}
c.InlineBackend.rc = {"svg.hashsalt": "bookbuild"}
"""
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass
class CellFailure:
    """Where and why a section failed; plain data so it crosses processes."""

    section: str
    framework: str
    cell_number: int | None
    line: int | None
    detail: str

    def message(self) -> str:
        label = BY_KEY[self.framework].label
        where = f"ô mã thứ {self.cell_number}" if self.cell_number else "khi khởi động kernel"
        if self.line:
            where += f" (dòng {self.line} của tệp nguồn)"
        return f"Mục «{self.section}», framework {label}: lỗi ở {where}.\n{self.detail}"


def run_notebook(nb_json: str, framework: str, section: str) -> tuple[str | None, CellFailure | None]:
    """Execute a notebook given as JSON; return (executed JSON, None) or (None, failure)."""
    nb = nbformat.reads(nb_json, as_version=4)
    current: dict = {}

    def remember(cell, cell_index, **_):
        current["cell"] = cell

    with tempfile.TemporaryDirectory(prefix="bookbuild-") as workdir:
        env = {**os.environ, **KERNEL_ENV, "IPYTHONDIR": _ipython_dir(workdir)}
        # IPC sockets inside the private work dir: no TCP port for the kernel.
        kernel = KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(workdir, "kernel"))
        client = NotebookClient(
            nb,
            km=kernel,
            timeout=CELL_TIMEOUT_SECONDS,
            kernel_name="python3",
            allow_errors=False,
            resources={"metadata": {"path": workdir}},
            on_cell_execute=remember,
        )
        try:
            client.execute(env=env)
        except Exception as error:  # any failure is reported, none is hidden
            return None, _failure(nb, current.get("cell"), framework, section, error)
        finally:
            # nbclient leaves a kernel manager it was handed running.
            if kernel.has_kernel:
                kernel.shutdown_kernel(now=True)
    return nbformat.writes(nb), None


def _ipython_dir(workdir: str) -> str:
    """A private IPython directory whose default profile holds KERNEL_CONFIG."""
    profile = os.path.join(workdir, "ipython", "profile_default")
    os.makedirs(profile)
    with open(os.path.join(profile, "ipython_kernel_config.py"), "w", encoding="utf-8") as handle:
        handle.write(KERNEL_CONFIG)
    return os.path.dirname(profile)


def _failure(nb, cell, framework: str, section: str, error: Exception) -> CellFailure:
    detail = _ANSI.sub("", str(error)).strip()
    if len(detail) > 6000:
        detail = detail[:1500] + "\n...\n" + detail[-4000:]
    if cell is None:
        return CellFailure(section, framework, None, None, detail)
    code = [c for c in nb.cells if c.cell_type == "code"]
    number = next((i for i, c in enumerate(code, 1) if c is cell), None)
    if number is None:  # nbclient may hand us a copy: match by position
        index = cell.metadata.get(SOURCE_INDEX)
        number = next((i for i, c in enumerate(code, 1) if c.metadata.get(SOURCE_INDEX) == index), None)
    return CellFailure(section, framework, number, cell.metadata.get(LINE_KEY), detail)
