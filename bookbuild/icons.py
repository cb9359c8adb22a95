"""The theme's icon font, cut down to the icons the site shows.

pydata-sphinx-theme draws its icons (menu, search, sun/moon, admonition
marks...) with Font Awesome's solid webfont: 156 kB for some 1,400 icons, of
which a page uses about a dozen. After the build, the font in the output is
replaced by a subset holding every icon the built site can show:

- the icons named by ``fa-<name>`` classes anywhere in the built HTML, looked
  up in the theme's CSS (``.fa-<name>:before{content:"\\f0c9"}``);
- every other icon the CSS itself draws (admonition marks, the download arrow...):
  any ``content:``/custom property outside those per-name rules.

The subset is cut from the theme's own file each build, so an icon a page starts
using later is never missing.
"""
from __future__ import annotations

import re
from pathlib import Path

# Font Awesome's icons are private-use code points (U+E000–U+F8FF), written in
# CSS either escaped ("\\f0c9") or as the character itself.
_ESCAPE = re.compile(r'"\\([ef][0-9a-f]{3})"', re.I)
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
# One rule of the per-icon table: `.fa-bars:before,.fa-navicon:before{content:"\f0c9"}`.
_NAME_RULE = re.compile(r'((?:\.fa-[\w-]+:{1,2}before,?)+)\{content:"\\([0-9a-f]+)"\}', re.I)
_NAME_IN_RULE = re.compile(r"\.fa-([\w-]+):{1,2}before", re.I)
_NAME_IN_HTML = re.compile(r"\bfa-([a-z0-9-]+)")


class IconFontError(RuntimeError):
    """The icon font could not be cut down; the message says why."""


def icon_code_points(css: str, html_pages: list[str]) -> set[int]:
    """Code points of the icons the pages show, given the theme's CSS."""
    by_name: dict[str, int] = {}
    for selectors, code in _NAME_RULE.findall(css):
        for name in _NAME_IN_RULE.findall(selectors):
            by_name[name] = int(code, 16)
    other_rules = _NAME_RULE.sub("", css)
    drawn_by_css = ({int(code, 16) for code in _ESCAPE.findall(other_rules)}
                    | {ord(char) for char in _PRIVATE_USE.findall(other_rules)})
    used_names = {name for page in html_pages for name in _NAME_IN_HTML.findall(page)}
    return drawn_by_css | {by_name[name] for name in used_names if name in by_name}


def subset_icon_font(original: Path, target: Path, code_points: set[int]) -> None:
    """Write to ``target`` the WOFF2 ``original`` reduced to ``code_points``."""
    from fontTools import subset

    if not code_points:  # a parsing failure, not a site without icons
        raise IconFontError("không tìm thấy biểu tượng nào trong CSS và HTML của sách")
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = subset.load_font(str(original), options)
    # Icons of Font Awesome's other styles (brands, regular) are in their own fonts.
    kept = code_points & set(font.getBestCmap())
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(kept))
    subsetter.subset(font)
    tmp = target.with_suffix(".tmp")
    subset.save_font(font, str(tmp), options)
    tmp.replace(target)


def shrink_theme_icon_font(outdir: Path) -> tuple[int, int]:
    """Replace the solid icon font in the built site by its subset; (bytes before, after)."""
    import pydata_sphinx_theme

    relative = Path("vendor", "fontawesome", "webfonts", "fa-solid-900.woff2")
    original = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static" / relative
    target = Path(outdir, "_static", relative)
    if not original.is_file() or not target.is_file():
        raise IconFontError(f"không thấy phông biểu tượng {relative} của giao diện")
    static = Path(outdir, "_static")
    css = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in static.rglob("*.css"))
    pages = [p.read_text(encoding="utf-8", errors="replace") for p in Path(outdir).rglob("*.html")]
    subset_icon_font(original, target, icon_code_points(css, pages))
    return original.stat().st_size, target.stat().st_size
