"""Verdicts of Bài tập 2 (``MyDense``): registration, values, gradients, training, devices.

Side: trusted grader; the notebook builder pastes this file into the helper
cell right after ``judges.py`` (standard library and numpy only, no state).
A layer that could not be constructed, listed or given the grader's
parameters is explained here, with the typical causes per framework;
an output that exists is then judged by the general judges of ``judges.py``
(``judge_shape``, ``judge_values``, ``judge_device``, ``judge_gradient``).
``expected`` always holds ``framework`` and ``call`` (the constructor call,
e.g. ``MyDense(3, 5)``), and the shapes of ``weight`` and ``bias``.
"""

import numpy as np

try:
    from .judges import describe_error, judge_device, judge_gradient, judge_shape, judge_values
except ImportError:  # pasted into the notebook after judges.py, which defines them
    pass

DENSE_LISTING = {"mxnet": "collect_params()", "pytorch": "named_parameters()",
                 "tensorflow": "trainable_weights"}
DENSE_REGISTER_HINT = {
    "mxnet": ("Hãy tạo hai tham số bằng self.params.get('weight', shape=(in_units, units)) và "
              "self.params.get('bias', shape=(units,)) trong __init__: một gluon.Parameter gán "
              "thẳng làm thuộc tính, hay một mảng thường, không được đăng ký."),
    "pytorch": ("Hãy gán nn.Parameter cho self.weight và self.bias trong __init__: một tensor "
                "thường (kể cả có requires_grad), một danh sách Python, hay tham số tạo trong "
                "forward không được đăng ký với module."),
    "tensorflow": ("Hãy tạo hai biến bằng self.add_weight(name='weight', ...) và "
                   "self.add_weight(name='bias', ...) trong build: biến tạo bằng tf.Variable "
                   "hay tạo trong call không nằm đúng chỗ trong trainable_weights."),
}
DENSE_STAGES = {
    "construct": "Tạo tầng {call} gây lỗi. ",
    "prepare": {"mxnet": "Khởi tạo tầng bằng initialize() gây lỗi. ",
                "pytorch": "Chuyển tầng sang thiết bị bằng .to(device) gây lỗi. ",
                "tensorflow": "Lần gọi đầu tiên (Keras gọi build để tạo tham số) gây lỗi. "},
    "list": "Liệt kê tham số của tầng gây lỗi. ",
    "forward": "Lượt truyền xuôi gây lỗi. ",
}
DENSE_DETACHED_HINT = {
    "mxnet": ("đầu ra không phụ thuộc vào tham số này: lượt truyền xuôi phải dùng chính mảng "
              "của nó, self.{role}.data(X.ctx), không đi vòng qua .asnumpy() hay np.array(...)."),
    "pytorch": ("đầu ra không phụ thuộc vào tham số này: lượt truyền xuôi phải dùng thẳng "
                "self.{role}, không qua self.{role}.data, .detach() hay .numpy()."),
    "tensorflow": ("đầu ra không phụ thuộc vào biến này: call phải dùng thẳng self.{role}, "
                   "không bọc nó trong tf.constant(...) hay đi qua .numpy()."),
}


def _dense_where(label, device):
    shown = "" if device in ("", "cpu", "cpu(0)", "/CPU:0", None) else ", " + device
    return "[" + label + shown + "] "


def _dense_shape(shape):
    return str(tuple(int(size) for size in shape or ()))


def _dense_listing(listing, reveal):
    """What the listing holds; names the student chose are shown for visible checks only."""
    if not isinstance(listing, list) or not listing:
        return "danh sách tham số của tầng trống"
    if not reveal:
        return "danh sách tham số có " + str(len(listing)) + " tham số khác"
    items = [str(item.get("name"))[:40] + " " + _dense_shape(item.get("shape"))
             for item in listing[:6] if isinstance(item, dict)]
    return "danh sách tham số chỉ có: " + ", ".join(items)


def _dense_expected_shape(expected, obs, role):
    """The shape ``role`` must have (of the obs's layer, for two layers in a Sequential)."""
    shapes = expected.get("layer_shapes")
    layer = obs.get("layer") if isinstance(obs, dict) else None
    if shapes and isinstance(layer, int) and 0 <= layer < len(shapes):
        return list(shapes[layer][role])
    return list(expected[role])


def _dense_transposed(role, shape, want):
    want = list(want)
    if role == "weight" and len(want) == 2 and list(shape or ()) == want[::-1] \
            and want[0] != want[1]:
        return (" Có vẻ trọng số được lưu theo (units, in_units), như nn.Dense hay nn.Linear; "
                "bài này yêu cầu (in_units, units) để đầu ra là X @ weight.")
    return ""


def dense_problem(obs, expected, reveal):
    """Why the layer never produced a usable result (construction, listing, setting the
    grader's values, the forward pass), in Vietnamese; None if it did."""
    framework = expected["framework"]
    if not isinstance(obs, dict):
        return "Không nhận được kết quả hợp lệ từ lời giải."
    layer = "" if obs.get("layer") is None else "Ở tầng MyDense thứ " + str(obs["layer"]) + ": "
    if isinstance(obs.get("error"), dict):
        stage = DENSE_STAGES.get(obs.get("stage"), "")
        if isinstance(stage, dict):
            stage = stage.get(framework, "")
        return layer + stage.format(call=expected["call"]) + describe_error(obs["error"], reveal,
                                                                           "MyDense")
    if obs.get("missing"):
        missing = ", ".join("«" + str(role) + "»" for role in obs["missing"][:2])
        return (layer + "Không tìm thấy tham số " + missing + " trong "
                + DENSE_LISTING[framework] + " của tầng ("
                + _dense_listing(obs.get("listing"), reveal)
                + "). " + DENSE_REGISTER_HINT[framework])
    mismatch = obs.get("mismatch")
    if isinstance(mismatch, dict):
        role = "bias" if mismatch.get("role") == "bias" else "weight"
        want = _dense_expected_shape(expected, obs, role)
        return (layer + "Không gán được giá trị cho «" + role + "»: tham số có hình dạng "
                + _dense_shape(mismatch.get("shape")) + ", kỳ vọng " + _dense_shape(want) + "."
                + _dense_transposed(role, mismatch.get("shape"), want))
    if obs.get("same_parameters") is False:
        return (layer + "Sau lượt truyền xuôi, «weight» hay «bias» trong "
                + DENSE_LISTING[framework] + " không còn là tham số trước đó: tham số phải được "
                "tạo một lần (trong __init__ hay build), không tạo lại trong lượt truyền xuôi.")
    for role in ("weight", "bias"):
        after = obs.get("after_forward_" + role)
        before = (expected.get("parameters") or {}).get(role)
        if isinstance(after, np.ndarray) and before is not None and (
                after.shape != np.shape(before)
                or not np.allclose(after, np.asarray(before, dtype=np.float64), rtol=0, atol=0)):
            return (layer + "Lượt truyền xuôi đã thay đổi giá trị của «" + role + "»: tầng phải "
                    "dùng giá trị hiện có của tham số, không khởi tạo lại hay gán giá trị mới "
                    "trong lượt truyền xuôi.")
    return None


def judge_dense_params(obs, expected, label, device, reveal):
    """The framework's own listing holds ``weight`` and ``bias`` with the contract's shapes."""
    where = _dense_where(label, device)
    problem = dense_problem(obs, expected, reveal)
    if problem:
        return False, where + problem
    found = obs.get("found") or {}
    for role in ("weight", "bias"):
        shape = (found.get(role) or {}).get("shape")
        if list(shape or ()) != list(expected[role]):
            return False, (where + "«" + role + "» có hình dạng " + _dense_shape(shape)
                           + ", kỳ vọng " + _dense_shape(expected[role]) + "."
                           + _dense_transposed(role, shape, expected[role]))
    return True, (where + expected["call"] + ": " + DENSE_LISTING[expected["framework"]]
                  + " có weight " + _dense_shape(expected["weight"]) + " và bias "
                  + _dense_shape(expected["bias"]) + ".")


def judge_dense_shape(obs, expected, label, device, reveal):
    where = _dense_where(label, device)
    problem = dense_problem(obs, expected, reveal)
    if problem:
        return False, where + problem
    return judge_shape(obs, expected, label, device, reveal)


def judge_dense_values(obs, expected, label, device, reveal):
    """``relu(X @ weight + bias)`` with the grader's parameters (hints name typical mistakes)."""
    where = _dense_where(label, device)
    problem = dense_problem(obs, expected, reveal)
    if problem:
        return False, where + problem
    return judge_values(obs, expected, label, device, reveal)


def judge_dense_device(obs, expected, label, device, reveal):
    where = _dense_where(label, device)
    problem = dense_problem(obs, expected, reveal)
    if problem:
        return False, where + problem
    return judge_device(obs, expected, label, device, reveal)


def judge_dense_gradient(obs, expected, label, device, reveal):
    """Gradients of sum(output * G) reach ``weight`` and ``bias`` with the right values."""
    where = _dense_where(label, device)
    problem = dense_problem(obs, expected, reveal)
    if problem:
        return False, where + problem
    missing = [role for role in ("weight", "bias") if role in (obs.get("no_gradient") or ())]
    if missing and obs.get("kind") == "tensor":
        return False, (where + "Không có gradient nào đến «" + missing[0] + "»: "
                       + DENSE_DETACHED_HINT[expected["framework"]].format(role=missing[0]))
    passed, message = judge_gradient(obs, expected, label, device, reveal)
    if not passed and obs.get("kind") == "tensor":
        for role in ("weight", "bias"):
            grad = obs.get("grad_" + role)
            want = np.asarray(expected["grad"][role])
            if isinstance(grad, np.ndarray) and not np.any(grad) and np.any(want):
                message += " Gradient theo «" + role + "» toàn số 0: " + DENSE_DETACHED_HINT[
                    expected["framework"]].format(role=role)
                break
    return passed, message


def _dense_after_step(obs, expected, prefix, reveal, what):
    """A sentence when a parameter after the optimiser's step is not W - lr * grad, or None."""
    for role in ("weight", "bias"):
        got = obs.get(prefix + role)
        want = np.asarray(expected[prefix + role], dtype=np.float64)
        start = np.asarray(expected["start_" + prefix + role], dtype=np.float64)
        if not isinstance(got, np.ndarray) or got.shape != want.shape:
            return "Không đọc được «" + role + "»" + what + " sau bước tối ưu."
        got = got.astype(np.float64)
        if np.allclose(got, want, rtol=expected["rtol"], atol=expected["atol"]):
            continue
        if np.array_equal(got, start):
            return ("«" + role + "»" + what + " không thay đổi sau một bước của bộ tối ưu: không "
                    "có gradient nào đến nó (" + DENSE_DETACHED_HINT[expected["framework"]].format(
                        role=role) + ")")
        bad = int(np.sum(~np.isclose(got, want, rtol=expected["rtol"], atol=expected["atol"])))
        return ("«" + role + "»" + what + " sau một bước của bộ tối ưu sai ở " + str(bad) + "/"
                + str(want.size) + " phần tử (kỳ vọng giá trị cũ trừ tốc độ học nhân gradient)."
                + ("" if reveal else " (Bài kiểm tra ẩn nên không hiển thị giá trị kỳ vọng.)"))
    return None


def _dense_step_error(obs, reveal):
    error = obs.get("step_error")
    if not isinstance(error, dict):
        return None
    return ("Bước tối ưu gây lỗi (thường vì có tham số không nhận được gradient): "
            + describe_error(error, reveal))


def judge_dense_step(obs, expected, label, device, reveal):
    """One step of the framework's own optimiser changes both parameters as SGD should."""
    where = _dense_where(label, device)
    problem = dense_problem(obs, expected, reveal)
    if problem:
        return False, where + problem
    ok, message = judge_shape(obs, expected, label, device, reveal)
    if not ok:
        return ok, message
    problem = (_dense_step_error(obs, reveal)
               or _dense_after_step(obs, expected, "after_step_", reveal, ""))
    if problem:
        return False, where + problem
    return True, where + "Một bước SGD của bộ tối ưu cập nhật đúng weight và bias."


def judge_dense_sequential(obs, expected, label, device, reveal):
    """Two MyDense inside the framework's Sequential: the model lists their parameters,
    computes relu(relu(X W0 + b0) W1 + b1), and one optimiser step over the model's
    listing updates all four parameters."""
    where = _dense_where(label, device)
    problem = dense_problem(obs, expected, reveal)
    if problem:
        return False, where + problem
    for index, layer in enumerate(obs.get("layers") or ()):
        registered = (layer or {}).get("registered") or ()
        absent = [role for role in ("weight", "bias") if role not in registered]
        if absent:
            return False, (where + "«" + absent[0] + "» của tầng MyDense thứ " + str(index)
                           + " không có trong " + DENSE_LISTING[expected["framework"]]
                           + " của mô hình Sequential chứa nó, nên bộ tối ưu của mô hình không "
                           "cập nhật được nó.")
    ok, message = judge_values(obs, expected, label, device, reveal)
    if not ok:
        return False, message.replace("Giá trị sai", "Đầu ra của mô hình Sequential sai", 1)
    problem = _dense_step_error(obs, reveal)
    for index in range(2):
        problem = problem or _dense_after_step(obs, expected, "after_step_" + str(index) + "_",
                                               reveal, " của tầng thứ " + str(index))
    if problem:
        return False, where + problem
    return True, (where + "Trong Sequential: mô hình thấy cả bốn tham số, đầu ra đúng, và một "
                  "bước tối ưu cập nhật đúng cả hai tầng.")
