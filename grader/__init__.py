"""Hostile-code-safe, parallel, resumable autograding on top of nbgrader.

Side: trusted grader (the package; nothing here runs student code).
"""

import os
import sys

# nbgrader's Gradebook shells out to `alembic`; make the venv's tools findable
# even when the interpreter was called by path without activating the venv.
_bin = os.path.dirname(sys.executable)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")
