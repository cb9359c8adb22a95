"""Which submissions there are to grade, and which folders look like a
submission put in the wrong place (reported so that nobody is ignored
without a word).

Side: trusted grader (reads folder names only).
"""

import difflib
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .submission import IGNORED_NAMES


def _is_hidden(name):
    return name.startswith(".")


def discover_students(course, assignment):
    """Students with a folder submitted/<student>/<assignment>/.

    Symlinked folders are included on purpose: loading them fails with a
    recorded reason (see submission.refuse_symlinked_folders) instead of the
    student silently having no row."""
    root = course.submitted()
    if not root.is_dir():
        return []
    students = []
    for entry in sorted(root.iterdir()):
        if _is_hidden(entry.name) or not entry.is_dir():  # is_dir() follows symlinks
            continue
        target = entry / assignment
        if target.is_dir() or target.is_symlink():
            students.append(entry.name)
    return students


@dataclass(frozen=True)
class Misplaced:
    path: Path       # the folder or file that is misplaced
    message: str     # Vietnamese: what looks wrong and what to do


def _simplify(name):
    """Name compared loosely: no accents, no case, no separators."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[\s_\-.]+", "", plain.casefold())


def looks_like(name, assignment):
    """A misspelling of the assignment's folder name (case, accents, separators,
    one or two letters)."""
    a, b = _simplify(name), _simplify(assignment)
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= 0.85


def _known_assignments(course):
    names = set()
    for folder in (course.root / "source", course.root / "release"):
        if folder.is_dir():
            names.update(p.name for p in folder.iterdir() if p.is_dir())
    return names


def _notebooks_below(folder, depth):
    """Notebooks at most ``depth`` folder levels under ``folder`` (no symlinks followed)."""
    found = []
    for current, dirs, files in os.walk(folder):
        level = len(Path(current).relative_to(folder).parts)
        dirs[:] = [d for d in dirs if d not in IGNORED_NAMES and level < depth]
        found += [Path(current) / f for f in files if f.endswith(".ipynb")]
    return sorted(found)


def find_misplaced(course, assignment, notebook=None):
    """Folders and files under submitted/ that are probably meant for ``assignment``
    but will not be graded as they stand."""
    root = course.submitted()
    if not root.is_dir():
        return []
    relative = lambda p: p.relative_to(course.root).as_posix()  # noqa: E731
    known = _known_assignments(course) | {assignment}
    expected = (notebook + ".ipynb") if notebook else None
    found = []
    for entry in sorted(root.iterdir()):
        if _is_hidden(entry.name):
            continue
        if entry.is_file():
            found.append(Misplaced(entry, "%s là tệp nằm thẳng trong submitted/, không thuộc "
                                   "thư mục của sinh viên nào; bài nộp lấy từ LMS hãy nhập "
                                   "bằng `python -m grader import %s <thư mục hoặc tệp zip>`."
                                   % (relative(entry), assignment)))
            continue
        if not entry.is_dir() or entry.is_symlink():
            continue
        if looks_like(entry.name, assignment):
            found.append(Misplaced(entry, "%s/ mang tên bài tập nhưng nằm ở chỗ của mã sinh "
                                   "viên; cần dạng submitted/<mã SV>/%s/."
                                   % (relative(entry), assignment)))
            continue
        target = entry / assignment
        for child in sorted(entry.iterdir()):
            if child.name in known or _is_hidden(child.name):
                continue
            if child.is_dir() and looks_like(child.name, assignment):
                found.append(Misplaced(child, "%s/ có vẻ là bài tập %s viết sai tên; đổi tên "
                                       "thư mục thành %s/ để được chấm."
                                       % (relative(child), assignment, relative(target))))
            elif child.is_file() and child.suffix == ".ipynb" and not target.exists():
                found.append(Misplaced(child, "%s nằm thẳng trong thư mục của sinh viên; cần "
                                       "đặt vào %s/ để được chấm."
                                       % (relative(child), relative(target))))
        if target.is_dir() and not target.is_symlink():
            top_level = [p for p in target.iterdir() if p.suffix == ".ipynb"]
            deeper = [p for p in _notebooks_below(target, 2) if p.parent != target]
            if not top_level and deeper:
                wanted = [p for p in deeper if expected and p.name == expected] or deeper
                found.append(Misplaced(wanted[0], "%s nằm sâu hơn một cấp; cần chuyển lên "
                                       "%s/ để được chấm."
                                       % (relative(wanted[0]), relative(target))))
    return found
