"""PyTorch adapter: inputs on a device, results as plain data, devices, policy monitor.

Side: student process.  Loaded privately by the runner before any student
code runs (and pasted into the notebook's locked helper cell for Validate).
Every function used to read a result is bound in ``__init__``, from
``torch._C.TensorBase`` (an immutable C type) where possible, so patching
``torch`` or ``torch.Tensor`` afterwards does not change what is observed.
The trusted grader imports this module only to read the class constants.

Private PyTorch API used (fenced here): ``torch.utils._python_dispatch``,
``torch._C._len_torch_*_stack`` and the autograd engine's ``run_backward``.
"""

import contextlib

import numpy


class Adapter:
    name = "pytorch"
    CPU = "cpu"
    # A device with no data: a result computed on the CPU (or through the host)
    # fails to land there, as it would fail on a GPU.
    STAND_IN = "meta"
    LAYOUTS = ("contiguous", "transposed", "offset")
    # aten operator names (before the overload) that compute a convolution or FFT.
    FORBIDDEN_PREFIXES = ("conv1d", "conv2d", "conv3d", "conv_tbc", "conv_transpose",
                          "conv_depthwise", "convolution", "_convolution", "cudnn_convolution",
                          "mkldnn_convolution", "miopen_convolution", "miopen_depthwise",
                          "slow_conv", "_slow_conv", "thnn_conv", "_nnpack_spatial",
                          "mps_convolution", "_mps_convolution")

    def __init__(self):
        import random

        import torch
        from torch.utils._python_dispatch import TorchDispatchMode

        torch.set_num_threads(1)
        base = torch._C.TensorBase
        self.torch = torch
        self._tensor_type = torch.Tensor
        self._type = type
        self._detach, self._cpu, self._numpy = base.detach, base.cpu, base.numpy
        self._to, self._size, self._is_floating = base.to, base.size, base.is_floating_point
        self._requires_grad = base.requires_grad_
        self._mul, self._sum, self._t = base.mul, base.sum, base.t
        self._dtype_of = base.__dict__["dtype"].__get__
        self._device_of = base.__dict__["device"].__get__
        self._from_numpy, self._empty, self._ones = torch.from_numpy, torch.empty, torch.ones
        self._zeros = torch.zeros
        self._run_backward = torch.autograd.Variable._execution_engine.run_backward
        self._function_modes = torch._C._len_torch_function_stack
        self._dispatch_modes = torch._C._len_torch_dispatch_stack
        self._float32, self._float64 = torch.float32, torch.float64
        self._manual_seed, self._random_seed = torch.manual_seed, random.seed
        self._numpy_seed = numpy.random.seed
        forbidden = self.FORBIDDEN_PREFIXES

        class Monitor(TorchDispatchMode):
            def __init__(self, found):
                super().__init__()
                self.found = found

            def __torch_dispatch__(self, func, types, args=(), kwargs=None):
                name = str(func)
                base_name = name.split(".")[1] if name.startswith("aten.") else name
                if base_name.startswith(forbidden) or "fft" in base_name:
                    self.found.append("torch: " + base_name)
                return func(*args, **(kwargs or {}))

        self._monitor_type = Monitor
        self._bind_initialisers_and_layers(torch)

    # -- facts -------------------------------------------------------------
    def version(self):
        return str(self.torch.__version__)

    def devices(self):
        return ["cpu"] + [f"cuda:{index}" for index in range(self.torch.cuda.device_count())]

    def stand_in(self):
        return self.STAND_IN

    def seed(self, value):
        self._manual_seed(value)
        self._numpy_seed(value % 2**32)
        self._random_seed(value)

    # -- inputs ------------------------------------------------------------
    def array(self, values, device, layout="contiguous", requires_grad=False):
        values = numpy.asarray(values)
        if device == self.STAND_IN:
            tensor = self._empty(values.shape, dtype=self._dtype_for(values), device=device)
            return self._requires_grad(tensor, True) if requires_grad else tensor
        if layout == "transposed" and values.ndim == 2:
            stored = self._to(self._from_numpy(numpy.ascontiguousarray(values.T)), device)
            tensor = self._t(stored)
        elif layout == "offset" and values.ndim == 2:
            rows, cols = values.shape
            padded = numpy.zeros((rows + 3, cols + 2), dtype=values.dtype)
            padded[2:2 + rows, 1:1 + cols] = values
            tensor = self._to(self._from_numpy(padded), device)[2:2 + rows, 1:1 + cols]
        else:
            tensor = self._to(self._from_numpy(numpy.array(values, copy=True)), device)
        if requires_grad:
            tensor = self._requires_grad(self._detach(tensor), True)
        return tensor

    def _dtype_for(self, values):
        return self._float64 if values.dtype == numpy.float64 else self._float32

    # -- results -----------------------------------------------------------
    def tampered(self):
        """A reason when the student's code left a dispatch mode that could rewrite our reads."""
        if self._function_modes() or self._dispatch_modes():
            return "chế độ điều phối (torch function/dispatch mode) do lời giải cài vào"
        return None

    def to_numpy(self, tensor):
        """Values of a tensor the grader made (or checked to be a plain tensor)."""
        if str(self._device_of(tensor)) == self.STAND_IN:
            return None
        tensor = self._cpu(self._detach(tensor))
        if not self._is_floating(tensor):
            return numpy.array(self._numpy(tensor), copy=True)
        if self._dtype_of(tensor) not in (self._float32, self._float64):
            tensor = self._to(tensor, self._float32)
        return numpy.array(self._numpy(tensor), copy=True)

    def describe(self, value):
        kind = self._type(value)
        if kind is not self._tensor_type:
            is_subclass = isinstance(value, self._tensor_type)
            return {"kind": "subclass" if is_subclass else "other",
                    "type": f"{kind.__module__}.{kind.__qualname__}"[:100]}, {}
        reason = self.tampered()
        if reason:
            return {"kind": "tampered", "tamper": reason}, {}
        obs = {"kind": "tensor", "type": "torch.Tensor",
               "dtype": str(self._dtype_of(value)).replace("torch.", ""),
               "floating": bool(self._is_floating(value)),
               "device": str(self._device_of(value)),
               "shape": [int(size) for size in self._size(value)]}
        values = self.to_numpy(value) if not str(self._dtype_of(value)).startswith("torch.complex") else None
        return obs, ({} if values is None else {"values": values})

    # -- calling -----------------------------------------------------------
    def device_scope(self, device):
        # No torch.device(...) context: it would place the student's factory
        # calls on the input's device and hide a missing `device=`.
        return contextlib.nullcontext()

    def monitor(self, found):
        return self._monitor_type(found)

    def tape(self, inputs):
        """Records what the student's code computes from ``inputs`` (already requiring grad)."""
        return _Tape(self, inputs)

    # -- framework objects for class-based exercises (MyInit, MyDense) -------
    def _bind_initialisers_and_layers(self, torch):
        nn = torch.nn
        base = torch._C.TensorBase
        self._linear, self._conv2d, self._relu = nn.Linear, nn.Conv2d, nn.ReLU
        self._batchnorm1d, self._sequential = nn.BatchNorm1d, nn.Sequential
        self._module_apply, self._module_to = nn.Module.apply, nn.Module.to
        self._named_parameters = nn.Module.named_parameters
        self._module_children = nn.Module.children
        self._object_attribute = object.__getattribute__
        self._no_grad, self._copy = torch.no_grad, base.copy_
        self._requires_grad_of = base.__dict__["requires_grad"].__get__
        self._sgd, self._backward = torch.optim.SGD, torch.autograd.backward

    def parameter_facts(self, tensor, device):
        """Shape, dtype and device of a parameter, read with bound functions."""
        return {"shape": [int(size) for size in self._size(tensor)],
                "dtype": str(self._dtype_of(tensor)).replace("torch.", ""),
                "device": str(self._device_of(tensor)),
                "requires_grad": bool(self._requires_grad_of(tensor))}

    def parameter_numpy(self, tensor, device):
        return self.to_numpy(tensor)

    def parameter_tensor(self, tensor, device):
        """What autograd differentiates with respect to: the parameter itself."""
        return tensor

    def set_parameter(self, tensor, values, device):
        with self._no_grad():
            self._copy(tensor, self.array(values, device))

    # -- initialisers (MyInit) ---------------------------------------------
    def init_net(self, layers, device):
        """A Sequential of framework modules described by ``layers``, on ``device``."""
        modules = []
        for spec in layers:
            kind = spec["kind"]
            if kind == "dense":
                modules.append(self._linear(spec["in"], spec["out"], bias=spec.get("bias", True)))
            elif kind == "conv":
                modules.append(self._conv2d(spec["in"], spec["out"], tuple(spec["kernel"])))
            elif kind == "batchnorm":
                modules.append(self._batchnorm1d(spec["features"]))
            else:
                modules.append(self._relu())
        return self._module_to(self._sequential(*modules), device)

    def init_apply(self, net, initializer, device):
        """The real path: ``net.apply(MyInit())`` (runs the student's code)."""
        self._module_apply(net, initializer)
        return net

    def init_parameters(self, net):
        """(facts, parameter) for each parameter of each layer, in order.

        Only the weight of an ``nn.Linear`` is the initialiser's to change."""
        found = []
        for index, module in enumerate(self._module_children(net)):
            kind = {self._linear: "dense", self._conv2d: "conv",
                    self._batchnorm1d: "batchnorm"}.get(type(module), "other")
            for name, tensor in self._object_attribute(module, "_parameters").items():
                if tensor is None:
                    continue
                role = name if kind == "dense" else "other"
                found.append(({"layer": index, "kind": kind, "role": role, "name": name}, tensor))
        return found

    # -- layers (MyDense) -----------------------------------------------------
    def layer_prepare(self, layer, device, inputs, replicated=False):
        """Parameters on ``device``: ``layer.to(device)`` (runs the student's code); a
        module lives on one device, so ``replicated`` changes nothing."""
        return self._module_to(layer, device)

    def layer_parameters(self, layer):
        """The framework's own listing: ``named_parameters()``."""
        return [(str(name), tensor) for name, tensor in self._named_parameters(layer)]

    def sequential(self, layers, device, inputs):
        return self._module_to(self._sequential(*layers), device)

    def layer_tape(self, tensors):
        return _Tape(self, tensors)

    def trainer(self, model, learning_rate):
        """One step of ``torch.optim.SGD`` over ``model.parameters()``."""
        return _Trainer(self, model, learning_rate)


class _Tape:
    """d sum(output * weights) / d inputs, from the autograd engine itself.

    Never reads ``.grad``: a gradient the student's code set by hand does not
    count.  ``gradient`` returns one array (or None: no gradient reaches it)
    per input."""

    def __init__(self, adapter, inputs):
        self.adapter, self.inputs = adapter, tuple(inputs)

    def recording(self):
        return contextlib.nullcontext()  # PyTorch records whatever requires grad

    def gradient(self, output, weights):
        adapter = self.adapter
        reason = adapter.tampered()
        if reason:
            raise RuntimeError(reason)
        dtype, device = adapter._dtype_of(output), adapter._device_of(output)
        weight = adapter._to(adapter._to(adapter._from_numpy(numpy.array(weights, copy=True)),
                                         device), dtype)
        loss = adapter._sum(adapter._mul(output, weight))
        seed = adapter._ones((), dtype=dtype, device=device)
        grads = adapter._run_backward((loss,), (seed,), False, False, self.inputs, True, False)
        return [None if grad is None else adapter.to_numpy(grad) for grad in grads]


class _Trainer:
    """Forward (by the caller), then the grader's weighted sum, backward and one SGD step."""

    def __init__(self, adapter, model, learning_rate):
        self.adapter = adapter
        parameters = [tensor for _, tensor in adapter.layer_parameters(model)]
        self.optimizer = adapter._sgd(parameters, lr=learning_rate)

    def recording(self):
        return contextlib.nullcontext()

    def step(self, output, weights):
        adapter = self.adapter
        dtype, device = adapter._dtype_of(output), adapter._device_of(output)
        weight = adapter._to(adapter._to(adapter._from_numpy(numpy.array(weights, copy=True)),
                                         device), dtype)
        adapter._backward([adapter._sum(adapter._mul(output, weight))])
        self.optimizer.step()
