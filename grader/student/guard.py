"""Audit hook of the student process: touching the grader's internals is blocked and recorded.

Side: student process. runner.py loads this file privately (it is never in
``sys.modules``) and installs the hook before any student code runs.  A
``sys.addaudithook`` hook cannot be removed from Python; what it sees is
decided before the operation happens, so a blocked operation never runs.

Who did it: the hook walks the Python stack from the innermost frame.  Frames
of student code (the notebook's cells, and any file name the student's code
compiled or executed) are the student's; standard-library helpers that hand
their results back to the caller (``inspect``, ``ctypes``, ``importlib``,
``os``, ...) are looked through; any other library frame (torch, mxnet,
tensorflow, numpy, logging, and ``traceback``, whose printing of errors
honest code uses) means the library acted on its own behalf and is allowed.  The grader's own channel functions are recognised by
code-object identity, never by file name.

What is recorded (and refused) when the student's code does it: frame and
garbage-collector introspection, ``ctypes``, tracing and profiling hooks,
new code or function objects built by hand, and any file-system access to
``/proc``, the grader's channel directory or raw file descriptors.  Starting
programs (``os.system``, ``subprocess``, ``exec*``, ``posix_spawn``) is refused
whoever asks, once the student's code has started.
"""

import _thread
import os as _os
import sys

_getframe, _get_ident = sys._getframe, _thread.get_ident
_str, _bytes, _int, _type = str, bytes, int, type
_fspath, _getcwd = _os.fspath, _os.getcwd

STDLIB_DIR = _os.path.dirname(_os.__file__) + "/"
# Where library code lives (read-only in the sandbox): frames from files
# anywhere else (the cells, /tmp, strings compiled by the student) are the student's.
LIBRARY_ROOTS = tuple(sorted({form(path).rstrip("/") + "/" for path in (
    sys.prefix, sys.base_prefix, sys.exec_prefix, STDLIB_DIR)
    for form in (_os.path.realpath, _os.path.abspath)}))
# Standard-library code that may hand frames, objects or file contents back
# to its caller: an event raised inside it belongs to whoever called it.
LOOK_THROUGH_FILES = {STDLIB_DIR + name + ".py" for name in (
    "inspect", "os", "subprocess", "pty", "runpy", "code", "codeop", "pdb",
    "bdb", "io", "_pyio", "pathlib", "shutil", "tempfile", "glob", "fnmatch",
    "functools", "operator", "threading", "weakref", "copy", "copyreg",
    "pickle", "pprint", "reprlib", "contextlib", "types", "abc", "builtins", "platform",
    "posixpath", "genericpath", "stat", "mmap", "signal", "selectors", "socket", "gc")}
LOOK_THROUGH_DIRS = tuple(STDLIB_DIR + name + "/" for name in (
    "ctypes", "multiprocessing", "concurrent", "importlib", "asyncio", "json", "unittest"))
FROZEN_PREFIX = "<frozen "

FRAME_ATTRIBUTES = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame", "f_back",
                              "f_locals", "f_globals", "gi_code", "cr_code", "ag_code"})
STUDENT_EVENTS = frozenset({"gc.get_objects", "gc.get_referrers", "gc.get_referents",
                            "sys._getframe", "sys._current_frames", "sys._getframemodulename",
                            "sys.settrace", "sys.setprofile", "function.__new__", "code.__new__",
                            "sys.addaudithook", "cpython.PyInterpreterState_Clear",
                            "object.__getattr__"})
PATH_EVENTS = frozenset({"open", "os.listdir", "os.scandir", "os.chmod", "os.chown", "os.remove",
                         "os.rename", "os.rmdir", "os.mkdir", "os.link", "os.symlink",
                         "os.truncate", "os.utime", "os.chdir", "shutil.rmtree", "os.mkfifo",
                         "os.mknod"})
ALWAYS_REFUSED = frozenset({"os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.forkpty",
                            "subprocess.Popen", "pty.spawn"})
# /dev/fd, /dev/std* and /dev/core are links into /proc.
SENSITIVE_PREFIXES = ("/proc", "/dev/fd", "/dev/std", "/dev/core", "/dev/mem", "/dev/kmem")


class GuardRefusal(PermissionError):
    """Raised into the student's code when it touches the grader's internals."""


def install(channel_dir, allowed_codes, student_files, grader_dir):
    """Install the hook; returns (arm, take_flags).

    ``allowed_codes``: code objects of the grader's own channel functions,
    the only code allowed to open ``channel_dir``.  ``student_files``: a set
    of file names that are the student's (grows as the student compiles code).
    ``grader_dir``: where the grader's own files are (their frames count as
    library code unless the student compiled code under one of their names).
    Nothing is checked until ``arm()`` is called, just before student code runs.
    """
    state = {"armed": False}
    busy = set()
    flags = []
    channel = _str(channel_dir).rstrip("/")
    sensitive = SENSITIVE_PREFIXES + (channel,)

    library_roots = LIBRARY_ROOTS + (_str(grader_dir).rstrip("/") + "/",)

    def owner(frame):
        """'student', 'grader' or 'library' for the code that raised the event."""
        while frame is not None:
            code = frame.f_code
            if code in allowed_codes:
                return "grader"
            name = code.co_filename
            if name in student_files:
                return "student"
            if (name in LOOK_THROUGH_FILES or name.startswith(LOOK_THROUGH_DIRS)
                    or name.startswith(FROZEN_PREFIX)):
                frame = frame.f_back
                continue
            return "library" if name.startswith(library_roots) else "student"
        return "student"  # nothing but look-through frames: nobody else asked

    def path_of(argument):
        """Absolute, normalised path of an event's argument ('fd' for a raw descriptor).

        Normalised here, with bound functions only: ``os.path`` could have
        been patched by the student's code."""
        if _type(argument) is _int:
            return "fd"
        try:
            text = _fspath(argument)
        except Exception:
            return "?"
        if _type(text) is _bytes:
            text = text.decode("utf-8", "replace")
        if _type(text) is not _str:
            return "?"
        if not text.startswith("/"):
            text = _getcwd() + "/" + text
        parts = []
        for part in text.split("/"):
            if part == "..":
                if parts:
                    parts.pop()
            elif part and part != ".":
                parts.append(part)
        return "/" + "/".join(parts)

    def decide(event, args):
        """A refusal reason, or None to let the event through."""
        if event in ALWAYS_REFUSED:
            return f"khởi chạy chương trình khác ({event})"
        frame = _getframe(2)
        if event == "compile" or event == "exec":
            # The import system compiling an installed module is not the student.
            importing = frame is not None and frame.f_code.co_filename.startswith(FROZEN_PREFIX)
            if not importing and owner(frame) == "student":
                target = args[1] if event == "compile" and len(args) > 1 else None
                if event == "exec" and args:
                    target = getattr(args[0], "co_filename", None)
                if _type(target) is _bytes:
                    target = target.decode("utf-8", "replace")
                if _type(target) is _str:
                    student_files.add(target)
            return None
        if event in PATH_EVENTS:
            if not args:
                return None
            path = path_of(args[0])
            if path == "fd" or path.startswith(sensitive):
                who = owner(frame)
                if who == "student":
                    return f"truy cập {path if path != 'fd' else 'một mô tả tệp (file descriptor)'} ({event})"
                if who == "library" and path.startswith(channel):
                    return f"truy cập kênh của bộ chấm ({event})"
            return None
        if event == "object.__getattr__":
            if len(args) < 2 or args[1] not in FRAME_ATTRIBUTES:
                return None
        elif event not in STUDENT_EVENTS and not event.startswith("ctypes."):
            return None
        if owner(frame) == "student":
            detail = event if event != "object.__getattr__" else f"đọc thuộc tính {args[1]}"
            return f"can thiệp vào trình thông dịch ({detail})"
        return None

    def hook(event, args):
        if not state["armed"]:
            return
        me = _get_ident()
        if me in busy:
            return  # the hook's own sys._getframe calls
        busy.add(me)
        reason = None
        try:
            reason = decide(event, args)
        except GuardRefusal:
            raise
        except Exception:
            reason = None  # a fault of the hook itself must not break honest code
        finally:
            busy.discard(me)
        if reason is not None:
            if len(flags) < 100:
                flags.append(reason)
            raise GuardRefusal(f"Bộ chấm chặn thao tác này: {reason}.")

    sys.addaudithook(hook)

    def arm():
        state["armed"] = True

    def take_flags():
        taken = flags[:]
        del flags[:]
        return taken

    return arm, take_flags
