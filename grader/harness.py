"""Runs INSIDE the sandbox: executes a student's code and reports raw outputs.

Usage: python -I harness.py PLAN_JSON PROGRAM_PY RESULT_FD

Nothing this script writes is trusted.  It only turns the student's function
outputs on the grader's inputs into plain JSON numbers (one JSON object per
line on RESULT_FD); the verdict is decided by the parent process, which never
runs student code.  Self-contained on purpose: the course tree is not visible
inside the sandbox, and the notebook builder copies the ``observe_*``
functions below into the notebooks' helper cell.
"""

import json
import os
import resource
import sys

MAX_VALUES = 100_000
MAX_STDOUT_CHARS = 20_000


def observe_tensor(Y):
    """Describe a PyTorch result as plain data (type, dtype, device, values)."""
    import torch
    obs = {"type": type(Y).__module__ + "." + type(Y).__qualname__}
    if not isinstance(Y, torch.Tensor):
        obs["is_tensor"] = False
        return obs
    obs["is_tensor"] = True
    obs["dtype"] = str(Y.dtype).replace("torch.", "")
    obs["floating"] = bool(Y.is_floating_point())
    obs["device"] = str(Y.device)
    obs["shape"] = [int(s) for s in Y.shape]
    if Y.numel() <= MAX_VALUES:
        flat = Y.detach().to("cpu").to(torch.float64).reshape(-1)
        obs["values"] = [float(v) for v in flat.tolist()]
    return obs


def observe_call(function, *args):
    """Call ``function(*args)`` and observe the result or the exception."""
    try:
        result = function(*args)
    except BaseException as exc:  # the student's code may raise anything, even SystemExit
        return {"error": type(exc).__name__ + ": " + str(exc)[:300]}
    try:
        return observe_tensor(result)
    except BaseException as exc:
        return {"error": "không đọc được kết quả (" + type(exc).__name__ + ": "
                + str(exc)[:200] + ")"}


def observe_gradient(function, X, K, weights):
    """Observe ``function(X, K)`` and the gradient of sum(Y * weights) w.r.t. K."""
    import torch
    K.requires_grad_(True)
    try:
        Y = function(X, K)
    except BaseException as exc:
        return {"error": type(exc).__name__ + ": " + str(exc)[:300]}
    try:
        obs = observe_tensor(Y)
    except BaseException as exc:
        return {"error": "không đọc được kết quả (" + type(exc).__name__ + ")"}
    if not obs.get("is_tensor"):
        return obs
    try:
        loss = (Y * weights.to(Y.dtype)).sum()
        loss.backward()
        grad = K.grad
        obs["grad"] = None if grad is None else [
            float(v) for v in grad.detach().to("cpu").to(torch.float64).reshape(-1).tolist()]
    except BaseException as exc:
        obs["grad_error"] = type(exc).__name__ + ": " + str(exc)[:300]
    return obs


def make_tensor(spec, device):
    import torch
    dtype = {"float32": torch.float32, "float64": torch.float64}[spec["dtype"]]
    return torch.tensor(spec["data"], dtype=dtype, device=device)


def available_devices():
    import torch
    devices = ["cpu"]
    if torch.cuda.is_available():
        devices += ["cuda:%d" % i for i in range(torch.cuda.device_count())]
    return devices


class CappedStream:
    """Keeps the student's prints from flooding the grader; extra text is dropped."""

    def __init__(self, stream):
        self.stream, self.left = stream, MAX_STDOUT_CHARS

    def write(self, text):
        text = str(text)
        if self.left > 0:
            self.stream.write(text[: self.left])
            self.left -= len(text)
        return len(text)

    def flush(self):
        self.stream.flush()


def main():
    plan_path, program_path, result_fd = sys.argv[1], sys.argv[2], int(sys.argv[3])
    limits = json.load(open(plan_path))["limits"]
    # Applied before any student code runs: per-sandbox process cap.
    resource.setrlimit(resource.RLIMIT_NPROC, (limits["nproc"], limits["nproc"]))
    plan = json.load(open(plan_path))
    out = os.fdopen(result_fd, "w", buffering=1)

    def emit(record):
        out.write(json.dumps(record) + "\n")
        out.flush()

    sys.stdout = CappedStream(sys.stdout)
    sys.stderr = CappedStream(sys.stderr)
    import torch  # imported before the student code, as the notebook's locked cell does
    torch.set_num_threads(1)
    emit({"event": "devices", "devices": available_devices()})
    namespace = {"__name__": "__main__"}
    source = open(program_path).read()
    try:
        exec(compile(source, "<lời giải>", "exec"), namespace)
    except BaseException as exc:
        emit({"event": "program_error", "error": type(exc).__name__ + ": " + str(exc)[:300]})
        return
    function = namespace.get(plan["function"])
    if not callable(function):
        emit({"event": "missing_function", "name": plan["function"]})
        return
    emit({"event": "program_ok"})
    for probe in plan["probes"]:
        for device in available_devices() if probe["all_devices"] else ["cpu"]:
            args = {name: make_tensor(spec, device) for name, spec in probe["inputs"].items()}
            if probe["kind"] == "gradient":
                obs = observe_gradient(function, args["X"], args["K"], args["weights"])
            else:
                obs = observe_call(function, args["X"], args["K"])
            emit({"event": "probe", "id": probe["id"], "device": device, "obs": obs})
    emit({"event": "done"})


if __name__ == "__main__":
    main()
    # Do not wait for threads the student started, nor run their atexit hooks.
    os._exit(0)
