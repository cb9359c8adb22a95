"""Reading a submitted notebook: untrusted JSON, parsed defensively.

Side: trusted grader (parses untrusted notebooks as data; runs nothing).

Only the *solution cells'* source is taken from the submission, matched by
nbgrader grade_id against the released notebook; locked cells and tests
always come from the instructor's copy.
"""

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

MAX_NOTEBOOK_BYTES = 5 * 1024**2
MAX_SOLUTION_CHARS = 200_000
MAX_TIMESTAMP_BYTES = 100
# Files nbgrader's own `submit` and `collect` put beside the notebooks.
NBGRADER_FILES = frozenset({"timestamp.txt", "submission_secret.txt"})
IGNORED_NAMES = NBGRADER_FILES | {".ipynb_checkpoints"}


class BadSubmission(Exception):
    """The submission cannot be graded; the message (Vietnamese) says why."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class Submission:
    student: str
    assignment: str
    notebook_path: Path | None
    solutions: dict = field(default_factory=dict)   # grade_id -> source
    notes: list = field(default_factory=list)        # Vietnamese remarks for the instructor
    timestamp: str | None = None


def read_regular_file(path, max_bytes):
    """Read a file that must be a regular file, not a symlink (no escape to other files)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise BadSubmission("missing", "Không tìm thấy tệp %s." % Path(path).name)
    if not stat.S_ISREG(info.st_mode):
        raise BadSubmission("not_a_file", "%s không phải là tệp thường (có thể là liên kết "
                            "tượng trưng); bài nộp bị từ chối." % Path(path).name)
    if info.st_size > max_bytes:
        raise BadSubmission("too_large", "Notebook quá lớn (%.1f MB, tối đa %.0f MB)."
                            % (info.st_size / 1024**2, max_bytes / 1024**2))
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as handle:
        return handle.read(max_bytes + 1)


def find_notebook(directory, notebook_name, notes):
    """The submitted notebook file, tolerating one misnamed notebook."""
    expected = directory / (notebook_name + ".ipynb")
    if os.path.lexists(expected):
        candidates = [expected]
    else:
        candidates = sorted(p for p in directory.glob("*.ipynb") if p.name != expected.name)
        if not candidates:
            raise BadSubmission("missing_notebook", "Thiếu notebook %s trong bài nộp."
                                % expected.name)
        if len(candidates) > 1:
            raise BadSubmission("ambiguous_notebook", "Không có notebook %s; có nhiều notebook "
                                "khác (%s) nên không biết chấm notebook nào."
                                % (expected.name, ", ".join(p.name for p in candidates[:5])))
        notes.append("Notebook bị đặt sai tên: %s (cần %s); đã chấm notebook này."
                     % (candidates[0].name, expected.name))
    extra = sorted(p.name for p in directory.iterdir()
                   if p.name != candidates[0].name and p.name not in IGNORED_NAMES)
    if extra:
        notes.append("Tệp thừa bị bỏ qua: %s." % ", ".join(extra[:10]))
    return candidates[0]


def _cell_source(cell):
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        source = "".join(source)
    if not isinstance(source, str):
        return None
    return source


def _grade_id(cell):
    metadata = cell.get("metadata")
    nbgrader = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return grade_id if isinstance(grade_id, str) else None


def parse_notebook(raw, solution_ids, function_name, notes):
    """grade_id -> source of the submitted solution cells."""
    if not raw.strip():
        raise BadSubmission("empty", "Notebook rỗng (tệp không có nội dung).")
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadSubmission("corrupt", "Notebook hỏng: nội dung không phải JSON hợp lệ "
                            "(có thể tệp bị cắt ngang khi lưu hoặc tải lên).")
    cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(cells, list):
        raise BadSubmission("not_notebook", "Tệp không phải notebook Jupyter (không có danh "
                            "sách ô).")
    cells = [c for c in cells if isinstance(c, dict)]
    solutions = {}
    for solution_id in solution_ids:
        matches = [c for c in cells if _grade_id(c) == solution_id]
        if len(matches) > 1:
            notes.append("Ô lời giải «%s» xuất hiện %d lần; chỉ chấm ô đầu tiên."
                         % (solution_id, len(matches)))
        if not matches:
            # Cell deleted or its metadata stripped: fall back to any cell that
            # defines the function, so an honest solution is still graded.
            matches = [c for c in cells if c.get("cell_type") == "code"
                       and "def " + function_name in (_cell_source(c) or "")]
            if matches:
                notes.append("Không tìm thấy ô lời giải «%s»; đã chấm ô mã định nghĩa %s."
                             % (solution_id, function_name))
        if not matches:
            notes.append("Không tìm thấy ô lời giải «%s» trong notebook." % solution_id)
            continue
        cell = matches[0]
        if cell.get("cell_type") != "code":
            notes.append("Ô lời giải «%s» bị đổi kiểu thành %s; nội dung vẫn được chạy như mã."
                         % (solution_id, str(cell.get("cell_type"))[:20]))
        source = _cell_source(cell)
        if source is None:
            notes.append("Ô lời giải «%s» có nội dung không hợp lệ." % solution_id)
            continue
        if len(source) > MAX_SOLUTION_CHARS:
            raise BadSubmission("solution_too_large", "Ô lời giải quá dài (%d ký tự, tối đa %d)."
                                % (len(source), MAX_SOLUTION_CHARS))
        solutions[solution_id] = source
    return solutions


def read_small_text(path, max_bytes):
    """At most ``max_bytes`` of a regular file (never through a symlink), or None
    when there is no such file: for nbgrader's small files written by students."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:  # missing, a symlink (ELOOP), unreadable
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # a FIFO or device
            return None
        return handle.read(max_bytes).decode("utf-8", "replace")


def refuse_symlinked_folders(directory):
    """The submission folder and the student's folder above it must be real
    folders: a symlink could point at another student's work or anywhere else."""
    for folder in (directory.parent, directory):
        if folder.is_symlink():
            raise BadSubmission("symlinked_folder", "Thư mục bài nộp %s là liên kết tượng "
                                "trưng (symlink), không phải thư mục thật; bài nộp bị từ chối."
                                % "/".join(directory.parts[-2:]))


def load_submission(directory, student, assignment, notebook_name, solution_ids, function_name):
    notes = []
    directory = Path(directory)
    refuse_symlinked_folders(directory)
    submission = Submission(student, assignment, None, notes=notes)
    text = read_small_text(directory / "timestamp.txt", MAX_TIMESTAMP_BYTES)
    if text is not None and text.strip():
        submission.timestamp = text.strip()
    path = find_notebook(directory, notebook_name, notes)
    submission.notebook_path = path
    raw = read_regular_file(path, MAX_NOTEBOOK_BYTES)
    submission.solutions = parse_notebook(raw, solution_ids, function_name, notes)
    return submission
