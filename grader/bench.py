"""`python -m grader.bench` (make bench-grade): the engine against stock nbgrader.

Builds a batch of submissions of the PyTorch cross_correlation notebook
(correct, wrong, crashing, looping), grades it with the engine (sandbox on)
and with stock `nbgrader autograde`, same submissions, same machine, one run.
For fairness both get the same time limit: the engine per submission, stock
nbgrader per cell (its only knob; a looping notebook then costs it one
timeout per test cell).
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
from .paths import Course
from .release import release
from .sandbox import Limits

ASSIGNMENT = "bai3-cross-correlation-pytorch"
NOTEBOOK = "cross_correlation"

KINDS = {
    "dung_vonglap": """def cross_correlation(X, K):
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y
""",
    "dung_vectorhoa": """def cross_correlation(X, K):
    kh, kw = K.shape
    return (X.unfold(0, kh, 1).unfold(1, kw, 1) * K).sum(dim=(-1, -2))
""",
    "sai_latnguoc": """def cross_correlation(X, K):
    K = K.flip(0).flip(1)
    kh, kw = K.shape
    return (X.unfold(0, kh, 1).unfold(1, kw, 1) * K).sum(dim=(-1, -2))
""",
    "loi_chay": "def cross_correlation(X, K):\n    return X @ K @ K.T @ X\n",
    "lap_vohan": "def cross_correlation(X, K):\n    while True:\n        pass\n",
}


def mix(count):
    """Mostly correct work, some wrong, some crashing, a few looping (≥1 of each)."""
    looping = max(1, count // 20)
    crashing = max(1, count // 12)
    wrong = max(1, count // 6)
    correct = count - looping - crashing - wrong
    kinds = (["dung_vonglap", "dung_vectorhoa"] * correct)[:correct]
    return kinds + ["sai_latnguoc"] * wrong + ["loi_chay"] * crashing + ["lap_vohan"] * looping


def build_course(root, kinds):
    root.mkdir(parents=True)
    shutil.copy(Path(__file__).with_name("nbgrader_config.py"), root / "nbgrader_config.py")
    course = Course(root.resolve())
    release(course, [ASSIGNMENT], stream=io.StringIO())
    released = json.loads(course.release(ASSIGNMENT, NOTEBOOK).read_text())
    for index, kind in enumerate(kinds):
        nb = json.loads(json.dumps(released))
        for cell in nb["cells"]:
            if cell["metadata"].get("nbgrader", {}).get("solution"):
                cell["source"] = KINDS[kind]
        directory = course.submitted("sv%03d_%s" % (index, kind), ASSIGNMENT)
        directory.mkdir(parents=True)
        (directory / (NOTEBOOK + ".ipynb")).write_text(json.dumps(nb))
    return course


def stock_scores(course):
    from nbgrader.api import Gradebook
    scores = {}
    with Gradebook(course.db_url) as gradebook:
        for submission in gradebook.find_assignment(ASSIGNMENT).submissions:
            kind = submission.student.id.split("_", 1)[1]
            scores.setdefault(kind, set()).add(submission.score)
    return ", ".join("%s=%s" % (k, sorted(v)) for k, v in sorted(scores.items()))


def bare_import_seconds():
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", "import torch"], check=True)
    return time.monotonic() - started


def main(argv=None):
    from .__main__ import VietnameseHelp
    parser = argparse.ArgumentParser(prog="python -m grader.bench", add_help=False,
                                     formatter_class=VietnameseHelp,
                                     description="So sánh thời gian chấm của bộ chấm với "
                                     "`nbgrader autograde` gốc trên cùng một lô bài nộp.")
    parser._optionals.title = "Tùy chọn"
    parser.add_argument("-h", "--help", action="help", help="in hướng dẫn này rồi thoát")
    parser.add_argument("--count", type=int, default=60, metavar="SỐ", help="số bài nộp (mặc định 60)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="số bài chấm song song của bộ chấm (mặc định: số lõi)")
    parser.add_argument("--timeout", type=float, default=10.0, metavar="GIÂY",
                        help="giới hạn thời gian (giây), cùng giá trị cho cả hai (mặc định 10)")
    args = parser.parse_args(argv)
    kinds = mix(args.count)
    work = Path(tempfile.mkdtemp(prefix="grader-bench-"))
    try:
        print("Lô %d bài nộp: %s" % (len(kinds), ", ".join(
            "%d %s" % (kinds.count(k), k) for k in KINDS if k in kinds)))
        engine_course = build_course(work / "engine", kinds)
        stock_course = build_course(work / "stock", kinds)

        started = time.monotonic()
        outcomes = autograde(engine_course, ASSIGNMENT, jobs=args.jobs,
                             limits=Limits(wall_seconds=args.timeout,
                                           cpu_seconds=int(args.timeout) + 1),
                             stream=io.StringIO())
        engine_seconds = time.monotonic() - started

        env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep
                   + os.environ.get("PATH", ""), GRADER_CELL_TIMEOUT=str(int(args.timeout)))
        started = time.monotonic()
        stock = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT,
                                "--force", "--ExecutePreprocessor.timeout=%d" % args.timeout],
                               cwd=stock_course.root, env=env, capture_output=True, text=True)
        stock_seconds = time.monotonic() - started

        finished = [o for o in outcomes if o.timings and "Hết thời gian" not in o.reason]
        startup = statistics.mean(o.timings["startup"] for o in finished)
        code = statistics.mean(o.timings["sandbox"] - o.timings["startup"] for o in finished)
        total = statistics.mean(o.wall_seconds for o in finished)
        bare = bare_import_seconds()
        print("Bộ chấm (cách ly bwrap, --jobs %d): %.1f giây" % (args.jobs, engine_seconds))
        print("nbgrader autograde gốc (tuần tự):   %.1f giây%s" % (
            stock_seconds, "" if stock.returncode == 0 else " (mã thoát %d)" % stock.returncode))
        print("Tỉ lệ nbgrader / bộ chấm: %.2fx" % (stock_seconds / max(engine_seconds, 1e-9)))
        print("Mỗi bài nộp (trung bình, không kể bài lặp vô hạn, %d luồng chạy cùng lúc): "
              "%.2f giây, gồm:" % (args.jobs, total))
        print("  - khởi động hộp cát + Python + import torch: %.2f giây "
              "(riêng Python + import torch, không hộp cát, chạy một mình: %.2f giây)"
              % (startup, bare))
        print("  - mã của sinh viên trên mọi bài kiểm tra: %.2f giây" % code)
        print("  - phần chấm tin cậy (đọc bài nộp, so sánh, ghi notebook): %.2f giây"
              % (total - startup - code))
        print("  => thời gian bộ chấm tốn cho mỗi bài ngoài mã của sinh viên: %.2f giây"
              % (total - code))
        print("Giới hạn thời gian: %g giây mỗi bài (bộ chấm) và mỗi ô (nbgrader)." % args.timeout)
        scores = {}
        for outcome in outcomes:
            kind = outcome.student.split("_", 1)[1]
            scores.setdefault(kind, set()).add(outcome.score)
        print("Điểm theo loại bài (bộ chấm): "
              + ", ".join("%s=%s" % (k, sorted(v)) for k, v in scores.items()))
        print("Điểm theo loại bài (nbgrader gốc): " + stock_scores(stock_course))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
