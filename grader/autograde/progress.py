"""What the instructor sees while a batch runs and at its end (Vietnamese).

Side: trusted grader.  Text that came from a submission (student ids,
reasons quoting an error) is shown with control characters escaped, so a
submission cannot rewrite the instructor's terminal.
"""

import re
import shutil
import textwrap
import threading
import time

from nbgrader.api import MissingEntry

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
HEARTBEAT_SECONDS = 15.0


def escape_controls(text: str) -> str:
    """Control characters (ANSI escapes included) as visible \\xNN."""
    return CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", str(text))


def format_duration(seconds: float) -> str:
    seconds = int(max(0, seconds))
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} giờ {minutes:02d} phút"
    if minutes:
        return f"{minutes} phút {seconds:02d} giây"
    return f"{seconds} giây"


class ProgressBar:
    """A bar that keeps ticking while submissions run (a line per event when not a terminal)."""

    def __init__(self, total: int, stream, width: int = 30):
        self.total, self.stream, self.width = total, stream, width
        self.done, self.begun = 0, time.monotonic()
        self.running: dict[str, float] = {}
        self.lock = threading.Lock()
        self.interactive = hasattr(stream, "isatty") and stream.isatty()
        self.halt = threading.Event()
        self.ticker = threading.Thread(target=self._tick, daemon=True)
        if total:
            self.ticker.start()

    def _line(self) -> str:
        elapsed = time.monotonic() - self.begun
        remaining = elapsed / self.done * (self.total - self.done) if self.done else None
        filled = int(self.width * self.done / max(self.total, 1))
        now = time.monotonic()
        running = ", ".join(f"{escape_controls(name)[:20]} {format_duration(now - since)}"
                            for name, since in list(self.running.items())[:3])
        return (f"[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total}  "
                f"đã chạy {format_duration(elapsed)}"
                + (f", còn khoảng {format_duration(remaining)}" if remaining is not None else "")
                + (f"  (đang chấm: {running})" if running else ""))

    def _write(self, line: str, final: bool = False) -> None:
        with self.lock:
            if self.interactive:
                width = shutil.get_terminal_size((120, 20)).columns - 1
                self.stream.write("\r" + line[:width].ljust(width) + ("\n" if final else ""))
            else:
                self.stream.write(line + "\n")
            self.stream.flush()

    def _tick(self) -> None:
        interval = 1.0 if self.interactive else HEARTBEAT_SECONDS
        while not self.halt.wait(interval):
            if self.running:
                self._write(self._line())

    def started(self, student: str) -> None:
        self.running[student] = time.monotonic()

    def finished(self, student: str) -> None:
        self.running.pop(student, None)
        self.done += 1
        self._write(self._line(), final=self.done == self.total)

    def stop(self) -> None:
        if not self.halt.is_set():
            self.halt.set()
            if self.interactive and self.done != self.total:
                self._write(self._line(), final=True)


def _earlier_row(gradebook, assignment: str, student: str) -> tuple[str, str, str, str]:
    try:
        submission = gradebook.find_submission(assignment, student)
    except MissingEntry:
        return student, "-", "chưa chấm", ""
    comments = [comment.auto_comment for notebook in submission.notebooks
                for comment in notebook.comments if comment.auto_comment]
    return (student, f"{submission.score:g}/{submission.max_score:g}", "chấm từ trước",
            comments[0] if comments else "")


def summary_table(outcomes, earlier, gradebook, assignment: str, stream) -> None:
    """Every student of the batch, this run's and earlier ones, with the full reasons."""
    # A note every student of this run got (no GPU, ...) is said once, above the table.
    shared = set.intersection(*(set(o.notes) for o in outcomes)) if len(outcomes) > 1 else set()
    rows = []
    for outcome in outcomes:
        note = " ".join(part for part in [outcome.reason, *outcome.notes]
                        if part and part not in shared)
        rows.append((outcome.student, f"{outcome.score:g}/{outcome.max_score:g}",
                     "đã chấm" if outcome.status == "graded" else "lỗi", note))
    rows += [_earlier_row(gradebook, assignment, student) for student in earlier]
    rows.sort(key=lambda row: row[0])
    header = ("Sinh viên", "Điểm", "Trạng thái", "Lý do / ghi chú")
    rows = [tuple(escape_controls(cell) for cell in row) for row in rows]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
    indent = sum(widths) + 6
    text_width = max(40, shutil.get_terminal_size((120, 20)).columns - indent - 1)
    stream.write("\n")
    for note in sorted(shared):
        stream.write(escape_controls(note) + "\n")
    for index, row in enumerate([header, *rows]):
        lines = textwrap.wrap(row[3], text_width) or [""]
        stream.write("  ".join(row[i].ljust(widths[i]) for i in range(3)) + "  " + lines[0] + "\n")
        for line in lines[1:]:
            stream.write(" " * indent + line + "\n")
        if index == 0:
            stream.write("  ".join("-" * w for w in widths) + "  " + "-" * 15 + "\n")
    graded = sum(1 for o in outcomes if o.status == "graded")
    flagged = sum(1 for o in outcomes if o.flags)
    stream.write(f"\nTổng kết: {graded} bài chấm xong, {len(outcomes) - graded} bài lỗi (vẫn ghi "
                 f"điểm kèm lý do), {len(earlier)} bài đã chấm từ trước (FORCE=1 để chấm lại)"
                 + (f", {flagged} bài bị gắn cờ can thiệp vào bộ chấm" if flagged else "") + ".\n")
    stream.flush()
