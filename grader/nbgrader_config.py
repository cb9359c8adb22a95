"""nbgrader configuration of the course; the grading engine reads the same file."""
import os

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

HERE = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.root = HERE
c.CourseDirectory.course_id = "dl-tinh-toan-cnn"
# Any SQLAlchemy URL works; GRADER_DB_URL overrides the default SQLite file.
c.CourseDirectory.db_url = os.environ.get(
    "GRADER_DB_URL", "sqlite:///" + os.path.join(HERE, "gradebook.db"))
c.ClearSolutions.code_stub = {"python": "# VIẾT LỜI GIẢI Ở ĐÂY\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "VIẾT CÂU TRẢ LỜI Ở ĐÂY"
# Stock `nbgrader autograde` is only used by the benchmark; same per-cell limit
# as the engine's per-submission wall time there (see grader/bench.py).
c.ExecutePreprocessor.timeout = int(os.environ.get("GRADER_CELL_TIMEOUT", "60"))
