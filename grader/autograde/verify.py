"""Trusted verdicts: the observer's untrusted reports in, points out.

Side: trusted grader.  Runs only in the grader's process, which never runs
student code.  Every report is cleaned (types, sizes, depth) before a judge
sees it; expected values come from the exercise definition, never from the
sandbox.  A probe answered after the student's process was caught touching
the grader's internals counts for nothing, and the submission is flagged.
"""

from dataclasses import dataclass, field

import numpy as np

from ..exercises.judges import describe_error
from ..exercises.spec import SUBMISSION, Exercise
from ..sandbox.host import Limits, SandboxRun
from .plan import Census, Probe, devices_for, probe_id

MAX_DEPTH, MAX_ITEMS, MAX_TEXT = 5, 1000, 400


@dataclass
class CheckResult:
    id: str
    title: str
    max_points: int
    hidden: bool
    passed: bool
    messages: list = field(default_factory=list)

    @property
    def points(self) -> int:
        return self.max_points if self.passed else 0


@dataclass
class Outcome:
    student: str
    assignment: str
    status: str                      # "graded" | "failed"
    reason: str = ""                 # Vietnamese, for the instructor and the student
    checks: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    flags: list = field(default_factory=list)   # tampering evidence, for the instructor
    wall_seconds: float = 0.0
    timestamp: str | None = None
    timings: dict = field(default_factory=dict)  # benchmark figures (seconds)

    @property
    def score(self) -> float:
        return sum(c.points for c in self.checks)

    @property
    def max_score(self) -> float:
        return sum(c.max_points for c in self.checks)


def clean(value, depth=0):
    """Plain JSON data only, bounded in depth, length and size."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**53 else None
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if isinstance(value, str):
        return value[:MAX_TEXT]
    if depth >= MAX_DEPTH:
        return None
    if isinstance(value, list):
        return [clean(item, depth + 1) for item in value[:MAX_ITEMS]]
    if isinstance(value, dict):
        return {str(key)[:60]: clean(item, depth + 1) for key, item in list(value.items())[:MAX_ITEMS]}
    return None


def clean_arrays(arrays: dict) -> dict:
    kept = {}
    for name, array in arrays.items():
        if isinstance(array, np.ndarray) and array.dtype.kind in "fiub" and not name.startswith("_"):
            kept[str(name)[:60]] = array
    return kept


@dataclass
class Reports:
    """The observer's messages, sorted out."""
    cells: list = field(default_factory=list)
    observations: dict = field(default_factory=dict)   # probe id -> observation
    tainted_from: int | None = None                    # index of the first probe after tampering
    flags: list = field(default_factory=list)
    end: str = ""                                      # "done", "student_exit", "malformed", ...
    end_detail: str = ""
    answered: int = 0
    student_seconds: float = 0.0   # as the student process measured it (benchmark only)


def sort_reports(run: SandboxRun | None, planned: list[Probe]) -> Reports:
    reports = Reports()
    if run is None:
        return reports
    order = {probe.id: index for index, probe in enumerate(planned)}
    for header, arrays in run.messages:
        kind = header.get("type")
        flags = [str(flag)[:200] for flag in header.get("flags") or () if isinstance(flag, str)]
        seconds = header.get("student_seconds") if kind == "loaded" else (
            (header.get("obs") or {}).get("student_seconds") if isinstance(header.get("obs"), dict)
            else None)
        if isinstance(seconds, float) and 0 <= seconds < 1e6:
            reports.student_seconds += seconds
        if kind == "loaded":
            reports.cells = clean(header.get("cells")) or []
            if flags:
                reports.tainted_from = 0
        elif kind == "answer" and header.get("probe") in order:
            index = order[header["probe"]]
            obs = clean(header.get("obs"))
            obs = obs if isinstance(obs, dict) else {"error": {"type": "?", "module": "?"}}
            obs.update(clean_arrays(arrays))
            if obs.get("kind") == "tampered" and obs.get("tamper"):
                flags.append(str(obs["tamper"]))
            reports.observations[header["probe"]] = obs
            reports.answered += 1
            if flags and reports.tainted_from is None:
                reports.tainted_from = index
        elif isinstance(kind, str):
            reports.end, reports.end_detail = kind[:40], str(header.get("detail", ""))[:200]
        reports.flags += [flag for flag in flags if flag not in reports.flags]
    return reports


def run_failure(run: SandboxRun | None, reports: Reports, limits: Limits,
                solution_indices: list[int]) -> str:
    """Why the run did not get through every probe, in Vietnamese, or ''."""
    if run is None:
        return ""
    for index, cell in enumerate(reports.cells):
        if isinstance(cell, dict) and not cell.get("ok"):
            error = describe_error(cell.get("error"), reveal=True)
            if index in solution_indices:
                return "Ô lời giải gây lỗi khi chạy: " + error
            return ("Ô bị khóa của notebook gây lỗi (môi trường chấm có vấn đề, giảng viên cần "
                    "xem lại): " + error)
    if reports.end == "done":
        return ""
    if run.timed_out:
        return (f"Hết thời gian: lời giải chạy quá {limits.wall_seconds:g} giây (có thể do vòng "
                "lặp vô hạn).")
    if run.output_exceeded:
        return f"Lời giải in ra quá nhiều (vượt {limits.output_bytes // 1024**2} MB) nên bị dừng."
    if run.memory_exceeded:
        return (f"Lời giải dùng quá nhiều bộ nhớ (giới hạn {limits.memory_bytes / 1024**3:g} GB "
                "cho cả hộp cát) nên bị dừng.")
    if reports.end == "malformed":
        return "Lời giải làm hỏng kênh trả lời của bộ chấm nên lần chạy bị dừng."
    if reports.end == "student_exit":
        status = reports.end_detail
        detail = f"thoát với mã {status}"
        if status.lstrip("-").isdigit() and int(status) < 0:
            signal_number = -int(status)
            detail = f"bị tín hiệu {signal_number} dừng" + {
                24: " (vượt giới hạn thời gian CPU)",
                9: " (có thể do dùng quá nhiều bộ nhớ hoặc bị buộc dừng)"}.get(signal_number, "")
        return f"Tiến trình chạy lời giải kết thúc giữa chừng ({detail})."
    return "Lần chạy kết thúc bất thường trước khi chạy hết các bài kiểm tra."


def collapse(messages: list[str]) -> list[str]:
    """The same explanation for several cases appears once, with the cases it concerns."""
    grouped: dict[str, list[str]] = {}
    for message in messages:
        label, body = "", message
        if message.startswith("[") and "] " in message:
            label, body = message[1:].split("] ", 1)
        grouped.setdefault(body, []).append(label)
    result = []
    for body, labels in grouped.items():
        labels = [label for label in labels if label]
        if len(labels) <= 1:
            result.append((f"[{labels[0]}] " if labels else "") + body)
        else:
            shown = "; ".join(labels[:6]) + ("; ..." if len(labels) > 6 else "")
            result.append(f"{body} (gặp ở {len(labels)} trường hợp: {shown})")
    return result


@dataclass
class Verdict:
    checks: list            # CheckResult per check of the exercise, in order
    failure: str            # why the run stopped early (Vietnamese), or ''
    flags: list             # tampering evidence
    student_seconds: float  # time in the student's code, as the sandbox measured it


def verify(exercise: Exercise, census: Census, planned: list[Probe], run: SandboxRun | None,
           source: str, limits: Limits, solution_indices=()) -> Verdict:
    """Judge every check of ``exercise`` from the sandbox's reports (``run`` None: nothing ran)."""
    reports = sort_reports(run, planned)
    failure = run_failure(run, reports, limits, list(solution_indices))
    index_of = {probe.id: index for index, probe in enumerate(planned)}
    policy = sorted({str(entry)[:80] for obs in reports.observations.values()
                     for entry in (obs.get("policy") or ()) if isinstance(entry, str)})
    results: dict[str, CheckResult] = {}
    for check in exercise.checks:
        passed, messages = True, []
        if check.operation == SUBMISSION:
            if run is None:
                passed, messages = False, ["Không có lời giải để kiểm tra."]
            else:
                ok, message = check.judge({"source": source, "policy": policy}, {}, "", "", True)
                passed, messages = ok, [message]
        else:
            devices = devices_for(check, census)
            for case_index, case in enumerate(check.cases):
                for device in devices:
                    identifier = probe_id(check, case_index, device)
                    label = case.label if device == devices[0] else f"{case.label}, {device}"
                    obs = reports.observations.get(identifier)
                    if obs is None:
                        passed = False
                        messages.append(f"[{label}] Không có kết quả. "
                                        + (failure or "Bài kiểm tra không chạy tới được."))
                        continue
                    tainted = (reports.tainted_from is not None
                               and index_of.get(identifier, 0) >= reports.tainted_from)
                    if tainted:
                        passed = False
                        messages.append(f"[{label}] Kết quả bị loại vì lời giải can thiệp vào "
                                        "bộ chấm (xem ghi chú của giảng viên).")
                        continue
                    ok, message = check.judge(obs, case.expected, case.label, device,
                                              not check.hidden)
                    passed &= bool(ok)
                    messages.append(message)
        for required in check.requires:
            if required in results and not results[required].passed:
                passed = False
                messages.append(f"Chỉ tính điểm khi bài kiểm tra «{required}» đạt.")
        results[check.id] = CheckResult(check.id, check.title, check.points, check.hidden,
                                        passed, collapse(messages))
    return Verdict([results[check.id] for check in exercise.checks], failure, reports.flags,
                   reports.student_seconds)
