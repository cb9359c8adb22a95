"""`make demo-class`: a simulated class goes through the whole loop, for a newcomer to watch.

Side: trusted grader (it plays the instructor and, with the sample submissions
of grader/samples/, the students, in a throw-away course under _build/).

About thirty students fetch every released notebook from the course's
exchange with nbgrader's own exchange classes, write a solution (most of
them correct, some partly wrong, some crashing or looping, some never handed
in, a few handed in after the deadline) and submit.  The instructor then
collects, grades with the engine, releases feedback, and exports the grades.
It ends with the CSV and a chart: the distribution of scores per notebook and
the pass rate of every check.
"""

import argparse
import csv
import datetime
import io
import json
import random
import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange.default import (ExchangeCollect, ExchangeFetchAssignment,
                                       ExchangeReleaseAssignment, ExchangeReleaseFeedback,
                                       ExchangeSubmit)

from .autograde.runner import autograde
from .course_config import load_course_config
from .exchange import ensure_exchange
from .exercises import EXERCISES
from .feedback import generate_feedback
from .grades import export_grades
from .paths import Course
from .release import release
from .samples import CORRECT, CRASH, LOOP, WRONG, samples_for
from .sandbox.host import Limits

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "_build" / "demo-class"
FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
                "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý")
GIVEN_NAMES = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng",
               "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Ngọc", "Phong",
               "Phương", "Quân", "Quỳnh", "Sơn", "Tâm", "Thảo", "Thu", "Trang", "Tuấn", "Vy", "Yến")
# How each kind of student does, as chances of (correct, wrong, crash, loop, missing).
PROFILES = {"giỏi": (0.92, 0.05, 0.0, 0.0, 0.03), "khá": (0.7, 0.22, 0.03, 0.0, 0.05),
            "trung bình": (0.45, 0.35, 0.07, 0.03, 0.1), "yếu": (0.2, 0.35, 0.15, 0.05, 0.25)}
PROFILE_SHARE = (("giỏi", 0.3), ("khá", 0.35), ("trung bình", 0.2), ("yếu", 0.15))
LATE_SHARE = 0.1


@dataclass(frozen=True)
class Student:
    id: str
    last_name: str
    first_name: str
    profile: str
    late: bool


def make_class(size: int, rng: random.Random) -> list[Student]:
    students, cumulative = [], 0.0
    bounds = []
    for profile, share in PROFILE_SHARE:
        cumulative += share
        bounds.append((cumulative, profile))
    for index in range(size):
        position = (index + 0.5) / size
        profile = next(name for bound, name in bounds if position <= bound + 1e-9)
        family, given = rng.choice(FAMILY_NAMES), rng.choice(GIVEN_NAMES)
        students.append(Student(f"sv{index + 1:03d}", family, given, profile,
                                late=rng.random() < LATE_SHARE))
    return students


def choose_work(student: Student, samples, rng: random.Random):
    """The sample this student hands in for one notebook, or None (not handed in)."""
    chances = PROFILES[student.profile]
    roll, total = rng.random(), 0.0
    for kind, chance in zip((CORRECT, WRONG, CRASH, LOOP, None), chances):
        total += chance
        if roll < total:
            if kind is None:
                return None
            pool = [sample for sample in samples if sample.kind == kind]
            if pool:
                return rng.choice(pool)
    return None


class Exchange:
    """nbgrader's own exchange classes, called in this process for speed."""

    def __init__(self, course: Course, cache: Path):
        self.config = load_course_config(course.root)
        self.config.Exchange.cache = str(cache)
        self.course = course

    def _run(self, kind, assignment, student="*", assignment_dir=None):
        coursedir = CourseDirectory(config=self.config)
        coursedir.assignment_id = assignment
        coursedir.student_id = student
        exchange = kind(coursedir=coursedir, authenticator=Authenticator(config=self.config),
                        config=self.config)
        if assignment_dir is not None:
            exchange.assignment_dir = str(assignment_dir)
        exchange.start()

    def release(self, assignment):
        self._run(ExchangeReleaseAssignment, assignment)

    def fetch(self, assignment, student, workspace):
        self._run(ExchangeFetchAssignment, assignment, student, workspace)

    def submit(self, assignment, student, workspace):
        self._run(ExchangeSubmit, assignment, student, workspace)

    def collect(self, assignment):
        self._run(ExchangeCollect, assignment)

    def release_feedback(self, assignment):
        self._run(ExchangeReleaseFeedback, assignment)


def write_solution(notebook: Path, source: str) -> None:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            cell["source"] = source
    notebook.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")


def draw_chart(course: Course, assignments: list[str], target: Path) -> None:
    """Score distribution per notebook, pass rate per check: one picture."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from matplotlib.ticker import MaxNLocator

    columns = min(3, len(assignments))
    rows = (len(assignments) + columns - 1) // columns
    figure, axes = plt.subplots(rows * 2, columns, figsize=(5 * columns, 3.2 * rows * 2),
                                squeeze=False)
    with Gradebook(course.db_url) as gradebook:
        for index, assignment in enumerate(assignments):
            exercise = EXERCISES[assignment]
            submissions = gradebook.find_assignment(assignment).submissions
            scores = [max(0.0, s.score - (s.late_submission_penalty or 0.0)) for s in submissions]
            ax = axes[(index // columns) * 2][index % columns]
            ax.hist(scores, bins=range(0, exercise.total_points + 2), color="#4c78a8",
                    edgecolor="white", align="left")
            ax.set_title(f"{assignment}\n{len(submissions)} bài nộp", fontsize=9)
            ax.set_xlabel("điểm (sau khi trừ nộp muộn)")
            ax.set_ylabel("số sinh viên")
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            passes = Counter()
            for submission in submissions:
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        if grade.max_score and grade.score == grade.max_score:
                            passes[grade.name] += 1
            names = [check.id for check in exercise.checks]
            rates = [passes[name] / max(len(submissions), 1) for name in names]
            ax = axes[(index // columns) * 2 + 1][index % columns]
            ax.barh(names, rates, color=["#bab0ac" if EXERCISES[assignment].check(n).hidden
                                         else "#59a14f" for n in names])
            ax.set_xlim(0, 1)
            ax.invert_yaxis()
            ax.tick_params(axis="y", labelsize=7)
            ax.set_xlabel("tỷ lệ bài nộp đạt (xám: bài kiểm tra ẩn)")
    for extra in range(len(assignments), rows * columns):
        axes[(extra // columns) * 2][extra % columns].axis("off")
        axes[(extra // columns) * 2 + 1][extra % columns].axis("off")
    figure.suptitle("Lớp mô phỏng: phân bố điểm và tỷ lệ đạt của từng bài kiểm tra")
    figure.tight_layout(rect=(0, 0, 1, 0.98))
    figure.savefig(target, dpi=110)
    plt.close(figure)


def run_demo(out: Path, size: int, frameworks: list[str] | None, jobs: int | None,
             timeout: float, seed: int, stream=sys.stderr) -> dict:
    rng = random.Random(seed)
    out = Path(out)
    shutil.rmtree(out, ignore_errors=True)
    root = out / "khoa-hoc"
    root.mkdir(parents=True)
    config = (REPO / "grader" / "nbgrader_config.py").read_text(encoding="utf-8")
    (root / "nbgrader_config.py").write_text(
        config + f"\n# The demo class's own exchange.\nc.Exchange.root = {str(out / 'exchange')!r}\n",
        encoding="utf-8")
    course = Course(root.resolve())
    ensure_exchange(course)
    say = lambda text: (stream.write(text + "\n"), stream.flush())  # noqa: E731
    say(f"1. Giảng viên phát hành bài tập vào thư mục trao đổi {out / 'exchange'}")
    assignments = release(course, frameworks=frameworks, stream=io.StringIO())
    exchange = Exchange(course, out / "bo-nho-dem")
    for assignment in assignments:
        exchange.release(assignment)
    students = make_class(size, rng)
    with Gradebook(course.db_url) as gradebook:
        for student in students:
            gradebook.update_or_create_student(student.id, last_name=student.last_name,
                                               first_name=student.first_name)
    say(f"2. {len(students)} sinh viên lấy bài, làm và nộp ({len(assignments)} bài tập)")
    handed, late = Counter(), []
    work = {}
    for student in students:
        for assignment in assignments:
            work[student.id, assignment] = choose_work(student, samples_for(EXERCISES[assignment]),
                                                       rng)

    def hand_in(student, assignment):
        sample = work[student.id, assignment]
        if sample is None:
            handed["không nộp"] += 1
            return
        workspace = out / "sinh-vien" / student.id
        workspace.mkdir(parents=True, exist_ok=True)
        exchange.fetch(assignment, student.id, workspace)
        notebook = workspace / assignment / f"{EXERCISES[assignment].notebook}.ipynb"
        write_solution(notebook, sample.source)
        exchange.submit(assignment, student.id, workspace)
        handed[sample.kind] += 1

    for student in students:
        if not student.late:
            for assignment in assignments:
                hand_in(student, assignment)
    deadline = datetime.datetime.now(datetime.timezone.utc)
    with Gradebook(course.db_url) as gradebook:
        for assignment in assignments:
            gradebook.update_or_create_assignment(assignment, duedate=deadline)
    for student in students:
        if student.late:
            late.append(student.id)
            for assignment in assignments:
                hand_in(student, assignment)
    say(f"   đúng {handed[CORRECT]}, sai một phần {handed[WRONG]}, gây lỗi {handed[CRASH]}, "
        f"lặp vô hạn {handed[LOOP]}, không nộp {handed['không nộp']}; nộp sau hạn: "
        f"{', '.join(late) or 'không ai'}")
    say("3. Giảng viên thu bài và chấm bằng bộ chấm (hộp cát cho từng bài nộp)")
    limits = Limits(wall_seconds=timeout, cpu_seconds=int(timeout) + 1)
    for assignment in assignments:
        exchange.collect(assignment)
        say(f"   — {assignment}")
        autograde(course, assignment, jobs=jobs, limits=limits, stream=stream)
    say("4. Giảng viên trả nhận xét qua thư mục trao đổi, xuất bảng điểm")
    for assignment in assignments:
        generate_feedback(course, assignment, stream=io.StringIO())
        exchange.release_feedback(assignment)
    grades_csv = out / "diem.csv"
    with open(grades_csv, "w", encoding="utf-8", newline="") as handle:
        export_grades(course, handle)
    chart = out / "tong-ket.png"
    draw_chart(course, assignments, chart)
    with open(grades_csv, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {"students": len(students), "assignments": assignments, "handed": dict(handed),
            "late": late, "csv": grades_csv, "chart": chart, "rows": rows}


def summary_lines(result: dict) -> list[str]:
    lines = ["", "Tổng kết lớp mô phỏng:",
             f"{'bài tập':38} {'nộp':>4} {'TB điểm':>8} {'đủ điểm':>8} {'0 điểm':>7} {'muộn':>5}"]
    for assignment in result["assignments"]:
        rows = [row for row in result["rows"] if row["assignment"] == assignment
                and row["timestamp"]]
        scores = [float(row["score"]) for row in rows]
        full = sum(1 for row in rows if float(row["score"]) == float(row["max_score"]))
        late = sum(1 for row in rows if float(row["late_submission_penalty"] or 0) > 0)
        mean = sum(scores) / len(scores) if scores else 0.0
        lines.append(f"{assignment:38} {len(rows):>4} {mean:>8.2f} {full:>8} "
                     f"{sum(1 for s in scores if s == 0):>7} {late:>5}")
    lines += ["", f"Bảng điểm: {result['csv']}", f"Biểu đồ:   {result['chart']}"]
    return lines


def main(argv=None) -> int:
    from .__main__ import VietnameseParser
    parser = VietnameseParser(prog="python -m grader.demo",
                              description="Lớp mô phỏng: khoảng 30 sinh viên đi hết vòng phát bài "
                              "→ nộp → chấm → trả nhận xét → bảng điểm, với mọi bài tập đã có.")
    parser.add_argument("--students", type=int, default=30, metavar="SỐ",
                        help="số sinh viên (mặc định 30)")
    parser.add_argument("--frameworks", metavar="DANH_SÁCH",
                        help="chỉ các framework này, ví dụ pytorch (mặc định: cả ba)")
    parser.add_argument("--jobs", type=int, metavar="N", help="số bài chấm song song")
    parser.add_argument("--timeout", type=float, default=20.0, metavar="GIÂY",
                        help="giới hạn thời gian mỗi bài nộp (mặc định 20)")
    parser.add_argument("--seed", type=int, default=2026, metavar="SỐ",
                        help="hạt giống ngẫu nhiên của lớp (mặc định 2026)")
    parser.add_argument("--out", default=str(DEFAULT_OUT), metavar="THƯ_MỤC",
                        help="thư mục của lớp mô phỏng (mặc định _build/demo-class)")
    args = parser.parse_args(argv)
    frameworks = [f.strip() for f in args.frameworks.split(",")] if args.frameworks else None
    result = run_demo(Path(args.out), args.students, frameworks, args.jobs, args.timeout, args.seed)
    print("\n".join(summary_lines(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
