"""Trusted verdicts: turn the sandbox's untrusted records into points.

This runs only in the grader's process, which never executes student code.
Every record is validated strictly (types, sizes, finite numbers) before a
judge sees it; references come from the exercise definition, never from the
sandbox.
"""

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from ..checks import judges

MAX_RECORDS = 10_000
MAX_LIST = 100_000


@dataclass
class CheckResult:
    id: str
    title: str
    max_points: int
    hidden: bool
    passed: bool
    messages: list = field(default_factory=list)

    @property
    def points(self):
        return self.max_points if self.passed else 0


@dataclass
class Outcome:
    student: str
    assignment: str
    status: str                      # "graded" | "failed"
    reason: str = ""                 # Vietnamese, for the instructor and the student
    checks: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    wall_seconds: float = 0.0
    timestamp: str | None = None
    timings: dict = field(default_factory=dict)  # benchmark figures (seconds)

    @property
    def score(self):
        return sum(c.points for c in self.checks)

    @property
    def max_score(self):
        return sum(c.max_points for c in self.checks)


def _number_list(value, limit=MAX_LIST):
    if not isinstance(value, list) or len(value) > limit:
        return None
    out = []
    for v in value:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return None
        out.append(float(v))
    return out


def _short_str(value, limit):
    return value[:limit] if isinstance(value, str) else None


def sanitize_observation(obs):
    """Keep only well-typed fields; anything odd becomes an error observation."""
    if not isinstance(obs, dict):
        return {"error": "kết quả không hợp lệ"}
    if "error" in obs:
        return {"error": _short_str(obs["error"], 400) or "lỗi không rõ"}
    clean = {"type": _short_str(obs.get("type"), 100) or "?",
             "is_tensor": obs.get("is_tensor") is True}
    if not clean["is_tensor"]:
        return clean
    clean["dtype"] = _short_str(obs.get("dtype"), 40) or "?"
    clean["floating"] = obs.get("floating") is True
    clean["device"] = _short_str(obs.get("device"), 40) or "?"
    shape = obs.get("shape")
    if (not isinstance(shape, list) or len(shape) > 8
            or not all(isinstance(s, int) and not isinstance(s, bool) and 0 <= s <= 10**6
                       for s in shape)):
        return {"error": "kích thước đầu ra không hợp lệ"}
    clean["shape"] = shape
    values = _number_list(obs.get("values"))
    expected_size = math.prod(shape)
    clean["values"] = values if values is not None and len(values) == expected_size else None
    if "grad" in obs:
        clean["grad"] = _number_list(obs.get("grad"))
    if obs.get("grad_error") is not None:
        clean["grad_error"] = _short_str(obs.get("grad_error"), 400) or "lỗi không rõ"
    return clean


def parse_records(result_text):
    """(events, observations keyed by (probe id, device)) from the result pipe."""
    events, observations = {}, {}
    for line in result_text.splitlines()[:MAX_RECORDS]:
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if not isinstance(record, dict) or not isinstance(record.get("event"), str):
            continue
        event = record["event"]
        if event == "probe" and isinstance(record.get("id"), str) \
                and isinstance(record.get("device"), str):
            observations[(record["id"], record["device"][:40])] = sanitize_observation(
                record.get("obs"))
        else:
            events[event] = record
    return events, observations


def expected_gpus():
    """GPUs this machine has, judged by the trusted side (not by the sandbox)."""
    return ["cuda:%d" % i for i in range(len(list(Path("/dev").glob("nvidia[0-9]*"))))]


def run_failure_reason(run, events, limits):
    """Why the run stopped early, in Vietnamese, or '' if it finished."""
    if run is None:
        return ""
    if run.timed_out:
        return "Hết thời gian: lời giải chạy quá %d giây (có thể do vòng lặp vô hạn)." % limits.wall_seconds
    if run.output_exceeded:
        return "Lời giải in ra quá nhiều (vượt %d MB) nên bị dừng." % (limits.output_bytes // 1024**2)
    if "program_error" in events:
        return "Ô lời giải gây lỗi khi chạy: " + str(events["program_error"].get("error"))[:300]
    if "missing_function" in events:
        return "Ô lời giải không định nghĩa hàm %s." % str(events["missing_function"].get("name"))[:60]
    if "done" not in events:
        code = run.exit_code
        if code is not None and code > 128:
            code = 128 - code  # bwrap reports a child killed by signal N as 128 + N
        if code is not None and code < 0:
            detail = "bị tín hiệu %d dừng" % -code
            if -code == 24:
                detail += " (vượt giới hạn thời gian CPU)"
            elif -code == 9:
                detail += " (có thể do dùng quá nhiều bộ nhớ hoặc bị buộc dừng)"
        else:
            detail = "thoát với mã %s" % code
        memory = "MemoryError" in run.stderr_tail
        return ("Tiến trình chạy lời giải kết thúc giữa chừng (%s)%s." % (
            detail, "; lời giải dùng quá nhiều bộ nhớ" if memory else ""))
    return ""


def judge_case(check, case, obs, device, reference):
    label = case.label if device == "cpu" else case.label + ", " + device
    expected = reference(check, case)
    if check.kind == "shape":
        return judges.judge_shape(obs, expected["expected_shape"], label)
    if check.kind == "values":
        return judges.judge_values(obs, label=label, **expected)
    if check.kind == "floating":
        return judges.judge_floating(obs, label)
    if check.kind == "device":
        return judges.judge_device(obs, device, label)
    if check.kind == "gradient":
        return judges.judge_gradient(obs, label=label, **expected)
    raise ValueError(check.kind)


def verify(exercise, submission_source, run, limits):
    """CheckResults for every check of ``exercise`` (all failing when ``run`` is None)."""
    events, observations = parse_records(run.result_text if run else "")
    failure = run_failure_reason(run, events, limits)
    gpus = expected_gpus()
    results = {}
    for check in exercise.checks:
        passed, messages = True, []
        if check.probe == "static":
            found = judges.find_builtin_convolutions(submission_source, (exercise.function,))
            ok, message = judges.judge_no_builtin(found, "mã nguồn lời giải")
            passed, messages = ok, [message]
        else:
            devices = ["cpu"] + (gpus if check.all_devices else [])
            for index, case in enumerate(check.cases):
                for device in devices:
                    obs = observations.get(("%s/%d" % (check.id, index), device))
                    if obs is None:
                        passed = False
                        messages.append("[%s] Không có kết quả. %s" % (
                            case.label, failure or "Bài kiểm tra không chạy tới được."))
                        continue
                    ok, message = judge_case(check, case, obs, device, exercise.reference)
                    passed &= ok
                    messages.append(message)
            if check.all_devices and not gpus:
                messages.append("Máy chấm không có GPU: phần kiểm tra trên GPU đã bỏ qua.")
        for required in check.requires:
            if required in results and not results[required].passed:
                passed = False
                messages.append("Chỉ tính điểm khi bài kiểm tra «%s» đạt." % required)
        results[check.id] = CheckResult(check.id, check.title, check.points, check.hidden,
                                        passed, messages)
    return [results[c.id] for c in exercise.checks], failure
