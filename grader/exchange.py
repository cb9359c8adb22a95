"""The nbgrader exchange of the course, and the Jupyter config that points
every nbgrader command of an environment at the course.

Side: trusted grader (course tooling; runs no student code).

The exchange is the folder that `nbgrader release_assignment`, `fetch_assignment`,
`submit`, `collect`, `release_feedback` and `fetch_feedback` (and JupyterLab's
Assignments tab) go through.  Its modes are nbgrader's own (see
nbgrader/exchange/default/*.py): the root writable by everyone (with the sticky
bit, so nobody removes what another account put there), the course folder and
outbound/ 0755, inbound/ 2733 (students drop submissions, cannot list them),
feedback/ 0711 (students open their page by its hashed name, cannot list).
"""

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .course_config import load_course_config
from .errors import GraderError

NBGRADER_DEFAULT_EXCHANGE = "/usr/local/share/nbgrader/exchange"
ROOT_MODE = 0o1777
COURSE_MODES = {"": 0o755, "outbound": 0o755, "inbound": 0o2733, "feedback": 0o711}
CONFIG_MARKER = "# Written by `python -m grader setup`"


class ExchangeSetupError(GraderError):
    """The exchange cannot be prepared (message in Vietnamese)."""


@dataclass(frozen=True)
class ExchangeSettings:
    root: Path
    course_id: str
    groupshared: bool

    @classmethod
    def for_course(cls, course):
        config = load_course_config(course.root)
        root = config.get("Exchange", {}).get("root", NBGRADER_DEFAULT_EXCHANGE)
        course_id = config.get("CourseDirectory", {}).get("course_id", "")
        if not course_id:
            raise ExchangeSetupError("nbgrader_config.py của khóa học chưa đặt "
                                     "CourseDirectory.course_id.")
        return cls(Path(root), course_id,
                   bool(config.get("CourseDirectory", {}).get("groupshared", False)))


def _make_dir(path, mode):
    if path.is_symlink():
        raise ExchangeSetupError("%s là liên kết tượng trưng; thư mục trao đổi phải là thư "
                                 "mục thật." % path)
    if not path.is_dir():
        path.mkdir()
        path.chmod(mode)  # mkdir's mode is cut by the umask
    elif path.stat().st_uid != os.geteuid():
        raise ExchangeSetupError("%s đã có nhưng thuộc về người dùng khác; xóa hoặc đổi tên "
                                 "thư mục đó rồi chạy lại." % path)
    elif stat.S_IMODE(path.stat().st_mode) != mode:
        path.chmod(mode)


def ensure_exchange(course):
    """Create the exchange root and the course's folders in it (idempotent)."""
    settings = ExchangeSettings.for_course(course)
    root = settings.root
    try:
        if not root.is_dir():
            root.parent.mkdir(parents=True, exist_ok=True)
            root.mkdir()
            root.chmod(ROOT_MODE)
        elif not os.access(root, os.W_OK | os.X_OK):
            raise ExchangeSetupError("Không ghi được vào thư mục trao đổi %s; người quản trị "
                                     "cần đặt quyền 1777 (chmod 1777 %s)." % (root, root))
        elif root.stat().st_uid == os.geteuid() and stat.S_IMODE(root.stat().st_mode) & 0o777 != 0o777:
            root.chmod(ROOT_MODE)
        if not settings.groupshared:  # group-shared courses: nbgrader creates its own modes
            course_dir = root / settings.course_id
            for name, mode in COURSE_MODES.items():
                _make_dir(course_dir / name if name else course_dir, mode)
    except PermissionError as error:
        raise ExchangeSetupError("Không tạo được thư mục trao đổi %s: %s" % (root, error)) from error
    return root


def jupyter_config_text(course, extra_lines=()):
    """An nbgrader_config.py that loads the course's config (for a Jupyter config dir)."""
    course_config = course.root / "nbgrader_config.py"
    lines = [CONFIG_MARKER + ": nbgrader in this environment uses the",
             "# course below. Delete this file to undo.",
             "load_subconfig(%r)  # noqa: F821 (provided by traitlets)" % str(course_config),
             *extra_lines]
    return "\n".join(lines) + "\n"


def install_jupyter_config(course, config_dir):
    """Write <config_dir>/nbgrader_config.py; never replace one written by someone else."""
    target = Path(config_dir) / "nbgrader_config.py"
    if target.exists() and CONFIG_MARKER not in target.read_text(encoding="utf-8", errors="replace"):
        raise ExchangeSetupError("%s đã có và không do lệnh này tạo ra; hãy tự thêm vào đó dòng: "
                                 "load_subconfig(%r)" % (target, str(course.root / "nbgrader_config.py")))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(jupyter_config_text(course), encoding="utf-8")
    return target
