"""Bài tập 1 — ``MyInit`` in MXNet, PyTorch and TensorFlow.

Side: trusted grader.  The reference here is a sampler of the contract's
distribution in numpy (``reference_sample``): the tests draw from it to
measure how often each statistical check fails a correct initialiser.

The failure budget.  Every statistical check runs elementary tests whose
failure probability for a correct initialiser is at most ``DELTA`` each
(``judges_my_init``: Hoeffding, DKW-Massart, independence tables).  One
notebook runs ``STATISTICAL_TESTS`` of them per device, and the grader runs
every check on the CPU and each GPU; for up to ``MAX_DEVICES`` devices the
union bound gives

    P(a correct initialiser loses any point) <= MAX_DEVICES * STATISTICAL_TESTS * DELTA
                                              = FAILURE_BUDGET = 1e-9,

whatever the seeds (the bound holds for each seed the grader fixes).  The
sample sizes (2·10^5 to 3.2·10^5 weights per tensor) keep the tolerances
this budget implies around 0.01: see ``tolerances()``.
"""

import math

import numpy as np

from . import judges_my_init
from ..frameworks import FRAMEWORK_KEYS, facts
from .judges_my_init import (judge_init_direct, judge_init_fresh, judge_init_independent,
                             judge_init_proportions, judge_init_scope, judge_init_shapes,
                             judge_init_support, judge_init_uniform)
from .spec import ON_CPU, Case, Check, Exercise

ENTRY = "MyInit"
FAILURE_BUDGET = 1e-9
MAX_DEVICES = 9  # the CPU and up to eight GPUs


def reference_sample(rng: np.random.Generator, shape) -> np.ndarray:
    """Weights drawn as the contract says, in float32 (what a correct initialiser returns)."""
    part = rng.integers(0, 4, size=shape)           # 0, 1: zero; 2: positive; 3: negative
    magnitude = rng.uniform(5.0, 10.0, size=shape)
    values = np.where(part == 2, magnitude, np.where(part == 3, -magnitude, 0.0))
    return values.astype(np.float32)


# -- layers --------------------------------------------------------------------
def dense(inputs: int, outputs: int, bias: bool = True) -> dict:
    return {"kind": "dense", "in": inputs, "out": outputs, "bias": bias}


def conv(inputs: int, outputs: int, kernel: tuple[int, int]) -> dict:
    return {"kind": "conv", "in": inputs, "out": outputs, "kernel": list(kernel)}


def is_target(framework: str, spec: dict) -> bool:
    """Whether MyInit draws this layer's weight: every weight in MXNet and Keras
    (initialisers apply to any weight), only nn.Linear's in PyTorch."""
    return spec["kind"] == "dense" or (spec["kind"] == "conv" and framework != "pytorch")


def weight_shape(framework: str, spec: dict) -> list[int]:
    """The weight's shape as the framework stores it."""
    if spec["kind"] == "dense":
        if framework == "tensorflow":
            return [spec["in"], spec["out"]]
        return [spec["out"], spec["in"]]
    kh, kw = spec["kernel"]
    if framework == "tensorflow":
        return [kh, kw, spec["in"], spec["out"]]
    return [spec["out"], spec["in"], kh, kw]


def layer_label(framework: str, spec: dict) -> str:
    kind, n_in, n_out = spec["kind"], spec.get("in"), spec.get("out")
    if kind == "dense":
        no_bias = {"pytorch": ", bias=False", "mxnet": ", use_bias=False",
                   "tensorflow": ", use_bias=False"}[framework] if not spec["bias"] else ""
        return {"pytorch": f"nn.Linear({n_in}, {n_out}{no_bias})",
                "mxnet": f"nn.Dense({n_out}, in_units={n_in}{no_bias})",
                "tensorflow": f"Dense({n_out}{no_bias}) trên {n_in} đặc trưng"}[framework]
    if kind == "conv":
        kh, kw = spec["kernel"]
        return {"pytorch": f"nn.Conv2d({n_in}, {n_out}, ({kh}, {kw}))",
                "mxnet": f"nn.Conv2D({n_out}, ({kh}, {kw}), in_channels={n_in})",
                "tensorflow": f"Conv2D({n_out}, ({kh}, {kw})) trên {n_in} kênh"}[framework]
    if kind == "batchnorm":
        return f"nn.BatchNorm1d({spec['features']})"
    return "nn.ReLU()"


def _case(framework: str, layers: list[dict], draws: int = 1, **expected) -> Case:
    kept = [spec for spec in layers
            if spec["kind"] in ("dense", "conv") or framework == "pytorch"]
    shapes = [weight_shape(framework, spec) for spec in kept if is_target(framework, spec)]
    label = ", ".join(layer_label(framework, spec) for spec in kept)
    if draws > 1:
        label += f", khởi tạo {draws} lần"
    return Case(label, {}, {"layers": kept, "draws": draws},
                dict(expected, shapes=shapes, draws=draws, dtype="float32"))


SMALL_NET = [dense(7, 3), {"kind": "relu"}, dense(3, 1), dense(1, 6),
             {"kind": "batchnorm", "features": 6}, conv(2, 4, (3, 2)), dense(6, 6, bias=False)]
DIRECT_REQUESTS = [{"shape": [4, 5]}, {"shape": [3, 2, 2, 4], "dtype": "float32"}, {"shape": [7]},
                   {"shape": [6, 1], "dtype": "float64"}]


def _checks(key: str) -> tuple[Check, ...]:
    def case(layers, draws=1, **expected):
        return _case(key, layers, draws, **expected)

    # MXNet's initialiser has no framework-specific duty beyond the weights of every
    # shape (Conv2D included), so there the shapes check carries the extra point.
    shapes_points = 2 if key == "mxnet" else 1
    checks = [
        Check("init_support", "Mọi trọng số thuộc {0} ∪ [5, 10] ∪ [-10, -5], và có đủ cả ba "
              "phần", 1, "initialise", judge_init_support, (case([dense(500, 400)]),)),
        Check("init_proportions", "Tỷ lệ trọng số bằng 0, dương, âm là 1/2, 1/4, 1/4", 2,
              "initialise", judge_init_proportions,
              (case([dense(300, 700), dense(1000, 250)]),)),
        Check("init_shapes", "Khởi tạo đúng cách của framework trên các tầng nhiều hình dạng: "
              "trọng số giữ hình dạng, kiểu, thiết bị (chỉ tính khi init_support đạt)",
              shapes_points, "initialise", judge_init_shapes, (case(SMALL_NET),),
              requires=("init_support",)),
    ]
    if key == "tensorflow":
        checks.append(Check(
            "init_direct", "Gọi thẳng MyInit()(shape) có và không có dtype: tensor đúng hình "
            "dạng và kiểu (chỉ tính khi init_support đạt)", 1, "direct", judge_init_direct,
            (Case("MyInit()(shape, dtype)", {}, {"requests": DIRECT_REQUESTS},
                  {"requests": DIRECT_REQUESTS, "dtype": "float32"}),),
            requires=("init_support",), devices=ON_CPU))
    elif key == "pytorch":
        checks.append(Check(
            "init_scope", "Chỉ weight của nn.Linear thay đổi; hệ số điều chỉnh và module khác "
            "giữ nguyên (chỉ tính khi init_support đạt)", 1, "initialise", judge_init_scope,
            (case(SMALL_NET),), requires=("init_support",)))
    checks += [
        Check("init_uniform", "Trọng số khác 0 phân bố đều trên [5, 10] và trên [-10, -5]", 2,
              "initialise", judge_init_uniform, (case([dense(640, 500)]),), hidden=True),
        Check("init_independent", "Các trọng số độc lập: theo hàng, theo cột, giữa hai tầng", 2,
              "initialise", judge_init_independent, (case([dense(400, 500), dense(400, 500)]),),
              hidden=True),
        Check("init_fresh", "Khởi tạo lại cho một mẫu mới, độc lập với lần trước", 1,
              "initialise", judge_init_fresh, (case([dense(300, 400)], draws=2),), hidden=True),
    ]
    return tuple(checks)


def statistical_tests(checks: tuple[Check, ...]) -> int:
    """Elementary statistical tests one notebook runs on one device."""
    return sum(judges_my_init.init_test_count(check.judge_name, case.expected)
               for check in checks for case in check.cases)


def _with_delta(checks: tuple[Check, ...]) -> tuple[tuple[Check, ...], float]:
    """The checks with ``delta`` in every case: the budget split over every test and device."""
    delta = FAILURE_BUDGET / (MAX_DEVICES * statistical_tests(checks))
    return tuple(
        Check(check.id, check.title, check.points, check.operation, check.judge,
              tuple(Case(case.label, case.arrays, case.params, dict(case.expected, delta=delta))
                    for case in check.cases),
              check.hidden, check.requires, check.devices)
        for check in checks), delta


def tolerances(exercise: Exercise) -> dict[str, float]:
    """Hoeffding's deviation, per statistical check, for its smallest tensor (for the report)."""
    found = {}
    for check in exercise.checks:
        for case in check.cases:
            shapes = case.expected.get("shapes") or ()
            if judges_my_init.init_test_count(check.judge_name, case.expected) and shapes:
                smallest = min(math.prod(shape) for shape in shapes)
                found[check.id] = judges_my_init.init_tolerance(smallest, case.expected["delta"])
    return found


CONTRACT = {
    "pytorch": ("`MyInit` là một lớp (không cần lớp cơ sở) có `__call__(self, module)`, dùng "
                "như `net.apply(MyInit())`: nó khởi tạo lại **tại chỗ** `weight` của mọi "
                "`nn.Linear` (trong `torch.no_grad()`, vẫn là chính tham số đó, cùng hình dạng, "
                "kiểu và thiết bị), còn hệ số điều chỉnh (*bias*) và các module khác (kể cả "
                "những module có `weight`, như `nn.Conv2d` hay `nn.BatchNorm1d`) giữ nguyên."),
    "mxnet": ("`MyInit` kế thừa `init.Initializer` và ghi đè `_init_weight(self, name, data)`, "
              "dùng như `net.initialize(MyInit(), force_reinit=True)`: phương thức **ghi đè "
              "nội dung** của mảng `data` (`data[:] = ...`) và không trả về gì. MXNet gọi nó cho "
              "mọi trọng số (của `nn.Dense`, `nn.Conv2D`, ... với hình dạng bất kỳ); hệ số điều "
              "chỉnh giữ cách khởi tạo mặc định (bằng 0)."),
    "tensorflow": ("`MyInit` kế thừa `keras.initializers.Initializer` và cài đặt "
                   "`__call__(self, shape, dtype=None, **kwargs)`, dùng như "
                   "`keras.layers.Dense(..., kernel_initializer=MyInit())`: nó **trả về** một "
                   "`tf.Tensor` có **đúng** hình dạng `shape` (với số chiều bất kỳ) và kiểu "
                   "`dtype`; khi `dtype` là `None`, dùng kiểu số thực mặc định của Keras "
                   "(`keras.backend.floatx()`, tức `float32`)."),
}
SETUP = {
    "pytorch": "import torch\nfrom torch import nn",
    "mxnet": "from mxnet import init, np, npx\nfrom mxnet.gluon import nn\nnpx.set_np()",
    "tensorflow": "import keras\nimport tensorflow as tf",
}
SOLUTION = {
    "pytorch": """\
class MyInit:
    def __call__(self, module):
        ### BEGIN SOLUTION
        if isinstance(module, nn.Linear):
            with torch.no_grad():
                weight = module.weight
                part = torch.rand_like(weight)  # [0, 1/4): positive, [1/4, 1/2): negative
                magnitude = torch.empty_like(weight).uniform_(5, 10)
                weight.copy_(torch.where(part < 0.25, magnitude,
                                         torch.where(part < 0.5, -magnitude,
                                                     torch.zeros_like(weight))))
        ### END SOLUTION
""",
    "mxnet": """\
class MyInit(init.Initializer):
    def _init_weight(self, name, data):
        ### BEGIN SOLUTION
        part = np.random.uniform(0, 1, size=data.shape)  # [0, 1/4): positive, [1/4, 1/2): negative
        magnitude = np.random.uniform(5, 10, size=data.shape)
        data[:] = np.where(part < 0.25, magnitude,
                           np.where(part < 0.5, -magnitude, np.zeros_like(magnitude)))
        ### END SOLUTION
""",
    "tensorflow": """\
class MyInit(keras.initializers.Initializer):
    def __call__(self, shape, dtype=None, **kwargs):
        ### BEGIN SOLUTION
        dtype = dtype or keras.backend.floatx()
        part = tf.random.uniform(shape, dtype=dtype)  # [0, 1/4): positive, [1/4, 1/2): negative
        magnitude = tf.random.uniform(shape, 5, 10, dtype=dtype)
        return tf.where(part < 0.25, magnitude,
                        tf.where(part < 0.5, -magnitude, tf.zeros(shape, dtype=dtype)))
        ### END SOLUTION
""",
}
INSTRUCTIONS = r"""# Bài tập 1 — Bộ khởi tạo `MyInit` (<<label>>)

Hãy viết bộ khởi tạo (*initializer*) `MyInit`: mỗi trọng số (*weight*) $w$ được lấy
**độc lập** với mọi trọng số khác, theo phân phối

$$
w \sim
\begin{cases}
U[5,\ 10] & \text{với xác suất } \tfrac14,\\
0 & \text{với xác suất } \tfrac12,\\
U[-10,\ -5] & \text{với xác suất } \tfrac14.
\end{cases}
$$

Ôn lại: mục «Quản lý tham số» (1.2) của sách, phần «Bộ khởi tạo tùy chỉnh», viết một bộ
khởi tạo cho phân phối tam giác bằng đúng cơ chế mà bài này dùng, và vẽ phân phối đích
của `MyInit`.

Yêu cầu:

- <<contract>>
- Một nửa số trọng số bằng **đúng** 0 (không phải «gần 0»); các trọng số khác 0 chia đều
  cho hai khoảng $[5, 10]$ và $[-10, -5]$, và phân bố đều trong mỗi khoảng.
- Mỗi trọng số được lấy độc lập với mọi trọng số khác (cùng hàng, cùng cột, hay ở tầng
  khác), và mỗi lần khởi tạo cho một mẫu mới: đừng đặt hạt giống ngẫu nhiên (*seed*)
  trong `MyInit`.

Bộ chấm khởi tạo các tầng bằng `MyInit` đúng theo cách dùng ở trên, kể cả những tầng lớn
(hàng trăm nghìn trọng số), với hạt giống cố định, rồi kiểm tra: hình dạng và miền giá
trị, tỷ lệ của ba phần, phân phối đều trong mỗi khoảng, tính độc lập giữa các phần tử kề
nhau, giữa hai tầng và giữa hai lần khởi tạo. Ngưỡng của các phép kiểm tra thống kê được
chọn sao cho một lời giải đúng bị đánh trượt oan với xác suất dưới $10^{-9}$, và nhận xét
cho biết bộ chấm đã đo được gì (tỷ lệ số 0, khoảng giá trị, chỗ phân phối lệch).

Chỉ viết vào ô lời giải; các ô khác bị khóa. Bấm **Validate** để chạy các bài kiểm tra
hiển thị; khi chấm còn có các bài kiểm tra ẩn (phân phối đều, tính độc lập, khởi tạo lại).
"""


def _exercise(key: str) -> Exercise:
    framework = facts(key)
    checks, _ = _with_delta(_checks(key))
    instructions = (INSTRUCTIONS.replace("<<label>>", framework.label)
                    .replace("<<contract>>", CONTRACT[key]))
    return Exercise(
        assignment=f"bai1-my-init-{key}", notebook="my_init", framework=key, entry=ENTRY,
        title=f"Bài tập 1 — Bộ khởi tạo MyInit ({framework.label})", instructions=instructions,
        setup_code=SETUP[key], solution_code=SOLUTION[key], checks=checks, probes="my_init",
        book_section="computation/parameters")


EXERCISES = tuple(_exercise(key) for key in FRAMEWORK_KEYS)
STATISTICAL_TESTS = {exercise.framework: statistical_tests(exercise.checks)
                     for exercise in EXERCISES}
DELTA = {exercise.framework: FAILURE_BUDGET / (MAX_DEVICES * STATISTICAL_TESTS[exercise.framework])
         for exercise in EXERCISES}
