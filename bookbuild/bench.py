"""`make bench-book`: wall-clock times of a cold build, a no-change rebuild and a
rebuild after editing one section's code, on a private copy of the book."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import paths

EDITED_SECTION = Path("book/computation/layers-blocks.md")
BENCH_CELL = "\n```{code-cell} ipython3\nprint('bench-book')\n```\n"


def timed_build(book: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        paths.jupyter_book_build(book, "--warningiserror", "--quiet"),
        cwd=book, env={**os.environ, "PYTHONPATH": str(paths.ROOT)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"Xây dựng thất bại trong lúc đo:\n{result.stderr[-4000:]}")
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-book-") as tmp:
        book = Path(tmp)
        for name in ("_config.yml", "_toc.yml"):
            shutil.copy(paths.ROOT / name, book / name)
        shutil.copytree(paths.BOOK_DIR, book / "book", ignore=shutil.ignore_patterns("*.mo"))
        print(f"Đo trên bản sao của sách ở {book} (bộ đệm trống, {os.cpu_count()} lõi CPU)", flush=True)

        cold = timed_build(book)
        print(f"Lần đầu (bộ đệm trống):        {cold:8.1f} s", flush=True)
        unchanged = timed_build(book)
        print(f"Không thay đổi gì:             {unchanged:8.1f} s   (mục tiêu ≤ 10 s)", flush=True)
        section = book / EDITED_SECTION
        section.write_text(section.read_text(encoding="utf-8") + BENCH_CELL, encoding="utf-8")
        one_section = timed_build(book)
        print(f"Sửa mã của một mục ({EDITED_SECTION.stem}): {one_section:8.1f} s   (mục tiêu ≤ 60 s)", flush=True)


if __name__ == "__main__":
    main()
