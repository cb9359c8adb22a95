"""What the sandbox is asked to run: the program and the probes (inputs only).

Reference values never enter the sandbox: it receives inputs, returns outputs.
"""

import json
import os
import shutil
from pathlib import Path

import nbformat

from .. import harness
from ..sandbox import Limits


def instructor_program(release_notebook, solutions, solution_ids):
    """Locked code cells from the instructor's copy with the student's solutions in place."""
    nb = nbformat.read(str(release_notebook), as_version=4)
    parts = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if cell.cell_type != "code" or meta.get("grade") or grade_id == "check_helpers":
            continue
        if grade_id in solution_ids:
            parts.append(solutions.get(grade_id, ""))
        else:
            parts.append(cell.source)
    return "\n\n".join(parts) + "\n"


def _tensor_spec(array):
    return {"dtype": str(array.dtype), "data": array.astype(float).tolist()}


def probes(exercise):
    plan = []
    for check in exercise.checks:
        if check.probe == "static":
            continue
        for index, case in enumerate(check.cases):
            plan.append({"id": "%s/%d" % (check.id, index), "kind": check.probe,
                         "all_devices": check.all_devices,
                         "inputs": {name: _tensor_spec(a) for name, a in case.inputs.items()}})
    return plan


def write_workdir(workdir, exercise, program, limits: Limits):
    """Fresh directory holding only this submission's code, the harness and the plan."""
    workdir = Path(workdir)
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    (workdir / "program.py").write_text(program, encoding="utf-8")
    shutil.copyfile(harness.__file__, workdir / "harness.py")
    plan = {"function": exercise.function, "probes": probes(exercise),
            "limits": {"nproc": limits.nproc}}
    (workdir / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    # Readable by the unprivileged sandbox uid, writable by nobody inside.
    os.chmod(workdir, 0o755)
    for child in workdir.iterdir():
        os.chmod(child, 0o444)
    return workdir


HARNESS_COMMAND = ["python", "-I", "-B", "harness.py", "plan.json", "program.py", "{RESULT_FD}"]
