"""Command line of the grading engine (messages in Vietnamese).

Side: trusted grader.  The only place where the engine's exceptions become
exit codes: 0 done, 1 some submissions could not be graded, 2 the instructor
must fix something first, 130 interrupted (Ctrl-C).

    python -m grader release [BÀI_TẬP ...] [--frameworks pytorch,mxnet]
    python -m grader autograde <bài tập> [--jobs N] [--force] [--timeout S] [--student MÃ_SV]
    python -m grader feedback <bài tập>
    python -m grader grades [--output tệp.csv]
    python -m grader setup | import <bài tập> <thư mục|tệp zip> | lab | formgrader
"""

import argparse
import os
import sys

from .errors import GraderError
from .paths import Course


class VietnameseHelp(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups,
                                 prefix="Cách dùng: " if prefix is None else prefix)


class VietnameseParser(argparse.ArgumentParser):
    """argparse with its usual messages in Vietnamese."""

    TRANSLATIONS = (("the following arguments are required", "thiếu tham số bắt buộc"),
                    ("unrecognized arguments", "tham số không nhận ra"),
                    ("invalid choice", "lựa chọn không hợp lệ"),
                    ("choose from", "chọn một trong"),
                    ("invalid int value", "không phải số nguyên"),
                    ("invalid float value", "không phải số"),
                    ("expected one argument", "cần một giá trị"),
                    ("argument ", "tham số "))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("add_help", False)
        kwargs.setdefault("formatter_class", VietnameseHelp)
        super().__init__(*args, **kwargs)
        self._positionals.title = "Tham số"
        self._optionals.title = "Tùy chọn"
        self.add_argument("-h", "--help", action="help", help="in hướng dẫn này rồi thoát")

    def error(self, message):
        for english, vietnamese in self.TRANSLATIONS:
            message = message.replace(english, vietnamese)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: lỗi: {message}\n")


def build_parser() -> VietnameseParser:
    parser = VietnameseParser(
        prog="python -m grader",
        description="Bộ chấm điểm tự động của khóa học: chạy mã của sinh viên trong hộp cát "
                    "(sandbox) cách ly, song song, chấm tiếp được khi bị ngắt, ghi điểm vào sổ "
                    "điểm của nbgrader. Tùy chọn lâu dài đặt trong grader/nbgrader_config.py "
                    "(mục GraderEngine).")
    parser.add_argument("--course-dir", metavar="THƯ_MỤC",
                        help="thư mục khóa học nbgrader (mặc định: grader/)")
    commands = parser.add_subparsers(dest="command", title="Lệnh", metavar="LỆNH",
                                     parser_class=VietnameseParser)

    release = commands.add_parser("release", help="sinh notebook nguồn từ định nghĩa bài tập rồi "
                                  "phát hành (nbgrader generate_assignment) vào release/")
    release.add_argument("assignments", nargs="*", metavar="BÀI_TẬP",
                         help="chỉ phát hành các bài tập này (mặc định: tất cả)")
    release.add_argument("--frameworks", metavar="DANH_SÁCH",
                         help="chỉ các framework này, cách nhau bởi dấu phẩy (ví dụ: pytorch)")

    autograde = commands.add_parser("autograde", help="chấm mọi bài nộp trong submitted/*/<bài "
                                    "tập>/; bài đã chấm được bỏ qua (chấm tiếp sau khi bị ngắt)")
    autograde.add_argument("assignment", metavar="BÀI_TẬP",
                           help="tên bài tập, ví dụ bai3-cross-correlation-pytorch")
    autograde.add_argument("--jobs", "-j", type=int, metavar="N",
                           help="số bài chấm song song (mặc định: số lõi CPU)")
    autograde.add_argument("--force", action="store_true", help="chấm lại cả những bài đã có điểm")
    autograde.add_argument("--timeout", type=float, metavar="GIÂY",
                           help="thời gian tối đa cho mỗi bài nộp (mặc định: GraderEngine.timeout)")
    autograde.add_argument("--student", action="append", metavar="MÃ_SV",
                           help="chỉ chấm sinh viên này (dùng được nhiều lần)")
    autograde.add_argument("--allow-unsafe", action="store_true",
                           help="vẫn chấm khi không cách ly được (KHÔNG an toàn)")

    feedback = commands.add_parser("feedback", help="viết trang nhận xét HTML cho từng sinh viên")
    feedback.add_argument("assignment", metavar="BÀI_TẬP", help="tên bài tập")
    grades = commands.add_parser("grades", help="xuất bảng điểm CSV (cùng cột với `nbgrader "
                                 "export`)")
    grades.add_argument("--output", "-o", metavar="TỆP", help="ghi vào tệp thay vì in ra màn hình")
    add_round_trip_commands(commands)
    return parser


# --- Round trip: exchange, LMS import, JupyterLab for students, formgrader ---
def add_round_trip_commands(commands):
    def sub(name, help_text):
        return commands.add_parser(name, help=help_text, description=help_text)

    sub("setup", "tạo thư mục trao đổi (exchange) của nbgrader và cài cấu hình để mọi lệnh "
        "nbgrader trong môi trường này dùng khóa học")
    lms = sub("import", "nhập bài nộp tải về từ LMS (thư mục hoặc tệp zip, tên tệp chứa mã "
              "sinh viên) vào submitted/<mã SV>/<bài tập>/")
    lms.add_argument("assignment", metavar="BÀI_TẬP", help="tên bài tập")
    lms.add_argument("source", metavar="NGUỒN", help="thư mục hoặc tệp .zip")
    lms.add_argument("--students", metavar="TỆP_CSV", help="danh sách sinh viên (cột id, như "
                     "`nbgrader db student import`); mặc định: sinh viên trong sổ điểm")
    lms.add_argument("--force", action="store_true", help="thay cả bài nộp đã có")
    lms.add_argument("--dry-run", action="store_true", help="chỉ báo cáo, không chép tệp nào")
    for name, what in (("lab", "mở JupyterLab (tiếng Việt) cho sinh viên: sổ tay của sách và "
                        "bài tập trong thư mục làm việc"),
                       ("formgrader", "mở formgrader của nbgrader để xem và sửa điểm")):
        child = sub(name, what)
        child.add_argument("--port", type=int, metavar="CỔNG", help="cổng (mặc định: 8888)")
        child.add_argument("--no-browser", action="store_true", help="không mở trình duyệt")
        if name == "lab":
            child.add_argument("--workspace", metavar="THƯ_MỤC",
                               help="thư mục làm việc (mặc định: workspace/ ở gốc kho mã)")
            child.add_argument("--student", metavar="MÃ_SV", help="nộp bài dưới mã sinh viên "
                               "này (mặc định: tên đăng nhập của máy)")


def run_round_trip_command(args, course):
    """Exit status of a round-trip command, or None when ``args`` is another command."""
    if args.command not in ("setup", "import", "lab", "formgrader"):
        return None
    from .lab import launch
    from .lms_import import run_import
    from .setup import launch_formgrader, setup
    if args.command == "setup":
        return setup(course)
    if args.command == "import":
        return run_import(course, args.assignment, args.source, students_csv=args.students,
                          force=args.force, dry_run=args.dry_run)
    if args.command == "lab":
        return launch(course, args.workspace, args.port, not args.no_browser, args.student)
    return launch_formgrader(course, args.port, not args.no_browser)


def run(args) -> int:
    course = Course.from_env(args.course_dir)
    status = run_round_trip_command(args, course)
    if status is not None:
        return status
    if args.command == "release":
        from .release import release
        frameworks = [f.strip() for f in args.frameworks.split(",") if f.strip()] \
            if args.frameworks else None
        release(course, args.assignments or None, frameworks)
    elif args.command == "autograde":
        from .autograde.runner import autograde
        from .config import load_engine_config
        engine = load_engine_config(course.root)
        if (args.timeout is not None and args.timeout <= 0) or (args.jobs is not None
                                                                 and args.jobs < 1):
            raise GraderError("--timeout và --jobs phải là số dương.")
        autograde(course, args.assignment, jobs=args.jobs or engine.jobs or None,
                  force=args.force, limits=engine.limits(args.timeout),
                  allow_unsafe=args.allow_unsafe or engine.allow_unsafe,
                  allow_no_memory_limit=engine.allow_no_memory_limit, students=args.student)
        return 0
    elif args.command == "feedback":
        from .feedback import generate_feedback
        generate_feedback(course, args.assignment)
    elif args.command == "grades":
        from .grades import export_grades
        if args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                rows = export_grades(course, out)
            print(f"Đã ghi {rows} dòng vào {args.output}.", file=sys.stderr)
        else:
            export_grades(course)
    else:
        build_parser().print_help()
        return 2
    return 0


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except GraderError as error:
        print(error.message, file=sys.stderr, flush=True)
        if error.exit_code == 130:
            # Worker threads still drive sandboxes: leave at once; the sandboxes
            # die with their parent threads (PR_SET_PDEATHSIG).
            sys.stdout.flush()
            os._exit(130)
        return error.exit_code


if __name__ == "__main__":
    sys.exit(main())
