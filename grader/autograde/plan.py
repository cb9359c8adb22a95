"""What a sandbox is asked to do: the bundle of code it runs, the program, the probes.

Side: trusted grader.  Reference values never enter the sandbox: a plan holds
the notebook's code cells (locked cells from the instructor's copy, solution
cells from the submission) and the probes' inputs, sent to the observer on
its stdin.  The observer passes the student process one probe at a time.
"""

import shutil
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import wire
from ..errors import GraderError
from ..exercises.spec import ON_CPU, ON_EVERY_DEVICE_OR_STAND_IN, SUBMISSION, Check, Exercise
from ..frameworks import facts

GRADER_DIR = Path(__file__).resolve().parent.parent
BUNDLE_SOURCES = {
    "launcher.py": GRADER_DIR / "sandbox" / "launcher.py",
    "observer.py": GRADER_DIR / "sandbox" / "observer.py",
    "wire.py": GRADER_DIR / "wire.py",
    "runner.py": GRADER_DIR / "student" / "runner.py",
    "guard.py": GRADER_DIR / "student" / "guard.py",
    "session.py": GRADER_DIR / "student" / "session.py",
}
HELPER_CELL_ID = "check_helpers"


@dataclass(frozen=True)
class Census:
    """Devices a framework sees inside the sandbox, found with no student code running."""
    framework: str
    version: str
    devices: tuple[str, ...]
    stand_in: str | None

    @property
    def accelerators(self) -> tuple[str, ...]:
        return tuple(device for device in self.devices if device != facts(self.framework).cpu)


@dataclass(frozen=True)
class Probe:
    id: str
    check_id: str
    case_index: int
    device: str
    operation: str
    params: dict
    arrays: dict


def write_bundle(directory: Path, framework: str, probes: str) -> Path:
    """The grader code one sandbox runs, read-only: launcher, observer, student runner,
    the framework's adapter and the exercise's probe operations."""
    directory = Path(directory)
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    sources = dict(BUNDLE_SOURCES)
    sources["adapter.py"] = facts(framework).adapter_path
    sources["probes.py"] = GRADER_DIR / "student" / "probes" / f"{probes}.py"
    for name, source in sources.items():
        shutil.copyfile(source, directory / name)
        (directory / name).chmod(0o444)
    directory.chmod(0o755)
    return directory


def devices_for(check: Check, census: Census) -> list[str]:
    if check.devices == ON_CPU:
        return [facts(census.framework).cpu]
    devices = list(census.devices)
    if check.devices == ON_EVERY_DEVICE_OR_STAND_IN and not census.accelerators and census.stand_in:
        devices.append(census.stand_in)
    return devices


def probe_id(check: Check, case_index: int, device: str) -> str:
    return f"{check.id}/{case_index}@{device}"


def probes(exercise: Exercise, census: Census) -> list[Probe]:
    planned = []
    for check in exercise.checks:
        if check.operation == SUBMISSION:
            continue
        for index, case in enumerate(check.cases):
            for device in devices_for(check, census):
                identifier = probe_id(check, index, device)
                params = dict(case.params, entry=exercise.entry, device=device,
                              reveal=not check.hidden, seed=zlib.crc32(identifier.encode()))
                planned.append(Probe(identifier, check.id, index, device, check.operation, params,
                                     dict(case.arrays)))
    return planned


def encode_plan(cells: list[str], planned: list[Probe]) -> bytes:
    arrays = {f"{probe.id}/{name}": np.asarray(value) for probe in planned
              for name, value in probe.arrays.items()}
    header = {"type": "plan", "cells": cells,
              "probes": [{"id": probe.id, "op": probe.operation, "params": probe.params,
                          "arrays": sorted(probe.arrays)} for probe in planned]}
    return wire.encode(header, arrays)


class CensusFailed(GraderError):
    """The framework could not start inside the sandbox with no student code at all."""


def census_from(run, framework: str) -> Census:
    """The census a sandbox reported (see ``census_plan``), or CensusFailed."""
    for header, _ in run.messages:
        obs = header.get("obs") if header.get("type") == "answer" else None
        if isinstance(obs, dict) and isinstance(obs.get("devices"), list):
            devices = tuple(str(d)[:40] for d in obs["devices"][:16] if isinstance(d, str))
            stand_in = obs.get("stand_in") if isinstance(obs.get("stand_in"), str) else None
            return Census(framework, str(obs.get("version", "?"))[:40], devices, stand_in)
    raise CensusFailed(
        f"Không khởi động được {framework} trong hộp cát (chưa chạy mã nào của sinh viên), nên "
        f"không chấm được. Thông báo lỗi:\n{(run.stderr_tail or run.stdout_tail)[-2000:]}")


def census_plan() -> bytes:
    return wire.encode({"type": "plan", "cells": [],
                        "probes": [{"id": "census", "op": "census", "params": {}, "arrays": []}]})


def program_cells(release_notebook: Path, solutions: dict[str, str]) -> tuple[list[str], list[int]]:
    """Code cells to run, in order: the instructor's locked cells, the student's
    solution cells in their places; no test cells.  Also the solution cells' indices."""
    import nbformat  # not needed where plans are built from cells directly (GPU check)

    nb = nbformat.read(str(release_notebook), as_version=4)
    cells, solution_indices = [], []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if cell.cell_type != "code" or meta.get("grade") or grade_id == HELPER_CELL_ID:
            continue
        if meta.get("solution"):
            solution_indices.append(len(cells))
            cells.append(solutions.get(grade_id, ""))
        else:
            cells.append(cell.source)
    return cells, solution_indices
