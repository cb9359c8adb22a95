"""nbgrader configuration of the course; the grading engine reads the same file.

Side: configuration, read by nbgrader and by the trusted grader.
"""
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

# --- Round trip: exchange, deadlines, late penalties -------------------------
# The exchange nbgrader release/fetch/submit/collect/feedback go through: a
# folder of the course (ignored by git) unless GRADER_EXCHANGE_DIR names a
# shared one, e.g. /srv/nbgrader/exchange on a server with one account per
# student.  `python -m grader setup` creates it with the modes nbgrader needs.
c.Exchange.root = os.environ.get("GRADER_EXCHANGE_DIR", os.path.join(HERE, "exchange"))
# Late submissions (submission timestamp after the due date in the gradebook,
# plus any extension): nbgrader's plugin, honoured by the grading engine.
# 'zero' scores a late submission 0; 'none' only records how late it was.
# A course may name its own subclass of LateSubmissionPlugin here instead.
c.AssignLatePenalties.plugin_class = "nbgrader.plugins.LateSubmissionPlugin"
c.LateSubmissionPlugin.penalty_method = "zero"
# --- end of the round-trip block ---------------------------------------------

# --- The grading engine (python -m grader autograde): limits per submission ---
# Each submission runs in its own sandbox; these bound it as a whole (see
# grader/config.py for every option, and the instructor page).
c.GraderEngine.timeout = 60.0        # seconds of wall time, framework start-up included
c.GraderEngine.memory_mb = 3072      # all processes of the sandbox together (cgroup)
c.GraderEngine.processes = 64        # processes and threads of the sandbox
c.GraderEngine.cpus = 1.0            # CPU cores per sandbox
c.GraderEngine.jobs = 0              # submissions graded at once (0: one per CPU core)
c.GraderEngine.allow_no_memory_limit = False  # True: grade even without a cgroup (less safe)
c.GraderEngine.allow_unsafe = False  # True: grade even without bubblewrap (NOT safe)
