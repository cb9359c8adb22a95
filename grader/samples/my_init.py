"""Sample submissions of Bài tập 1 (``MyInit``) in each framework.

Side: trusted grader (instructor material).
"""

from . import ALL, CORRECT, CRASH, LOOP, WRONG, Sample

# What each kind of mistake must cost (see grader/exercises/my_init.py).  A support
# without one of its three parts also costs the checks that require init_support.
NO_NEGATIVE = frozenset({"init_support", "init_proportions", "init_uniform", "init_shapes"})
NOT_INDEPENDENT = frozenset({"init_independent", "init_fresh"})

PYTORCH = [
    Sample("dung_bernoulli", CORRECT, """\
class MyInit:
    def __call__(self, module):
        if isinstance(module, nn.Linear):
            with torch.no_grad():
                w = module.weight
                w.uniform_(5, 10)
                w.mul_(torch.randint(0, 2, w.shape, device=w.device) * 2 - 1)  # random sign
                w.mul_(torch.bernoulli(torch.full_like(w, 0.5)))               # zero half
""", description="uniform_ tại chỗ, dấu ngẫu nhiên, mặt nạ Bernoulli"),
    Sample("dung_nn_init", CORRECT, """\
class MyInit:
    \"\"\"U[-10, 10], then zero where |w| < 5: what is left is U[5, 10] or U[-10, -5].\"\"\"

    def __call__(self, m):
        if type(m) == nn.Linear:
            nn.init.uniform_(m.weight, -10, 10)
            m.weight.data *= m.weight.data.abs() >= 5
""", description="nn.init.uniform_ trên [-10, 10] rồi xóa phần có trị tuyệt đối dưới 5"),
    Sample("dung_numpy", CORRECT, """\
import numpy


class MyInit:
    def __call__(self, module):
        if not isinstance(module, nn.Linear):
            return
        shape = tuple(module.weight.shape)
        sign = numpy.random.choice([0.0, 0.0, 1.0, -1.0], size=shape)
        values = sign * numpy.random.uniform(5, 10, size=shape)
        with torch.no_grad():
            module.weight.copy_(torch.from_numpy(values))
""", description="sinh bằng numpy rồi chép vào trọng số"),
    Sample("sai_ti_le", WRONG, """\
class MyInit:
    def __call__(self, module):
        if isinstance(module, nn.Linear):
            with torch.no_grad():
                w = module.weight
                part = torch.randint(0, 3, w.shape, device=w.device)  # 1/3 each
                magnitude = torch.empty_like(w).uniform_(5, 10)
                w.copy_(torch.where(part == 0, magnitude,
                                    torch.where(part == 1, -magnitude, torch.zeros_like(w))))
""", {"init_proportions"}, "ba phần mỗi phần 1/3 thay vì 1/4, 1/2, 1/4"),
    Sample("sai_phan_phoi_chuan", WRONG, """\
class MyInit:
    def __call__(self, module):
        if isinstance(module, nn.Linear):
            with torch.no_grad():
                w = module.weight
                part = torch.rand_like(w)
                magnitude = (7.5 + torch.randn_like(w)).clamp(5, 10)
                w.copy_(torch.where(part < 0.25, magnitude,
                                    torch.where(part < 0.5, -magnitude, torch.zeros_like(w))))
""", {"init_uniform"}, "độ lớn theo phân phối chuẩn quanh 7.5 (cắt về [5, 10]) thay vì đều"),
    Sample("sai_dat_seed", WRONG, """\
class MyInit:
    def __call__(self, module):
        if isinstance(module, nn.Linear):
            torch.manual_seed(0)  # the same draws for every layer and every initialisation
            with torch.no_grad():
                w = module.weight
                part = torch.rand_like(w)
                magnitude = torch.empty_like(w).uniform_(5, 10)
                w.copy_(torch.where(part < 0.25, magnitude,
                                    torch.where(part < 0.5, -magnitude, torch.zeros_like(w))))
""", NOT_INDEPENDENT, "đặt seed cố định mỗi lần gọi: các tầng và các lần khởi tạo giống hệt"),
    Sample("sai_ca_bias", WRONG, """\
class MyInit:
    def __call__(self, module):
        if isinstance(module, nn.Linear):
            with torch.no_grad():
                for p in module.parameters():  # the bias too
                    part = torch.rand_like(p)
                    magnitude = torch.empty_like(p).uniform_(5, 10)
                    p.copy_(torch.where(part < 0.25, magnitude,
                                        torch.where(part < 0.5, -magnitude, torch.zeros_like(p))))
""", {"init_scope"}, "khởi tạo cả hệ số điều chỉnh"),
    Sample("sai_moi_weight", WRONG, """\
class MyInit:
    def __call__(self, module):
        if hasattr(module, "weight"):  # also BatchNorm and Conv2d
            with torch.no_grad():
                w = module.weight
                part = torch.rand_like(w)
                magnitude = torch.empty_like(w).uniform_(5, 10)
                w.copy_(torch.where(part < 0.25, magnitude,
                                    torch.where(part < 0.5, -magnitude, torch.zeros_like(w))))
""", {"init_scope"}, "sửa weight của mọi module có weight (BatchNorm, Conv2d)"),
    Sample("sai_thay_tham_so", WRONG, """\
class MyInit:
    def __call__(self, module):
        if isinstance(module, nn.Linear):
            shape = module.weight.shape
            part = torch.rand(shape)
            magnitude = torch.empty(shape).uniform_(5, 10)
            module.weight = nn.Parameter(
                torch.where(part < 0.25, magnitude, torch.where(part < 0.5, -magnitude, 0.0)))
""", {"init_shapes"}, "thay trọng số bằng một nn.Parameter mới"),
    Sample("sai_khong_am", WRONG, """\
class MyInit:
    def __call__(self, module):
        if isinstance(module, nn.Linear):
            with torch.no_grad():
                w = module.weight
                w.uniform_(5, 10)
                w.mul_(torch.rand_like(w) < 0.5)
""", NO_NEGATIVE | {"init_scope"}, "quên phần âm: một nửa bằng 0, một nửa trên [5, 10]"),
    Sample("sai_nua_co_dinh", WRONG, """\
class MyInit:
    def __call__(self, module):
        if isinstance(module, nn.Linear):
            with torch.no_grad():
                w = module.weight
                half = w.shape[0] // 2
                w.uniform_(5, 10)
                w.mul_(torch.randint(0, 2, w.shape, device=w.device) * 2 - 1)
                w[:half] = 0  # the zeros always in the first rows
""", NOT_INDEPENDENT, "các số 0 luôn nằm ở nửa đầu các hàng"),
    Sample("loi_chay", CRASH, """\
class MyInit:
    def __call__(self, module):
        if isinstance(module, nn.Linear):
            module.weight.uniform_(5, 10)  # in place on a leaf that requires grad
""", ALL, "sửa tại chỗ ngoài torch.no_grad(): lỗi ở mọi lần khởi tạo"),
    Sample("lap_vo_han", LOOP, """\
class MyInit:
    def __call__(self, module):
        while True:
            pass
""", ALL, "vòng lặp vô hạn: hết thời gian"),
]

MXNET = [
    Sample("dung_loc_tri_tuyet_doi", CORRECT, """\
class MyInit(init.Initializer):
    def _init_weight(self, name, data):
        data[:] = np.random.uniform(-10, 10, data.shape)
        data *= np.abs(data) >= 5
""", description="đều trên [-10, 10] rồi xóa phần có trị tuyệt đối dưới 5"),
    Sample("dung_numpy", CORRECT, """\
import numpy


class MyInit(init.Initializer):
    \"\"\"Draws with NumPy, then writes into the parameter's array.\"\"\"

    def _init_weight(self, name, data):
        sign = numpy.random.choice([0.0, 0.0, 1.0, -1.0], size=data.shape)
        data[:] = np.array(sign * numpy.random.uniform(5, 10, size=data.shape), dtype=data.dtype)
""", description="sinh bằng numpy rồi ghi vào data"),
    Sample("sai_gan_data", WRONG, """\
class MyInit(init.Initializer):
    def _init_weight(self, name, data):
        part = np.random.uniform(0, 1, size=data.shape)
        magnitude = np.random.uniform(5, 10, size=data.shape)
        data = np.where(part < 0.25, magnitude,
                        np.where(part < 0.5, -magnitude, np.zeros_like(magnitude)))
""", ALL, "gán data = ... thay vì ghi đè data[:]: trọng số toàn số 0"),
    Sample("sai_ti_le", WRONG, """\
class MyInit(init.Initializer):
    def _init_weight(self, name, data):
        part = np.random.uniform(0, 1, size=data.shape)
        magnitude = np.random.uniform(5, 10, size=data.shape)
        data[:] = np.where(part < 1 / 3, magnitude,
                           np.where(part < 2 / 3, -magnitude, np.zeros_like(magnitude)))
""", {"init_proportions"}, "ba phần mỗi phần 1/3"),
    Sample("sai_phan_phoi_chuan", WRONG, """\
class MyInit(init.Initializer):
    def _init_weight(self, name, data):
        part = np.random.uniform(0, 1, size=data.shape)
        magnitude = np.clip(np.random.normal(7.5, 1, size=data.shape), 5, 10)
        data[:] = np.where(part < 0.25, magnitude,
                           np.where(part < 0.5, -magnitude, np.zeros_like(magnitude)))
""", {"init_uniform"}, "độ lớn theo phân phối chuẩn quanh 7.5 thay vì đều"),
    Sample("sai_dat_seed", WRONG, """\
import mxnet


class MyInit(init.Initializer):
    def _init_weight(self, name, data):
        mxnet.random.seed(42)
        part = np.random.uniform(0, 1, size=data.shape)
        magnitude = np.random.uniform(5, 10, size=data.shape)
        data[:] = np.where(part < 0.25, magnitude,
                           np.where(part < 0.5, -magnitude, np.zeros_like(magnitude)))
""", NOT_INDEPENDENT, "đặt seed cố định mỗi lần gọi"),
    Sample("sai_so_nguyen", WRONG, """\
class MyInit(init.Initializer):
    def _init_weight(self, name, data):
        part = np.random.uniform(0, 1, size=data.shape)
        magnitude = np.random.randint(5, 11, size=data.shape).astype(data.dtype)
        data[:] = np.where(part < 0.25, magnitude,
                           np.where(part < 0.5, -magnitude, np.zeros_like(magnitude)))
""", {"init_uniform"}, "độ lớn là số nguyên từ 5 đến 10 thay vì phân bố đều"),
    Sample("sai_chi_hai_chieu", WRONG, """\
class MyInit(init.Initializer):
    def _init_weight(self, name, data):
        rows, cols = data.shape  # fails on a Conv2D weight (4 axes)
        part = np.random.uniform(0, 1, size=(rows, cols))
        magnitude = np.random.uniform(5, 10, size=(rows, cols))
        data[:] = np.where(part < 0.25, magnitude,
                           np.where(part < 0.5, -magnitude, np.zeros_like(magnitude)))
""", {"init_shapes"}, "chỉ xử lý trọng số hai chiều: lỗi với Conv2D"),
    Sample("sai_khong_am", WRONG, """\
class MyInit(init.Initializer):
    def _init_weight(self, name, data):
        keep = np.random.uniform(0, 1, size=data.shape) < 0.5
        data[:] = np.random.uniform(5, 10, size=data.shape) * keep
""", NO_NEGATIVE, "quên phần âm"),
    Sample("loi_chay", CRASH, """\
class MyInit(init.Initializer):
    def _init_weight(self, name, data):
        data[:] = np.random.uniform(5, 10, size=data.shape) * np.random.choice([0, 1], data.shape)
""", ALL, "np.random.choice của MXNet không nhận danh sách: lỗi ở mọi lần khởi tạo"),
    Sample("lap_vo_han", LOOP, """\
class MyInit(init.Initializer):
    def _init_weight(self, name, data):
        while True:
            pass
""", ALL, "vòng lặp vô hạn: hết thời gian"),
]

TENSORFLOW = [
    Sample("dung_loc_tri_tuyet_doi", CORRECT, """\
class MyInit(keras.initializers.Initializer):
    def __call__(self, shape, dtype=None, **kwargs):
        dtype = dtype or keras.backend.floatx()
        w = tf.random.uniform(shape, -10, 10, dtype=dtype)
        return w * tf.cast(tf.abs(w) >= 5, dtype)
""", description="đều trên [-10, 10] rồi xóa phần có trị tuyệt đối dưới 5"),
    Sample("dung_keras_ops", CORRECT, """\
from keras import ops


class MyInit(keras.initializers.Initializer):
    \"\"\"Sign in {0, 0, +1, -1} times a magnitude in U[5, 10], with keras.random.\"\"\"

    def __call__(self, shape, dtype=None, **kwargs):
        dtype = dtype or "float32"
        sign = ops.take(ops.convert_to_tensor([0.0, 0.0, 1.0, -1.0], dtype=dtype),
                        keras.random.randint(shape, 0, 4))
        return sign * keras.random.uniform(shape, 5, 10, dtype=dtype)
""", description="keras.ops và keras.random"),
    Sample("sai_dtype_none", WRONG, """\
class MyInit(keras.initializers.Initializer):
    def __call__(self, shape, dtype=None, **kwargs):
        part = tf.random.uniform(shape, dtype=dtype)
        magnitude = tf.random.uniform(shape, 5, 10, dtype=dtype)
        return tf.where(part < 0.25, magnitude,
                        tf.where(part < 0.5, -magnitude, tf.zeros(shape, dtype=dtype)))
""", {"init_direct"}, "không xử lý dtype=None"),
    Sample("sai_hai_chieu", WRONG, """\
class MyInit(keras.initializers.Initializer):
    def __call__(self, shape, dtype=None, **kwargs):
        dtype = dtype or "float32"
        rows, cols = shape[0], shape[1]  # a Conv2D kernel has four axes, a bias one
        part = tf.random.uniform((rows, cols), dtype=dtype)
        magnitude = tf.random.uniform((rows, cols), 5, 10, dtype=dtype)
        return tf.where(part < 0.25, magnitude,
                        tf.where(part < 0.5, -magnitude, tf.zeros((rows, cols), dtype=dtype)))
""", {"init_shapes", "init_direct"}, "chỉ sinh ma trận hai chiều"),
    Sample("sai_ti_le", WRONG, """\
class MyInit(keras.initializers.Initializer):
    def __call__(self, shape, dtype=None, **kwargs):
        dtype = dtype or "float32"
        part = tf.random.uniform(shape, dtype=dtype)
        magnitude = tf.random.uniform(shape, 5, 10, dtype=dtype)
        return tf.where(part < 1 / 3, magnitude,
                        tf.where(part < 2 / 3, -magnitude, tf.zeros(shape, dtype=dtype)))
""", {"init_proportions"}, "ba phần mỗi phần 1/3"),
    Sample("sai_co_dinh_seed", WRONG, """\
class MyInit(keras.initializers.Initializer):
    def __call__(self, shape, dtype=None, **kwargs):
        dtype = dtype or "float32"
        part = tf.random.stateless_uniform(shape, seed=[1, 2], dtype=dtype)
        magnitude = tf.random.stateless_uniform(shape, seed=[3, 4], minval=5, maxval=10,
                                                dtype=dtype)
        return tf.where(part < 0.25, magnitude,
                        tf.where(part < 0.5, -magnitude, tf.zeros(shape, dtype=dtype)))
""", NOT_INDEPENDENT, "hạt giống cố định (stateless): mọi lần gọi cho cùng một tensor"),
    Sample("sai_phan_phoi_chuan", WRONG, """\
class MyInit(keras.initializers.Initializer):
    def __call__(self, shape, dtype=None, **kwargs):
        dtype = dtype or "float32"
        part = tf.random.uniform(shape, dtype=dtype)
        magnitude = tf.clip_by_value(tf.random.normal(shape, 7.5, 1, dtype=dtype), 5, 10)
        return tf.where(part < 0.25, magnitude,
                        tf.where(part < 0.5, -magnitude, tf.zeros(shape, dtype=dtype)))
""", {"init_uniform"}, "độ lớn theo phân phối chuẩn quanh 7.5 thay vì đều"),
    Sample("sai_khong_am", WRONG, """\
class MyInit(keras.initializers.Initializer):
    def __call__(self, shape, dtype=None, **kwargs):
        dtype = dtype or "float32"
        keep = tf.cast(tf.random.uniform(shape) < 0.5, dtype)
        return tf.random.uniform(shape, 5, 10, dtype=dtype) * keep
""", NO_NEGATIVE | {"init_direct"}, "quên phần âm"),
    Sample("loi_chay", CRASH, """\
class MyInit(keras.initializers.Initializer):
    def __call__(self, shape, dtype=None, **kwargs):
        keep = tf.random.bernoulli(shape, 0.5)  # not in TensorFlow (TensorFlow Probability)
        return tf.random.uniform(shape, 5, 10, dtype=dtype) * keep
""", ALL, "gọi tf.random.bernoulli không có trong TensorFlow: lỗi ở mọi lần khởi tạo"),
    Sample("lap_vo_han", LOOP, """\
class MyInit(keras.initializers.Initializer):
    def __call__(self, shape, dtype=None, **kwargs):
        while True:
            pass
""", ALL, "vòng lặp vô hạn: hết thời gian"),
]

SAMPLES = {"bai1-my-init-pytorch": PYTORCH, "bai1-my-init-mxnet": MXNET,
           "bai1-my-init-tensorflow": TENSORFLOW}
