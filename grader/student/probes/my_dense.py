"""Probe operations of Bài tập 2 (``MyDense``): the student's layer class, constructed,
listed, set, run, differentiated and trained the framework's own way.

Side: student process (loaded privately by the runner; pasted into the
notebook's helper cell for Validate).

Every operation constructs ``MyDense`` with the case's constructor
arguments (``args``, ``kwargs``), prepares it on the requested device
(MXNet ``initialize(ctx=...)``, PyTorch ``.to(device)``, Keras: a first call
builds it) and finds ``weight`` and ``bias`` in the framework's own listing
(``collect_params``, ``named_parameters``, ``trainable_weights``) by name,
or as the layer's attributes of those names when the listing holds them
under another name.  Student code runs only through ``Session.call``.

With ``replicated`` the parameters also live on the CPU when the input is
on another device, where the framework allows it (MXNet's ``initialize`` on
several contexts, as in data-parallel training): the layer must then pick
the copy on the input's device.

- ``construct``: the listing (names, shapes) and what was found.
- ``forward``: the grader's ``W`` and ``b`` set through the framework
  (``set_data``, ``copy_`` under ``no_grad``, ``assign``), one forward pass
  on ``X``; the output described by the adapter; the parameters read back
  after the pass (a layer that re-creates or resets them shows); with
  ``G``: gradients of ``sum(output * G)`` with respect to both parameters,
  from the framework's autograd.
- ``train_step``: the same, then one step of the framework's own optimiser
  (``gluon.Trainer``, ``torch.optim.SGD``, ``keras.optimizers.SGD``) on
  ``sum(output * G)``; the parameters read back.
- ``sequential``: two layers (``args`` and ``args2``) inside the framework's
  ``Sequential``; whether the model's listing holds their parameters; the
  model's output; one optimiser step over the model's listing.
"""

DENSE_ROLES = ("weight", "bias")


def _dense_construct(session, params, key, device, inputs, prepare=True):
    """(layer, None) or (None, observation of what went wrong)."""
    adapter = session.adapter
    layer_class = session.entry(params["entry"])
    ok, layer = session.call(layer_class, *params.get(key, []), device=device,
                             **params.get("kwargs", {}))
    if not ok:
        return None, {"error": layer, "stage": "construct"}
    if not prepare:
        return layer, None
    ok, prepared = session.call(adapter.layer_prepare, layer, device, inputs,
                                bool(params.get("replicated")), device=device)
    if not ok:
        return None, {"error": prepared, "stage": "prepare"}
    return prepared, None


def _dense_find(session, layer, device):
    """(listing as plain data, role -> parameter) or (None, observation of the failure)."""
    adapter = session.adapter
    ok, listing = session.call(adapter.layer_parameters, layer, device=device)
    if not ok:
        return None, {"error": listing, "stage": "list"}
    described, found = [], {}
    for name, tensor in listing[:50]:
        facts = adapter.parameter_facts(tensor, device)
        described.append(dict(facts, name=str(name)[:60]))
        if name in DENSE_ROLES and name not in found:
            found[name] = tensor
    for role in DENSE_ROLES:
        if role in found:
            continue
        ok, attribute = session.call(getattr, layer, role, None, device=device)
        for name, tensor in listing:
            if ok and attribute is not None and tensor is attribute:
                found[role] = tensor
    return described, found


def _dense_located(session, layer, device):
    """(found, obs): obs is None when both parameters are there."""
    listing, found = _dense_find(session, layer, device)
    if listing is None:
        return None, found
    obs = {"listing": listing, "found": {role: session.adapter.parameter_facts(found[role], device)
                                         for role in DENSE_ROLES if role in found}}
    if len(found) < len(DENSE_ROLES):
        obs["missing"] = [role for role in DENSE_ROLES if role not in found]
        return None, obs
    return found, obs


def _dense_set(session, found, arrays, names, device):
    """Set the grader's values; a problem (shape) as an observation, or None."""
    adapter = session.adapter
    for role, name in zip(DENSE_ROLES, names):
        facts = adapter.parameter_facts(found[role], device)
        if facts["shape"] != [int(size) for size in arrays[name].shape]:
            return {"mismatch": {"role": role, "shape": facts["shape"],
                                 "expected": [int(size) for size in arrays[name].shape]}}
        adapter.set_parameter(found[role], arrays[name], device)
    return None


def _dense_read_back(session, found, device, out, prefix):
    for role in DENSE_ROLES:
        values = session.adapter.parameter_numpy(found[role], device)
        if values is not None:
            out[prefix + role] = values


def _dense_same(session, layer, found, device):
    """Whether the listing still holds the very parameter objects that were set."""
    listing, again = _dense_find(session, layer, device)
    return listing is not None and all(again.get(role) is found[role] for role in DENSE_ROLES)


def op_construct(session, arrays, params):
    device = params["device"]
    inputs = session.adapter.array(arrays["X"], device) if "X" in arrays else None
    layer, problem = _dense_construct(session, params, "args", device, inputs)
    if problem:
        return problem, {}
    found, obs = _dense_located(session, layer, device)
    if obs.get("error"):
        return obs, {}
    return dict(obs, kind="layer"), {}


def _dense_with_parameters(session, arrays, params):
    """The student's layer built on X's device with the grader's W and b set:
    (X, layer, found parameters, observation so far), or (None, ..., early answer)."""
    device = params["device"]
    X = session.adapter.array(arrays["X"], device)
    layer, problem = _dense_construct(session, params, "args", device, X)
    if problem:
        return None, None, None, problem
    found, obs = _dense_located(session, layer, device)
    if found is None:
        return None, None, None, obs
    mismatch = _dense_set(session, found, arrays, ("W", "b"), device)
    if mismatch:
        return None, None, None, dict(obs, **mismatch)
    return X, layer, found, obs


def op_forward(session, arrays, params):
    adapter = session.adapter
    device = params["device"]
    X, layer, found, obs = _dense_with_parameters(session, arrays, params)
    if X is None:
        return obs, {}
    tape = None
    if "G" in arrays:
        tape = adapter.layer_tape([adapter.parameter_tensor(found[role], device)
                                   for role in DENSE_ROLES])
    ok, result = session.call(layer, X, device=device, tape=tape)
    if not ok:
        return {"error": result, "stage": "forward"}, {}
    described, out = adapter.describe(result)
    obs.update(described)
    obs["same_parameters"] = _dense_same(session, layer, found, device)
    _dense_read_back(session, found, device, out, "after_forward_")
    if tape is not None and described.get("kind") == "tensor":
        session.record_gradients(tape, result, arrays["G"], DENSE_ROLES, obs, out)
    return obs, out


def _dense_train(session, model, X, G, learning_rate, device, obs):
    """Forward under the trainer, then one optimiser step; the output's description."""
    adapter = session.adapter
    trainer = adapter.trainer(model, learning_rate)
    ok, result = session.call(model, X, device=device, tape=trainer)
    if not ok:
        return {"error": result, "stage": "forward"}, {}
    described, out = adapter.describe(result)
    obs.update(described)
    if described.get("kind") == "tensor":
        try:
            trainer.step(result, G)
        except BaseException as error:  # e.g. MXNet: a parameter's gradient was never written
            obs["step_error"] = session.describe_error(error, session.reveal)
    return obs, out


def op_train_step(session, arrays, params):
    device = params["device"]
    X, layer, found, obs = _dense_with_parameters(session, arrays, params)
    if X is None:
        return obs, {}
    obs, out = _dense_train(session, layer, X, arrays["G"], params["learning_rate"], device, obs)
    if "error" not in obs:
        _dense_read_back(session, found, device, out, "after_step_")
    return obs, out


def op_sequential(session, arrays, params):
    adapter = session.adapter
    device = params["device"]
    X = adapter.array(arrays["X"], device)
    layers = []
    for key in ("args", "args2"):
        layer, problem = _dense_construct(session, params, key, device, X, prepare=False)
        if problem:
            return dict(problem, layer=len(layers)), {}
        layers.append(layer)
    ok, model = session.call(adapter.sequential, layers, device, X, device=device)
    if not ok:
        return {"error": model, "stage": "prepare"}, {}
    ok, listing = session.call(adapter.layer_parameters, model, device=device)
    if not ok:
        return {"error": listing, "stage": "list"}, {}
    in_model = [tensor for _, tensor in listing]
    obs, founds = {"layers": []}, []
    for index, layer in enumerate(layers):
        found, problem = _dense_located(session, layer, device)
        if found is None:
            return dict(problem, layer=index), {}
        obs["layers"].append({"registered": [role for role in DENSE_ROLES
                                             if any(tensor is found[role] for tensor in in_model)]})
        mismatch = _dense_set(session, found, arrays, ("W" + str(index), "b" + str(index)), device)
        if mismatch:
            return dict(obs, layer=index, **mismatch), {}
        founds.append(found)
    obs, out = _dense_train(session, model, X, arrays["G"], params["learning_rate"], device, obs)
    if "error" not in obs:
        for index, found in enumerate(founds):
            _dense_read_back(session, found, device, out, "after_step_" + str(index) + "_")
    return obs, out


OPERATIONS = {"construct": op_construct, "forward": op_forward, "train_step": op_train_step,
              "sequential": op_sequential}
