"""Verdict functions shared by the trusted grader and the notebooks' visible tests.

Every function here takes plain data (an *observation* made of dicts, lists,
floats and strings, never a framework object) and returns ``(passed, message)``
with a Vietnamese message.  The trusted engine imports this module; the
notebook builder copies the source of these functions verbatim into a locked
helper cell so that JupyterLab's Validate applies exactly the same rules.
This module must therefore depend on nothing but the standard library and
numpy, and each function must be self-contained.
"""

import ast

import numpy as np


def describe_failure(obs):
    """Why an observation cannot be judged at all, or None when it can."""
    if not isinstance(obs, dict):
        return "Không nhận được kết quả hợp lệ từ lời giải."
    if "error" in obs:
        return "Gọi hàm gây lỗi: " + str(obs["error"])[:300]
    if not obs.get("is_tensor"):
        return ("Kỳ vọng kết quả là một tensor của framework, nhận được đối tượng kiểu "
                + str(obs.get("type", "?"))[:100] + ".")
    return None


def judge_shape(obs, expected_shape, label):
    problem = describe_failure(obs)
    if problem:
        return False, "[" + label + "] " + problem
    got = tuple(obs.get("shape") or ())
    want = tuple(expected_shape)
    if got != want:
        return False, ("[" + label + "] Kỳ vọng đầu ra có kích thước " + str(want)
                       + ", nhận được " + str(got) + ".")
    return True, "[" + label + "] Kích thước đúng " + str(want) + "."


def judge_values(obs, expected, rtol, atol, reveal, label, hints=()):
    """``hints``: (values of a typical mistake, Vietnamese explanation) pairs."""
    ok, message = judge_shape(obs, np.shape(expected), label)
    if not ok:
        return ok, message
    want = np.asarray(expected, dtype=np.float64).reshape(-1)
    got = obs.get("values")
    if got is None or len(got) != want.size:
        return False, "[" + label + "] Không đọc được giá trị của đầu ra."
    got = np.asarray(got, dtype=np.float64)
    bad = ~np.isclose(got, want, rtol=rtol, atol=atol)
    bad |= ~np.isfinite(got)
    if not bad.any():
        return True, "[" + label + "] Giá trị đúng."
    count = int(bad.sum())
    first = int(np.argmax(bad))
    if reveal:
        index = tuple(int(i) for i in np.unravel_index(first, np.shape(expected)))
        detail = (" Chẳng hạn tại vị trí " + str(index) + ": kỳ vọng "
                  + format(float(want[first]), ".6g") + ", nhận được "
                  + format(float(got[first]), ".6g") + ".")
    else:
        # Hidden inputs: say how wrong, never what the right value is.
        detail = " (Bài kiểm tra ẩn nên không hiển thị giá trị kỳ vọng.)"
    for mistake, explanation in hints:
        if np.allclose(got, np.asarray(mistake, dtype=np.float64).reshape(-1), rtol=rtol, atol=atol):
            detail += " " + explanation
            break
    return False, ("[" + label + "] Giá trị sai ở " + str(count) + "/" + str(want.size)
                   + " phần tử." + detail)


def judge_floating(obs, label):
    problem = describe_failure(obs)
    if problem:
        return False, "[" + label + "] " + problem
    if not obs.get("floating"):
        return False, ("[" + label + "] Kỳ vọng đầu ra có kiểu số thực dấu phẩy động "
                       "(float), nhận được kiểu " + str(obs.get("dtype"))[:40] + ".")
    return True, "[" + label + "] Kiểu số thực " + str(obs.get("dtype"))[:40] + "."


def judge_device(obs, expected_device, label):
    problem = describe_failure(obs)
    if problem:
        return False, "[" + label + "] " + problem
    got = str(obs.get("device"))[:40]
    if got != expected_device:
        return False, ("[" + label + "] Kỳ vọng đầu ra nằm trên thiết bị " + expected_device
                       + " giống đầu vào, nhận được " + got + ".")
    return True, "[" + label + "] Đầu ra nằm trên " + got + "."


def judge_gradient(obs, expected_grad, rtol, atol, reveal, label):
    problem = describe_failure(obs)
    if problem:
        return False, "[" + label + "] " + problem
    if obs.get("grad_error"):
        return False, ("[" + label + "] Không lan truyền ngược được: "
                       + str(obs["grad_error"])[:300])
    got = obs.get("grad")
    if got is None:
        return False, ("[" + label + "] Không có gradient nào đến hạt nhân K: phép tính "
                       "đã tách khỏi đồ thị tính toán (ví dụ qua .item(), numpy, "
                       "hay tạo tensor mới từ giá trị).")
    want = np.asarray(expected_grad, dtype=np.float64).reshape(-1)
    got = np.asarray(got, dtype=np.float64)
    if got.size != want.size:
        return False, "[" + label + "] Gradient theo K có kích thước sai."
    bad = ~np.isclose(got, want, rtol=rtol, atol=atol) | ~np.isfinite(got)
    if bad.any():
        detail = ""
        if reveal:
            first = int(np.argmax(bad))
            detail = (" Chẳng hạn phần tử thứ " + str(first) + ": kỳ vọng "
                      + format(float(want[first]), ".6g") + ", nhận được "
                      + format(float(got[first]), ".6g") + ".")
        return False, ("[" + label + "] Gradient theo K sai ở " + str(int(bad.sum())) + "/"
                       + str(want.size) + " phần tử." + detail)
    return True, "[" + label + "] Gradient đến K đúng."


FORBIDDEN_WORDS = ("conv", "correlate", "fft")


def find_builtin_convolutions(source, own_names=("cross_correlation",)):
    """Names of built-in convolution/correlation routines used in ``source``.

    Looks at attribute accesses, imported names and string constants (to catch
    ``getattr(F, "conv2d")``); names the student defines are allowed.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    defined = set(own_names)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            defined.add(node.id)
        elif isinstance(node, ast.arg):
            defined.add(node.arg)

    def suspicious(word):
        lowered = word.lower()
        return any(bad in lowered for bad in FORBIDDEN_WORDS) and word not in defined

    def folded_string(node):
        # "con" + "v2d" is still conv2d: fold constant string concatenations.
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = folded_string(node.left), folded_string(node.right)
            if left is not None and right is not None:
                return left + right
        return None

    found = []
    for node in ast.walk(tree):
        word = None
        if isinstance(node, ast.BinOp):
            text = folded_string(node)
            if text and len(text) < 60 and suspicious(text):
                found.append(text + " (dòng " + str(node.lineno) + ")")
        if isinstance(node, ast.Attribute):
            word = node.attr
        elif isinstance(node, ast.alias):
            word = node.name.split(".")[-1]
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            word = node.id
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            word = node.value if len(node.value) < 60 else None
        if word and suspicious(word):
            line = getattr(node, "lineno", "?")
            found.append(word + " (dòng " + str(line) + ")")
    return sorted(set(found))


def judge_no_builtin(found, label):
    if found:
        return False, ("[" + label + "] Bài này yêu cầu tự cài đặt phép tương quan chéo; "
                       "lời giải dùng hàm tích chập/tương quan có sẵn: "
                       + ", ".join(found[:5]) + ".")
    return True, "[" + label + "] Không dùng hàm tích chập/tương quan có sẵn."


