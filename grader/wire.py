"""Message format between the grader, the sandbox observer and the student process.

Side: protocol only. Every side loads this file (the student process loads a
private copy before any student code runs); it keeps no state and trusts
nothing it reads.

A message is one line of ASCII JSON (the header, at most ``MAX_HEADER_BYTES``)
followed by the raw bytes of the arrays the header lists, in order:
``"arrays": [{"name": "X", "dtype": "<f4", "shape": [3, 4]}, ...]``.  Arrays
are little-endian, C-ordered, of a dtype in ``ALLOWED_DTYPES``; their byte
length follows from dtype and shape, so nothing in the payload is
interpreted, let alone unpickled.

The encoder below is written by hand on purpose: the student process must be
able to frame its answers with functions bound before the student's code
could patch ``json``.
"""

import json
from json.encoder import encode_basestring_ascii as _quote

import numpy as _np

MAX_HEADER_BYTES = 256 * 1024
MAX_ARRAYS = 64
ALLOWED_DTYPES = ("<f2", "<f4", "<f8", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8",
                  "|b1")

# Bound once, at load: later changes to builtins or numpy do not reach them.
_dict, _list, _tuple, _str, _bool, _int, _float = dict, list, tuple, str, bool, int, float
_type, _len, _isinstance, _range = type, len, isinstance, range
_float_repr, _int_repr = float.__repr__, int.__repr__
_join = "".join
_isfinite = __import__("math").isfinite
_ascontiguous, _frombuffer, _dtype = _np.ascontiguousarray, _np.frombuffer, _np.dtype
_tobytes = _np.ndarray.tobytes
_decoder = json.JSONDecoder()


class WireError(ValueError):
    """A message that does not follow the format (truncated, oversized, malformed)."""


def _json(value):
    kind = _type(value)
    if value is None:
        return "null"
    if kind is _bool:
        return "true" if value else "false"
    if kind is _int:
        return _int_repr(value)
    if kind is _float:
        return _float_repr(value) if _isfinite(value) else "null"
    if kind is _str:
        return _quote(value)
    if kind is _list or kind is _tuple:
        return "[" + ",".join([_json(item) for item in value]) + "]"
    if kind is _dict:
        return "{" + ",".join([_quote(_str(key)) + ":" + _json(item)
                               for key, item in value.items()]) + "}"
    raise WireError(f"cannot encode {kind!r}")


def encode(header, arrays=None):
    """Bytes of one message: ``header`` (a dict) and ``arrays`` (name -> numpy array)."""
    specs, chunks = [], []
    for name, array in (arrays or {}).items():
        array = _ascontiguous(array)
        if array.dtype.byteorder == ">":
            array = array.astype(array.dtype.newbyteorder("<"))
        name_of_dtype = array.dtype.str
        if name_of_dtype not in ALLOWED_DTYPES:
            raise WireError(f"dtype {name_of_dtype} not allowed")
        specs.append({"name": _str(name), "dtype": name_of_dtype,
                      "shape": [_int(s) for s in array.shape]})
        chunks.append(_tobytes(array))
    full = _dict(header)
    full["arrays"] = specs
    line = _json(full).encode("ascii") + b"\n"
    if _len(line) > MAX_HEADER_BYTES:
        raise WireError("header too large")
    return b"".join([line] + chunks)


def _array_specs(header, max_elements, max_arrays=MAX_ARRAYS):
    specs = header.get("arrays", [])
    if _type(specs) is not _list or _len(specs) > max_arrays:
        raise WireError("bad array list")
    checked, total = [], 0
    for spec in specs:
        if _type(spec) is not _dict:
            raise WireError("bad array spec")
        name, dtype, shape = spec.get("name"), spec.get("dtype"), spec.get("shape")
        if _type(name) is not _str or _len(name) > 64 or dtype not in ALLOWED_DTYPES:
            raise WireError("bad array name or dtype")
        if (_type(shape) is not _list or _len(shape) > 8
                or not all(_type(s) is _int and 0 <= s <= 2**31 for s in shape)):
            raise WireError("bad array shape")
        count = 1
        for s in shape:
            count *= s
        total += count
        if total > max_elements:
            raise WireError("arrays too large")
        checked.append((name, _dtype(dtype), shape, count * _dtype(dtype).itemsize))
    return checked


def parse_header(line):
    if not line.endswith(b"\n") or _len(line) > MAX_HEADER_BYTES:
        raise WireError("header missing or too long")
    try:
        header = _decoder.decode(line[:-1].decode("ascii"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise WireError(f"header is not JSON: {error}") from None
    if _type(header) is not _dict:
        raise WireError("header is not an object")
    return header


def decode(data, max_elements=64 * 1024**2, start=0):
    """(header, arrays, end) of the message that begins at ``start`` in ``data`` (bytes).

    The arrays are read-only views into ``data``: nothing is copied."""
    end = data.find(b"\n", start, start + MAX_HEADER_BYTES)
    if end < 0:
        raise WireError("no header line")
    header = parse_header(data[start:end + 1])
    offset, arrays = end + 1, {}
    for name, dtype, shape, nbytes in _array_specs(header, max_elements):
        if offset + nbytes > _len(data):
            raise WireError("truncated payload")
        arrays[name] = _frombuffer(data, dtype=dtype, count=nbytes // dtype.itemsize,
                                   offset=offset).reshape(shape)
        offset += nbytes
    return header, arrays, offset


def decode_all(data, max_messages=100_000, max_elements=64 * 1024**2):
    """Every complete message in ``data``; a torn tail is reported, not raised."""
    messages, offset, torn = [], 0, False
    while offset < _len(data) and _len(messages) < max_messages:
        try:
            header, arrays, offset = decode(data, max_elements, offset)
        except WireError:
            torn = True
            break
        messages.append((header, arrays))
    return messages, torn


def read_message(stream, max_elements=64 * 1024**2, max_arrays=MAX_ARRAYS):
    """Read one message from a binary file object; None at a clean end of file."""
    line = stream.readline(MAX_HEADER_BYTES + 1)
    if not line:
        return None
    header = parse_header(line)
    arrays = {}
    for name, dtype, shape, nbytes in _array_specs(header, max_elements, max_arrays):
        chunks, left = [], nbytes
        while left:
            chunk = stream.read(left)
            if not chunk:
                raise WireError("truncated payload")
            chunks.append(chunk)
            left -= _len(chunk)
        arrays[name] = _frombuffer(b"".join(chunks), dtype=dtype).reshape(shape)
    return header, arrays
