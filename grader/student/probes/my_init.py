"""Probe operations of Bài tập 1 (``MyInit``): the student's initialiser through the
framework's real initialisation path.

Side: student process (loaded privately by the runner; pasted into the
notebook's helper cell for Validate).

``initialise``: the adapter builds framework layers of the case's shapes on
the requested device (no student code), then ``MyInit()`` is applied the way
the contract says (``net.initialize(MyInit(), force_reinit=True)``,
``net.apply(MyInit())``, ``Dense(..., kernel_initializer=MyInit())``), once
per draw, each time with a new ``MyInit()``.  Every parameter comes back as a
raw array (``d<draw>_<index>``, hundreds of thousands of float32 values for
the statistical checks), its shape, dtype and device read with the adapter's
bound functions, and whether it is still the very parameter object the
framework made.  Parameters the initialiser must leave alone also come back
as they were before (``before_<index>``).

``direct``: ``MyInit()`` called directly on shapes, with and without
``dtype`` (what Keras does with an initialiser); each result described by
the adapter.
"""


def op_initialise(session, arrays, params):
    adapter = session.adapter
    initializer_class = session.entry(params["entry"])
    device = params["device"]
    layers = params["layers"]
    net = adapter.init_net(layers, device)
    before = adapter.init_parameters(net) if adapter.name != "tensorflow" else []
    out = {}
    for index, (facts, tensor) in enumerate(before):
        if facts["role"] != "weight":
            out["before_" + str(index)] = adapter.parameter_numpy(tensor, device)
    tensors = []
    for draw in range(int(params.get("draws", 1))):
        ok, initializer = session.call(initializer_class, device=device)
        if not ok:
            return {"error": initializer, "stage": "construct"}, {}
        ok, applied = session.call(adapter.init_apply, net, initializer, device, device=device)
        if not ok:
            return {"error": applied, "stage": "initialise"}, {}
        for index, (facts, tensor) in enumerate(adapter.init_parameters(applied)):
            facts = dict(facts, draw=draw, index=index, array="d" + str(draw) + "_" + str(index))
            facts.update(adapter.parameter_facts(tensor, device))
            if before:
                facts["same"] = index < len(before) and tensor is before[index][1]
            tensors.append(facts)
            out[facts["array"]] = adapter.parameter_numpy(tensor, device)
    return {"kind": "initialised", "framework": adapter.name, "tensors": tensors}, out


def op_direct(session, arrays, params):
    adapter = session.adapter
    initializer_class = session.entry(params["entry"])
    device = params["device"]
    ok, initializer = session.call(initializer_class, device=device)
    if not ok:
        return {"error": initializer, "stage": "construct"}, {}
    results, out = [], {}
    for index, request in enumerate(params["requests"]):
        kwargs = {"dtype": request["dtype"]} if request.get("dtype") else {}
        ok, value = session.call(initializer, tuple(request["shape"]), device=device, **kwargs)
        if not ok:
            results.append({"error": value})
            continue
        obs, values = adapter.describe(value)
        results.append(obs)
        if "values" in values:
            out["direct_" + str(index)] = values["values"]
    return {"kind": "direct", "framework": adapter.name, "results": results}, out


OPERATIONS = {"initialise": op_initialise, "direct": op_direct}
