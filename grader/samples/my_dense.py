"""Sample submissions of Bài tập 2 (``MyDense``) in each framework.

Side: trusted grader (instructor material).
"""

from . import ALL, CORRECT, CRASH, LOOP, WRONG, Sample

# What each kind of mistake must cost (see grader/exercises/my_dense.py).
WRONG_VALUES = frozenset({"dense_values", "dense_hidden_values", "dense_gradient",
                          "dense_train_step", "dense_sequential"})
NOT_TRAINABLE = frozenset({"dense_gradient", "dense_train_step", "dense_sequential"})
# A forward pass that always fails: everything but the registration (which in Keras needs
# a first call to build the layer, so there it fails too).
FORWARD_BROKEN = WRONG_VALUES | {"dense_shape", "dense_device"}

PYTORCH = [
    Sample("dung_matmul_clamp", CORRECT, """\
class MyDense(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(in_units, units))
        self.bias = nn.Parameter(torch.empty(units))
        nn.init.normal_(self.weight, std=0.01)
        nn.init.zeros_(self.bias)

    def forward(self, X):
        return torch.matmul(X, self.weight).add(self.bias).clamp(min=0)
""", description="nn.init, torch.matmul và clamp(min=0)"),
    Sample("dung_addmm", CORRECT, '''\
import torch.nn.functional as F


class MyDense(nn.Module):
    """relu(X W + b) with torch.addmm; parameters registered with register_parameter."""

    def __init__(self, in_units: int, units: int) -> None:
        super().__init__()
        self.register_parameter("weight", nn.Parameter(torch.randn(in_units, units) / in_units))
        self.register_parameter("bias", nn.Parameter(torch.zeros(units)))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return F.relu(torch.addmm(self.bias, X, self.weight))
''', description="register_parameter, torch.addmm, F.relu"),
    Sample("sai_thieu_relu", WRONG, """\
class MyDense(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.zeros(units))

    def forward(self, X):
        return X @ self.weight + self.bias
""", WRONG_VALUES, "quên ReLU"),
    Sample("sai_thieu_bias", WRONG, """\
class MyDense(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.zeros(units))

    def forward(self, X):
        return torch.relu(X @ self.weight)
""", WRONG_VALUES, "có tham số bias nhưng không cộng vào"),
    Sample("sai_chuyen_vi", WRONG, """\
class MyDense(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(units, in_units))  # as nn.Linear stores it
        self.bias = nn.Parameter(torch.zeros(units))

    def forward(self, X):
        return torch.relu(X @ self.weight.T + self.bias)
""", ALL, "lưu trọng số theo (units, in_units) như nn.Linear"),
    Sample("sai_dung_data", WRONG, """\
class MyDense(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.zeros(units))

    def forward(self, X):
        return torch.relu(X @ self.weight.data + self.bias)
""", NOT_TRAINABLE, ".data cắt trọng số khỏi đồ thị tính toán"),
    Sample("sai_tao_trong_forward", WRONG, """\
class MyDense(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.units = units

    def forward(self, X):
        if not hasattr(self, "weight"):  # created at the first call only
            self.weight = nn.Parameter(torch.randn(X.shape[1], self.units, device=X.device))
            self.bias = nn.Parameter(torch.zeros(self.units, device=X.device))
        return torch.relu(X @ self.weight + self.bias)
""", ALL, "tạo tham số trong forward"),
    Sample("sai_thiet_bi", WRONG, """\
class MyDense(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.zeros(units))

    def forward(self, X):
        return torch.maximum(X @ self.weight + self.bias, torch.zeros(self.bias.shape))
""", {"dense_device"}, "tạo tensor 0 trên CPU trong forward (trên GPU: lỗi ở mọi bài kiểm tra chạy "
       "trên GPU)", fails_on_gpu=WRONG_VALUES | {"dense_device"}),
    Sample("loi_chay", CRASH, """\
class MyDense(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.zeros(units))

    def forward(self, X):
        return torch.relu(self.weight @ X + self.bias)
""", FORWARD_BROKEN, "nhân sai thứ tự: lỗi ở lượt truyền xuôi"),
    Sample("lap_vo_han", LOOP, """\
class MyDense(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        while True:
            pass
""", ALL, "vòng lặp vô hạn: hết thời gian"),
]

MXNET = [
    Sample("dung_maximum", CORRECT, """\
class MyDense(nn.Block):
    def __init__(self, units, in_units, **kwargs):
        super().__init__(**kwargs)
        self.weight = self.params.get('weight', shape=(in_units, units), init=init.Normal(0.01))
        self.bias = self.params.get('bias', shape=(units,), init=init.Zero())

    def forward(self, X):
        return np.maximum(X @ self.weight.data(X.ctx) + self.bias.data(X.ctx), 0)
""", description="toán tử @ và np.maximum"),
    Sample("dung_hybrid", CORRECT, '''\
class MyDense(nn.HybridBlock):
    """A HybridBlock: Gluon passes the parameters' arrays to hybrid_forward."""

    def __init__(self, units, in_units, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.weight = self.params.get('weight', shape=(in_units, units))
            self.bias = self.params.get('bias', shape=(units,))

    def hybrid_forward(self, F, X, weight, bias):
        return F.npx.relu(F.np.dot(X, weight) + bias)
''', description="HybridBlock với hybrid_forward"),
    Sample("sai_thieu_relu", WRONG, """\
class MyDense(nn.Block):
    def __init__(self, units, in_units, **kwargs):
        super().__init__(**kwargs)
        self.weight = self.params.get('weight', shape=(in_units, units))
        self.bias = self.params.get('bias', shape=(units,))

    def forward(self, X):
        return np.dot(X, self.weight.data(X.ctx)) + self.bias.data(X.ctx)
""", WRONG_VALUES, "quên ReLU"),
    Sample("sai_bias_sau_relu", WRONG, """\
class MyDense(nn.Block):
    def __init__(self, units, in_units, **kwargs):
        super().__init__(**kwargs)
        self.weight = self.params.get('weight', shape=(in_units, units))
        self.bias = self.params.get('bias', shape=(units,))

    def forward(self, X):
        return npx.relu(np.dot(X, self.weight.data(X.ctx))) + self.bias.data(X.ctx)
""", WRONG_VALUES, "cộng bias sau ReLU"),
    Sample("sai_cap_phat_truoc", WRONG, """\
class MyDense(nn.Block):
    def __init__(self, units, in_units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.weight = self.params.get('weight', shape=(in_units, units))
        self.bias = self.params.get('bias', shape=(units,))

    def forward(self, X):
        out = np.zeros((X.shape[0], self.units))  # on cpu(0), whatever X.ctx is
        out[:] = npx.relu(np.dot(X, self.weight.data(X.ctx)) + self.bias.data(X.ctx))
        return out
""", {"dense_device"}, "cấp phát đầu ra bằng np.zeros không có ctx: đầu ra nằm trên cpu(0)"),
    Sample("sai_qua_numpy", WRONG, """\
class MyDense(nn.Block):
    def __init__(self, units, in_units, **kwargs):
        super().__init__(**kwargs)
        self.weight = self.params.get('weight', shape=(in_units, units))
        self.bias = self.params.get('bias', shape=(units,))

    def forward(self, X):
        weight = np.array(self.weight.data(X.ctx).asnumpy(), ctx=X.ctx)
        return npx.relu(np.dot(X, weight) + self.bias.data(X.ctx))
""", NOT_TRAINABLE, "chép trọng số qua numpy: mất gradient"),
    Sample("sai_thuoc_tinh_parameter", WRONG, """\
from mxnet import gluon


class MyDense(nn.Block):
    def __init__(self, units, in_units, **kwargs):
        super().__init__(**kwargs)
        self.weight = gluon.Parameter('weight', shape=(in_units, units))
        self.bias = gluon.Parameter('bias', shape=(units,))

    def forward(self, X):
        return npx.relu(np.dot(X, self.weight.data(X.ctx)) + self.bias.data(X.ctx))
""", ALL, "gluon.Parameter gán làm thuộc tính: không được đăng ký"),
    Sample("sai_chuyen_vi", WRONG, """\
class MyDense(nn.Block):
    def __init__(self, units, in_units, **kwargs):
        super().__init__(**kwargs)
        self.weight = self.params.get('weight', shape=(units, in_units))  # as nn.Dense stores it
        self.bias = self.params.get('bias', shape=(units,))

    def forward(self, X):
        return npx.relu(np.dot(X, self.weight.data(X.ctx).T) + self.bias.data(X.ctx))
""", ALL, "lưu trọng số theo (units, in_units) như nn.Dense"),
    Sample("loi_chay", CRASH, """\
class MyDense(nn.Block):
    def __init__(self, units, in_units, **kwargs):
        super().__init__(**kwargs)
        self.weight = self.params.get('weight', shape=(in_units, units))
        self.bias = self.params.get('bias', shape=(units,))

    def forward(self, X):
        return npx.relu(np.dot(self.weight.data(X.ctx), X) + self.bias.data(X.ctx))
""", FORWARD_BROKEN, "nhân sai thứ tự: lỗi ở lượt truyền xuôi"),
    Sample("lap_vo_han", LOOP, """\
class MyDense(nn.Block):
    def __init__(self, units, in_units, **kwargs):
        super().__init__(**kwargs)
        while True:
            pass
""", ALL, "vòng lặp vô hạn: hết thời gian"),
]

TENSORFLOW = [
    Sample("dung_keras_ops", CORRECT, """\
from keras import ops


class MyDense(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.weight = self.add_weight(shape=(input_shape[-1], self.units), name="weight",
                                      initializer=keras.initializers.GlorotUniform())
        self.bias = self.add_weight(shape=(self.units,), name="bias", initializer="zeros")

    def call(self, X):
        return ops.relu(ops.matmul(X, self.weight) + self.bias)
""", description="keras.ops"),
    Sample("dung_model", CORRECT, '''\
class MyDense(keras.Model):
    """A Keras model (also allowed): variables made in build, used in call."""

    def __init__(self, units):
        super().__init__()
        self.units = units

    def build(self, input_shape):
        self.weight = self.add_weight(name="weight", shape=(int(input_shape[-1]), self.units))
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")

    def call(self, X):
        return tf.maximum(tf.linalg.matmul(X, self.weight) + self.bias, 0.0)
''', description="kế thừa keras.Model, tf.maximum"),
    Sample("sai_thieu_relu", WRONG, """\
class MyDense(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.weight = self.add_weight(name="weight", shape=(input_shape[-1], self.units))
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")

    def call(self, X):
        return tf.matmul(X, self.weight) + self.bias
""", WRONG_VALUES, "quên ReLU"),
    Sample("sai_thieu_bias", WRONG, """\
class MyDense(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.weight = self.add_weight(name="weight", shape=(input_shape[-1], self.units))
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")

    def call(self, X):
        return tf.nn.relu(tf.matmul(X, self.weight))
""", WRONG_VALUES, "có biến bias nhưng không cộng vào"),
    Sample("sai_qua_numpy", WRONG, """\
class MyDense(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.weight = self.add_weight(name="weight", shape=(input_shape[-1], self.units))
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")

    def call(self, X):
        weight = tf.constant(self.weight.numpy())
        return tf.nn.relu(tf.matmul(X, weight) + self.bias)
""", NOT_TRAINABLE, "tf.constant(...numpy()): mất gradient của trọng số"),
    Sample("sai_ten_kernel", WRONG, """\
class MyDense(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], self.units))
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")

    def call(self, X):
        return tf.nn.relu(tf.matmul(X, self.kernel) + self.bias)
""", ALL, "đặt tên trọng số là kernel như Dense của Keras"),
    Sample("sai_co_dinh_thiet_bi", WRONG, """\
class MyDense(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.weight = self.add_weight(name="weight", shape=(input_shape[-1], self.units))
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")

    def call(self, X):
        with tf.device("/CPU:0"):
            return tf.nn.relu(tf.matmul(X, self.weight) + self.bias)
""", {"dense_device"}, "cố định thiết bị /CPU:0 trong call"),
    Sample("sai_chuyen_vi", WRONG, """\
class MyDense(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.weight = self.add_weight(name="weight", shape=(self.units, input_shape[-1]))
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")

    def call(self, X):
        return tf.nn.relu(tf.matmul(X, self.weight, transpose_b=True) + self.bias)
""", ALL, "lưu trọng số theo (units, số đặc trưng)"),
    Sample("loi_chay", CRASH, """\
class MyDense(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.weight = self.add_weight(name="weight", shape=(input_shape[-1], self.units))
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")

    def call(self, X):
        return tf.nn.relu(tf.matmul(self.weight, X) + self.bias)
""", ALL, "nhân sai thứ tự: lỗi ở mọi lượt truyền xuôi, kể cả lần gọi đầu tiên tạo tham số"),
    Sample("lap_vo_han", LOOP, """\
class MyDense(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        while True:
            pass
""", ALL, "vòng lặp vô hạn: hết thời gian"),
]

SAMPLES = {"bai2-my-dense-pytorch": PYTORCH, "bai2-my-dense-mxnet": MXNET,
           "bai2-my-dense-tensorflow": TENSORFLOW}
