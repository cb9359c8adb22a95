"""Content-addressed store of executed per-framework notebooks."""
from __future__ import annotations

import hashlib
import os
import platform
import tempfile
from importlib import metadata
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from .execute import KERNEL_CONFIG, KERNEL_ENV
from .frameworks import FRAMEWORKS

# Bump when the way notebooks are executed changes, to invalidate old entries.
FORMAT_VERSION = "1"
# Besides the frameworks, packages whose version shows in the sections' outputs.
OTHER_DISTRIBUTIONS = ("numpy", "matplotlib", "scikit-learn", "ipykernel")


def environment_salt() -> str:
    """What, besides the code, determines a run's outputs."""
    versions = []
    for name in [f.distribution for f in FRAMEWORKS] + list(OTHER_DISTRIBUTIONS):
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=missing")
    kernel = hashlib.sha256(repr((KERNEL_CONFIG, sorted(KERNEL_ENV.items()))).encode()).hexdigest()[:16]
    return ";".join([FORMAT_VERSION, platform.python_version(), *versions, f"kernel={kernel}"])


class ExecutionCache:
    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, framework: str, key: str) -> Path:
        return self.root / framework / f"{key}.ipynb"

    def has(self, framework: str, key: str) -> bool:
        return self._path(framework, key).is_file()

    def get(self, framework: str, key: str) -> NotebookNode | None:
        path = self._path(framework, key)
        if not path.is_file():
            return None
        try:
            return nbformat.read(path, as_version=4)
        except Exception:  # a torn or foreign file is a miss, not a failure
            return None

    def put(self, framework: str, key: str, nb: NotebookNode) -> None:
        path = self._path(framework, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so an interrupted build never leaves a torn entry.
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            nbformat.write(nb, handle)
        os.replace(tmp, path)
