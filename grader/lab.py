"""`python -m grader lab`: JupyterLab for a student, in Vietnamese.

Side: course tooling for the student's own JupyterLab (no grading happens here).

The workspace (default: workspace/ at the repository root, ignored by git and
untouched by `make clean`) holds:
- bai-tap/: assignments fetched from the exchange (JupyterLab's Assignments
  tab, or `nbgrader fetch_assignment` in a terminal of this JupyterLab);
- sach/<framework>/...: the book's per-framework notebooks.  A notebook is
  copied when absent, and updated only while the student has not changed the
  copy (its hash is the one recorded when it was copied): a student's file is
  never overwritten;
- .course-lab/: Jupyter config written at every start (the course's nbgrader
  config, Vietnamese as the default language, the instructor-only parts of
  nbgrader switched off).
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .exchange import ExchangeSetupError, ensure_exchange, jupyter_config_text
from .errors import GraderError

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WORKSPACE = REPO_ROOT / "workspace"
ASSIGNMENTS_DIR = "bai-tap"
BOOK_DIR = "sach"
CONFIG_DIR = ".course-lab"
MANIFEST = "book-notebooks.json"
LOCALE = "vi_VN"
GUIDE = "HUONG-DAN.md"
VALID_STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")

# nbgrader parts a student has no use for: formgrader, course list, assignment creation.
INSTRUCTOR_SERVER_EXTENSIONS = ("nbgrader.server_extensions.formgrader",
                                "nbgrader.server_extensions.course_list")
INSTRUCTOR_LAB_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:course-list",
                          "@jupyter/nbgrader:create-assignment")

GUIDE_TEXT = """\
# Thư mục làm việc của bạn

- `sach/`: sổ tay của sách, mỗi framework một thư mục (`mxnet/`, `pytorch/`,
  `tensorflow/`). Cứ sửa và chạy thoải mái: khi sách được cập nhật, sổ tay bạn
  đã sửa được giữ nguyên, chỉ sổ tay bạn chưa đụng tới mới được thay bản mới.
- `bai-tap/`: bài tập chấm điểm. Mở thẻ **Assignments** (trình đơn *Nbgrader* →
  *Assignment List*), bấm **Fetch** để lấy bài, làm bài trong notebook, bấm
  **Validate** để chạy các bài kiểm tra hiển thị, rồi **Submit** để nộp. Khi giảng
  viên trả nhận xét, bấm **Fetch Feedback** rồi mở trang nhận xét.

Các tệp trong thư mục này là của bạn: `make lab` không bao giờ ghi đè chúng.
"""


class LabError(GraderError):
    """JupyterLab cannot be prepared (message in Vietnamese)."""


@dataclass
class BookSync:
    copied: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    kept: list = field(default_factory=list)   # changed by the student: left alone


def _digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def sync_book_notebooks(generated, target, manifest_file):
    """Copy the notebooks under ``generated`` into ``target`` without ever
    replacing a file the student changed."""
    generated, target, manifest_file = Path(generated), Path(target), Path(manifest_file)
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    result = BookSync()
    for source in sorted(p for p in generated.rglob("*") if p.is_file()):
        relative = source.relative_to(generated).as_posix()
        destination = target / relative
        new_digest = _digest(source)
        if not os.path.lexists(destination):
            result.copied.append(relative)
        elif destination.is_symlink() or not destination.is_file():
            result.kept.append(relative)
            continue
        else:
            current = _digest(destination)
            if current == new_digest:
                manifest[relative] = new_digest
                continue
            if manifest.get(relative) != current:  # the student's own version
                result.kept.append(relative)
                continue
            result.updated.append(relative)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
        manifest[relative] = new_digest
    manifest_file.parent.mkdir(parents=True, exist_ok=True)
    manifest_file.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    return result


def generate_book_notebooks(out):
    """`python -m bookbuild notebooks --out <out>` (the book's own generator)."""
    result = subprocess.run([sys.executable, "-m", "bookbuild", "notebooks", "--out", str(out)],
                            cwd=REPO_ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise LabError("Không tạo được sổ tay của sách:\n" + (result.stdout + result.stderr)[-2000:])


def write_lab_config(course, workspace, student=None):
    """The Jupyter config dir of the student's JupyterLab (rewritten at every start)."""
    config_dir = workspace / CONFIG_DIR
    (config_dir / "labconfig").mkdir(parents=True, exist_ok=True)
    assignments = workspace / ASSIGNMENTS_DIR
    lines = ["# Assignments are fetched into the workspace's own folder.",
             "c.Exchange.assignment_dir = %r" % str(assignments)]
    if student:  # otherwise nbgrader submits under the login name
        lines.append("c.CourseDirectory.student_id = %r" % student)
    (config_dir / "nbgrader_config.py").write_text(jupyter_config_text(course, lines),
                                                   encoding="utf-8")
    (config_dir / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"jpserver_extensions": {name: False for name in INSTRUCTOR_SERVER_EXTENSIONS}}},
        indent=1), encoding="utf-8")
    (config_dir / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {name: True for name in INSTRUCTOR_LAB_PLUGINS}}, indent=1),
        encoding="utf-8")
    (config_dir / "labconfig" / "default_setting_overrides.json").write_text(json.dumps(
        {"@jupyterlab/translation-extension:plugin": {"locale": LOCALE},
         # no prompt about Jupyter news, no update check: nothing to fetch from the internet
         "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                         "checkForUpdates": False}}, indent=1),
        encoding="utf-8")
    return config_dir


def check_student_id(student):
    if student is not None and not VALID_STUDENT_ID.match(student):
        raise LabError("Mã sinh viên «%s» không hợp lệ: chỉ dùng chữ cái không dấu, chữ số và "
                       "dấu . _ - (không có dấu +, *, khoảng trắng)." % student)


def prepare_workspace(course, workspace, book=True, student=None, stream=sys.stderr):
    """Everything but starting the server; returns the Jupyter config dir."""
    check_student_id(student)
    workspace = Path(workspace).resolve()
    workspace.mkdir(parents=True, exist_ok=True)
    (workspace / ASSIGNMENTS_DIR).mkdir(exist_ok=True)
    guide = workspace / GUIDE
    if not guide.exists():
        guide.write_text(GUIDE_TEXT, encoding="utf-8")
    config_dir = write_lab_config(course, workspace, student)
    if book:
        try:
            with tempfile.TemporaryDirectory(dir=config_dir, prefix="book-") as generated:
                generate_book_notebooks(generated)
                sync = sync_book_notebooks(generated, workspace / BOOK_DIR, config_dir / MANIFEST)
        except LabError as error:  # the assignments still work without the book's notebooks
            stream.write("Cảnh báo: %s\n" % error)
        else:
            stream.write("Sổ tay của sách trong %s: %d mới, %d cập nhật, %d bạn đã sửa được "
                         "giữ nguyên.\n" % (workspace / BOOK_DIR, len(sync.copied),
                                            len(sync.updated), len(sync.kept)))
    try:
        ensure_exchange(course)
    except ExchangeSetupError as error:
        stream.write("Cảnh báo: %s Thẻ Assignments chỉ dùng được khi giảng viên đã tạo thư "
                     "mục trao đổi.\n" % error)
    return config_dir


def lab_command(workspace, port=None, open_browser=True):
    command = [sys.executable, "-m", "jupyterlab", "--ServerApp.root_dir=%s" % workspace]
    if port:
        command.append("--ServerApp.port=%d" % port)
    if not open_browser:
        command.append("--ServerApp.open_browser=False")
    if os.geteuid() == 0:  # containers often run as root; Jupyter refuses without this
        command.append("--ServerApp.allow_root=True")
    return command


def lab_environment(config_dir, base=None):
    env = dict(os.environ if base is None else base)
    extra = env.get("JUPYTER_CONFIG_PATH")
    env["JUPYTER_CONFIG_PATH"] = str(config_dir) + (os.pathsep + extra if extra else "")
    return env


def launch(course, workspace=None, port=None, open_browser=True, student=None, book=True):
    workspace = Path(workspace or DEFAULT_WORKSPACE).resolve()
    config_dir = prepare_workspace(course, workspace, book=book, student=student)
    command = lab_command(workspace, port, open_browser)
    sys.stderr.write("Mở JupyterLab trong %s\n" % workspace)
    sys.stderr.flush()
    os.execve(command[0], command, lab_environment(config_dir))
