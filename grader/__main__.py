"""Command line of the grading engine (messages in Vietnamese).

    python -m grader release
    python -m grader autograde <bài tập> [--jobs N] [--force] [--timeout S] [--allow-unsafe]
    python -m grader feedback <bài tập>
    python -m grader grades [--output tệp.csv]
"""

import argparse
import sys

from .paths import Course


class VietnameseHelp(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups,
                                 prefix="Cách dùng: " if prefix is None else prefix)


class VietnameseParser(argparse.ArgumentParser):
    """argparse with its usual error messages in Vietnamese."""

    TRANSLATIONS = (("the following arguments are required", "thiếu tham số bắt buộc"),
                    ("unrecognized arguments", "tham số không nhận ra"),
                    ("invalid choice", "lựa chọn không hợp lệ"),
                    ("choose from", "chọn một trong"),
                    ("invalid int value", "không phải số nguyên"),
                    ("invalid float value", "không phải số"),
                    ("expected one argument", "cần một giá trị"),
                    ("argument ", "tham số "))

    def error(self, message):
        for english, vietnamese in self.TRANSLATIONS:
            message = message.replace(english, vietnamese)
        self.print_usage(sys.stderr)
        self.exit(2, "%s: lỗi: %s\n" % (self.prog, message))


def _parser(prog, description, **kwargs):
    parser = VietnameseParser(prog=prog, description=description, add_help=False,
                                     formatter_class=VietnameseHelp, **kwargs)
    parser._positionals.title = "Tham số"
    parser._optionals.title = "Tùy chọn"
    parser.add_argument("-h", "--help", action="help", help="in hướng dẫn này rồi thoát")
    return parser


def build_parser():
    parser = _parser("python -m grader", "Bộ chấm điểm tự động của khóa học: chạy mã của sinh "
                     "viên trong hộp cát (sandbox) cách ly, song song, chấm tiếp được khi bị "
                     "ngắt, ghi điểm vào sổ điểm của nbgrader.")
    parser.add_argument("--course-dir", metavar="THƯ_MỤC", help="thư mục khóa học nbgrader (mặc định: grader/)")
    commands = parser.add_subparsers(dest="command", title="Lệnh", metavar="LỆNH")

    def sub(name, help_text):
        child = commands.add_parser(name, help=help_text, description=help_text, add_help=False,
                                    formatter_class=VietnameseHelp)
        child._positionals.title = "Tham số"
        child._optionals.title = "Tùy chọn"
        child.add_argument("-h", "--help", action="help", help="in hướng dẫn này rồi thoát")
        return child

    release = sub("release", "Sinh notebook nguồn từ định nghĩa bài kiểm tra rồi phát hành "
                  "(nbgrader generate_assignment) vào release/.")
    release.add_argument("assignments", nargs="*", metavar="BÀI_TẬP",
                         help="chỉ phát hành các bài tập này (mặc định: tất cả)")
    autograde = sub("autograde", "Chấm mọi bài nộp trong submitted/*/<bài tập>/; bài đã chấm "
                    "được bỏ qua (chấm tiếp sau khi bị ngắt).")
    autograde.add_argument("assignment", metavar="BÀI_TẬP", help="tên bài tập, ví dụ "
                           "bai3-cross-correlation-pytorch")
    autograde.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                           help="số bài chấm song song (mặc định: số lõi CPU)")
    autograde.add_argument("--force", action="store_true",
                           help="chấm lại cả những bài đã có điểm")
    autograde.add_argument("--timeout", type=float, default=60.0, metavar="GIÂY",
                           help="thời gian tối đa cho mỗi bài nộp (mặc định: 60)")
    autograde.add_argument("--student", action="append", metavar="MÃ_SV",
                           help="chỉ chấm sinh viên này (dùng được nhiều lần)")
    autograde.add_argument("--allow-unsafe", action="store_true",
                           help="vẫn chấm khi không cách ly được (KHÔNG an toàn: mã của sinh "
                           "viên chạy với quyền của bạn)")
    feedback = sub("feedback", "Viết trang nhận xét HTML cho từng sinh viên vào feedback/.")
    feedback.add_argument("assignment", metavar="BÀI_TẬP", help="tên bài tập")
    grades = sub("grades", "Xuất bảng điểm dạng CSV (cùng cột với `nbgrader export`).")
    grades.add_argument("--output", "-o", metavar="TỆP", help="ghi vào tệp thay vì in ra màn hình")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    course = Course.from_env(args.course_dir)
    if args.command == "release":
        from .release import release
        release(course, args.assignments or None)
    elif args.command == "autograde":
        from .autograde.runner import autograde
        from .sandbox import Limits
        if args.timeout <= 0 or (args.jobs is not None and args.jobs < 1):
            sys.exit("--timeout và --jobs phải là số dương.")
        limits = Limits(wall_seconds=args.timeout, cpu_seconds=int(args.timeout) + 1)
        outcomes = autograde(course, args.assignment, jobs=args.jobs, force=args.force,
                             allow_unsafe=args.allow_unsafe, limits=limits,
                             students=args.student)
        return 0 if outcomes is not None else 1
    elif args.command == "feedback":
        from .feedback import generate_feedback
        generate_feedback(course, args.assignment)
    elif args.command == "grades":
        from .grades import export_grades
        if args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                rows = export_grades(course, out)
            print("Đã ghi %d dòng vào %s." % (rows, args.output), file=sys.stderr)
        else:
            export_grades(course)
    else:
        build_parser().print_help()
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
