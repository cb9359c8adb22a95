"""Command line of the book build: `python -m bookbuild build|check|notebooks`."""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from . import paths
from .frameworks import FRAMEWORK_KEYS
from .notebook import needs_execution, split
from .readers import notebook_path, reader_notebook
from .sections import SectionBuildError, SectionRunner, parse_section
from .settings import SettingsError, load_settings


def build(args) -> int:
    """Build the HTML site with Jupyter Book; warnings are errors."""
    command = paths.jupyter_book_build(
        paths.ROOT, "--warningiserror", "--keep-going", "--path-output", str(paths.ROOT))
    if args.all:
        command.append("--all")
    result = subprocess.run(command, cwd=paths.ROOT)
    if result.returncode != 0:
        print("\nXây dựng sách thất bại: xem thông báo lỗi ở trên.", file=sys.stderr)
        return result.returncode
    print(f"\nSách đã sẵn sàng. Mở trang này trong trình duyệt:\n  {paths.HTML_DIR / 'index.html'}")
    return 0


def check(args) -> int:
    """Execute sections exactly as the build does, without building the site."""
    runner = SectionRunner(paths.CACHE_DIR, jobs=args.jobs)
    status = 0
    for source in args.sections:
        path = Path(source).resolve()
        section = _section_name(path)
        nb = parse_section(path.read_text(encoding="utf-8"), str(path))
        jobs = runner.pending(section, nb)
        cached = len(FRAMEWORK_KEYS) - len(jobs) if needs_execution(nb) else 0
        print(f"{section}: chạy {len(jobs)} framework, lấy {cached} từ bộ đệm", flush=True)
        try:
            runner.run(jobs)
        except SectionBuildError as error:
            print(error, file=sys.stderr, flush=True)
            status = 1
    print("Kết quả: mọi ô mã đều chạy được." if status == 0 else "Kết quả: có ô mã gây lỗi.")
    return status


def notebooks(args) -> int:
    """Per-framework notebooks of every section for JupyterLab or publishing (not executed).

    Same layout and same plain Jupyter Markdown as the site's downloads:
    ``<out>/<framework>/<chapter>/<section>.ipynb``.
    """
    import nbformat

    try:
        settings = load_settings(paths.ROOT)
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    count = 0
    for path in sorted(paths.BOOK_DIR.rglob("*.md")):
        if path.name == "README.md" or any(p.startswith("_") for p in path.relative_to(paths.BOOK_DIR).parts):
            continue  # the authors' guide, and the site's own folders (_static, _templates...)
        nb = parse_section(path.read_text(encoding="utf-8"), str(path))
        if not needs_execution(nb):
            continue
        for framework, fnb in split(nb).items():
            target = Path(args.out) / notebook_path(paths.BOOK_DIR, path, framework)
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(reader_notebook(fnb, framework, path, paths.BOOK_DIR, settings.site_url), target)
            count += 1
    print(f"Đã tạo {count} sổ tay trong {args.out}")
    return 0


def _section_name(path: Path) -> str:
    try:
        return path.relative_to(paths.ROOT).as_posix()
    except ValueError:
        return path.as_posix()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bookbuild", description="Xây dựng sách của khóa học.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_build = sub.add_parser("build", help="xây dựng trang HTML của sách (chạy mã khi cần)")
    p_build.add_argument("--all", action="store_true", help="đọc lại mọi trang (bộ đệm kết quả chạy vẫn được dùng)")
    p_build.set_defaults(func=build)
    p_check = sub.add_parser("check", help="chạy các ô mã của một hay nhiều mục, theo từng framework")
    p_check.add_argument("sections", nargs="+", help="tệp .md của mục, ví dụ book/cnn/pooling.md")
    p_check.add_argument("--jobs", type=int, default=None, help="số kernel chạy song song")
    p_check.set_defaults(func=check)
    p_nb = sub.add_parser("notebooks", help="tạo sổ tay theo từng framework cho JupyterLab")
    p_nb.add_argument("--out", default=str(paths.LAB_DIR), help="thư mục đích (mặc định: _build/notebooks)")
    p_nb.set_defaults(func=notebooks)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
