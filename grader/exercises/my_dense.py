"""Bài tập 2 — ``MyDense`` in MXNet, PyTorch and TensorFlow.

Side: trusted grader.  The numpy reference (``reference``, ``gradients``)
runs only in the grader's process and in the notebook builder.  Every case
uses sizes that differ pairwise (batch, inputs, units) unless it is meant to
be square, pre-activations at least ``MARGIN`` away from 0 with both signs
(ReLU must act, and no value sits on its kink), and a nonzero bias.
"""

import zlib

import numpy as np

from ..frameworks import FRAMEWORK_KEYS, facts
from .judges_my_dense import (judge_dense_device, judge_dense_gradient, judge_dense_params,
                              judge_dense_sequential, judge_dense_shape, judge_dense_step,
                              judge_dense_values)
from .spec import ON_CPU, ON_EVERY_DEVICE_OR_STAND_IN, Case, Check, Exercise

ENTRY = "MyDense"
RTOL = ATOL = 1e-4
MARGIN = 0.05
LEARNING_RATE = 0.1
HINTS = {
    "relu": ("Kết quả trùng với X @ weight + bias: thiếu hàm kích hoạt ReLU (những chỗ tổng "
             "âm phải ra đúng 0)."),
    "bias": "Kết quả trùng với relu(X @ weight): hệ số điều chỉnh bias chưa được cộng vào.",
    "bias_after": ("Kết quả trùng với relu(X @ weight) + bias: bias phải được cộng trước khi "
                   "áp dụng ReLU."),
    "transposed": ("Kết quả trùng với relu(X @ weight.T + bias): trọng số bị dùng theo chiều "
                   "chuyển vị; weight có hình dạng (in_units, units) và đầu ra là X @ weight."),
}


def relu(values: np.ndarray) -> np.ndarray:
    return np.maximum(values, 0.0)


def reference(X, W, b) -> np.ndarray:
    """relu(X @ W + b) in float64."""
    return relu(np.asarray(X, np.float64) @ np.asarray(W, np.float64) + np.asarray(b, np.float64))


def gradients(X, W, b, G) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """d sum(relu(X W + b) * G) / d(W, b, X)."""
    X, W, b, G = (np.asarray(a, np.float64) for a in (X, W, b, G))
    delta = (X @ W + b > 0) * G
    return X.T @ delta, delta.sum(axis=0), delta @ W.T


def _hints(X, W, b) -> list:
    X, W, b = (np.asarray(a, np.float64) for a in (X, W, b))
    right = reference(X, W, b)
    mistakes = [(X @ W + b, HINTS["relu"]), (relu(X @ W), HINTS["bias"]),
                (relu(X @ W) + b, HINTS["bias_after"])]
    if W.shape[0] == W.shape[1]:
        mistakes.append((relu(X @ W.T + b), HINTS["transposed"]))
    return [(values, text) for values, text in mistakes
            if not np.allclose(values, right, rtol=RTOL, atol=ATOL)]


def _draw(rng, batch: int, n_in: int, units: int) -> tuple[np.ndarray, ...]:
    """X, W, b in float32 with every pre-activation at least MARGIN from 0, both signs."""
    while True:
        X = rng.normal(size=(batch, n_in)).round(2).astype(np.float32)
        W = rng.normal(size=(n_in, units)).round(2).astype(np.float32)
        b = (rng.choice([-1.0, 1.0], size=units) * rng.uniform(0.1, 1.0, size=units)).round(2)
        b = b.astype(np.float32)
        Z = X.astype(np.float64) @ W + b
        if np.all(np.abs(Z) >= MARGIN) and (Z < 0).any() and (Z > 0).any():
            return X, W, b


def constructor(key: str, n_in: int, units: int) -> list[int]:
    """Positional constructor arguments per the contract."""
    return {"mxnet": [units, n_in], "pytorch": [n_in, units], "tensorflow": [units]}[key]


def keyword_constructor(key: str, n_in: int, units: int) -> dict:
    return {"mxnet": {"units": units, "in_units": n_in},
            "pytorch": {"in_units": n_in, "units": units},
            "tensorflow": {"units": units}}[key]


def call_text(args, kwargs=None) -> str:
    parts = [str(a) for a in args] + [f"{k}={v!r}" for k, v in (kwargs or {}).items()]
    return f"MyDense({', '.join(parts)})"


def _base(key, n_in, units, args, kwargs=None) -> dict:
    return {"framework": key, "call": call_text(args, kwargs), "weight": [n_in, units],
            "bias": [units], "rtol": RTOL, "atol": ATOL}


def construct_case(key, n_in, units, *, keywords=False, extra=None) -> Case:
    args = [] if keywords else constructor(key, n_in, units)
    kwargs = dict(keyword_constructor(key, n_in, units) if keywords else {}, **(extra or {}))
    X = np.zeros((2, n_in), np.float32)  # Keras builds the layer at its first call
    return Case(call_text(args, kwargs), {"X": X}, {"args": args, "kwargs": kwargs},
                _base(key, n_in, units, args, kwargs))


def forward_case(key, rng, batch, n_in, units, *, gradient=False, replicated=False) -> Case:
    X, W, b = _draw(rng, batch, n_in, units)
    args = constructor(key, n_in, units)
    arrays = {"X": X, "W": W, "b": b}
    expected = dict(_base(key, n_in, units, args), values=reference(X, W, b),
                    shape=(batch, units), hints=_hints(X, W, b),
                    parameters={"weight": W, "bias": b})
    if gradient:
        arrays["G"] = rng.normal(size=(batch, units)).round(2).astype(np.float32)
        grad_W, grad_b, _ = gradients(X, W, b, arrays["G"])
        expected["grad"] = {"weight": grad_W, "bias": grad_b}
    params = {"args": args, "replicated": True} if replicated else {"args": args}
    return Case(f"X {batch}×{n_in}, {call_text(args)}", arrays, params, expected)


def train_case(key, rng, batch, n_in, units) -> Case:
    X, W, b = _draw(rng, batch, n_in, units)
    G = rng.normal(size=(batch, units)).round(2).astype(np.float32)
    grad_W, grad_b, _ = gradients(X, W, b, G)
    args = constructor(key, n_in, units)
    expected = dict(_base(key, n_in, units, args), shape=(batch, units),
                    after_step_weight=W - LEARNING_RATE * grad_W,
                    after_step_bias=b - LEARNING_RATE * grad_b,
                    start_after_step_weight=W, start_after_step_bias=b)
    return Case(f"X {batch}×{n_in}, {call_text(args)}, một bước SGD (tốc độ học {LEARNING_RATE})",
                {"X": X, "W": W, "b": b, "G": G},
                {"args": args, "learning_rate": LEARNING_RATE}, expected)


def sequential_case(key, rng, batch, n_in, hidden, units) -> Case:
    while True:
        X, W0, b0 = _draw(rng, batch, n_in, hidden)
        H = reference(X, W0, b0)
        _, W1, b1 = _draw(rng, batch, hidden, units)
        Z1 = H @ W1 + b1
        if np.all(np.abs(Z1) >= MARGIN) and (Z1 < 0).any() and (Z1 > 0).any():
            break
    G = rng.normal(size=(batch, units)).round(2).astype(np.float32)
    grad_W1, grad_b1, grad_H = gradients(H, W1, b1, G)
    grad_W0, grad_b0, _ = gradients(X, W0, b0, grad_H)
    args, args2 = constructor(key, n_in, hidden), constructor(key, hidden, units)
    expected = dict(_base(key, n_in, hidden, args), call=f"{call_text(args)}, {call_text(args2)}",
                    layer_shapes=[{"weight": [n_in, hidden], "bias": [hidden]},
                                  {"weight": [hidden, units], "bias": [units]}],
                    values=reference(H, W1, b1), shape=(batch, units), hints=[])
    for index, (W, b, grad_W, grad_b) in enumerate(((W0, b0, grad_W0, grad_b0),
                                                     (W1, b1, grad_W1, grad_b1))):
        expected[f"after_step_{index}_weight"] = W - LEARNING_RATE * grad_W
        expected[f"after_step_{index}_bias"] = b - LEARNING_RATE * grad_b
        expected[f"start_after_step_{index}_weight"] = W
        expected[f"start_after_step_{index}_bias"] = b
    return Case(f"Sequential({call_text(args)}, {call_text(args2)}), X {batch}×{n_in}, một bước "
                f"SGD", {"X": X, "W0": W0, "b0": b0, "W1": W1, "b1": b1, "G": G},
                {"args": args, "args2": args2, "learning_rate": LEARNING_RATE}, expected)


def _checks(key: str) -> tuple[Check, ...]:
    # A fixed seed per framework: hidden inputs, hence grades, are reproducible.
    rng = np.random.default_rng(zlib.crc32(f"my_dense/{key}".encode()))
    constructions = [construct_case(key, 5, 3), construct_case(key, 5, 3, keywords=True)]
    if key == "mxnet":  # **kwargs reach nn.Block
        constructions.append(construct_case(key, 4, 7, extra={"prefix": "kiemtra_"}))
    hidden = [forward_case(key, rng, 1, 4, 2), forward_case(key, rng, 6, 1, 3),
              forward_case(key, rng, 3, 6, 1), forward_case(key, rng, 7, 8, 5),
              forward_case(key, rng, 4, 4, 4)]  # square: a transposed weight fits but is wrong
    return (
        Check("dense_params", "Hàm khởi tạo đúng chữ ký; weight (in_units, units) và bias "
              "(units,) nằm trong danh sách tham số của framework", 1, "construct",
              judge_dense_params, tuple(constructions), devices=ON_CPU),
        Check("dense_shape", "Đầu ra có hình dạng (số ví dụ, units)", 1, "forward",
              judge_dense_shape, (forward_case(key, rng, 4, 5, 3), forward_case(key, rng, 2, 3, 6)),
              devices=ON_CPU),
        Check("dense_values", "Đầu ra bằng relu(X @ weight + bias) với tham số do bộ chấm gán "
              "(có tổng âm và hệ số điều chỉnh khác 0)", 2, "forward", judge_dense_values,
              (forward_case(key, rng, 4, 5, 3), forward_case(key, rng, 3, 2, 4))),
        Check("dense_device", "Đầu ra nằm trên thiết bị của đầu vào (CPU và mọi GPU; chỉ tính "
              "khi dense_shape đạt)", 1, "forward", judge_dense_device,
              (forward_case(key, rng, 3, 4, 2, replicated=True),), requires=("dense_shape",),
              devices=ON_EVERY_DEVICE_OR_STAND_IN),
        Check("dense_gradient", "Gradient lan truyền ngược đến cả weight và bias, đúng giá trị", 2,
              "forward", judge_dense_gradient,
              (forward_case(key, rng, 4, 5, 3, gradient=True),
               forward_case(key, rng, 5, 2, 3, gradient=True))),
        Check("dense_hidden_values", "Giá trị đúng trên các đầu vào ẩn: một ví dụ, một đặc "
              "trưng, một đơn vị, tầng vuông", 1, "forward", judge_dense_values, tuple(hidden),
              hidden=True),
        Check("dense_train_step", "Một bước của bộ tối ưu có sẵn của framework cập nhật weight "
              "và bias đúng như SGD", 1, "train_step", judge_dense_step,
              (train_case(key, rng, 4, 5, 3),), hidden=True),
        Check("dense_sequential", "Hai tầng MyDense trong Sequential của framework: mô hình thấy "
              "tham số, đầu ra đúng, huấn luyện được", 1, "sequential", judge_dense_sequential,
              (sequential_case(key, rng, 3, 6, 4, 2),), hidden=True),
    )


CONTRACT = {
    "mxnet": ("`MyDense(units, in_units, **kwargs)` kế thừa `nn.Block` (chuyển `**kwargs` cho "
              "`super().__init__`); hai tham số tạo bằng `self.params.get` trong `__init__`: "
              "`weight` có hình dạng `(in_units, units)` và `bias` có hình dạng `(units,)`. "
              "Trong `forward(self, X)`, lấy giá trị tham số trên thiết bị của đầu vào: "
              "`self.weight.data(X.ctx)`."),
    "pytorch": ("`MyDense(in_units, units)` kế thừa `nn.Module`; hai thuộc tính `nn.Parameter` "
                "tạo trong `__init__`: `self.weight` có hình dạng `(in_units, units)` và "
                "`self.bias` có hình dạng `(units,)`. Trong `forward(self, X)`, dùng thẳng "
                "`self.weight` và `self.bias` (không qua `.data` hay `.detach()`)."),
    "tensorflow": ("`MyDense(units)` là một tầng Keras (kế thừa `keras.layers.Layer`); hai biến "
                   "tạo bằng `self.add_weight` trong `build(self, input_shape)`, đặt tên "
                   "`name='weight'` (hình dạng `(số đặc trưng của đầu vào, units)`) và "
                   "`name='bias'` (hình dạng `(units,)`). Trong `call(self, X)`, dùng thẳng "
                   "hai biến đó bằng phép toán của TensorFlow."),
}
SETUP = {
    "mxnet": "from mxnet import init, np, npx\nfrom mxnet.gluon import nn\nnpx.set_np()",
    "pytorch": "import torch\nfrom torch import nn",
    "tensorflow": "import keras\nimport tensorflow as tf",
}
SOLUTION = {
    "mxnet": """\
class MyDense(nn.Block):
    def __init__(self, units, in_units, **kwargs):
        super().__init__(**kwargs)
        ### BEGIN SOLUTION
        self.weight = self.params.get('weight', shape=(in_units, units))
        self.bias = self.params.get('bias', shape=(units,), init=init.Zero())
        ### END SOLUTION

    def forward(self, X):
        ### BEGIN SOLUTION
        linear = np.dot(X, self.weight.data(X.ctx)) + self.bias.data(X.ctx)
        return npx.relu(linear)
        ### END SOLUTION
""",
    "pytorch": """\
class MyDense(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        ### BEGIN SOLUTION
        self.weight = nn.Parameter(torch.randn(in_units, units) * 0.01)
        self.bias = nn.Parameter(torch.zeros(units))
        ### END SOLUTION

    def forward(self, X):
        ### BEGIN SOLUTION
        return torch.relu(X @ self.weight + self.bias)
        ### END SOLUTION
""",
    "tensorflow": """\
class MyDense(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        ### BEGIN SOLUTION
        self.weight = self.add_weight(name='weight', shape=(input_shape[-1], self.units),
                                      initializer='random_normal')
        self.bias = self.add_weight(name='bias', shape=(self.units,), initializer='zeros')
        ### END SOLUTION

    def call(self, X):
        ### BEGIN SOLUTION
        return tf.nn.relu(tf.matmul(X, self.weight) + self.bias)
        ### END SOLUTION
""",
}
INSTRUCTIONS = r"""# Bài tập 2 — Tầng `MyDense` (<<label>>)

Hãy viết tầng kết nối đầy đủ (*fully connected layer*) `MyDense` có hàm kích hoạt ReLU:

$$
\mathrm{MyDense}(\mathbf{X}) = \mathrm{ReLU}(\mathbf{X}\mathbf{W} + \mathbf{b}),
\qquad \mathrm{ReLU}(z) = \max(0, z),
$$

trong đó $\mathbf{X}$ có hình dạng (số ví dụ, số đặc trưng đầu vào), trọng số (*weight*)
$\mathbf{W}$ có hình dạng (số đặc trưng đầu vào, số đơn vị) và hệ số điều chỉnh (*bias*)
$\mathbf{b}$ có hình dạng (số đơn vị,), cộng vào mọi hàng. Trong mã: `relu(X @ weight + bias)`.

Ôn lại: mục «Tầng tùy chỉnh» (1.4) của sách xây tầng `ScaleShift` theo đúng ba bước bài
này cần: tạo và đăng ký tham số, dùng chúng trong lượt truyền xuôi, và để gradient tới
được chúng; mục đó cũng đặt tầng tùy chỉnh vào `Sequential` và huấn luyện nó.

Yêu cầu:

- <<contract>>
- Chú ý cách xếp trục: `weight` có hình dạng **(in_units, units)**, là chuyển vị của cách
  `nn.Dense`/`nn.Linear` lưu trọng số.
- Tầng phải huấn luyện được: gradient lan truyền ngược tới cả `weight` lẫn `bias`, bộ tối ưu
  có sẵn của framework cập nhật được chúng, và tầng dùng được bên trong `Sequential`.
- Đầu ra nằm trên cùng thiết bị (*device*) với đầu vào (CPU hay GPU).
- Giá trị ban đầu của tham số tùy bạn chọn: bộ chấm tự gán giá trị đã biết vào `weight` và
  `bias` qua danh sách tham số của framework rồi mới so kết quả.

Chỉ viết vào ô lời giải; các ô khác bị khóa. Bấm **Validate** để chạy các bài kiểm tra
hiển thị. Khi chấm còn có các bài kiểm tra ẩn: nhiều kích thước khác (một ví dụ, một đặc
trưng, một đơn vị, tầng vuông), một bước huấn luyện, và hai tầng `MyDense` trong `Sequential`.
"""


def _exercise(key: str) -> Exercise:
    framework = facts(key)
    instructions = (INSTRUCTIONS.replace("<<label>>", framework.label)
                    .replace("<<contract>>", CONTRACT[key]))
    return Exercise(
        assignment=f"bai2-my-dense-{key}", notebook="my_dense", framework=key, entry=ENTRY,
        title=f"Bài tập 2 — Tầng MyDense ({framework.label})", instructions=instructions,
        setup_code=SETUP[key], solution_code=SOLUTION[key], checks=_checks(key),
        probes="my_dense", book_section="computation/custom-layers")


EXERCISES = tuple(_exercise(key) for key in FRAMEWORK_KEYS)
