"""Verdicts of Bài tập 1 (``MyInit``): support, proportions, uniformity, independence.

Side: trusted grader; the notebook builder pastes this file into the helper
cell right after ``judges.py`` (standard library and numpy only, no state).
Judges have the signature of ``judges.py``; ``expected`` holds the shapes of
the weights the case's layers must have (``shapes``, in layer order), their
dtype, the number of draws and ``delta``, the failure probability allowed to
each elementary statistical test.

The statistics.  Under the contract each weight is 0 with probability 1/2,
U[5, 10] with probability 1/4 and U[-10, -5] with probability 1/4,
independently of every other weight.  Each elementary test bounds one
deviation of an empirical frequency from what that distribution implies, and
fails a correct initialiser with probability at most ``delta``:

- Hoeffding: the mean p̂ of n independent indicators of mean p satisfies
  P(|p̂ - p| >= t) <= 2 exp(-2 n t²), so t = sqrt(ln(2/δ) / (2n)).
- DKW-Massart: the empirical CDF F_n of n i.i.d. draws of a continuous F
  satisfies P(sup |F_n - F| > ε) <= 2 exp(-2 n ε²), same ε.  Given how many
  weights are positive, those weights are i.i.d. U[5, 10] (likewise the
  negative ones), so the bound holds given that number, hence overall.
  Float32 rounding moves F by less than ``GRID`` (added to ε).
- Independence of two categorical variables with unknown marginals: with
  probability >= 1 - 3δ the cell frequency p̂_ij and both marginals p̂_i.,
  p̂_.j are within t of their means, and then
  |p̂_ij - p̂_i. p̂_.j| <= |p̂_ij - p_i p_j| + p_i |p_j - p̂_.j| + p̂_.j |p_i - p̂_i.| <= 3t.
  Using the observed marginals keeps this test about independence alone: a
  solution with wrong proportions loses the proportions check, not this one.

``init_test_count`` gives the number of elementary tests a judge runs on a case;
the exercise definition sums them over a notebook and sets ``delta`` so that
the union bound stays below 1e-9.  Degenerate draws (no weight is 0, or none
is nonzero; probability 2^-n or less) count as tests too.
"""

import math

import numpy as np

try:
    from .judges import describe_error
except ImportError:  # pasted into the notebook after judges.py, which defines it
    pass

INIT_LOW, INIT_HIGH = 5.0, 10.0
INIT_PROBABILITIES = (0.5, 0.25, 0.25)        # zero, in [5, 10], in [-10, -5]
INIT_PART_NAMES = ("bằng 0", "dương (trong [5, 10])", "âm (trong [-10, -5])")
INIT_SIGN_NAMES = ("bằng 0", "dương", "âm")
INIT_SLACK = 1e-5   # float32 rounding at the ends of the intervals (spacing near 10: 9.5e-7)
INIT_GRID = 1e-6    # how far float32 rounding moves a CDF of U[5, 10]
INIT_PAIR_TESTS = 9 + 3 + 3 + 3   # 3x3 sign table: cells and both marginals; 2x2 magnitude table


def init_tolerance(count, delta):
    """Hoeffding's (and DKW-Massart's) deviation for ``count`` draws at level ``delta``."""
    return math.sqrt(math.log(2.0 / delta) / (2.0 * max(int(count), 1)))


def init_parts(values):
    """0: exactly zero, 1: in [5, 10], 2: in [-10, -5], 3: anything else (NaN included)."""
    values = np.asarray(values, dtype=np.float64)
    parts = np.full(values.shape, 3, dtype=np.int8)
    parts[values == 0] = 0
    parts[(values >= INIT_LOW - INIT_SLACK) & (values <= INIT_HIGH + INIT_SLACK)] = 1
    parts[(values <= -INIT_LOW + INIT_SLACK) & (values >= -INIT_HIGH - INIT_SLACK)] = 2
    return parts


def init_signs(values):
    values = np.asarray(values, dtype=np.float64)
    return np.where(values > 0, 1, np.where(values < 0, 2, 0)).astype(np.int8)


INIT_LAYER_NAMES = {"pytorch": {"dense": "nn.Linear", "conv": "nn.Conv2d",
                                "batchnorm": "nn.BatchNorm1d"},
                    "mxnet": {"dense": "nn.Dense", "conv": "nn.Conv2D"},
                    "tensorflow": {"dense": "Dense", "conv": "Conv2D"}}


def _init_layer(obs, tensor):
    """'tầng 2 (nn.Linear)' for a tensor's facts."""
    names = INIT_LAYER_NAMES.get(obs.get("framework"), {})
    kind = str(tensor.get("kind"))
    return "tầng " + str(tensor.get("layer")) + " (" + names.get(kind, kind) + ")"


def _init_where(label, device):
    shown = "" if device in ("", "cpu", "cpu(0)", "/CPU:0", None) else ", " + device
    return "[" + label + shown + "] "


def _f(value, digits=4):
    return format(float(value), "." + str(digits) + "f")


def init_test_count(judge_name, expected):
    """How many elementary statistical tests ``judge_name`` runs on a case (see above)."""
    shapes = [tuple(shape) for shape in expected.get("shapes", ())]
    draws = int(expected.get("draws", 1))
    if judge_name == "judge_init_support":
        return 3 * len(shapes)
    if judge_name == "judge_init_proportions":
        return 3 * len(shapes)
    if judge_name == "judge_init_uniform":
        return 2 * len(shapes)
    if judge_name == "judge_init_independent":
        pair_sets = 2 * sum(1 for shape in shapes if len(shape) == 2)
        pair_sets += sum(1 for first, second in zip(shapes, shapes[1:]) if first == second)
        return 2 * len(shapes) + INIT_PAIR_TESTS * pair_sets
    if judge_name == "judge_init_fresh":
        return 2 * len(shapes) * draws + INIT_PAIR_TESTS * len(shapes) * (draws - 1)
    return 0


# -- reading an observation ---------------------------------------------------
def init_weights(obs, expected, reveal):
    """(weights[draw][layer] as arrays, facts alike) or (None, why not, in Vietnamese)."""
    if not isinstance(obs, dict):
        return None, "Không nhận được kết quả hợp lệ từ lời giải."
    if isinstance(obs.get("error"), dict):
        stage = {"construct": "Tạo MyInit() gây lỗi. ",
                 "initialise": "Khởi tạo tầng bằng MyInit() gây lỗi. "}.get(obs.get("stage"), "")
        return None, stage + describe_error(obs["error"], reveal, "MyInit")
    if obs.get("kind") != "initialised" or not isinstance(obs.get("tensors"), list):
        return None, "Không đọc được trọng số sau khi khởi tạo."
    shapes = [list(shape) for shape in expected["shapes"]]
    weights, facts = [], []
    for draw in range(int(expected.get("draws", 1))):
        found = [t for t in obs["tensors"] if isinstance(t, dict) and t.get("draw") == draw
                 and t.get("role") == "weight"]
        if len(found) != len(shapes):
            return None, "Không đọc được trọng số của mọi tầng sau khi khởi tạo."
        arrays = []
        for index, (tensor, shape) in enumerate(zip(found, shapes)):
            values = obs.get(str(tensor.get("array")))
            if tensor.get("shape") != shape or not isinstance(values, np.ndarray) \
                    or list(values.shape) != shape:
                return None, ("Trọng số của tầng " + str(tensor.get("layer", index))
                              + " có hình dạng " + str(tuple(tensor.get("shape") or ()))
                              + " thay vì " + str(tuple(shape)) + ": bộ khởi tạo phải giữ "
                              "nguyên hình dạng của trọng số.")
            arrays.append(values.astype(np.float64))
        weights.append(arrays)
        facts.append(found)
    return (weights, facts), None


def _init_range(values):
    positive, negative = values[values > 0], values[values < 0]
    parts = []
    if positive.size:
        parts.append("giá trị dương nằm trong [" + _f(positive.min()) + ", " + _f(positive.max())
                     + "]")
    if negative.size:
        parts.append("giá trị âm nằm trong [" + _f(negative.min()) + ", " + _f(negative.max())
                     + "]")
    return ", ".join(parts) if parts else "không có giá trị nào khác 0"


def _init_outside(values, size):
    """A sentence about weights outside the support, or ''."""
    parts = init_parts(values)
    outside = values[parts == 3]
    if outside.size == 0:
        return ""
    finite = outside[np.isfinite(outside)]
    message = (str(outside.size) + "/" + str(size) + " trọng số nằm ngoài {0} ∪ [5, 10] ∪ "
               "[-10, -5]")
    if finite.size:
        message += ", chẳng hạn " + ", ".join(_f(v) for v in finite[:3])
        if np.all(np.abs(finite) < 1e-3):
            message += " (những giá trị rất gần 0: trọng số «bằng 0» phải bằng đúng 0)"
        elif np.all(np.abs(finite) < INIT_LOW):
            message += (" (giá trị khác 0 phải có độ lớn từ 5 đến 10: kiểm tra lại cách biến "
                        "một số ngẫu nhiên đều trên [0, 1) thành một số trên [5, 10])")
    if finite.size < outside.size:
        message += "; có giá trị NaN hoặc vô cùng"
    return message + "."


# -- the judges --------------------------------------------------------------
def judge_init_shapes(obs, expected, label, device, reveal):
    """Every weight keeps its shape, dtype and device (and, in PyTorch, stays the very
    parameter object), and holds only values of the support."""
    where = _init_where(label, device)
    read, problem = init_weights(obs, expected, reveal)
    if problem:
        return False, where + problem
    weights, facts = read
    for tensor, values in zip(facts[0], weights[0]):
        layer = _init_layer(obs, tensor)
        if tensor.get("same") is False:
            return False, (where + "Trọng số của " + layer + " bị thay bằng một tham số mới; "
                           "hãy ghi giá trị vào chính tham số đó (tại chỗ, trong "
                           "torch.no_grad()), để mô hình và bộ tối ưu vẫn dùng nó.")
        if tensor.get("dtype") != expected["dtype"]:
            return False, (where + "Trọng số của " + layer + " có kiểu " + str(tensor.get("dtype"))
                           + " thay vì " + expected["dtype"] + ".")
        if tensor.get("device") != device:
            return False, (where + "Trọng số của " + layer + " nằm trên "
                           + str(tensor.get("device"))
                           + " thay vì " + device + ".")
        outside = _init_outside(values, values.size)
        if outside:
            return False, where + "Ở " + layer + ": " + outside
    return True, (where + "Mọi trọng số giữ đúng hình dạng, kiểu và thiết bị, và chỉ nhận giá "
                  "trị trong {0} ∪ [5, 10] ∪ [-10, -5].")


def judge_init_scope(obs, expected, label, device, reveal):
    """PyTorch: biases and every parameter of modules other than nn.Linear are unchanged."""
    where = _init_where(label, device)
    read, problem = init_weights(obs, expected, reveal)
    if problem:
        return False, where + problem
    for tensor in obs["tensors"]:
        if not isinstance(tensor, dict) or tensor.get("role") == "weight" or tensor.get("draw"):
            continue
        after = obs.get(str(tensor.get("array")))
        before = obs.get("before_" + str(tensor.get("index")))
        if tensor.get("same") is False or not isinstance(after, np.ndarray) \
                or not isinstance(before, np.ndarray) or after.shape != before.shape \
                or not np.array_equal(after, before):
            what = "hệ số điều chỉnh" if tensor.get("role") == "bias" else "tham số"
            return False, (where + "MyInit đã thay đổi " + what + " «" + str(tensor.get("name"))
                           + "» của " + _init_layer(obs, tensor) + ": chỉ được khởi tạo lại "
                           "weight của các nn.Linear; hệ số điều chỉnh và các module khác phải "
                           "giữ nguyên (kiểm tra isinstance(module, nn.Linear), đừng dựa vào "
                           "việc module có thuộc tính weight).")
    return True, where + "Hệ số điều chỉnh và tham số của các module khác giữ nguyên."


def judge_init_support(obs, expected, label, device, reveal):
    """Only {0} ∪ [5, 10] ∪ [-10, -5], and each of the three parts present."""
    where = _init_where(label, device)
    read, problem = init_weights(obs, expected, reveal)
    if problem:
        return False, where + problem
    weights, _ = read
    for values in weights[0]:
        outside = _init_outside(values, values.size)
        if outside:
            return False, where + outside + " Thấy được: " + _init_range(values) + "."
        counts = np.bincount(init_parts(values).ravel(), minlength=4)
        missing = [name for name, count in zip(INIT_PART_NAMES, counts) if count == 0]
        if missing:
            return False, (where + "Trong " + str(values.size) + " trọng số không có giá trị nào "
                           + " và không có giá trị nào ".join(missing) + " (" + _init_range(values)
                           + ").")
    return True, where + "Mọi giá trị thuộc {0} ∪ [5, 10] ∪ [-10, -5]; " + _init_range(
        weights[0][0]) + "."


def judge_init_proportions(obs, expected, label, device, reveal):
    """Proportions of zero, positive and negative weights 1/2, 1/4, 1/4 (Hoeffding)."""
    where = _init_where(label, device)
    read, problem = init_weights(obs, expected, reveal)
    if problem:
        return False, where + problem
    weights, _ = read
    found = []
    for values in weights[0]:
        signs = init_signs(values).ravel()
        n = signs.size
        allowed = init_tolerance(n, expected["delta"])
        shares = np.bincount(signs, minlength=3) / n
        found.append(" / ".join(_f(share, 3) for share in shares))
        for name, share, want in zip(INIT_SIGN_NAMES, shares, INIT_PROBABILITIES):
            if abs(share - want) > allowed:
                hint = ""
                if shares[0] == 1:
                    hint = (" Mọi trọng số đều bằng 0: bộ khởi tạo có thật sự ghi giá trị vào "
                            "trọng số không? (MXNet: ghi đè nội dung bằng data[:] = ..., "
                            "không gán data = ...)")
                return False, (where + "Tỷ lệ trọng số " + name + " là " + _f(share) + " trên "
                               + str(n) + " trọng số; kỳ vọng " + _f(want, 2) + " (cho phép "
                               "sai lệch ±" + _f(allowed) + "). Tỷ lệ bằng 0 / dương / âm đo "
                               "được: " + found[-1] + "." + hint)
    return True, (where + "Tỷ lệ bằng 0 / dương / âm: " + "; ".join(found)
                  + " (kỳ vọng 0.5 / 0.25 / 0.25).")


def _init_ks(magnitudes, interval, delta):
    """(passed, sentence): DKW-Massart test of ``magnitudes`` against U[5, 10]."""
    count = magnitudes.size
    if count == 0:
        return False, "không có giá trị nào trong " + interval
    points = np.clip(np.sort((magnitudes - INIT_LOW) / (INIT_HIGH - INIT_LOW)), 0.0, 1.0)
    ranks = np.arange(1, count + 1) / count
    above, below = ranks - points, points - (ranks - 1.0 / count)
    worst = int(np.argmax(np.maximum(above, below)))
    empirical = ranks[worst] if above[worst] >= below[worst] else ranks[worst] - 1.0 / count
    distance = abs(float(empirical - points[worst]))
    allowed = init_tolerance(count, delta) + INIT_GRID
    at = INIT_LOW + (INIT_HIGH - INIT_LOW) * points[worst]
    sentence = ("trên " + interval + ", tỷ lệ giá trị có độ lớn ≤ " + _f(at, 3) + " là "
                + _f(empirical, 3) + ", còn phân phối đều cho " + _f(points[worst], 3)
                + " (sai lệch " + _f(distance, 3) + ", cho phép " + _f(allowed, 3) + ", "
                + str(count) + " giá trị)")
    return distance <= allowed, sentence


def judge_init_uniform(obs, expected, label, device, reveal):
    """Uniform on [5, 10] and on [-10, -5] (DKW-Massart on each part)."""
    where = _init_where(label, device)
    read, problem = init_weights(obs, expected, reveal)
    if problem:
        return False, where + problem
    weights, _ = read
    for values in weights[0]:
        values = values.ravel()
        for name, magnitudes, interval in (("dương", values[values > 0], "[5, 10]"),
                                           ("âm", -values[values < 0], "[-10, -5]")):
            passed, sentence = _init_ks(magnitudes, interval, expected["delta"])
            if not passed:
                return False, (where + "Các trọng số " + name + " không phân bố đều: " + sentence
                               + ".")
    return True, where + "Trọng số khác 0 phân bố đều trên [5, 10] và trên [-10, -5]."


def init_pair_deviation(first, second, delta):
    """None, or (i, j, observed, product of marginals, allowed) for the worst cell of the
    table of (first[k], second[k]) that breaks independence beyond 3t (see above)."""
    first, second = np.asarray(first).ravel(), np.asarray(second).ravel()
    count = first.size
    if count == 0:
        return None
    levels = int(max(first.max(), second.max())) + 1
    table = np.bincount(first.astype(np.int64) * levels + second, minlength=levels * levels)
    table = table.reshape(levels, levels) / count
    rows, columns = table.sum(axis=1), table.sum(axis=0)
    excess = np.abs(table - np.outer(rows, columns))
    allowed = 3.0 * init_tolerance(count, delta) + 2.0 * INIT_GRID
    worst = np.unravel_index(int(np.argmax(excess)), excess.shape)
    if excess[worst] <= allowed:
        return None
    return (int(worst[0]), int(worst[1]), float(table[worst]),
            float(rows[worst[0]] * columns[worst[1]]), allowed)


def init_pairs_problem(first, second, delta, what):
    """A Vietnamese sentence when pairs (first[k], second[k]) do not look independent."""
    deviation = init_pair_deviation(init_signs(first), init_signs(second), delta)
    if deviation is not None:
        i, j, observed, product, allowed = deviation
        return (what + ", tỷ lệ cặp (" + INIT_SIGN_NAMES[i] + ", " + INIT_SIGN_NAMES[j] + ") là "
                + _f(observed, 3) + ", trong khi nếu các trọng số độc lập thì phải gần "
                + _f(product, 3) + " (tích hai tỷ lệ riêng; cho phép ±" + _f(allowed, 3) + ", "
                + str(np.asarray(first).size) + " cặp).")
    both = (first != 0) & (second != 0)
    large_first = (np.abs(first[both]) > 0.5 * (INIT_LOW + INIT_HIGH)).astype(np.int8)
    large_second = (np.abs(second[both]) > 0.5 * (INIT_LOW + INIT_HIGH)).astype(np.int8)
    deviation = init_pair_deviation(large_first, large_second, delta)
    if deviation is not None:
        i, j, observed, product, allowed = deviation
        sides = ("nhỏ hơn 7.5", "lớn hơn 7.5")
        return (what + ", trong các cặp cùng khác 0, tỷ lệ cặp mà độ lớn hai phần tử lần lượt "
                + sides[i] + " và " + sides[j] + " là " + _f(observed, 3) + ", trong khi nếu độc "
                "lập thì phải gần " + _f(product, 3) + " (cho phép ±" + _f(allowed, 3) + ").")
    return None


def _init_degenerate(values):
    if np.all(values == 0):
        return "mọi trọng số đều bằng 0"
    if np.all(values != 0):
        return "không có trọng số nào bằng 0"
    return None


def judge_init_independent(obs, expected, label, device, reveal):
    """Adjacent weights along each axis, and the weights of two layers of the same shape,
    look independent (sign table and magnitude table, observed marginals)."""
    where = _init_where(label, device)
    read, problem = init_weights(obs, expected, reveal)
    if problem:
        return False, where + problem
    weights, _ = read
    delta = expected["delta"]
    layers = weights[0]
    for index, values in enumerate(layers):
        degenerate = _init_degenerate(values)
        if degenerate:
            return False, where + "Không kiểm tra được tính độc lập: " + degenerate + "."
        if values.ndim != 2:
            continue
        rows, columns = values.shape
        pairs = (
            (values[:, 0:columns - columns % 2:2], values[:, 1:columns - columns % 2:2],
             "Với hai phần tử kề nhau trên cùng một hàng của trọng số tầng " + str(index)),
            (values[0:rows - rows % 2:2, :], values[1:rows - rows % 2:2, :],
             "Với hai phần tử kề nhau trên cùng một cột của trọng số tầng " + str(index)))
        for first, second, what in pairs:
            problem = init_pairs_problem(first.ravel(), second.ravel(), delta, what)
            if problem:
                return False, where + problem
    for index in range(len(layers) - 1):
        if layers[index].shape == layers[index + 1].shape:
            problem = init_pairs_problem(
                layers[index].ravel(), layers[index + 1].ravel(), delta,
                "Với hai phần tử cùng vị trí trong trọng số của tầng " + str(index) + " và tầng "
                + str(index + 1) + " (cùng hình dạng)")
            if problem:
                if np.array_equal(layers[index], layers[index + 1]):
                    problem += (" Hai tầng nhận đúng cùng một ma trận: có phải MyInit đặt lại "
                                "hạt giống ngẫu nhiên mỗi lần được gọi?")
                return False, where + problem
    return True, (where + "Không thấy phụ thuộc giữa các phần tử kề nhau (theo hàng, theo cột) "
                  "hay giữa các tầng.")


def judge_init_fresh(obs, expected, label, device, reveal):
    """Initialising again (with a new MyInit()) gives new, independent draws."""
    where = _init_where(label, device)
    read, problem = init_weights(obs, expected, reveal)
    if problem:
        return False, where + problem
    weights, _ = read
    for draw in range(1, len(weights)):
        for index, (before, after) in enumerate(zip(weights[draw - 1], weights[draw])):
            for values in (before, after):
                degenerate = _init_degenerate(values)
                if degenerate:
                    return False, (where + "Không kiểm tra được hai lần khởi tạo: "
                                   + degenerate + ".")
            problem = init_pairs_problem(
                before.ravel(), after.ravel(), expected["delta"],
                "Giữa hai lần khởi tạo liên tiếp, với cùng một vị trí trong trọng số tầng "
                + str(index))
            if problem:
                same = float(np.mean(before == after))
                if same > 0.9:
                    problem += (" Lần khởi tạo sau giống hệt lần trước ở " + _f(100 * same, 1)
                                + "% vị trí: đừng đặt hạt giống ngẫu nhiên cố định (seed) trong "
                                "MyInit.")
                return False, where + problem
    return True, where + "Mỗi lần khởi tạo cho một mẫu mới, độc lập với lần trước."


def judge_init_direct(obs, expected, label, device, reveal):
    """Keras: ``MyInit()(shape)`` and ``MyInit()(shape, dtype=...)`` return a tf.Tensor of
    exactly ``shape``, of the requested (or Keras's default float) dtype, in the support."""
    where = _init_where(label, device)
    if not isinstance(obs, dict):
        return False, where + "Không nhận được kết quả hợp lệ từ lời giải."
    if isinstance(obs.get("error"), dict):
        return False, (where + "Tạo MyInit() gây lỗi. "
                       + describe_error(obs["error"], reveal, "MyInit"))
    results = obs.get("results") if isinstance(obs.get("results"), list) else []
    requests = expected["requests"]
    if len(results) != len(requests):
        return False, where + "Không đọc được kết quả của MyInit()."
    for index, (result, request) in enumerate(zip(results, requests)):
        call = ("MyInit()(" + str(tuple(request["shape"]))
                + (", dtype='" + request["dtype"] + "'" if request.get("dtype") else "") + ")")
        if not isinstance(result, dict):
            return False, where + call + ": không đọc được kết quả."
        if isinstance(result.get("error"), dict):
            hint = ""
            if not request.get("dtype"):
                hint = (" Khi không có dtype (dtype=None), hãy dùng kiểu số thực mặc định của "
                        "Keras, keras.backend.floatx().")
            return False, where + call + " gây lỗi. " + describe_error(result["error"], reveal,
                                                                      "MyInit") + hint
        if result.get("kind") != "tensor":
            return False, (where + call + " trả về đối tượng kiểu " + str(result.get("type"))[:80]
                           + " thay vì một tf.Tensor.")
        want_shape = [int(size) for size in request["shape"]]
        if result.get("shape") != want_shape:
            return False, (where + call + " trả về tensor có hình dạng "
                           + str(tuple(result.get("shape") or ())) + " thay vì đúng "
                           + str(tuple(want_shape)) + ". (Keras có thể lặng lẽ lan truyền "
                           "(broadcast) một tensor sai hình dạng thành ma trận trọng số, khi đó "
                           "các hàng hay cột giống hệt nhau.)")
        want_dtype = request.get("dtype") or expected["dtype"]
        if result.get("dtype") != want_dtype:
            return False, (where + call + " trả về kiểu " + str(result.get("dtype")) + " thay vì "
                           + want_dtype + ".")
        values = obs.get("direct_" + str(index))
        if isinstance(values, np.ndarray):
            outside = _init_outside(values.astype(np.float64), values.size)
            if outside:
                return False, where + call + ": " + outside
    return True, where + "MyInit() trả về tensor đúng hình dạng và kiểu, kể cả khi không có dtype."
