"""Verdicts: plain observations in, ``(passed, Vietnamese message)`` out.

Side: trusted grader (the verifier calls these with sanitised observations);
the notebook builder also pastes this file into the locked helper cell so
that JupyterLab's Validate applies exactly the same rules.  So: standard
library and numpy only, no state, nothing imported from the grader.

Every judge has the signature ``judge(obs, expected, label, device, reveal)``:
``obs`` is one observation (a dict of plain values and numpy arrays: the
probe operation's header merged with its arrays), ``expected`` the case's
expected values from the trusted reference, ``label`` the case's
description, ``device`` where it ran, ``reveal`` False for hidden checks,
whose feedback never shows inputs, expected values or the student's error
text (only the kind of error).
"""

import ast
import re

import numpy as np

SAFE_ERROR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,40}$")
SAFE_ERROR_MODULES = ("builtins", "torch", "mxnet", "tensorflow", "keras", "numpy", "jax")
HIDDEN_NOTE = " (Bài kiểm tra ẩn nên không hiển thị giá trị kỳ vọng.)"


def _where(label, device):
    return "[" + label + ("" if device in ("", "cpu", "cpu(0)", "/CPU:0", None) else ", " + device) + "] "


def describe_error(error, reveal, entry="lời giải"):
    """One Vietnamese sentence about an exception the student's code raised."""
    if not isinstance(error, dict):
        return "Không nhận được kết quả hợp lệ từ lời giải."
    kind = str(error.get("type", ""))
    if kind == "MissingEntry":
        return ("Notebook không định nghĩa «" + str(error.get("name", entry))[:60]
                + "» (ô lời giải chưa chạy được hoặc đặt sai tên).")
    if kind == "NotCallable":
        return ("«" + entry + "» không gọi được (nó là một đối tượng kiểu "
                + str(error.get("name", "?"))[:60] + ").")
    module = str(error.get("module", ""))
    if SAFE_ERROR_NAME.match(kind) and module.split(".")[0] in SAFE_ERROR_MODULES:
        name = kind
    else:
        name = "một ngoại lệ do lời giải tự định nghĩa"
    message = "Lời giải gây lỗi " + name
    text = error.get("text")
    if reveal and isinstance(text, str) and text.strip():
        message += ": " + text.strip()[:300]
    elif not reveal:
        message += " (bài kiểm tra ẩn: chỉ cho biết loại lỗi)"
    return message + "."


def unusable(obs, reveal):
    """Why an observation has no usable result (error, wrong type, tampering), or None."""
    if not isinstance(obs, dict):
        return "Không nhận được kết quả hợp lệ từ lời giải."
    if isinstance(obs.get("error"), dict):
        return describe_error(obs["error"], reveal)
    kind = obs.get("kind")
    if kind == "tampered":
        return "Kết quả bị loại vì lời giải can thiệp vào bộ chấm: " + str(obs.get("tamper"))[:200] + "."
    if kind == "subclass":
        return ("Kỳ vọng một tensor thông thường của framework, nhận được lớp con "
                + str(obs.get("type", "?"))[:100] + " (bộ chấm không chấp nhận lớp con).")
    if kind != "tensor":
        return ("Kỳ vọng kết quả là một tensor của framework, nhận được đối tượng kiểu "
                + str(obs.get("type", "?"))[:100] + ".")
    return None


def judge_shape(obs, expected, label, device, reveal):
    where = _where(label, device)
    problem = unusable(obs, reveal)
    if problem:
        return False, where + problem
    got = tuple(obs.get("shape") or ())
    want = tuple(expected["shape"])
    if got != want:
        detail = str(want) if reveal else "khác"
        return False, where + "Kỳ vọng đầu ra có kích thước " + detail + ", nhận được " + str(got) + "."
    return True, where + "Kích thước đúng " + str(want) + "."


def _inputs_changed(obs, expected):
    changed = []
    for name, original in (expected.get("inputs") or {}).items():
        after = obs.get("after_" + name)
        if after is None:
            continue
        original = np.asarray(original, dtype=np.float64)
        after = np.asarray(after, dtype=np.float64)
        if after.shape != original.shape or not np.array_equal(after, original):
            changed.append(name)
    return changed


def judge_values(obs, expected, label, device, reveal):
    """Shape, then values within tolerance, then inputs left unchanged.

    ``expected``: values, rtol, atol, inputs (name -> array) and hints, a
    list of (values of a typical mistake, Vietnamese explanation)."""
    ok, message = judge_shape(obs, {"shape": np.shape(expected["values"])}, label, device, reveal)
    if not ok:
        return ok, message
    where = _where(label, device)
    want = np.asarray(expected["values"], dtype=np.float64).reshape(-1)
    got = obs.get("values")
    if not isinstance(got, np.ndarray) or got.size != want.size:
        return False, where + "Không đọc được giá trị của đầu ra."
    got = got.astype(np.float64).reshape(-1)
    bad = ~np.isclose(got, want, rtol=expected["rtol"], atol=expected["atol"]) | ~np.isfinite(got)
    if bad.any():
        first = int(np.argmax(bad))
        if reveal:
            index = tuple(int(i) for i in np.unravel_index(first, np.shape(expected["values"])))
            detail = (" Chẳng hạn tại vị trí " + str(index) + ": kỳ vọng "
                      + format(float(want[first]), ".6g") + ", nhận được "
                      + format(float(got[first]), ".6g") + ".")
        else:
            detail = HIDDEN_NOTE
        for mistake, explanation in expected.get("hints") or ():
            mistake = np.asarray(mistake, dtype=np.float64).reshape(-1)
            if mistake.size == got.size and np.allclose(got, mistake, rtol=expected["rtol"],
                                                        atol=expected["atol"]):
                detail += " " + explanation
                break
        return False, (where + "Giá trị sai ở " + str(int(bad.sum())) + "/" + str(want.size)
                       + " phần tử." + detail)
    changed = _inputs_changed(obs, expected)
    if changed:
        return False, (where + "Giá trị đúng nhưng hàm đã sửa đầu vào " + ", ".join(changed)
                       + " tại chỗ; hàm không được thay đổi đối số của nó.")
    return True, where + "Giá trị đúng."


def judge_floating(obs, expected, label, device, reveal):
    where = _where(label, device)
    problem = unusable(obs, reveal)
    if problem:
        return False, where + problem
    if obs.get("floating") is not True:
        return False, (where + "Kỳ vọng đầu ra có kiểu số thực dấu phẩy động (float), nhận "
                       "được kiểu " + str(obs.get("dtype"))[:40] + ".")
    return True, where + "Kiểu số thực " + str(obs.get("dtype"))[:40] + "."


STAND_INS = ("meta", "cpu(1)", "/CPU:1")


def judge_device(obs, expected, label, device, reveal):
    where = _where(label, device)
    note = ""
    if device in STAND_INS:
        note = (" (Máy chấm không có GPU nên dùng thiết bị " + device + " thay cho GPU: mọi "
                "tensor mới phải được tạo trên thiết bị của đầu vào, và không được đi qua "
                "numpy hay CPU.)")
    problem = unusable(obs, reveal)
    if problem:
        return False, where + problem + note
    got = str(obs.get("device"))[:60]
    if got != device:
        return False, (where + "Kỳ vọng đầu ra nằm trên thiết bị " + device
                       + " giống đầu vào, nhận được " + got + "." + note)
    return True, where + "Đầu ra nằm trên " + got + "."


def judge_gradient(obs, expected, label, device, reveal):
    """``expected``: grad (name -> array), rtol, atol."""
    where = _where(label, device)
    problem = unusable(obs, reveal)
    if problem:
        return False, where + problem
    if isinstance(obs.get("gradient_error"), dict):
        return False, where + "Không lan truyền ngược được: " + describe_error(
            obs["gradient_error"], reveal)
    for name, want in expected["grad"].items():
        got = obs.get("grad_" + name)
        if got is None or name in (obs.get("no_gradient") or ()):
            return False, (where + "Không có gradient nào đến " + name + ": phép tính đã tách "
                           "khỏi đồ thị tính toán (ví dụ qua .item(), numpy, hay tạo tensor "
                           "mới từ giá trị).")
        want = np.asarray(want, dtype=np.float64).reshape(-1)
        got = np.asarray(got, dtype=np.float64).reshape(-1)
        if got.size != want.size:
            return False, where + "Gradient theo " + name + " có kích thước sai."
        bad = ~np.isclose(got, want, rtol=expected["rtol"], atol=expected["atol"]) | ~np.isfinite(got)
        if bad.any():
            return False, (where + "Gradient theo " + name + " sai ở " + str(int(bad.sum())) + "/"
                           + str(want.size) + " phần tử." + ("" if reveal else HIDDEN_NOTE))
    return True, where + "Gradient đến " + ", ".join(expected["grad"]) + " đúng."


# -- the policy: no built-in convolution, correlation or FFT ------------------
FORBIDDEN_EXACT = frozenset({"conv", "convolve", "correlate", "correlation", "convolution"})
FORBIDDEN_PREFIXES = ("conv1d", "conv2d", "conv3d", "conv_transpose", "convolution", "convolve",
                      "correlate", "correlation", "depthwise_conv", "separable_conv",
                      "atrous_conv", "_convolution", "conv_tbc", "conv1dtranspose",
                      "conv2dtranspose", "conv3dtranspose")
LOOKUP_FUNCTIONS = frozenset({"getattr", "hasattr", "attrgetter", "methodcaller", "import_module",
                              "__import__", "eval", "exec", "compile"})


def is_forbidden_name(name):
    lowered = str(name).lower()
    return (lowered in FORBIDDEN_EXACT or lowered.startswith(FORBIDDEN_PREFIXES)
            or "fft" in lowered)


def _strip_magics(source):
    return "\n".join("pass" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def find_forbidden_calls(source, depth=0):
    """Built-in convolution, correlation or FFT routines named in ``source``.

    Attribute accesses always count (a local function of the same name does
    not excuse ``F.conv2d``); plain names count unless the code defines them;
    imports count by every part of the module path; strings count only where
    they are used to look a name up (getattr, import_module, globals()[...],
    eval/exec, ...), so a docstring that talks about convolution is fine.
    """
    try:
        tree = ast.parse(_strip_magics(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    defined = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            defined.add(node.id)
        elif isinstance(node, ast.arg):
            defined.add(node.arg)
    found = []

    def flag(word, node):
        found.append(str(word)[:60] + " (dòng " + str(getattr(node, "lineno", "?")) + ")")

    def text_of(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = text_of(node.left), text_of(node.right)
            return None if left is None or right is None else left + right
        if isinstance(node, ast.JoinedStr):
            parts = [text_of(value) for value in node.values]
            return None if None in parts else "".join(parts)
        return None

    def looked_up(text, node, code=False):
        if text is None:
            return
        if code and depth < 2:
            for item in find_forbidden_calls(text, depth + 1):
                flag(item.split(" (")[0] + " trong chuỗi mã", node)
            return
        for part in re.split(r"[.\s]+", text):
            if part and is_forbidden_name(part):
                flag(part, node)

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_forbidden_name(node.attr):
            flag(node.attr, node)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if is_forbidden_name(node.id) and node.id not in defined:
                flag(node.id, node)
        elif isinstance(node, ast.alias):
            for part in node.name.split("."):
                if is_forbidden_name(part):
                    flag(part, node)
        elif isinstance(node, ast.ImportFrom) and node.module:
            for part in node.module.split("."):
                if is_forbidden_name(part):
                    flag(part, node)
        elif isinstance(node, ast.Call):
            function = node.func
            name = function.id if isinstance(function, ast.Name) else (
                function.attr if isinstance(function, ast.Attribute) else None)
            if name in LOOKUP_FUNCTIONS:
                for argument in node.args:
                    looked_up(text_of(argument), node, code=name in ("eval", "exec", "compile"))
        elif isinstance(node, ast.Subscript):
            container = node.value
            is_namespace = (
                (isinstance(container, ast.Call) and isinstance(container.func, ast.Name)
                 and container.func.id in ("globals", "vars", "locals"))
                or (isinstance(container, ast.Attribute) and container.attr in ("__dict__", "modules")))
            if is_namespace:
                looked_up(text_of(node.slice), node)
    return sorted(set(found))


def judge_policy(obs, expected, label, device, reveal):
    """No built-in convolution: neither named in the source nor run during any probe."""
    static = find_forbidden_calls(obs.get("source") or "")
    dynamic = sorted(set(obs.get("policy") or ()))
    if static or dynamic:
        parts = []
        if static:
            parts.append("mã nguồn gọi " + ", ".join(static[:5]))
        if dynamic:
            parts.append("khi chạy, lời giải đã dùng " + ", ".join(str(d)[:60] for d in dynamic[:5]))
        return False, ("Bài này yêu cầu tự cài đặt phép tính; lời giải dùng hàm tích chập/"
                       "tương quan/FFT có sẵn: " + "; ".join(parts) + ".")
    return True, "Không dùng hàm tích chập, tương quan hay FFT có sẵn."
