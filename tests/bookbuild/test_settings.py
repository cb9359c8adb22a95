"""Colab and JupyterHub links built from the settings in _config.yml."""
from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

from bookbuild.settings import CONFIG_KEY, NotebookLinks, SettingsError, load_settings

NOTEBOOK = PurePosixPath("pytorch/cnn/conv-layer.ipynb")


def test_colab_opens_the_published_notebook_on_github():
    links = NotebookLinks.from_mapping({"repository_url": "https://github.com/khoa-hoc/sach-cnn",
                                        "branch": "notebooks", "notebooks_dir": "so-tay"})
    assert links.colab(NOTEBOOK) == ("https://colab.research.google.com/github/khoa-hoc/sach-cnn/blob/"
                                     "notebooks/so-tay/pytorch/cnn/conv-layer.ipynb")


def test_jupyterhub_link_pulls_the_repository_with_nbgitpuller():
    links = NotebookLinks.from_mapping({"repository_url": "https://github.com/khoa-hoc/sach-cnn.git",
                                        "jupyterhub_url": "https://hub.truong.edu.vn/"})
    url = urlparse(links.jupyterhub(NOTEBOOK))
    assert (url.scheme, url.netloc, url.path) == ("https", "hub.truong.edu.vn", "/hub/user-redirect/git-pull")
    query = parse_qs(url.query)
    assert query["repo"] == ["https://github.com/khoa-hoc/sach-cnn.git"]
    assert query["branch"] == ["main"]
    # nbgitpuller clones into a folder named after the repository
    assert query["urlpath"] == ["lab/tree/sach-cnn/notebooks/pytorch/cnn/conv-layer.ipynb"]


def test_links_are_hidden_until_configured():
    empty = NotebookLinks.from_mapping({})
    assert empty.colab(NOTEBOOK) is None and empty.jupyterhub(NOTEBOOK) is None
    hub_only = NotebookLinks.from_mapping({"jupyterhub_url": "https://hub.truong.edu.vn"})
    assert hub_only.jupyterhub(NOTEBOOK) is None  # nbgitpuller needs a repository to pull
    gitlab = NotebookLinks.from_mapping({"repository_url": "https://gitlab.com/khoa/sach",
                                         "jupyterhub_url": "https://hub.truong.edu.vn"})
    assert gitlab.colab(NOTEBOOK) is None and gitlab.jupyterhub(NOTEBOOK) is not None


@pytest.mark.parametrize("mapping, message", [
    ({"repo": "https://github.com/a/b"}, "repo"),
    ({"jupyterhub_url": "hub.truong.edu.vn"}, "http"),
])
def test_wrong_settings_are_refused_with_a_reason(mapping, message):
    with pytest.raises(SettingsError, match=message):
        NotebookLinks.from_mapping(mapping)


def test_the_books_config_is_read_from_one_place(tmp_path):
    from .test_minibook import ROOT

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["sphinx"]["config"][CONFIG_KEY]["repository_url"] = "https://github.com/khoa-hoc/sach-cnn"
    config["html"]["baseurl"] = "https://khoa-hoc.github.io/sach-cnn/"
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    settings = load_settings(tmp_path)
    assert settings.site_url == "https://khoa-hoc.github.io/sach-cnn/"
    assert settings.notebook_links.colab(NOTEBOOK).startswith("https://colab.research.google.com/github/khoa-hoc/")
