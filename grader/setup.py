"""`python -m grader setup` and `python -m grader formgrader`.

Side: trusted grader (course tooling).
"""

import os
import sys
from pathlib import Path

from .exchange import ensure_exchange, install_jupyter_config, jupyter_config_text
from .lab import lab_command, lab_environment


def environment_config_dir():
    """The Jupyter config dir of this Python environment ({sys.prefix}/etc/jupyter),
    read by every Jupyter and nbgrader command run with it."""
    return Path(sys.prefix) / "etc" / "jupyter"


def setup(course, config_dir=None, stream=sys.stderr):
    root = ensure_exchange(course)
    target = install_jupyter_config(course, config_dir or environment_config_dir())
    stream.write("Thư mục trao đổi: %s\nCấu hình nbgrader của môi trường: %s (dùng %s)\n"
                 % (root, target, course.root / "nbgrader_config.py"))
    return 0


def formgrader_config_dir(course):
    """Config dir of the formgrader server (rewritten at every start)."""
    config_dir = course.work / "formgrader-config"
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "nbgrader_config.py").write_text(jupyter_config_text(course), encoding="utf-8")
    return config_dir


def launch_formgrader(course, port=None, open_browser=True):
    """JupyterLab rooted at the folder above the course, since formgrader only
    works when the course directory lies inside the server's root."""
    ensure_exchange(course)
    command = lab_command(course.root.parent, port, open_browser)
    command.append("--LabApp.default_url=/formgrader")
    sys.stderr.write("Mở formgrader cho khóa học %s\n" % course.root)
    sys.stderr.flush()
    os.execve(command[0], command, lab_environment(formgrader_config_dir(course)))
