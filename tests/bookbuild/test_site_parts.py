"""Parts of the site that need no build: Vietnamese search keys, the icon font subset."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pydata_sphinx_theme
from fontTools.ttLib import TTFont

from bookbuild.icons import icon_code_points, subset_icon_font
from bookbuild.search_vi import SearchVietnamese, fold

THEME_FONT = (Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static"
              / "vendor" / "fontawesome" / "webfonts" / "fa-solid-900.woff2")


def test_search_keys_fold_diacritics_and_d():
    assert fold("Tích chập") == fold("tich chap") == fold("TÍCH CHẬP") == "tich chap"
    assert fold("Đường") == "duong" and fold("khởi tạo") == "khoi tao"
    # decomposed input (base letter + combining marks), as some keyboards type it
    assert fold(unicodedata.normalize("NFD", "ảnh")) == "anh"


def test_no_vietnamese_word_is_dropped():
    language = SearchVietnamese({})
    words = language.split("Ta ăn no rồi in ra to, do an toàn; hàm corr2d_builtin và ô 3.")
    assert words[:9] == ["Ta", "ăn", "no", "rồi", "in", "ra", "to", "do", "an"]
    assert "corr2d_builtin" in words and "ô" in words
    kept = [word for word in words if language.word_filter(language.stem(word))]
    assert {"an", "do", "to", "no", "in", "o"} <= set(map(language.stem, kept))
    assert "3" not in kept  # numbers are not search terms (as in Sphinx)
    # a word typed decomposed stays one word
    assert language.split(unicodedata.normalize("NFD", "tích chập")) == ["tích", "chập"]


CSS = ('.fa-bars:before,.fa-navicon:before{content:"\\f0c9"}.fa-github:before{content:"\\f09b"}'
       '.fa-magnifying-glass:before{content:"\\f002"}'
       'html{--pst-icon-bell:"\uf0f3"}.admonition-title:after{content:var(--pst-icon-bell)}')


def test_icons_kept_are_those_the_pages_name_and_the_css_draws():
    pages = ['<button><span class="fa-solid fa-bars"></span></button>', '<i class="fa-solid fa-magnifying-glass">']
    assert icon_code_points(CSS, pages) == {0xF0C9, 0xF002, 0xF0F3}
    assert 0xF09B in icon_code_points(CSS, ['<i class="fa-brands fa-github">'])


def test_icon_font_subset_keeps_exactly_the_icons_asked_for(tmp_path):
    target = tmp_path / "fa-solid-900.woff2"
    subset_icon_font(THEME_FONT, target, {0xF0C9, 0xF002, 0xF09B})  # f09b is a brand icon: not in this font
    cmap = TTFont(target).getBestCmap()
    assert {0xF0C9, 0xF002} <= set(cmap) and 0xF09B not in cmap and 0xF185 not in cmap
    assert target.stat().st_size < THEME_FONT.stat().st_size / 20


def test_notebook_bar_offers_each_configured_link_per_framework(tmp_path):
    from bookbuild.settings import BookSettings, NotebookLinks
    from bookbuild.site import notebook_links_html

    book = tmp_path / "book"
    source = book / "cnn" / "conv-layer.md"
    configured = BookSettings(NotebookLinks.from_mapping({
        "repository_url": "https://github.com/khoa-hoc/sach-cnn", "jupyterhub_url": "https://hub.truong.edu.vn"}))
    bar = notebook_links_html(configured, book, source, "book/cnn/conv-layer", ["mxnet", "pytorch", "tensorflow"])
    for framework in ("mxnet", "pytorch", "tensorflow"):
        assert f'href="../../notebooks/{framework}/cnn/conv-layer.ipynb" download="conv-layer-{framework}.ipynb"' in bar
        assert (f"https://colab.research.google.com/github/khoa-hoc/sach-cnn/blob/main/notebooks/"
                f"{framework}/cnn/conv-layer.ipynb") in bar
        assert f"urlpath=lab%2Ftree%2Fsach-cnn%2Fnotebooks%2F{framework}%2Fcnn%2Fconv-layer.ipynb" in bar
    assert bar.count("Mở trên Colab") == 3 and bar.count("Mở trên JupyterHub") == 3
    bare = notebook_links_html(BookSettings(), book, source, "book/cnn/conv-layer", ["pytorch"])
    assert bare.count("Tải về") == 1 and "Colab" not in bare and "JupyterHub" not in bare
