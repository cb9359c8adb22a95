"""Main program of the student process: runs the notebook's cells, then answers probes.

Side: student process (the only process where student code runs).

    python -I -B runner.py CHANNEL_DIR

Before any student code runs it loads, each into a private namespace that no
module in ``sys.modules`` refers to (so the student's code cannot patch or
read them without frame or gc introspection, which the guard blocks):
the wire format, the guard, the framework adapter and the exercise's probe
operations.  Those namespaces get a snapshot of ``builtins``, so later
patches of ``builtins`` do not reach them.  Then it marks itself not
dumpable, installs the audit hook, and executes the cells one by one as a
kernel would (each cell compiled on its own: ``from __future__`` imports and
IPython magics work).

The channel: ``CHANNEL_DIR/request`` and ``CHANNEL_DIR/answer`` are FIFOs
owned by the observer.  They are opened by path for each message and closed
right after, by two functions whose code objects the guard recognises; the
student's code holds no descriptor of them and cannot open them.  A request
carries the inputs of one probe only.  What is written back is a claim: the
observer checks its form, the grader judges it.
"""

import builtins
import os
import sys
import time
import types


def _load_private(path, name, private_builtins):
    namespace = {"__name__": name, "__file__": path, "__builtins__": private_builtins}
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    exec(compile(source, path, "exec", dont_inherit=True), namespace)
    return namespace


def _set_not_dumpable():
    """PR_SET_DUMPABLE 0: no core dump, no ptrace or /proc/<pid>/mem by same-uid processes."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass


class _IPythonStub:
    """What ``get_ipython()`` returns when a cell uses a magic: magics do nothing here."""

    def run_line_magic(self, *args, **kwargs):
        return None

    run_cell_magic = system = getoutput = run_line_magic


def _cell_source(source):
    if not any(line.lstrip().startswith(("%", "!")) for line in source.splitlines()):
        return source
    from IPython.core.inputtransformer2 import TransformerManager
    return TransformerManager().transform_cell(source)


def main():
    channel_dir = sys.argv[1]
    code_dir = os.path.dirname(os.path.abspath(__file__))
    private_builtins = dict(builtins.__dict__)
    _open, _type, _len = open, type, len
    request_path, answer_path = channel_dir + "/request", channel_dir + "/answer"
    wire = _load_private(os.path.join(code_dir, "wire.py"), "grader_wire", private_builtins)
    read_message, encode = wire["read_message"], wire["encode"]

    runner_pid, _getpid, _exit = os.getpid(), os.getpid, os._exit

    def receive():
        if _getpid() != runner_pid:
            _exit(0)  # a process the student's code forked must not speak for the runner
        with _open(request_path, "rb") as stream:
            return read_message(stream)

    def send(header, arrays=None):
        if _getpid() != runner_pid:
            _exit(0)
        data = encode(header, arrays or {})
        with _open(answer_path, "wb") as stream:
            stream.write(data)

    setup, _ = receive()
    guard = _load_private(os.path.join(code_dir, "guard.py"), "grader_guard", private_builtins)
    adapter_ns = _load_private(os.path.join(code_dir, "adapter.py"), "grader_adapter",
                               private_builtins)
    adapter = adapter_ns["Adapter"]()
    session_ns = _load_private(os.path.join(code_dir, "session.py"), "grader_session",
                               private_builtins)
    probes_ns = _load_private(os.path.join(code_dir, "probes.py"), "grader_probes",
                              private_builtins)
    operations = probes_ns["OPERATIONS"]
    operations.update(session_ns["COMMON_OPERATIONS"])
    _set_not_dumpable()

    cells = [c for c in setup.get("cells", []) if _type(c) is str]
    cell_names = [f"<ô {index + 1}>" for index in range(_len(cells))]
    student_files = set(cell_names)
    arm, take_flags = guard["install"](channel_dir, {receive.__code__, send.__code__},
                                       student_files, code_dir)
    session = session_ns["Session"](adapter, take_flags)
    student = types.ModuleType("__main__")
    student.__dict__["get_ipython"] = _IPythonStub
    namespace = student.__dict__
    session.namespace = namespace
    sys.modules["__main__"] = student
    session.install_python_monitors()

    arm()
    results = []
    started = time.perf_counter()
    for source, name in zip(cells, cell_names):
        try:
            code = compile(_cell_source(source), name, "exec", dont_inherit=True)
            exec(code, namespace)
            results.append({"ok": True})
        except BaseException as error:  # the student's code may raise anything, even SystemExit
            results.append({"ok": False, "error": session.describe_error(error, reveal=True)})
    send({"type": "loaded", "cells": results, "flags": take_flags(),
          "student_seconds": time.perf_counter() - started})

    while True:
        message = receive()
        if message is None:
            break
        header, arrays = message
        if header.get("type") != "probe":
            break
        obs, out = session.run_probe(operations, header, arrays)
        send({"type": "answer", "nonce": header.get("nonce"), "obs": obs,
              "flags": take_flags()}, out)


if __name__ == "__main__":
    main()
    # Neither wait for threads the student started nor run their atexit hooks.
    os._exit(0)
