"""Sample submissions of Bài tập 3 (cross_correlation) in each framework.

Side: trusted grader (instructor material).
"""

from . import ALL, CORRECT, CRASH, LOOP, WRONG, Sample

VALUES = frozenset({"xcorr_values", "xcorr_nonsquare", "xcorr_hidden_values", "xcorr_no_builtin"})
EVERY_VALUE = VALUES | {"xcorr_shape"}

CRASHING = Sample("loi_chay", CRASH, "def cross_correlation(X, K):\n    return X @ K @ K.T @ X\n",
                  ALL, "nhân ma trận sai kích thước: lỗi ở mọi lần gọi")
LOOPING = Sample("lap_vo_han", LOOP, "def cross_correlation(X, K):\n    while True:\n        pass\n",
                 ALL, "vòng lặp vô hạn: hết thời gian")

PYTORCH = [
    Sample("dung_vong_lap", CORRECT, """\
def cross_correlation(X, K):
    kh, kw = K.shape
    Y = torch.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1), dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + kh, j:j + kw] * K).sum()
    return Y
""", description="hai vòng lặp trên các vị trí của đầu ra"),
    Sample("dung_unfold", CORRECT, """\
def cross_correlation(X, K):
    kh, kw = K.shape
    return (X.unfold(0, kh, 1).unfold(1, kw, 1) * K).sum(dim=(-1, -2))
""", description="vector hóa bằng unfold"),
    Sample("dung_future_stack", CORRECT, '''\
from __future__ import annotations


def _window_sum(X: torch.Tensor, K: torch.Tensor, i: int, j: int) -> torch.Tensor:
    """One output value; note: this is not a convolution (the kernel is not flipped)."""
    return (X[i:i + K.shape[0], j:j + K.shape[1]] * K).sum()


def cross_correlation(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Cross-correlation, the operation deep-learning libraries call "convolution"."""
    oh, ow = X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1
    rows = [torch.stack([_window_sum(X, K, i, j) for j in range(ow)]) for i in range(oh)]
    return torch.stack(rows)
''', description="from __future__, hàm phụ, docstring nhắc tới convolution, torch.stack"),
    Sample("sai_lat_hat_nhan", WRONG, """\
def cross_correlation(X, K):
    kh, kw = K.shape
    K = K.flip(0).flip(1)
    return (X.unfold(0, kh, 1).unfold(1, kw, 1) * K).sum(dim=(-1, -2))
""", VALUES | {"xcorr_gradient"}, "lật hạt nhân: tính tích chập thay vì tương quan chéo"),
    Sample("sai_thieu_mot", WRONG, """\
def cross_correlation(X, K):
    kh, kw = K.shape
    Y = torch.zeros((X.shape[0] - kh, X.shape[1] - kw), dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + kh, j:j + kw] * K).sum()
    return Y
""", EVERY_VALUE | {"xcorr_gradient"}, "kích thước đầu ra thiếu một hàng và một cột"),
    Sample("sai_thiet_bi", WRONG, """\
def cross_correlation(X, K):
    kh, kw = K.shape
    Y = torch.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + kh, j:j + kw] * K).sum()
    return Y
""", {"xcorr_device"}, "tạo đầu ra trên CPU thay vì trên thiết bị của X"),
    Sample("sai_dung_conv2d", WRONG, """\
import torch.nn.functional as F


def cross_correlation(X, K):
    return F.conv2d(X[None, None], K[None, None])[0, 0]
""", {"xcorr_no_builtin"}, "dùng torch.nn.functional.conv2d có sẵn"),
    Sample("sai_conv2d_nguy_trang", WRONG, """\
import importlib


def cross_correlation(X, K):
    module = importlib.import_module("torch.nn." + "functional")
    routine = getattr(module, "".join(reversed("d2vnoc")))
    return routine(X[None, None], K[None, None])[0, 0]
""", {"xcorr_no_builtin"}, "gọi conv2d qua tên ghép lúc chạy"),
    Sample("sai_sua_dau_vao", WRONG, """\
def cross_correlation(X, K):
    kh, kw = K.shape
    Y = (X.unfold(0, kh, 1).unfold(1, kw, 1) * K).sum(dim=(-1, -2))
    X.zero_()
    return Y
""", VALUES | {"xcorr_gradient"}, "xóa X tại chỗ sau khi tính"),
    Sample("sai_nho_theo_kich_thuoc", WRONG, """\
_memo = {}


def cross_correlation(X, K):
    key = (tuple(X.shape), tuple(K.shape), str(X.device), str(X.dtype))
    if key not in _memo:
        kh, kw = K.shape
        _memo[key] = (X.unfold(0, kh, 1).unfold(1, kw, 1) * K).sum(dim=(-1, -2))
    return _memo[key]
""", {"xcorr_hidden_values", "xcorr_gradient"}, "nhớ kết quả theo kích thước đầu vào"),
    Sample("sai_mot_hang", WRONG, """\
def cross_correlation(X, K):
    X = X.squeeze()
    kh, kw = K.shape
    return (X.unfold(0, kh, 1).unfold(1, kw, 1) * K).sum(dim=(-1, -2))
""", {"xcorr_hidden_values"}, "squeeze làm hỏng đầu vào một hàng hay một cột"),
    Sample("sai_gia_dinh_lien_bo_nho", WRONG, """\
def cross_correlation(X, K):
    kh, kw = K.shape
    h, w = X.shape
    windows = torch.as_strided(X, (h - kh + 1, w - kw + 1, kh, kw), (w, 1, w, 1))
    return (windows * K).sum(dim=(-1, -2))
""", {"xcorr_hidden_values"}, "as_strided giả định X liền bộ nhớ"),
    Sample("sai_qua_numpy", WRONG, """\
import numpy


def cross_correlation(X, K):
    x, k = X.numpy(), K.detach().numpy()
    kh, kw = k.shape
    out = numpy.array([[(x[i:i + kh, j:j + kw] * k).sum() for j in range(x.shape[1] - kw + 1)]
                       for i in range(x.shape[0] - kh + 1)])
    return torch.tensor(out, dtype=X.dtype)
""", {"xcorr_device", "xcorr_gradient"}, "tính bằng numpy: mất thiết bị và gradient"),
    CRASHING, LOOPING,
]

MXNET = [
    Sample("dung_vong_lap", CORRECT, """\
def cross_correlation(X, K):
    kh, kw = K.shape
    Y = np.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1), dtype=X.dtype, ctx=X.ctx)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + kh, j:j + kw] * K).sum()
    return Y
""", description="hai vòng lặp trên các vị trí của đầu ra"),
    Sample("dung_stack", CORRECT, '''\
from __future__ import annotations


def cross_correlation(X: np.ndarray, K: np.ndarray) -> np.ndarray:
    """Not a convolution: the kernel is used as given."""
    kh, kw = K.shape
    rows = [np.stack([(X[i:i + kh, j:j + kw] * K).sum() for j in range(X.shape[1] - kw + 1)])
            for i in range(X.shape[0] - kh + 1)]
    return np.stack(rows)
''', description="from __future__, np.stack của các tổng cửa sổ"),
    Sample("sai_lat_hat_nhan", WRONG, """\
def cross_correlation(X, K):
    kh, kw = K.shape
    K = np.flip(K)
    Y = np.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1), dtype=X.dtype, ctx=X.ctx)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + kh, j:j + kw] * K).sum()
    return Y
""", VALUES, "lật hạt nhân: tính tích chập thay vì tương quan chéo"),
    Sample("sai_thieu_mot", WRONG, """\
def cross_correlation(X, K):
    kh, kw = K.shape
    Y = np.zeros((X.shape[0] - kh, X.shape[1] - kw), dtype=X.dtype, ctx=X.ctx)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + kh, j:j + kw] * K).sum()
    return Y
""", EVERY_VALUE, "kích thước đầu ra thiếu một hàng và một cột"),
    Sample("sai_thiet_bi", WRONG, """\
def cross_correlation(X, K):
    kh, kw = K.shape
    Y = np.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + kh, j:j + kw] * K).sum()
    return Y
""", {"xcorr_device"}, "tạo đầu ra trên cpu(0) thay vì trên context của X"),
    Sample("sai_dung_convolution", WRONG, """\
def cross_correlation(X, K):
    kh, kw = K.shape
    out = npx.convolution(X[None, None], K[None, None], kernel=(kh, kw), num_filter=1,
                          no_bias=True)
    return out[0, 0]
""", {"xcorr_no_builtin"}, "dùng npx.convolution có sẵn"),
    Sample("sai_sua_dau_vao", WRONG, """\
def cross_correlation(X, K):
    kh, kw = K.shape
    Y = np.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1), dtype=X.dtype, ctx=X.ctx)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + kh, j:j + kw] * K).sum()
    X[:] = 0
    return Y
""", VALUES, "xóa X tại chỗ sau khi tính"),
    Sample("sai_nho_theo_kich_thuoc", WRONG, """\
_memo = {}


def cross_correlation(X, K):
    key = (X.shape, K.shape, str(X.ctx), str(X.dtype))
    if key not in _memo:
        kh, kw = K.shape
        Y = np.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1), dtype=X.dtype, ctx=X.ctx)
        for i in range(Y.shape[0]):
            for j in range(Y.shape[1]):
                Y[i, j] = (X[i:i + kh, j:j + kw] * K).sum()
        _memo[key] = Y
    return _memo[key]
""", {"xcorr_hidden_values"}, "nhớ kết quả theo kích thước đầu vào"),
    Sample("sai_mot_hang", WRONG, """\
def cross_correlation(X, K):
    X = X.squeeze()
    kh, kw = K.shape
    Y = np.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1), dtype=X.dtype, ctx=X.ctx)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + kh, j:j + kw] * K).sum()
    return Y
""", {"xcorr_hidden_values"}, "squeeze làm hỏng đầu vào một hàng hay một cột"),
    CRASHING, LOOPING,
]

TENSORFLOW = [
    Sample("dung_cong_don", CORRECT, """\
def cross_correlation(X, K):
    kh, kw = K.shape
    h, w = X.shape
    Y = tf.zeros((h - kh + 1, w - kw + 1), dtype=X.dtype)
    for a in range(kh):
        for b in range(kw):
            Y = Y + X[a:a + h - kh + 1, b:b + w - kw + 1] * K[a, b]
    return Y
""", description="cộng dồn các lát cắt dịch chuyển"),
    Sample("dung_stack", CORRECT, '''\
from __future__ import annotations


def cross_correlation(X: tf.Tensor, K: tf.Tensor) -> tf.Tensor:
    """Cross-correlation (what Keras calls a convolution, without flipping)."""
    kh, kw = K.shape
    rows = [tf.stack([tf.reduce_sum(X[i:i + kh, j:j + kw] * K)
                      for j in range(X.shape[1] - kw + 1)])
            for i in range(X.shape[0] - kh + 1)]
    return tf.stack(rows)
''', description="from __future__, tf.stack của các tổng cửa sổ"),
    Sample("sai_lat_hat_nhan", WRONG, """\
def cross_correlation(X, K):
    K = tf.reverse(K, axis=[0, 1])
    kh, kw = K.shape
    h, w = X.shape
    Y = tf.zeros((h - kh + 1, w - kw + 1), dtype=X.dtype)
    for a in range(kh):
        for b in range(kw):
            Y = Y + X[a:a + h - kh + 1, b:b + w - kw + 1] * K[a, b]
    return Y
""", VALUES, "lật hạt nhân: tính tích chập thay vì tương quan chéo"),
    Sample("sai_thieu_mot", WRONG, """\
def cross_correlation(X, K):
    kh, kw = K.shape
    h, w = X.shape
    Y = tf.zeros((h - kh, w - kw), dtype=X.dtype)
    for a in range(kh):
        for b in range(kw):
            Y = Y + X[a:a + h - kh, b:b + w - kw] * K[a, b]
    return Y
""", EVERY_VALUE, "kích thước đầu ra thiếu một hàng và một cột"),
    Sample("sai_co_dinh_thiet_bi", WRONG, """\
def cross_correlation(X, K):
    with tf.device("/CPU:0"):
        kh, kw = K.shape
        h, w = X.shape
        Y = tf.zeros((h - kh + 1, w - kw + 1), dtype=X.dtype)
        for a in range(kh):
            for b in range(kw):
                Y = Y + X[a:a + h - kh + 1, b:b + w - kw + 1] * K[a, b]
        return Y
""", {"xcorr_device"}, "cố định thiết bị /CPU:0 trong hàm"),
    Sample("sai_dung_conv2d", WRONG, """\
def cross_correlation(X, K):
    out = tf.nn.conv2d(X[None, :, :, None], K[:, :, None, None], strides=1, padding="VALID")
    return out[0, :, :, 0]
""", {"xcorr_no_builtin"}, "dùng tf.nn.conv2d có sẵn"),
    Sample("sai_nho_theo_kich_thuoc", WRONG, """\
_memo = {}


def cross_correlation(X, K):
    key = (tuple(X.shape), tuple(K.shape), X.device, X.dtype.name)
    if key not in _memo:
        kh, kw = K.shape
        h, w = X.shape
        Y = tf.zeros((h - kh + 1, w - kw + 1), dtype=X.dtype)
        for a in range(kh):
            for b in range(kw):
                Y = Y + X[a:a + h - kh + 1, b:b + w - kw + 1] * K[a, b]
        _memo[key] = Y
    return _memo[key]
""", {"xcorr_hidden_values"}, "nhớ kết quả theo kích thước đầu vào"),
    Sample("sai_mot_hang", WRONG, """\
def cross_correlation(X, K):
    X = tf.squeeze(X)
    kh, kw = K.shape
    h, w = X.shape
    Y = tf.zeros((h - kh + 1, w - kw + 1), dtype=X.dtype)
    for a in range(kh):
        for b in range(kw):
            Y = Y + X[a:a + h - kh + 1, b:b + w - kw + 1] * K[a, b]
    return Y
""", {"xcorr_hidden_values"}, "squeeze làm hỏng đầu vào một hàng hay một cột"),
    Sample("sai_tra_ve_numpy", WRONG, """\
def cross_correlation(X, K):
    x, k = X.numpy(), K.numpy()
    kh, kw = k.shape
    return sum(x[a:a + x.shape[0] - kh + 1, b:b + x.shape[1] - kw + 1] * k[a, b]
               for a in range(kh) for b in range(kw))
""", ALL, "trả về mảng numpy thay vì tf.Tensor"),
    CRASHING, LOOPING,
]

SAMPLES = {"bai3-cross-correlation-pytorch": PYTORCH, "bai3-cross-correlation-mxnet": MXNET,
           "bai3-cross-correlation-tensorflow": TENSORFLOW}
