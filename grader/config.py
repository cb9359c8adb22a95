"""The engine's options, as traitlets read from the course's nbgrader_config.py.

Side: trusted grader.  Set them there the way nbgrader's own options are set,
e.g. ``c.GraderEngine.memory_mb = 4096``; the command line can override a
few for one run.  ``python -m grader autograde --help-config`` lists them.
"""

from pathlib import Path

from traitlets import Bool, Float, Integer
from traitlets.config import Configurable

from .course_config import load_course_config
from .sandbox.host import Limits


class GraderEngine(Configurable):
    """Limits and safety switches of the sandboxed grading engine."""

    jobs = Integer(0, help="Số bài chấm song song; 0 là mỗi lõi CPU một bài.").tag(config=True)
    timeout = Float(60.0, help="Thời gian tối đa (giây, đồng hồ thực) cho mỗi bài nộp, "
                    "gồm cả khởi động framework.").tag(config=True)
    cpu_seconds = Integer(0, help="Thời gian CPU tối đa của mỗi tiến trình; 0 là bằng "
                          "timeout.").tag(config=True)
    memory_mb = Integer(3072, help="Bộ nhớ tối đa của cả hộp cát (mọi tiến trình của một bài "
                        "nộp), đặt bằng cgroup.").tag(config=True)
    processes = Integer(64, help="Số tiến trình và luồng tối đa của cả hộp cát.").tag(config=True)
    cpus = Float(1.0, help="Số lõi CPU mà một hộp cát được dùng (hạn mức cgroup).").tag(config=True)
    output_mb = Integer(2, help="Lượng in ra tối đa (MB) trước khi bài bị dừng.").tag(config=True)
    allow_unsafe = Bool(False, help="Vẫn chấm khi không có bubblewrap (KHÔNG an toàn: mã của "
                        "sinh viên chạy không cách ly).").tag(config=True)
    allow_no_memory_limit = Bool(False, help="Vẫn chấm khi không đặt được giới hạn bộ nhớ cho cả "
                                 "hộp cát (cgroup); khi đó chỉ giới hạn từng tiến trình.").tag(config=True)

    def limits(self, timeout: float | None = None) -> Limits:
        wall = timeout if timeout is not None else self.timeout
        return Limits(wall_seconds=wall, cpu_seconds=self.cpu_seconds or int(wall) + 1,
                      memory_bytes=self.memory_mb * 1024**2, processes=self.processes,
                      cpus=self.cpus, output_bytes=self.output_mb * 1024**2)


def load_engine_config(course_root: Path) -> GraderEngine:
    return GraderEngine(config=load_course_config(course_root))
