"""Layout of the nbgrader course directory (grader/ by default).

Side: trusted grader.
"""

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_COURSE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Course:
    root: Path

    @classmethod
    def from_env(cls, root=None):
        return cls(Path(root or os.environ.get("GRADER_COURSE_DIR") or DEFAULT_COURSE_DIR).resolve())

    @property
    def db_url(self):
        """The gradebook URL from the course's nbgrader_config.py (as nbgrader reads it)."""
        config_file = self.root / "nbgrader_config.py"
        if config_file.is_file():
            from traitlets.config.loader import PyFileConfigLoader
            config = PyFileConfigLoader(config_file.name, path=str(self.root)).load_config()
            url = config.get("CourseDirectory", {}).get("db_url")
            if url:
                return url
        return os.environ.get("GRADER_DB_URL") or "sqlite:///" + str(self.root / "gradebook.db")

    def source(self, assignment, notebook=None):
        path = self.root / "source" / assignment
        return path / (notebook + ".ipynb") if notebook else path

    def release(self, assignment, notebook=None):
        path = self.root / "release" / assignment
        return path / (notebook + ".ipynb") if notebook else path

    def submitted(self, student=None, assignment=None):
        path = self.root / "submitted"
        if student:
            path = path / student
            if assignment:
                path = path / assignment
        return path

    def autograded(self, student, assignment, notebook=None):
        path = self.root / "autograded" / student / assignment
        return path / (notebook + ".ipynb") if notebook else path

    def feedback(self, student, assignment, notebook=None):
        path = self.root / "feedback" / student / assignment
        return path / (notebook + ".html") if notebook else path

    @property
    def work(self):
        return self.root / ".work"
