"""Sandbox observer: hands the student process one probe at a time, checks and relays answers.

Side: sandbox observer.  It runs no student code, under a uid of its own
(when grading as root), not dumpable.  It alone holds the plan (read from
stdin, never written to a file) and the result channel to the grader.

    python -I -B observer.py RESULT_FD READY_FD STATUS_FD CHANNEL_DIR

The channel to the student process is two FIFOs it creates in CHANNEL_DIR:
``request`` (readable by the student) and ``answer`` (writable by the
student).  The observer keeps both open read-write, so the student's
open-per-message never blocks and no end of file is ever seen on them; the
student's death is learnt from STATUS_FD (the launcher writes its exit
status there).  Each request carries a fresh nonce; an answer must echo it,
follow the wire format and stay within size limits, or the run stops there
and the grader is told why.  Flags raised by the student process's guard are
relayed as they come.
"""

import os
import secrets
import select
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wire  # noqa: E402  (a copy of grader/wire.py beside this file)

MAX_ANSWER_ELEMENTS = 64 * 1024**2
MAX_FLAGS = 50


class StudentGone(Exception):
    """The student process ended (or broke the protocol) before answering."""

    def __init__(self, reason, detail=""):
        super().__init__(reason)
        self.reason, self.detail = reason, detail


class AnswerReader:
    """Framed messages from the answer FIFO, watching the student's exit status meanwhile."""

    def __init__(self, fd, status_fd):
        self.fd, self.status_fd, self.buffer = fd, status_fd, bytearray()
        self.exit_status = None

    def _fill(self):
        while True:
            watched = [self.fd] + ([self.status_fd] if self.exit_status is None else [])
            readable, _, _ = select.select(watched, [], [], 1.0)
            if self.fd in readable:
                chunk = os.read(self.fd, 1 << 20)
                if chunk:
                    self.buffer += chunk
                    return
            if self.status_fd in readable and self.exit_status is None:
                text = os.read(self.status_fd, 64).decode("ascii", "replace").strip()
                self.exit_status = text or "?"
            if self.exit_status is not None and not self._pending():
                raise StudentGone("student_exit", self.exit_status)

    def _pending(self):
        readable, _, _ = select.select([self.fd], [], [], 0)
        return bool(readable)

    def read(self):
        while b"\n" not in self.buffer[:wire.MAX_HEADER_BYTES]:
            if len(self.buffer) > wire.MAX_HEADER_BYTES:
                raise StudentGone("malformed", "header too long")
            self._fill()
        while True:
            try:
                header, arrays, used = wire.decode(bytes(self.buffer), MAX_ANSWER_ELEMENTS)
            except wire.WireError as error:
                if "truncated" not in str(error):
                    raise StudentGone("malformed", str(error)[:200])
                self._fill()
                continue
            del self.buffer[:used]
            return header, arrays


def clean_flags(value):
    if not isinstance(value, list):
        return ["dữ liệu cờ không hợp lệ"]
    return [str(flag)[:200] for flag in value[:MAX_FLAGS]]


def main():
    result_fd, ready_fd, status_fd = (int(value) for value in sys.argv[1:4])
    channel_dir = sys.argv[4]
    try:
        import ctypes
        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0
    except (OSError, AttributeError):
        pass
    result = os.fdopen(result_fd, "wb", buffering=0)

    def report(header, arrays=None):
        result.write(wire.encode(header, arrays or {}))

    os.umask(0)
    request_path, answer_path = channel_dir + "/request", channel_dir + "/answer"
    os.mkfifo(request_path, 0o644)
    os.mkfifo(answer_path, 0o622)
    request_fd = os.open(request_path, os.O_RDWR)
    answer_fd = os.open(answer_path, os.O_RDWR)
    os.write(ready_fd, b"1")
    os.close(ready_fd)

    # The plan holds every probe's inputs (from the grader, not the student).
    plan = wire.read_message(sys.stdin.buffer, max_elements=1 << 28, max_arrays=1 << 20)
    if plan is None:
        report({"type": "observer_error", "detail": "no plan"})
        return 2
    plan_header, plan_arrays = plan
    reader = AnswerReader(answer_fd, status_fd)

    def send(header, arrays=None):
        data = memoryview(wire.encode(header, arrays or {}))
        while data:
            written = os.write(request_fd, data)
            data = data[written:]

    try:
        send({"type": "setup", "cells": plan_header.get("cells", [])})
        loaded, _ = reader.read()
        if loaded.get("type") != "loaded":
            raise StudentGone("malformed", "expected the cells' results")
        cells = loaded.get("cells") if isinstance(loaded.get("cells"), list) else []
        report({"type": "loaded", "cells": cells[:1000], "flags": clean_flags(loaded.get("flags", [])),
                "student_seconds": loaded.get("student_seconds")})
        for probe in plan_header.get("probes", []):
            nonce = secrets.token_hex(12)
            arrays = {name: plan_arrays[f"{probe['id']}/{name}"] for name in probe.get("arrays", [])}
            send({"type": "probe", "nonce": nonce, "op": probe["op"], "params": probe.get("params", {})},
                 arrays)
            answer, answer_arrays = reader.read()
            if answer.get("type") != "answer" or answer.get("nonce") != nonce:
                raise StudentGone("malformed", "answer does not match the request")
            obs = answer.get("obs") if isinstance(answer.get("obs"), dict) else {"malformed": True}
            report({"type": "answer", "probe": probe["id"], "obs": obs,
                    "flags": clean_flags(answer.get("flags", []))}, answer_arrays)
        send({"type": "bye"})
        report({"type": "done"})
    except StudentGone as gone:
        report({"type": gone.reason, "detail": gone.detail})
    except BrokenPipeError:
        return 0  # the grader stopped reading (time limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
