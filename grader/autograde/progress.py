"""Progress bar and end-of-run summary table for instructors (Vietnamese)."""

import time


def format_duration(seconds):
    seconds = int(max(0, seconds))
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return "%d giờ %02d phút" % (hours, minutes)
    if minutes:
        return "%d phút %02d giây" % (minutes, seconds)
    return "%d giây" % seconds


class ProgressBar:
    def __init__(self, total, stream, width=30):
        self.total, self.stream, self.width = total, stream, width
        self.done, self.started = 0, time.monotonic()
        self.interactive = hasattr(stream, "isatty") and stream.isatty()

    def advance(self, label):
        self.done += 1
        elapsed = time.monotonic() - self.started
        remaining = elapsed / self.done * (self.total - self.done) if self.done else 0
        filled = int(self.width * self.done / max(self.total, 1))
        line = "[%s%s] %d/%d  đã chạy %s, còn khoảng %s  (%s)" % (
            "#" * filled, "." * (self.width - filled), self.done, self.total,
            format_duration(elapsed), format_duration(remaining), label[:40])
        if self.interactive:
            self.stream.write("\r" + line.ljust(110))
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def summary_table(outcomes, skipped, stream):
    graded = [o for o in outcomes if o.status == "graded"]
    failed = [o for o in outcomes if o.status != "graded"]
    rows = [("Sinh viên", "Điểm", "Trạng thái", "Lý do / ghi chú")]
    for o in sorted(outcomes, key=lambda o: o.student):
        note = o.reason or "; ".join(o.notes)
        rows.append((o.student, "%g/%g" % (o.score, o.max_score),
                     "đã chấm" if o.status == "graded" else "lỗi", note[:90]))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    stream.write("\n")
    for index, row in enumerate(rows):
        stream.write("  ".join(row[i].ljust(widths[i]) for i in range(3)) + "  " + row[3] + "\n")
        if index == 0:
            stream.write("  ".join("-" * w for w in widths) + "  " + "-" * 15 + "\n")
    stream.write("\nTổng kết: %d bài chấm xong, %d bài lỗi (vẫn ghi điểm kèm lý do), "
                 "%d bài đã chấm từ trước nên bỏ qua (dùng --force để chấm lại).\n"
                 % (len(graded), len(failed), skipped))
    stream.flush()
