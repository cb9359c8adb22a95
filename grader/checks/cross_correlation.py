"""Bài tập 3 — ``cross_correlation(X, K)``: the checks, defined once.

The numpy reference below is trusted code: it runs only in the grader's own
process and in the notebook builder (to write expected values into the
*visible* test cells and the instructor-only hidden ones).
"""

import numpy as np

from .spec import Case, Check, Exercise


def reference_correlation(X, K):
    """Y[i, j] = sum(X[i:i+kh, j:j+kw] * K), computed in float64."""
    X = np.asarray(X, dtype=np.float64)
    K = np.asarray(K, dtype=np.float64)
    windows = np.lib.stride_tricks.sliding_window_view(X, K.shape)
    return np.einsum("ijab,ab->ij", windows, K)


FLIPPED_KERNEL_HINT = ("Kết quả trùng với phép tích chập, tức là hạt nhân đã bị lật 180°: "
                       "tương quan chéo dùng K nguyên như đã cho, không lật.")


def _case(X, K, weights=None, dtype=np.float32):
    X = np.asarray(X, dtype=dtype)
    K = np.asarray(K, dtype=dtype)
    inputs = {"X": X, "K": K}
    if weights is not None:
        inputs["weights"] = np.asarray(weights, dtype=dtype)
    label = "X %d×%d, K %d×%d" % (X.shape + K.shape)
    if dtype == np.float64:
        label += ", float64"
    return Case(label=label, inputs=inputs)


def _random_case(rng, x_shape, k_shape, dtype=np.float32, with_weights=False):
    X = rng.normal(size=x_shape).round(3)
    K = rng.normal(size=k_shape).round(3)
    weights = None
    if with_weights:
        out_shape = (x_shape[0] - k_shape[0] + 1, x_shape[1] - k_shape[1] + 1)
        weights = rng.normal(size=out_shape).round(3)
    return _case(X, K, weights, dtype)


def _checks():
    # Fixed seed: hidden inputs, hence grades, are reproducible.
    rng = np.random.default_rng(20240503)
    small_X = [[1, 2, 0], [0, 1, 3], [2, -1, 1]]
    asymmetric_K = [[1, -1], [0, 2]]  # a flipped kernel gives other values
    return [
        Check("xcorr_shape", "Kích thước đầu ra là (h - kh + 1, w - kw + 1)", 1, "shape",
              [_case(np.ones((4, 4)), np.ones((3, 3))), _case(np.ones((3, 3)), np.ones((1, 1)))]),
        Check("xcorr_values", "Giá trị đúng trên một ví dụ nhỏ với hạt nhân không đối xứng", 2,
              "values", [_case(small_X, asymmetric_K)]),
        Check("xcorr_nonsquare", "Đầu vào và hạt nhân không vuông (phát hiện nhầm trục)", 1,
              "values", [_case(np.arange(15).reshape(3, 5) % 4 - 1, [[1, 0, -1], [2, 1, 0]])]),
        Check("xcorr_floating", "Đầu ra là tensor số thực (float)", 1, "floating",
              [_case(small_X, asymmetric_K), _case(small_X, asymmetric_K, dtype=np.float64)]),
        Check("xcorr_device", "Đầu ra nằm trên cùng thiết bị với đầu vào (CPU và mọi GPU)", 1,
              "device", [_case(small_X, asymmetric_K)]),
        Check("xcorr_hidden_values", "Giá trị đúng trên các đầu vào ẩn nhiều kích thước", 2,
              "values", [
                  _random_case(rng, (7, 9), (3, 2)),
                  _random_case(rng, (6, 6), (1, 1)),
                  _random_case(rng, (5, 8), (5, 8)),
                  _random_case(rng, (10, 4), (2, 4)),
                  _random_case(rng, (6, 7), (3, 3), dtype=np.float64),
              ], hidden=True),
        Check("xcorr_gradient", "Gradient lan truyền ngược đến hạt nhân K", 1, "gradient", [
            _random_case(rng, (6, 5), (2, 3), with_weights=True),
            _random_case(rng, (4, 4), (2, 2), with_weights=True),
        ], hidden=True),
        Check("xcorr_no_builtin", "Không dùng hàm tích chập/tương quan có sẵn "
              "(chỉ tính khi giá trị trên ví dụ nhỏ đúng)", 1, "no_builtin",
              requires=("xcorr_values",)),
    ]


def expected_for(check, case):
    """Keyword arguments of the check's judge for one case (trusted side)."""
    X, K = case.inputs.get("X"), case.inputs.get("K")
    reveal = not check.hidden
    if check.kind == "shape":
        return {"expected_shape": list(reference_correlation(X, K).shape)}
    if check.kind == "values":
        flipped = reference_correlation(X, np.flip(K))
        hints = [] if np.allclose(flipped, reference_correlation(X, K)) else [
            (flipped.tolist(), FLIPPED_KERNEL_HINT)]
        return {"expected": reference_correlation(X, K).tolist(),
                "rtol": check.rtol, "atol": check.atol, "reveal": reveal, "hints": hints}
    if check.kind == "gradient":
        # d/dK sum(Y * W) = cross-correlation of X with W.
        grad = reference_correlation(X, case.inputs["weights"])
        return {"expected_grad": grad.tolist(), "rtol": check.rtol, "atol": check.atol,
                "reveal": reveal}
    return {}


INSTRUCTIONS = """\
# Bài tập 3 — Tương quan chéo hai chiều (PyTorch)

Hãy viết hàm `cross_correlation(X, K)` tính tương quan chéo (*cross-correlation*) hai
chiều của tensor `X` có kích thước `(h, w)` với hạt nhân (*kernel*) `K` có kích thước
`(kh, kw)`:

$$Y[i, j] = \\sum_{a=0}^{kh-1} \\sum_{b=0}^{kw-1} X[i + a, j + b] \\, K[a, b].$$

Yêu cầu:

- Đầu ra `Y` có kích thước `(h - kh + 1, w - kw + 1)`, kiểu số thực, và nằm trên cùng
  thiết bị (*device*) với `X`.
- Gradient phải lan truyền ngược được đến `K`, để hàm này có thể nằm trong một tầng tích
  chập học hạt nhân của nó. Vì vậy đừng chuyển sang numpy hay dùng `.item()` giữa chừng.
- Không dùng hàm tích chập hay tương quan có sẵn của bất kỳ thư viện nào
  (`torch.nn.functional.conv2d`, `scipy.signal.correlate2d`, ...). Dùng vòng lặp hay
  phép toán vector hóa đều được.

Chỉ viết vào ô lời giải; các ô khác bị khóa. Bấm **Validate** để chạy các bài kiểm tra
hiển thị. Khi chấm, còn có các bài kiểm tra ẩn với những đầu vào khác.
"""

SETUP_CODE = "import torch"

SOLUTION_CODE = """\
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
"""

CROSS_CORRELATION_PYTORCH = Exercise(
    assignment="bai3-cross-correlation-pytorch",
    notebook="cross_correlation",
    framework="pytorch",
    function="cross_correlation",
    title="Bài tập 3 — Tương quan chéo (PyTorch)",
    instructions=INSTRUCTIONS,
    setup_code=SETUP_CODE,
    solution_code=SOLUTION_CODE,
    checks=_checks(),
    reference=expected_for,
)
