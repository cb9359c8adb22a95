"""The book's own settings, read from ``_config.yml`` (the one place they live).

Sphinx sees them as config values (``bookbuild_notebook_links``,
``html_baseurl``); the command line reads the same file through
``load_settings`` so both write the same notebooks and links.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlencode, urlparse

import yaml

CONFIG_KEY = "bookbuild_notebook_links"


class SettingsError(ValueError):
    """A setting in _config.yml is not usable; the message says which and why."""


@dataclass(frozen=True)
class NotebookLinks:
    """Where readers can open a section's per-framework notebook besides downloading it.

    ``repository_url`` is the public repository that holds the published
    notebooks under ``notebooks_dir`` (laid out as ``<framework>/<section>.ipynb``),
    on ``branch``. Colab opens them from GitHub; JupyterHub pulls the repository
    with nbgitpuller. A link whose setting is empty is not shown.
    """

    repository_url: str = ""
    branch: str = "main"
    notebooks_dir: str = "notebooks"
    jupyterhub_url: str = ""

    @classmethod
    def from_mapping(cls, mapping: dict | None) -> "NotebookLinks":
        mapping = dict(mapping or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(mapping) - known)
        if unknown:
            raise SettingsError(f"{CONFIG_KEY}: không có thiết lập {unknown}; chỉ có {sorted(known)}.")
        values = {key: str(value or "").strip() for key, value in mapping.items()}
        links = cls(**{**{f.name: f.default for f in fields(cls)}, **values})
        for name in ("repository_url", "jupyterhub_url"):
            url = getattr(links, name)
            if url and urlparse(url).scheme not in ("http", "https"):
                raise SettingsError(f"{CONFIG_KEY}.{name} phải là địa chỉ http(s), không phải {url!r}.")
        return links

    def _github(self) -> tuple[str, str] | None:
        parsed = urlparse(self.repository_url)
        parts = [p for p in parsed.path.split("/") if p]
        if parsed.hostname != "github.com" or len(parts) < 2:
            return None
        return parts[0], parts[1].removesuffix(".git")

    def _path_in_repository(self, notebook: PurePosixPath) -> str:
        return str(PurePosixPath(self.notebooks_dir.strip("/")) / notebook) if self.notebooks_dir.strip("/") \
            else str(notebook)

    def colab(self, notebook: PurePosixPath) -> str | None:
        """Colab's address of a published notebook (GitHub repositories only)."""
        github = self._github()
        if not github or not self.branch:
            return None
        owner, repo = github
        path = quote(self._path_in_repository(notebook))
        return f"https://colab.research.google.com/github/{owner}/{repo}/blob/{quote(self.branch)}/{path}"

    def jupyterhub(self, notebook: PurePosixPath) -> str | None:
        """An nbgitpuller link: the hub clones (or updates) the repository, then opens the notebook."""
        if not self.jupyterhub_url or not self.repository_url:
            return None
        repo_name = urlparse(self.repository_url).path.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
        query = {"repo": self.repository_url, "branch": self.branch,
                 "urlpath": f"lab/tree/{repo_name}/{self._path_in_repository(notebook)}"}
        return f"{self.jupyterhub_url.rstrip('/')}/hub/user-redirect/git-pull?{urlencode(query)}"


@dataclass(frozen=True)
class BookSettings:
    notebook_links: NotebookLinks = field(default_factory=NotebookLinks)
    site_url: str = ""  # the published book's address (html.baseurl), for links to pages


def load_settings(root: Path) -> BookSettings:
    """The settings in ``root/_config.yml``, as the Sphinx build sees them."""
    config = yaml.safe_load((Path(root) / "_config.yml").read_text(encoding="utf-8")) or {}
    sphinx_config = (config.get("sphinx") or {}).get("config") or {}
    return BookSettings(NotebookLinks.from_mapping(sphinx_config.get(CONFIG_KEY)),
                        str((config.get("html") or {}).get("baseurl") or ""))
