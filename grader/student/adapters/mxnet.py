"""MXNet (Gluon, ``mxnet.np``) adapter: inputs on a context, results as plain data, devices, monitor.

Side: student process.  Loaded privately by the runner before any student
code runs (and pasted into the notebook's locked helper cell for Validate).
The functions used to read a result (``ndarray.asnumpy`` and the ``ctx``,
``dtype`` and ``shape`` getters) are bound in ``__init__``.  They are Python
code of MXNet that reaches its C library through module attributes, so a
submission that replaced those could misreport a context or a dtype (never
values: those are compared with the grader's own reference).

The NaiveEngine runs operators synchronously, so an error is raised inside
the student's call, where it belongs, not later when the result is read.
The profiler records which operators ran during the call (policy monitor).
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
    name = "mxnet"
    CPU = "cpu(0)"
    # A second CPU context: an array created without ctx=X.ctx lands on cpu(0),
    # as it would when X is on a GPU.
    STAND_IN = "cpu(1)"
    # Slices along the first axis are views with an offset; there is no transposed view.
    LAYOUTS = ("contiguous", "offset")
    FORBIDDEN_WORDS = ("convolution", "correlation", "fft")

    def __init__(self):
        os.environ.setdefault("MXNET_ENGINE_TYPE", "NaiveEngine")
        import random

        import mxnet
        from mxnet import np as mnp
        from mxnet import npx

        npx.set_np()
        self.mx = mxnet
        self._type = type
        self._ndarray_type = mnp.ndarray
        self._asnumpy = mnp.ndarray.asnumpy
        self._ctx_of = _getter(mnp.ndarray, "ctx")
        self._dtype_of = _getter(mnp.ndarray, "dtype")
        self._shape_of = _getter(mnp.ndarray, "shape")
        self._attach_grad = mnp.ndarray.attach_grad
        self._array, self._zeros = mnp.array, mnp.zeros
        self._cpu, self._gpu = mxnet.cpu, mxnet.gpu
        self._record, self._grad = mxnet.autograd.record, mxnet.autograd.grad
        self._waitall = mxnet.nd.waitall
        self._profiler_state, self._profiler_dumps = mxnet.profiler.set_state, mxnet.profiler.dumps
        self._seeds = (mxnet.random.seed, numpy.random.seed, random.seed)
        mxnet.profiler.set_config(profile_imperative=True, profile_symbolic=True,
                                  aggregate_stats=True, filename="/tmp/mxnet-profile.json")
        self._bind_initialisers_and_layers(mxnet)

    # -- facts -------------------------------------------------------------
    def version(self):
        return str(self.mx.__version__)

    def devices(self):
        return ["cpu(0)"] + [f"gpu({index})" for index in range(self.mx.context.num_gpus())]

    def stand_in(self):
        return self.STAND_IN

    def seed(self, value):
        for seed in self._seeds:
            seed(value % 2**32)

    # -- inputs ------------------------------------------------------------
    def context(self, device):
        kind, _, rest = device.partition("(")
        index = int(rest.rstrip(")") or 0)
        return self._gpu(index) if kind == "gpu" else self._cpu(index)

    def array(self, values, device, layout="contiguous", requires_grad=False):
        values = numpy.asarray(values)
        ctx = self.context(device)
        if layout == "offset" and values.ndim >= 1:
            padded = self._zeros((values.shape[0] + 3,) + values.shape[1:], dtype=values.dtype,
                                 ctx=ctx)
            padded[2:2 + values.shape[0]] = self._array(values, dtype=values.dtype, ctx=ctx)
            array = padded[2:2 + values.shape[0]]
        else:
            array = self._array(values, dtype=values.dtype, ctx=ctx)
        if requires_grad:
            self._attach_grad(array)
        return array

    # -- results -----------------------------------------------------------
    def to_numpy(self, array):
        values = self._asnumpy(array)
        if values.dtype == numpy.float16:
            values = values.astype(numpy.float32)
        return numpy.array(values, copy=True)

    def describe(self, value):
        kind = self._type(value)
        if kind is not self._ndarray_type:
            is_subclass = isinstance(value, self._ndarray_type)
            return {"kind": "subclass" if is_subclass else "other",
                    "type": f"{kind.__module__}.{kind.__qualname__}"[:100]}, {}
        dtype = numpy.dtype(self._dtype_of(value))
        obs = {"kind": "tensor", "type": "mxnet.numpy.ndarray", "dtype": dtype.name,
               "floating": bool(numpy.issubdtype(dtype, numpy.floating)),
               "device": str(self._ctx_of(value)),
               "shape": [int(size) for size in self._shape_of(value)]}
        return obs, {"values": self.to_numpy(value)}

    # -- calling -----------------------------------------------------------
    def device_scope(self, device):
        # No `with ctx:`: it would place the student's new arrays on the input's
        # context and hide a missing `ctx=X.ctx`.
        return contextlib.nullcontext()

    @contextlib.contextmanager
    def monitor(self, found):
        self._profiler_state("run")
        try:
            yield
        finally:
            try:
                self._waitall()
            finally:
                self._profiler_state("stop")
                for name in self.operators(self._profiler_dumps(reset=True)):
                    if any(word in name.lower() for word in self.FORBIDDEN_WORDS):
                        found.append("mxnet: " + name)

    @staticmethod
    def operators(profile):
        """Operator names in the 'operator' section of the profiler's aggregate table.

        A section is a title line underlined with '='; its rows start with the name."""
        lines = profile.splitlines()
        names, section = [], None
        for index, line in enumerate(lines):
            text = line.strip()
            if index + 1 < len(lines) and lines[index + 1].strip().startswith("="):
                section = text
            elif section == "operator" and text and not text.startswith(("Name", "-", "=")):
                names.append(text.split()[0])
        return names

    def tape(self, inputs):
        return _Tape(self, inputs)

    # -- framework objects for class-based exercises (MyInit, MyDense) -------
    def _bind_initialisers_and_layers(self, mxnet):
        from mxnet import gluon
        nn = gluon.nn
        self._dense, self._conv2d, self._sequential = nn.Dense, nn.Conv2D, nn.Sequential
        self._initialize, self._collect_params = gluon.Block.initialize, gluon.Block.collect_params
        self._prefix_of = _getter(gluon.Block, "prefix")
        self._sequential_add = nn.Sequential.add
        self._parameter_data, self._set_data = gluon.Parameter.data, gluon.Parameter.set_data
        self._uniform = mxnet.init.Uniform
        self._trainer_type, self._backward = gluon.Trainer, mxnet.autograd.backward
        self._framework_error = mxnet.base.MXNetError

    def parameter_facts(self, parameter, device):
        data = self._parameter_data(parameter, self.context(device))
        return {"shape": [int(size) for size in self._shape_of(data)],
                "dtype": numpy.dtype(self._dtype_of(data)).name, "device": str(self._ctx_of(data))}

    def parameter_numpy(self, parameter, device):
        return self.to_numpy(self._parameter_data(parameter, self.context(device)))

    def parameter_tensor(self, parameter, device):
        """What autograd differentiates with respect to: the parameter's array on ``device``."""
        return self._parameter_data(parameter, self.context(device))

    def set_parameter(self, parameter, values, device):
        self._set_data(parameter, self._array(numpy.asarray(values), dtype=values.dtype,
                                              ctx=self.context(device)))

    # -- initialisers (MyInit) ---------------------------------------------
    def init_net(self, layers, device):
        """A Sequential of Gluon layers described by ``layers``, initialised on ``device``
        with a built-in initialiser (so that the student's one re-initialises it)."""
        net = self._sequential()
        for spec in layers:
            if spec["kind"] == "dense":
                layer = self._dense(spec["out"], in_units=spec["in"],
                                    use_bias=spec.get("bias", True))
            else:
                layer = self._conv2d(spec["out"], tuple(spec["kernel"]), in_channels=spec["in"])
            self._sequential_add(net, layer)
        self._initialize(net, self._uniform(0.07), ctx=self.context(device))
        return net

    def init_apply(self, net, initializer, device):
        """The real path: ``net.initialize(MyInit(), force_reinit=True)``."""
        self._initialize(net, initializer, ctx=self.context(device), force_reinit=True)
        return net

    def init_parameters(self, net):
        """(facts, parameter) for each parameter of each layer, in order: the
        initialiser draws every weight; biases keep MXNet's own initialisation (zero)."""
        found = []
        for index, layer in enumerate(net):
            kind = "dense" if type(layer) is self._dense else "conv"
            prefix = self._prefix_of(layer)
            for name, parameter in self._collect_params(layer).items():
                short = name[len(prefix):] if name.startswith(prefix) else name
                found.append(({"layer": index, "kind": kind, "role": short, "name": short},
                              parameter))
        return found

    # -- layers (MyDense) -----------------------------------------------------
    def layer_prepare(self, layer, device, inputs, replicated=False):
        """``layer.initialize(ctx=...)`` (runs the student's code); ``replicated``: on the
        CPU too, so that ``Parameter.data()`` without the input's context finds two copies."""
        contexts = [self.context(device)]
        if replicated and device != self.CPU:
            contexts.insert(0, self.context(self.CPU))
        self._initialize(layer, ctx=contexts)
        return layer

    def layer_parameters(self, layer):
        """The framework's own listing, ``collect_params()``, with the block's prefix removed."""
        prefix = self._prefix_of(layer)
        return [(name[len(prefix):] if name.startswith(prefix) else name, parameter)
                for name, parameter in self._collect_params(layer).items()]

    def sequential(self, layers, device, inputs):
        net = self._sequential()
        self._sequential_add(net, *layers)
        self._initialize(net, ctx=self.context(device))
        return net

    def layer_tape(self, tensors):
        return _LayerTape(self, tensors)

    def trainer(self, model, learning_rate):
        """One step of ``gluon.Trainer(model.collect_params(), 'sgd')``."""
        return _Trainer(self, model, learning_rate)


class _Tape:
    """Gradients of the grader's weighted sum through ``mxnet.autograd``.

    ``autograd.grad`` returns fresh arrays: a ``.grad`` the student's code set
    is never read."""

    def __init__(self, adapter, inputs):
        self.adapter, self.inputs = adapter, list(inputs)

    def recording(self):
        return self.adapter._record()

    def gradient(self, output, weights):
        adapter = self.adapter
        weight = adapter._array(numpy.asarray(weights), dtype=adapter._dtype_of(output),
                                ctx=adapter._ctx_of(output))
        with adapter._record():
            loss = (output * weight).sum()
        grads = adapter._grad([loss], self.inputs, retain_graph=False)
        return [adapter.to_numpy(grad) for grad in grads]


class _LayerTape(_Tape):
    """As ``_Tape``, but a parameter the output does not depend on gets None
    (MXNet raises for it), one ``autograd.grad`` per parameter."""

    def gradient(self, output, weights):
        adapter = self.adapter
        weight = adapter._array(numpy.asarray(weights), dtype=adapter._dtype_of(output),
                                ctx=adapter._ctx_of(output))
        with adapter._record():
            loss = (output * weight).sum()
        grads = []
        for tensor in self.inputs:
            try:
                grad, = adapter._grad([loss], [tensor], retain_graph=True)
            except adapter._framework_error as error:
                if "unreachable" not in str(error):
                    raise
                grads.append(None)
            else:
                grads.append(adapter.to_numpy(grad))
        return grads


class _Trainer:
    """Forward under ``autograd.record()`` (by the caller), then the grader's weighted
    sum, ``backward`` and one ``Trainer.step``."""

    def __init__(self, adapter, model, learning_rate):
        self.adapter = adapter
        self.trainer = adapter._trainer_type(adapter._collect_params(model), "sgd",
                                             {"learning_rate": learning_rate})

    def recording(self):
        return self.adapter._record()

    def step(self, output, weights):
        adapter = self.adapter
        weight = adapter._array(numpy.asarray(weights), dtype=adapter._dtype_of(output),
                                ctx=adapter._ctx_of(output))
        with adapter._record():
            loss = (output * weight).sum()
        adapter._backward([loss])
        self.trainer.step(1)
