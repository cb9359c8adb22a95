"""MyST Markdown of a section, rewritten as the plain Markdown Jupyter renders.

A reader's per-framework notebook is opened in JupyterLab or Colab, which know
nothing of MyST: directives and roles would show as raw text. This module
keeps what a reader of one framework needs and writes it in plain Markdown:

- a framework tab-set (``{tab-set}`` whose items carry ``:sync: <framework>``)
  keeps only that framework's item; other tab-sets list their items in turn;
- admonitions become block quotes headed by their Vietnamese label;
- ``{doc}`` becomes a link, ``{ref}``/``{numref}`` and other roles their text;
- any other directive keeps its content without the fence.

Fences follow CommonMark: a fence closes at the first fence of the same
character that is at least as long, so nesting uses longer outer fences.
"""
from __future__ import annotations

import gettext
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import sphinx

from .frameworks import BY_KEY

# Sphinx's English names of the admonitions; their Vietnamese text comes from
# Sphinx's own catalogue, so a notebook says what the web page says.
ADMONITION_MSGIDS: dict[str, str] = {
    "attention": "Attention", "caution": "Caution", "danger": "Danger", "error": "Error",
    "hint": "Hint", "important": "Important", "note": "Note", "seealso": "See also",
    "tip": "Tip", "warning": "Warning",
}
_SPHINX_VI = gettext.translation("sphinx", localedir=Path(sphinx.__file__).parent / "locale",
                                 languages=["vi"], fallback=True)

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
_DIRECTIVE_INFO = re.compile(r"^\s*\{(?P<name>[A-Za-z][\w:.-]*)\}\s*(?P<argument>.*?)\s*$")
_OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")
# A role, not an inline code span that happens to start with braces.
_ROLE = re.compile(r"(?<!`)\{(?P<name>[A-Za-z][\w:.-]*)\}`(?P<content>[^`]*)`")
_EXPLICIT_TITLE = re.compile(r"^(?P<title>.+?)\s*<(?P<target>[^<>]+)>$", re.S)
_TARGET_LINE = re.compile(r"^\s*\([\w:.-]+\)=\s*$")
_COMMENT_LINE = re.compile(r"^\s*%")

# (target of a {doc} role as written, i.e. relative to the current section) -> (title, url or None)
DocResolver = Callable[[str], tuple[str, "str | None"]]


def admonition_label(name: str) -> str:
    return _SPHINX_VI.gettext(ADMONITION_MSGIDS[name])


@dataclass
class Directive:
    name: str
    argument: str
    options: dict[str, str]
    body: list[str]


def to_jupyter_markdown(text: str, framework: str, resolve_doc: DocResolver) -> str:
    """``text`` (one Markdown cell of a section) as plain Markdown for ``framework``'s notebook."""
    if framework not in BY_KEY:
        raise ValueError(f"unknown framework {framework!r}")
    lines = _Converter(framework, resolve_doc).block(text.split("\n"))
    return "\n".join(_squeeze_blank_lines(lines)).strip("\n")


class _Converter:
    def __init__(self, framework: str, resolve_doc: DocResolver):
        self.framework = framework
        self.resolve_doc = resolve_doc

    def block(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        index = 0
        while index < len(lines):
            line = lines[index]
            opening = _FENCE.match(line)
            if not opening:
                if not (_TARGET_LINE.match(line) or _COMMENT_LINE.match(line)):
                    out.append(self.inline(line))
                index += 1
                continue
            indent, fence = opening["indent"], opening["fence"]
            end = _closing_fence(lines, index + 1, fence)
            body = [_dedent(body_line, indent) for body_line in lines[index + 1:end]]
            index = end + 1
            directive = _DIRECTIVE_INFO.match(opening["info"])
            if directive is None:  # an ordinary code block: verbatim
                out.extend([line, *(indent + b for b in body), indent + fence[0] * 3])
                continue
            options, content = _split_options(body)
            rendered = self.directive(Directive(directive["name"], directive["argument"], options, content))
            out.extend(indent + r if r else "" for r in rendered)
        return out

    def directive(self, d: Directive) -> list[str]:
        if d.name == "tab-set":
            return self.tab_set(d)
        if d.name == "tab-item":
            return ["", f"**{self.inline(d.argument)}**", "", *self.block(d.body), ""]
        if d.name in ADMONITION_MSGIDS or d.name == "admonition":
            title = self.inline(d.argument) if d.name == "admonition" else admonition_label(d.name)
            return _quote([f"**{title}**", "", *self.block(d.body)])
        if d.name in ("math", "amsmath"):
            return ["", "$$", *d.body, "$$", ""]
        if d.name in ("code", "code-block", "sourcecode"):
            return ["", f"```{d.argument}", *d.body, "```", ""]
        if d.name == "raw":
            return d.body
        # Any other directive: its title (if any) and content, without the fence.
        title = [f"**{self.inline(d.argument)}**", ""] if d.argument else []
        return ["", *title, *self.block(d.body), ""]

    def tab_set(self, d: Directive) -> list[str]:
        items = [item for item in _directives_in(d.body) if item.name == "tab-item"]
        synced = [item for item in items if item.options.get("sync") in BY_KEY]
        if synced:  # a framework tab-set: this framework's item only
            own = [item for item in synced if item.options["sync"] == self.framework]
            return [line for item in own for line in ["", *self.block(item.body), ""]]
        return [line for item in items for line in self.directive(item)]

    def inline(self, line: str) -> str:
        return _ROLE.sub(self._role, line)

    def _role(self, match: re.Match) -> str:
        name, content = match["name"], match["content"]
        explicit = _EXPLICIT_TITLE.match(content)
        title, target = (explicit["title"], explicit["target"]) if explicit else (None, content)
        if name == "doc":
            found_title, url = self.resolve_doc(target.strip())
            text = title or found_title
            return f"[{text}]({url})" if url else text
        if name == "math":
            return f"${content}$"
        if name == "eq":
            return f"({content})"
        if name == "numref" and title:
            return title.replace("%s", "").replace("{number}", "").strip()
        return title or target


def _closing_fence(lines: list[str], start: int, fence: str) -> int:
    for index in range(start, len(lines)):
        stripped = lines[index].strip()
        if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
            return index
    return len(lines)  # unclosed: CommonMark runs it to the end


def _dedent(line: str, indent: str) -> str:
    return line[len(indent):] if line.startswith(indent) else line.lstrip()


def _split_options(body: list[str]) -> tuple[dict[str, str], list[str]]:
    """Directive options (``:key: value`` lines or a ``---`` YAML block) and the content after them."""
    options: dict[str, str] = {}
    index = 0
    if body and body[0].strip() == "---":
        end = next((i for i in range(1, len(body)) if body[i].strip() == "---"), None)
        if end is not None:
            for line in body[1:end]:
                key, _, value = line.partition(":")
                options[key.strip()] = value.strip().strip("\"'")
            return options, body[end + 1:]
    while index < len(body) and (option := _OPTION.match(body[index])):
        options[option["key"]] = option["value"].strip()
        index += 1
    return options, body[index:]


def _directives_in(lines: list[str]) -> list[Directive]:
    """The directives at the top level of ``lines`` (text between them is ignored)."""
    found: list[Directive] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        end = _closing_fence(lines, index + 1, opening["fence"])
        directive = _DIRECTIVE_INFO.match(opening["info"])
        if directive:
            body = [_dedent(line, opening["indent"]) for line in lines[index + 1:end]]
            options, content = _split_options(body)
            found.append(Directive(directive["name"], directive["argument"], options, content))
        index = end + 1
    return found


def _quote(lines: list[str]) -> list[str]:
    return ["", *(f"> {line}" if line.strip() else ">" for line in _squeeze_blank_lines(lines)), ""]


def _squeeze_blank_lines(lines: list[str]) -> list[str]:
    """No runs of blank lines outside code blocks, none at either end."""
    out: list[str] = []
    open_fence = ""
    for line in lines:
        fence = _FENCE.match(line)
        if fence and not open_fence:
            open_fence = fence["fence"]
        elif fence and not fence["info"].strip() and fence["fence"][0] == open_fence[0] \
                and len(fence["fence"]) >= len(open_fence):
            open_fence = ""
        elif not open_fence and not line.strip() and (not out or not out[-1].strip()):
            continue
        out.append("" if not line.strip() else line)
    while out and not out[-1].strip():
        out.pop()
    return out
