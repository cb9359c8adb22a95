"""TensorFlow (Keras) adapter: inputs on a device, results as plain data, devices, monitor.

Side: student process.  Loaded privately by the runner before any student
code runs (and pasted into the notebook's locked helper cell for Validate).
The functions used to read a result (``EagerTensor.numpy`` and the
``dtype``, ``device`` and ``shape`` getters) are bound in ``__init__``.

TensorFlow places an eager operation by the device scope in force, not by
where its inputs live, so the student's function is called under
``tf.device(<the input's device>)``, as TensorFlow code is used.  The CPU is
split into two logical devices at start-up, so that /CPU:1 can stand in for
a GPU: a result pinned to another device, or built outside TensorFlow, shows.

Private TensorFlow API used (fenced here): ``op_callbacks``, which sees every
eager operation and every graph operation created (``tf.function``, Keras),
for the policy monitor.
"""

import contextlib
import os

import numpy


def _getter(cls, name):
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name].__get__
    raise AttributeError(name)


class Adapter:
    name = "tensorflow"
    CPU = "/CPU:0"
    STAND_IN = "/CPU:1"
    LAYOUTS = ("contiguous",)  # TensorFlow tensors have no views
    FORBIDDEN_PREFIXES = ("Conv", "DepthwiseConv", "Correlation")

    def __init__(self):
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import random

        import tensorflow as tf
        from tensorflow.python.framework import op_callbacks

        try:  # only possible before TensorFlow's runtime starts (not in a used kernel)
            cpus = tf.config.list_physical_devices("CPU")
            tf.config.set_logical_device_configuration(
                cpus[0], [tf.config.LogicalDeviceConfiguration()] * 2)
            tf.config.threading.set_intra_op_parallelism_threads(1)
            tf.config.threading.set_inter_op_parallelism_threads(1)
        except RuntimeError:
            pass
        self.tf = tf
        self._type = type
        self._eager_type = type(tf.constant(0.0))
        self._numpy = self._eager_type.numpy
        self._dtype_of = _getter(self._eager_type, "dtype")
        self._device_of = _getter(self._eager_type, "device")
        self._shape_of = _getter(self._eager_type, "shape")
        self._constant, self._identity, self._device = tf.constant, tf.identity, tf.device
        self._reduce_sum, self._multiply, self._cast = tf.reduce_sum, tf.multiply, tf.cast
        self._gradient_tape = tf.GradientTape
        self._add_callback = op_callbacks.add_op_callback
        self._remove_callback = op_callbacks.remove_op_callback
        self._seeds = (tf.random.set_seed, numpy.random.seed, random.seed)
        self._bind_initialisers_and_layers(tf)

    # -- facts -------------------------------------------------------------
    def version(self):
        return str(self.tf.__version__)

    def devices(self):
        gpus = self.tf.config.list_logical_devices("GPU")
        return ["/CPU:0"] + [f"/GPU:{index}" for index in range(len(gpus))]

    def stand_in(self):
        return self.STAND_IN if len(self.tf.config.list_logical_devices("CPU")) > 1 else None

    def seed(self, value):
        for seed in self._seeds:
            seed(value % 2**31)

    # -- inputs ------------------------------------------------------------
    def array(self, values, device, layout="contiguous", requires_grad=False):
        with self._device(device):
            return self._identity(self._constant(numpy.array(values, copy=True)))

    # -- results -----------------------------------------------------------
    @staticmethod
    def short_device(name):
        """'/job:localhost/replica:0/task:0/device:CPU:0' -> '/CPU:0'."""
        return "/" + str(name).rsplit("device:", 1)[-1]

    def to_numpy(self, tensor):
        values = self._numpy(tensor)
        if values.dtype not in (numpy.float32, numpy.float64) and values.dtype.kind == "f":
            values = values.astype(numpy.float32)
        return numpy.array(values, copy=True)

    def describe(self, value):
        kind = self._type(value)
        if kind is not self._eager_type:
            return {"kind": "other", "type": f"{kind.__module__}.{kind.__qualname__}"[:100]}, {}
        dtype = self._dtype_of(value)
        obs = {"kind": "tensor", "type": "tf.Tensor", "dtype": str(dtype.name),
               "floating": bool(dtype.is_floating),
               "device": self.short_device(self._device_of(value)),
               "shape": [int(size) for size in self._shape_of(value).as_list()]}
        return obs, ({"values": self.to_numpy(value)} if dtype.is_floating or dtype.is_integer
                     else {})

    # -- calling -----------------------------------------------------------
    def device_scope(self, device):
        return self._device(device) if device else contextlib.nullcontext()

    @contextlib.contextmanager
    def monitor(self, found):
        prefixes = self.FORBIDDEN_PREFIXES

        def callback(op_type, inputs, attrs, outputs, op_name=None, graph=None):
            name = op_type.decode() if isinstance(op_type, bytes) else str(op_type)
            if name.startswith(prefixes) or "FFT" in name:
                found.append("tensorflow: " + name)
            return None

        self._add_callback(callback)
        try:
            yield
        finally:
            self._remove_callback(callback)

    def tape(self, inputs):
        return _Tape(self, inputs)

    # -- framework objects for class-based exercises (MyInit, MyDense) -------
    def _bind_initialisers_and_layers(self, tf):
        import keras

        self._dense, self._conv2d = keras.layers.Dense, keras.layers.Conv2D
        self._keras_sequential = keras.Sequential
        self._layer_weights = _getter(keras.layers.Layer, "weights")
        self._trainable_weights = _getter(keras.layers.Layer, "trainable_weights")
        self._dense_build, self._conv2d_build = keras.layers.Dense.build, keras.layers.Conv2D.build
        self._variable_type = keras.Variable
        self._variable_name = _getter(keras.Variable, "name")
        self._variable_value = _getter(keras.Variable, "value")
        self._variable_assign = keras.Variable.assign
        tf_variable = type(tf.Variable(0.0))
        self._tf_variable_numpy = tf_variable.numpy
        self._tf_variable_dtype = _getter(tf_variable, "dtype")
        self._tf_variable_device = _getter(tf_variable, "device")
        self._tf_variable_shape = _getter(tf_variable, "shape")
        self._sgd = keras.optimizers.SGD
        # Keras's own random functions draw from a seed generator of their own.
        self._seeds = self._seeds + (keras.utils.set_random_seed,)

    def parameter_facts(self, variable, device):
        value = self._variable_value(variable)
        return {"shape": [int(size) for size in self._tf_variable_shape(value).as_list()],
                "dtype": str(self._tf_variable_dtype(value).name),
                "device": self.short_device(self._tf_variable_device(value))}

    def parameter_numpy(self, variable, device):
        values = self._tf_variable_numpy(self._variable_value(variable))
        if values.dtype not in (numpy.float32, numpy.float64) and values.dtype.kind == "f":
            values = values.astype(numpy.float32)
        return numpy.array(values, copy=True)

    def parameter_tensor(self, variable, device):
        """What ``tf.GradientTape`` differentiates with respect to: the tf.Variable."""
        return self._variable_value(variable)

    def set_parameter(self, variable, values, device):
        self._variable_assign(variable, numpy.asarray(values))

    # -- initialisers (MyInit) ---------------------------------------------
    def init_net(self, layers, device):
        """Keras creates a layer's variables with its initialiser: the layers are
        made in ``init_apply``, with the student's initialiser."""
        return list(layers)

    def init_apply(self, net, initializer, device):
        """The real path: ``Dense(..., kernel_initializer=MyInit())``, built on ``device``
        (the caller holds the device scope).  Returns the built layers."""
        built = []
        for spec in net:
            if spec["kind"] == "dense":
                layer = self._dense(spec["out"], kernel_initializer=initializer,
                                    use_bias=spec.get("bias", True))
                self._dense_build(layer, (None, spec["in"]))
            else:
                layer = self._conv2d(spec["out"], tuple(spec["kernel"]),
                                     kernel_initializer=initializer)
                self._conv2d_build(layer, (None, 8, 8, spec["in"]))
            built.append(layer)
        return built

    def init_parameters(self, net):
        """(facts, variable) for each variable of each layer: the kernel is the initialiser's."""
        found = []
        for index, layer in enumerate(net):
            kind = "dense" if type(layer) is self._dense else "conv"
            for variable in self._layer_weights(layer):
                name = str(self._variable_name(variable))
                role = "weight" if name == "kernel" else name
                found.append(({"layer": index, "kind": kind, "role": role, "name": name},
                              variable))
        return found

    # -- layers (MyDense) -----------------------------------------------------
    def layer_prepare(self, layer, device, inputs, replicated=False):
        """Keras builds a layer at its first call: ``layer(X)`` (runs the student's code);
        its variables live on one device, so ``replicated`` changes nothing."""
        layer(inputs)
        return layer

    def layer_parameters(self, layer):
        """The framework's own listing: ``trainable_weights`` (Keras variables, by name)."""
        return [(str(self._variable_name(variable)), variable)
                for variable in self._trainable_weights(layer)]

    def sequential(self, layers, device, inputs):
        model = self._keras_sequential(list(layers))
        model(inputs)
        return model

    def layer_tape(self, tensors):
        return _Tape(self, tensors)

    def trainer(self, model, learning_rate):
        """``tf.GradientTape`` and one ``keras.optimizers.SGD`` step over ``trainable_weights``."""
        return _Trainer(self, model, learning_rate)


class _Tape:
    """Gradients of the grader's weighted sum through a persistent ``tf.GradientTape``."""

    def __init__(self, adapter, inputs):
        self.adapter, self.inputs = adapter, list(inputs)
        self.tape = adapter._gradient_tape(persistent=True, watch_accessed_variables=True)

    @contextlib.contextmanager
    def recording(self):
        with self.tape:
            for tensor in self.inputs:
                self.tape.watch(tensor)
            yield

    def gradient(self, output, weights):
        adapter = self.adapter
        with self.tape:
            weight = adapter._cast(adapter._constant(numpy.asarray(weights)),
                                   adapter._dtype_of(output))
            loss = adapter._reduce_sum(adapter._multiply(output, weight))
        grads = self.tape.gradient(loss, self.inputs)
        return [None if grad is None else adapter.to_numpy(grad) for grad in grads]


class _Trainer:
    """Forward under a tape (by the caller), then the grader's weighted sum and one
    ``apply_gradients`` over the model's ``trainable_weights``; a variable the loss does
    not depend on gets no gradient, so the step leaves it as it was."""

    def __init__(self, adapter, model, learning_rate):
        self.adapter, self.model = adapter, model
        self.optimizer = adapter._sgd(learning_rate=learning_rate)
        self.tape = adapter._gradient_tape(persistent=True, watch_accessed_variables=True)

    @contextlib.contextmanager
    def recording(self):
        with self.tape:
            yield

    def step(self, output, weights):
        adapter = self.adapter
        variables = list(adapter._trainable_weights(self.model))
        with self.tape:
            weight = adapter._cast(adapter._constant(numpy.asarray(weights)),
                                   adapter._dtype_of(output))
            loss = adapter._reduce_sum(adapter._multiply(output, weight))
        grads = self.tape.gradient(loss, [adapter._variable_value(v) for v in variables])
        pairs = [(grad, variable) for grad, variable in zip(grads, variables) if grad is not None]
        if pairs:
            self.optimizer.apply_gradients(pairs)
