"""Probe operations for exercises that are one function of arrays (cross_correlation).

Side: student process (loaded privately by the runner; pasted into the
notebook's helper cell for Validate).

``call``: build the inputs on the requested device and layout, call the
student's function once, describe the result with the adapter's bound
functions, read the inputs back (to see whether the call changed them) and,
when asked, take the gradient of the grader's weighted sum of the result
with respect to some inputs through the framework's autograd.
"""


def op_call(session, arrays, params):
    adapter = session.adapter
    function = session.entry(params["entry"])
    device = params["device"]
    names = list(params["args"])
    layouts = params.get("layouts") or {}
    wrt = [name for name in params.get("gradient_wrt") or () if name in names]
    inputs = [adapter.array(arrays[name], device, layouts.get(name, "contiguous"),
                            requires_grad=name in wrt) for name in names]
    tape = adapter.tape([inputs[names.index(name)] for name in wrt]) if wrt else None
    ok, result = session.call(function, *inputs, device=device, tape=tape)
    if not ok:
        return {"error": result}, {}
    obs, out = adapter.describe(result)
    for name, tensor in zip(names, inputs):
        after = adapter.to_numpy(tensor)
        if after is not None:
            out["after_" + name] = after
    if wrt and obs.get("kind") == "tensor" and "weights" in arrays:
        session.record_gradients(tape, result, arrays["weights"], wrt, obs, out)
    return obs, out


OPERATIONS = {"call": op_call}
