"""One probe at a time: call the student's code, capture errors, record forbidden routines.

Side: student process.  The runner loads this file privately before any
student code runs; the notebook builder also copies it into the locked
helper cell, where JupyterLab's Validate uses it without the guard.

Operations (``OPERATIONS`` of an exercise's probe module, plus
``COMMON_OPERATIONS`` here) have the signature
``operation(session, arrays, params) -> (observation, arrays)``: plain data
only, built with the adapter's bound conversion functions.
"""

import sys
import time
from contextlib import nullcontext as _nullcontext

_type, _len, _str, _sorted, _set, _callable = type, len, str, sorted, set, callable
_type_name = type.__dict__["__name__"].__get__
_type_module = type.__dict__["__module__"].__get__
_exception_text = BaseException.__str__
_clock = time.perf_counter

MAX_ERROR_TEXT = 300
# Routines outside the frameworks that compute a convolution or correlation,
# wrapped at start-up (scipy's when it is imported) to record each call.
FORBIDDEN_PYTHON_ROUTINES = {
    "numpy": ("convolve", "correlate"),
    "numpy.fft": ("fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2",
                  "irfft2", "rfftn", "irfftn", "hfft", "ihfft"),
    "scipy.signal": ("convolve", "correlate", "convolve2d", "correlate2d", "fftconvolve",
                     "oaconvolve", "choose_conv_method"),
    "scipy.ndimage": ("convolve", "correlate", "convolve1d", "correlate1d"),
    "scipy.fft": ("fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2",
                  "irfft2", "rfftn", "irfftn"),
    "scipy.fftpack": ("fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft"),
}


class MissingEntry(Exception):
    """The name the exercise asks for is not defined by the notebook."""


class Session:
    def __init__(self, adapter, take_flags=lambda: []):
        self.adapter = adapter
        self.take_flags = take_flags
        self.namespace = {}
        self.reveal = True
        self.recording = False
        self.found = []  # forbidden routines seen during the current probe
        self.student_seconds = 0.0  # time spent in the student's code (for the benchmark)

    # -- the student's code -------------------------------------------------
    def entry(self, name):
        value = self.namespace.get(name)
        if value is None:
            raise MissingEntry(name)
        return value

    def describe_error(self, error, reveal):
        """Kind of an exception (and, for visible checks, its text), as plain data."""
        cls = _type(error)
        if cls is MissingEntry:  # defined in this private namespace: no student subclass
            return {"type": "MissingEntry", "module": "grader", "name": _str(error.args[0])[:60]}
        info = {"type": _str(_type_name(cls))[:80], "module": _str(_type_module(cls))[:80]}
        if reveal:
            try:
                text = _str(_exception_text(error))
                if not text:  # TensorFlow's errors keep their text in .message
                    message = getattr(error, "message", None)
                    text = message if _type(message) is _str else ""
                info["text"] = text[:MAX_ERROR_TEXT]
            except BaseException:
                info["text"] = ""
        return info

    def call(self, function, *args, device=None, tape=None, **kwargs):
        """(True, value) or (False, error) for one call of the student's code.

        ``tape``: an adapter tape that records the call for gradients."""
        if not _callable(function):
            return False, {"type": "NotCallable", "module": "grader",
                           "name": _str(_type_name(_type(function)))[:60]}
        self.recording = True
        started = _clock()
        try:
            with self.adapter.device_scope(device):
                with (tape.recording() if tape is not None else _nullcontext()):
                    with self.adapter.monitor(self.found):
                        value = function(*args, **kwargs)
        except BaseException as error:  # even SystemExit and KeyboardInterrupt
            return False, self.describe_error(error, self.reveal)
        finally:
            self.recording = False
            self.student_seconds += _clock() - started
        return True, value

    def record_gradients(self, tape, result, weights, names, obs, out):
        """Gradients of the grader's weighted sum of ``result`` into ``out["grad_<name>"]``;
        what does not reach a name, or fails, goes into ``obs``."""
        try:
            grads = tape.gradient(result, weights)
        except BaseException as error:  # e.g. the result is not connected to them
            obs["gradient_error"] = self.describe_error(error, self.reveal)
            return
        for name, grad in zip(names, grads):
            if grad is None:
                obs.setdefault("no_gradient", []).append(name)
            else:
                out["grad_" + name] = grad

    # -- one probe ------------------------------------------------------------
    def run_probe(self, operations, header, arrays):
        params = header.get("params")
        params = params if _type(params) is dict else {}
        self.reveal = params.get("reveal") is True
        del self.found[:]
        self.student_seconds = 0.0
        operation = operations.get(header.get("op"))
        if operation is None:
            return {"error": {"type": "UnknownOperation", "module": "grader"}}, {}
        try:
            self.adapter.seed(int(params.get("seed", 0)))
            obs, out = operation(self, arrays, params)
        except BaseException as error:  # raised while reading what the student's code returned
            obs, out = {"error": self.describe_error(error, self.reveal), "stage": "read"}, {}
        obs["policy"] = _sorted(_set(self.found))[:20]
        obs["student_seconds"] = self.student_seconds
        return obs, out

    # -- forbidden routines outside the frameworks --------------------------
    def install_python_monitors(self):
        session = self

        def wrap(module, module_name):
            for name in FORBIDDEN_PYTHON_ROUTINES.get(module_name, ()):
                original = getattr(module, name, None)
                if original is None or getattr(original, "_grader_wrapped", False):
                    continue
                label = module_name + "." + name

                def wrapper(*args, _original=original, _label=label, **kwargs):
                    if session.recording:
                        session.found.append(_label)
                    return _original(*args, **kwargs)

                wrapper._grader_wrapped = True
                try:
                    setattr(module, name, wrapper)
                except (AttributeError, TypeError):
                    pass

        for module_name in ("numpy", "numpy.fft"):
            if module_name in sys.modules:
                wrap(sys.modules[module_name], module_name)

        class Finder:
            """Wraps scipy's routines right after the student's code imports them."""
            busy = False

            def find_spec(self, fullname, path=None, target=None):
                if fullname not in FORBIDDEN_PYTHON_ROUTINES or Finder.busy:
                    return None
                import importlib.util
                Finder.busy = True
                try:
                    spec = importlib.util.find_spec(fullname)
                finally:
                    Finder.busy = False
                if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
                    return spec
                original_exec = spec.loader.exec_module

                def exec_module(module, _original=original_exec, _name=fullname):
                    _original(module)
                    wrap(module, _name)

                spec.loader.exec_module = exec_module
                return spec

        sys.meta_path.insert(0, Finder())


def op_census(session, arrays, params):
    """Devices the framework sees, with no student code involved."""
    adapter = session.adapter
    return {"devices": adapter.devices(), "stand_in": adapter.stand_in(),
            "framework": adapter.name, "version": adapter.version()}, {}


COMMON_OPERATIONS = {"census": op_census}
