"""`python -m grader.bench` (make bench-grade): the engine against stock nbgrader, and the
engine's cost per submission for every graded notebook.

Side: trusted grader (it builds throw-away courses and grades them).

1. The comparison: one batch of the PyTorch cross_correlation notebook (mostly
   correct work, some wrong, some crashing, a few endless loops, built from
   grader/samples/), graded by the engine (sandbox on) and by stock
   `nbgrader autograde`, same submissions, same machine, one run.  Both get the
   same time limit: the engine per submission, stock nbgrader per cell (its only
   knob).
2. Per notebook: a smaller batch of the same mix, and the engine's wall time
   per submission split into the student's own code (as measured inside the
   sandbox) and everything else (sandbox, interpreter and framework start-up,
   the grader's own work).  Submissions that ran into the time limit are left
   out of the averages.
"""

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .autograde.runner import autograde
from .exercises import EXERCISES
from .paths import Course
from .release import release
from .samples import CORRECT, CRASH, LOOP, WRONG, samples_for
from .sandbox.host import Limits

COMPARED = "bai3-cross-correlation-pytorch"


def mix(samples, count):
    """Mostly correct work, some wrong, some crashing, a few looping (at least one of each)."""
    by_kind = {kind: [s for s in samples if s.kind == kind] for kind in (CORRECT, WRONG, CRASH, LOOP)}
    looping = max(1, count // 20) if by_kind[LOOP] else 0
    crashing = max(1, count // 12) if by_kind[CRASH] else 0
    wrong = max(1, count // 4)
    correct = count - looping - crashing - wrong
    chosen = []
    for kind, number in ((CORRECT, correct), (WRONG, wrong), (CRASH, crashing), (LOOP, looping)):
        pool = by_kind[kind]
        chosen += [pool[i % len(pool)] for i in range(number)] if pool else []
    return chosen


def build_course(root, assignment, chosen):
    root.mkdir(parents=True)
    shutil.copy(Path(__file__).with_name("nbgrader_config.py"), root / "nbgrader_config.py")
    course = Course(root.resolve())
    release(course, [assignment], stream=io.StringIO())
    exercise = EXERCISES[assignment]
    released = json.loads(course.release(assignment, exercise.notebook).read_text())
    for index, sample in enumerate(chosen):
        nb = json.loads(json.dumps(released))
        for cell in nb["cells"]:
            if cell["metadata"].get("nbgrader", {}).get("solution"):
                cell["source"] = sample.source
        directory = course.submitted(f"sv{index:03d}_{sample.name}", assignment)
        directory.mkdir(parents=True)
        (directory / f"{exercise.notebook}.ipynb").write_text(json.dumps(nb))
    return course


def engine_figures(outcomes, limits):
    finished = [o for o in outcomes if o.timings and "Hết thời gian" not in o.reason]
    wall = statistics.mean(o.wall_seconds for o in finished)
    student = statistics.mean(o.timings.get("student", 0.0) for o in finished)
    return wall, student, len(finished)


def scores_by_kind(outcomes):
    scores = {}
    for outcome in outcomes:
        kind = outcome.student.split("_", 1)[1]
        scores.setdefault(kind, set()).add(outcome.score)
    return ", ".join(f"{kind}={sorted(values)}" for kind, values in sorted(scores.items()))


def compare_with_stock(work, count, jobs, timeout):
    exercise = EXERCISES[COMPARED]
    chosen = mix(samples_for(exercise), count)
    print(f"1. So sánh với nbgrader gốc: {len(chosen)} bài nộp {COMPARED} "
          f"({sum(s.kind == CORRECT for s in chosen)} đúng, {sum(s.kind == WRONG for s in chosen)} "
          f"sai, {sum(s.kind == CRASH for s in chosen)} gây lỗi, "
          f"{sum(s.kind == LOOP for s in chosen)} lặp vô hạn)", flush=True)
    engine_course = build_course(work / "engine", COMPARED, chosen)
    stock_course = build_course(work / "stock", COMPARED, chosen)
    limits = Limits(wall_seconds=timeout, cpu_seconds=int(timeout) + 1)
    started = time.monotonic()
    outcomes = autograde(engine_course, COMPARED, jobs=jobs, limits=limits, stream=io.StringIO())
    engine_seconds = time.monotonic() - started
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep
               + os.environ.get("PATH", ""), GRADER_CELL_TIMEOUT=str(int(timeout)))
    started = time.monotonic()
    stock = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", COMPARED, "--force",
                            f"--ExecutePreprocessor.timeout={int(timeout)}"],
                           cwd=stock_course.root, env=env, capture_output=True, text=True)
    stock_seconds = time.monotonic() - started
    print(f"   Bộ chấm (cách ly bwrap + cgroup, --jobs {jobs}): {engine_seconds:.1f} giây")
    print(f"   nbgrader autograde gốc (tuần tự):           {stock_seconds:.1f} giây"
          + ("" if stock.returncode == 0 else f" (mã thoát {stock.returncode})"))
    print(f"   Tỷ lệ nbgrader / bộ chấm: {stock_seconds / max(engine_seconds, 1e-9):.2f}x "
          "(mục tiêu ≥ 3x trên 2 lõi)")
    print(f"   Điểm theo loại bài (bộ chấm):      {scores_by_kind(outcomes)}")
    from nbgrader.api import Gradebook
    with Gradebook(stock_course.db_url) as gradebook:
        stock_outcomes = [type("Row", (), {"student": s.student.id, "score": s.score})
                          for s in gradebook.find_assignment(COMPARED).submissions]
    print(f"   Điểm theo loại bài (nbgrader gốc): {scores_by_kind(stock_outcomes)}", flush=True)


def per_notebook(work, assignments, count, jobs, timeout):
    print(f"\n2. Chi phí của bộ chấm cho mỗi bài nộp ({count} bài mỗi notebook, --jobs {jobs}, "
          f"giới hạn {timeout:g} giây; trung bình trên các bài không hết thời gian)", flush=True)
    print(f"   {'notebook':38} {'bài':>4} {'thời gian/bài':>14} {'mã SV':>8} {'ngoài mã SV':>12}")
    limits = Limits(wall_seconds=timeout, cpu_seconds=int(timeout) + 1)
    for assignment in assignments:
        exercise = EXERCISES[assignment]
        chosen = mix(samples_for(exercise), count)
        course = build_course(work / f"nb-{assignment}", assignment, chosen)
        outcomes = autograde(course, assignment, jobs=jobs, limits=limits, stream=io.StringIO())
        wall, student, finished = engine_figures(outcomes, limits)
        print(f"   {assignment:38} {finished:>4} {wall:>12.2f} s {student:>6.2f} s "
              f"{wall - student:>10.2f} s", flush=True)


def main(argv=None):
    from .__main__ import VietnameseParser
    parser = VietnameseParser(prog="python -m grader.bench",
                              description="So sánh thời gian chấm của bộ chấm với `nbgrader "
                              "autograde` gốc, và đo chi phí của bộ chấm cho từng notebook.")
    parser.add_argument("--count", type=int, default=60, metavar="SỐ",
                        help="số bài nộp của lô so sánh (mặc định 60)")
    parser.add_argument("--per-notebook", type=int, default=10, metavar="SỐ",
                        help="số bài nộp mỗi notebook ở phần 2 (mặc định 10)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="số bài chấm song song của bộ chấm (mặc định: số lõi)")
    parser.add_argument("--timeout", type=float, default=10.0, metavar="GIÂY",
                        help="giới hạn thời gian (giây), cùng giá trị cho cả hai (mặc định 10)")
    parser.add_argument("--notebooks", metavar="DANH_SÁCH",
                        help="chỉ các bài tập này ở phần 2, cách nhau bởi dấu phẩy")
    parser.add_argument("--skip-stock", action="store_true", help="bỏ qua phần 1")
    args = parser.parse_args(argv)
    assignments = args.notebooks.split(",") if args.notebooks else sorted(EXERCISES)
    work = Path(tempfile.mkdtemp(prefix="grader-bench-"))
    try:
        if not args.skip_stock:
            compare_with_stock(work, args.count, args.jobs, args.timeout)
        per_notebook(work, assignments, args.per_notebook, args.jobs, args.timeout)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
