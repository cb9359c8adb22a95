"""Bài tập 3 — ``cross_correlation(X, K)`` in MXNet, PyTorch and TensorFlow.

Side: trusted grader.  The numpy reference runs only in the grader's process
and in the notebook builder (expected values of the visible tests, and of
the hidden tests in the instructor's source notebook).
"""

import zlib

import numpy as np

from . import judges
from ..frameworks import FRAMEWORK_KEYS, FrameworkFacts, facts
from .spec import (ON_CPU, ON_EVERY_DEVICE, ON_EVERY_DEVICE_OR_STAND_IN, SUBMISSION, Case,
                   Check, Exercise)

ENTRY = "cross_correlation"
# The contract asks for gradients reaching K in PyTorch only.
GRADIENT_FRAMEWORKS = ("pytorch",)
RTOL = ATOL = 1e-4
FLIPPED_KERNEL_HINT = ("Kết quả trùng với phép tích chập, tức là hạt nhân đã bị lật 180°: "
                       "tương quan chéo dùng K nguyên như đã cho, không lật.")


def reference(X, K):
    """Y[i, j] = sum(X[i:i+kh, j:j+kw] * K), in float64."""
    X = np.asarray(X, dtype=np.float64)
    K = np.asarray(K, dtype=np.float64)
    windows = np.lib.stride_tricks.sliding_window_view(X, K.shape)
    return np.einsum("ijab,ab->ij", windows, K)


def _mistakes(X, K):
    flipped = reference(X, np.flip(K))
    return [] if np.allclose(flipped, reference(X, K)) else [(flipped, FLIPPED_KERNEL_HINT)]


def _label(X, K, layouts=None):
    label = f"X {X.shape[0]}×{X.shape[1]}, K {K.shape[0]}×{K.shape[1]}"
    if X.dtype == np.float64:
        label += ", float64"
    for name, layout in (layouts or {}).items():
        label += {"transposed": f", {name} là khung nhìn chuyển vị",
                  "offset": f", {name} là lát cắt có độ lệch"}.get(layout, "")
    return label


def _case(X, K, *, dtype=np.float32, layouts=None, weights=None):
    X, K = np.asarray(X, dtype=dtype), np.asarray(K, dtype=dtype)
    arrays = {"X": X, "K": K}
    params = {"args": ["X", "K"], "layouts": dict(layouts or {})}
    expected = {"values": reference(X, K), "rtol": RTOL, "atol": ATOL,
                "inputs": {"X": X, "K": K}, "hints": _mistakes(X, K), "shape": reference(X, K).shape}
    if weights is not None:
        arrays["weights"] = np.asarray(weights, dtype=dtype)
        params["gradient_wrt"] = ["K"]
        # d/dK sum(Y * W) is the cross-correlation of X with W.
        expected = {"grad": {"K": reference(X, arrays["weights"])}, "rtol": RTOL, "atol": ATOL}
    return Case(_label(X, K, layouts), arrays, params, expected)


def _random(rng, x_shape, k_shape, **kwargs):
    X = rng.normal(size=x_shape).round(3)
    K = rng.normal(size=k_shape).round(3)
    if kwargs.pop("with_weights", False):
        out = (x_shape[0] - k_shape[0] + 1, x_shape[1] - k_shape[1] + 1)
        kwargs["weights"] = rng.normal(size=out).round(3)
    return _case(X, K, **kwargs)


def _checks(framework: FrameworkFacts) -> tuple[Check, ...]:
    # A fixed seed per framework: hidden inputs, hence grades, are reproducible.
    rng = np.random.default_rng(zlib.crc32(f"cross_correlation/{framework.key}".encode()))
    small_X = [[1, 2, 0], [0, 1, 3], [2, -1, 1]]
    asymmetric_K = [[1, -1], [0, 2]]  # a flipped kernel gives other values
    hidden = [
        _random(rng, (7, 9), (3, 2)),
        _random(rng, (6, 6), (1, 1)),
        _random(rng, (5, 8), (5, 8)),                 # kernel as large as the input
        _random(rng, (1, 6), (1, 3)),                 # a single row
        _random(rng, (6, 1), (2, 1)),                 # a single column, a (kh, 1) kernel
        _random(rng, (4, 7), (1, 4)),                 # a (1, kw) kernel
        _random(rng, (6, 7), (3, 3), dtype=np.float64),
        _random(rng, (5, 5), (2, 2)),                 # the same shapes twice, other values:
        _random(rng, (5, 5), (2, 2)),                 # a memo keyed by shape fails
    ]
    for layout in framework.layouts:
        if layout != "contiguous":  # views, where the framework has them
            hidden.append(_random(rng, (6, 5), (2, 3), layouts={"X": layout}))
            hidden.append(_random(rng, (5, 6), (3, 2), layouts={"X": layout, "K": layout}))
    gradients = framework.key in GRADIENT_FRAMEWORKS
    value_points = 2 if gradients else 3
    checks = [
        Check("xcorr_shape", "Kích thước đầu ra là (h - kh + 1, w - kw + 1)", 1, "call",
              judges.judge_shape, (_case(np.ones((4, 4)), np.ones((3, 3))),
                                   _case(np.ones((3, 3)), np.ones((1, 1))),
                                   _case(np.ones((2, 5)), np.ones((2, 2))),
                                   _case(np.ones((5, 2)), np.ones((2, 2)))), devices=ON_CPU),
        Check("xcorr_values", "Giá trị đúng trên một ví dụ nhỏ với hạt nhân không đối xứng", 2,
              "call", judges.judge_values, (_case(small_X, asymmetric_K),)),
        Check("xcorr_nonsquare", "Đầu vào và hạt nhân không vuông, theo cả hai chiều "
              "(phát hiện nhầm trục)", 1, "call", judges.judge_values,
              (_case(np.arange(15).reshape(3, 5) % 4 - 1, [[1, 0, -1], [2, 1, 0]]),
               _case(np.arange(15).reshape(5, 3) % 5 - 2, [[1, 2], [0, -1], [3, 1]]))),
        Check("xcorr_floating", "Đầu ra là tensor số thực (float32 và float64)", 1, "call",
              judges.judge_floating, (_case(small_X, asymmetric_K),
                                      _case(small_X, asymmetric_K, dtype=np.float64)),
              devices=ON_CPU),
        Check("xcorr_device", "Đầu ra nằm trên cùng thiết bị với đầu vào (CPU và mọi GPU)", 1,
              "call", judges.judge_device, (_case(small_X, asymmetric_K),),
              devices=ON_EVERY_DEVICE_OR_STAND_IN),
        Check("xcorr_hidden_values", "Giá trị đúng trên các đầu vào ẩn: nhiều kích thước, một "
              "hàng, một cột, hạt nhân lớn bằng đầu vào, đầu vào không liền bộ nhớ", value_points,
              "call", judges.judge_values, tuple(hidden), hidden=True),
    ]
    if gradients:
        checks.append(Check(
            "xcorr_gradient", "Gradient lan truyền ngược đến hạt nhân K", 1, "call",
            judges.judge_gradient, (_random(rng, (6, 5), (2, 3), with_weights=True),
                                    _random(rng, (4, 4), (2, 2), with_weights=True)),
            hidden=True, devices=ON_EVERY_DEVICE))
    checks.append(Check(
        "xcorr_no_builtin", "Không dùng hàm tích chập, tương quan hay FFT có sẵn (chỉ tính khi "
        "giá trị trên ví dụ nhỏ đúng)", 1, SUBMISSION, judges.judge_policy,
        requires=("xcorr_values",)))
    return tuple(checks)


INSTRUCTIONS = """\
# Bài tập 3 — Tương quan chéo hai chiều ({label})

Hãy viết hàm `cross_correlation(X, K)` tính tương quan chéo (*cross-correlation*) hai chiều
của {array} `X` có kích thước `(h, w)` với hạt nhân (*kernel*) `K` có kích thước `(kh, kw)`:

$$Y[i, j] = \\sum_{{a=0}}^{{kh-1}} \\sum_{{b=0}}^{{kw-1}} X[i + a, j + b] \\, K[a, b].$$

Ôn lại: mục «Tích chập cho ảnh» (2.1) của sách giải thích phép tính này bằng một ví dụ
3×3 với hạt nhân 2×2; mục «Hiệu năng» (2.6) giải thích ý tưởng vector hóa.

Yêu cầu:

- Đầu ra `Y` có kích thước `(h - kh + 1, w - kw + 1)`, kiểu số thực, và {device}
- {extra}- Không dùng hàm tích chập, tương quan hay FFT có sẵn của bất kỳ thư viện nào
  ({forbidden}, `scipy.signal.correlate2d`, ...). Vòng lặp hay phép toán vector hóa đều được.
- Hàm không được sửa `X` hay `K`.

Chỉ viết vào ô lời giải; các ô khác bị khóa. Bấm **Validate** để chạy các bài kiểm tra
hiển thị. Khi chấm còn có các bài kiểm tra ẩn với đầu vào khác (một hàng, một cột, hạt
nhân lớn bằng đầu vào, ...): hãy tự thử thêm những trường hợp đó.
"""

TEXTS = {
    "pytorch": dict(
        array="tensor", forbidden="`torch.nn.functional.conv2d`, `torch.fft`",
        device="nằm trên cùng thiết bị (*device*) với `X` (CPU hay GPU): tensor mới phải tạo "
               "với `device=X.device`.\n",
        extra="Gradient phải lan truyền ngược được đến `K`, để hàm này có thể nằm trong một "
              "tầng tích chập học hạt nhân của nó. Vì vậy đừng chuyển sang numpy hay dùng "
              "`.item()` giữa chừng.\n",
        setup="import torch",
        solution="""\
def cross_correlation(X, K):
    ### BEGIN SOLUTION
    kh, kw = K.shape
    h, w = X.shape
    Y = torch.zeros((h - kh + 1, w - kw + 1), dtype=torch.result_type(X, K), device=X.device)
    for a in range(kh):
        for b in range(kw):
            Y = Y + X[a:a + h - kh + 1, b:b + w - kw + 1] * K[a, b]
    return Y
    ### END SOLUTION
"""),
    "mxnet": dict(
        array="mảng `mxnet.np.ndarray`", forbidden="`npx.convolution`, `nn.Conv2D`",
        device="nằm trên cùng thiết bị (*context*) với `X`: mảng mới phải tạo với "
               "`ctx=X.ctx`.\n",
        extra="", setup="from mxnet import np, npx\nnpx.set_np()",
        solution="""\
def cross_correlation(X, K):
    ### BEGIN SOLUTION
    kh, kw = K.shape
    h, w = X.shape
    Y = np.zeros((h - kh + 1, w - kw + 1), dtype=X.dtype, ctx=X.ctx)
    for a in range(kh):
        for b in range(kw):
            Y = Y + X[a:a + h - kh + 1, b:b + w - kw + 1] * K[a, b]
    return Y
    ### END SOLUTION
"""),
    "tensorflow": dict(
        array="tensor `tf.Tensor`", forbidden="`tf.nn.conv2d`, `tf.signal.fft2d`",
        device="là một `tf.Tensor` (không phải `tf.Variable` hay mảng numpy) nằm trên thiết "
               "bị đang dùng: đừng cố định thiết bị bằng `tf.device(...)` trong hàm.\n",
        extra="Tensor của TensorFlow không gán từng phần tử được: hãy tính cả khối rồi cộng "
              "dồn, hoặc gom các giá trị bằng `tf.stack`.\n",
        setup="import tensorflow as tf",
        solution="""\
def cross_correlation(X, K):
    ### BEGIN SOLUTION
    kh, kw = K.shape
    h, w = X.shape
    Y = tf.zeros((h - kh + 1, w - kw + 1), dtype=X.dtype)
    for a in range(kh):
        for b in range(kw):
            Y = Y + X[a:a + h - kh + 1, b:b + w - kw + 1] * K[a, b]
    return Y
    ### END SOLUTION
"""),
}


def _exercise(key: str) -> Exercise:
    framework = facts(key)
    text = TEXTS[key]
    return Exercise(
        assignment=f"bai3-cross-correlation-{key}", notebook="cross_correlation", framework=key,
        entry=ENTRY, title=f"Bài tập 3 — Tương quan chéo ({framework.label})",
        instructions=INSTRUCTIONS.format(label=framework.label, **text),
        setup_code=text["setup"], solution_code=text["solution"], checks=_checks(framework),
        probes="calls", book_section="cnn/conv-layer")


EXERCISES = tuple(_exercise(key) for key in FRAMEWORK_KEYS)
