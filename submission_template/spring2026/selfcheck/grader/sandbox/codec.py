"""Plain-data codec for messages between the trusted grader and a worker.

No pickle is used anywhere: a message is UTF-8 JSON in which numpy arrays
are tagged objects carrying dtype, shape and the raw bytes (base64).

Supported values
----------------
- ``None``, ``bool``, ``int``, ``float`` (nan, +inf, -inf and -0.0 survive),
  ``str``
- ``list`` and ``tuple`` (both decode as ``list``)
- ``dict`` with ``str`` keys (any key is allowed, including ones that look
  like our internal tags: such dicts are escaped)
- ``numpy.ndarray`` of bool, signed/unsigned integer, floating or complex
  dtype. dtype (including byte order and float32 vs float64), shape
  (including 0-d and empty arrays) and values are preserved exactly.
  Subclasses (``np.matrix``, masked arrays, student subclasses) are
  refused: convert them with ``np.asarray(x).view(np.ndarray)`` first, so a
  student object can never smuggle behaviour across the boundary.
- numpy scalars (``np.float32(1.5)``, ``np.int64(3)``, ``np.bool_(True)``)
  are encoded as **0-d arrays** and therefore decode as 0-d ``ndarray``
  with the same dtype. This keeps "the student returned float32" visible
  to the grader; call ``.item()`` if a Python scalar is wanted.

Anything else raises :class:`CodecError` naming the type.

Decoding is meant to be safe on hostile bytes (a worker runs student code,
and student code can write to the worker's reply pipe): every failure is a
``CodecError``; array payload sizes are checked against dtype and shape
before any allocation; messages above ``max_bytes`` are refused; and before
any parsing, a cheap scan of the bytes refuses structure that would cost the
decoder far more memory than the message's size (:func:`check_structure`:
json.loads of 40 MB of nested empty lists needs ~50x that, and Gradescope
gives 768 MB to everything). ``encode`` applies the same limits to what it
produces, so whatever one side can send, the other side accepts.

Limits, against what grading the reference solution (FINAL.txt included)
actually sends: the largest message is 51 KB (the final run's 10000
predictions are 13 KB), with at most 282 containers, 330 items and 9 levels
of nesting. The limits leave a margin of 300x or more.
"""
from __future__ import annotations

import base64
import json
import math
import re
from typing import Any

import numpy as np

DEFAULT_MAX_BYTES = 16 * 1024 * 1024    # one message
MAX_CONTAINERS = 50_000                 # lists and dicts in one message
MAX_ITEMS = 200_000                     # values and keys in one message (bounded by , and :)
MAX_DEPTH = 64                          # nesting of lists and dicts

# Internal tags. A user dict that happens to use one of these keys is
# escaped as {"__dict__": [[key, value], ...]} so it cannot be confused.
_ARRAY_TAG = "__ndarray__"
_DICT_TAG = "__dict__"
_TAGS = frozenset({_ARRAY_TAG, _DICT_TAG})

_ALLOWED_ARRAY_KINDS = frozenset("biufc")
_MAX_NDIM = 64


class CodecError(ValueError):
    """A value cannot be encoded, or bytes cannot be decoded."""


# ---------------------------------------------------------------- encoding

def encode(obj: Any, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Encode plain data to bytes. Raises CodecError for anything else."""
    try:
        tree = _to_json_tree(obj, depth=0)
        text = json.dumps(tree, allow_nan=True, separators=(",", ":"))
    except CodecError:
        raise
    except RecursionError:
        raise CodecError("value is nested too deeply to encode") from None
    except Exception as exc:  # e.g. MemoryError on a gigantic value
        raise CodecError(f"could not encode value: {type(exc).__name__}: {exc}") from None
    data = text.encode("utf-8")
    if len(data) > max_bytes:
        raise CodecError(f"encoded message is {len(data)} bytes, above the {max_bytes}-byte limit")
    check_structure(data)
    return data


def _to_json_tree(obj: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise CodecError(f"value is nested too deeply to encode (more than {MAX_DEPTH} levels)")
    # bool must be tested before int (bool is a subclass of int); exact type
    # checks keep int/float/str subclasses with custom behaviour out.
    if obj is None or type(obj) in (bool, int, str):
        return obj
    if type(obj) is float:
        return obj  # json handles nan/inf as NaN/Infinity, and -0.0
    if type(obj) in (list, tuple):
        return [_to_json_tree(item, depth + 1) for item in obj]
    if type(obj) is dict:
        return _dict_to_tree(obj, depth)
    if isinstance(obj, np.generic) and not isinstance(obj, (np.void, np.object_)):
        return _array_to_tree(np.asarray(obj))
    if type(obj) is np.ndarray:
        return _array_to_tree(obj)
    raise CodecError(f"cannot send a value of type {_type_name(obj)} (only plain data and numpy arrays)")


def _dict_to_tree(obj: dict, depth: int) -> Any:
    for key in obj:
        if type(key) is not str:
            raise CodecError(f"dict keys must be str, got {_type_name(key)}")
    items = {key: _to_json_tree(value, depth + 1) for key, value in obj.items()}
    if _TAGS.intersection(items):
        return {_DICT_TAG: [[key, value] for key, value in items.items()]}
    return items


def _array_to_tree(arr: np.ndarray) -> dict:
    if arr.dtype.kind not in _ALLOWED_ARRAY_KINDS or arr.dtype.fields is not None:
        raise CodecError(f"cannot send a numpy.ndarray of dtype {arr.dtype} (only bool/int/float/complex)")
    raw = np.ascontiguousarray(arr).tobytes(order="C")
    return {_ARRAY_TAG: {
        "dtype": arr.dtype.str,
        "shape": [int(n) for n in arr.shape],
        "data": base64.b64encode(raw).decode("ascii"),
    }}


def _type_name(obj: Any) -> str:
    cls = type(obj)
    module = getattr(cls, "__module__", "") or ""
    name = getattr(cls, "__qualname__", None) or getattr(cls, "__name__", "?")
    return name if module == "builtins" else f"{module}.{name}"


# ---------------------------------------------------------------- decoding

def decode(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    """Decode bytes made by :func:`encode`. Raises only CodecError."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise CodecError(f"decode() needs bytes, got {_type_name(data)}")
    if len(data) > max_bytes:
        raise CodecError(f"message is {len(data)} bytes, above the {max_bytes}-byte limit")
    data = bytes(data)
    check_structure(data)
    try:
        tree = json.loads(data.decode("utf-8"))
        return _from_json_tree(tree)
    except CodecError:
        raise
    except RecursionError:
        raise CodecError("message is nested too deeply") from None
    except Exception as exc:
        raise CodecError(f"malformed message: {type(exc).__name__}: {str(exc)[:200]}") from None


# A JSON string, escapes included (possessive: linear time even on hostile bytes).
_JSON_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"')
_ALL_BUT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))


def check_structure(data: bytes, *, max_containers: int = MAX_CONTAINERS, max_items: int = MAX_ITEMS,
                    max_depth: int = MAX_DEPTH) -> None:
    """Refuse, without parsing, a message whose decoding would cost far more than its size.

    Strings are blanked first (brackets or commas inside them mean nothing); then
    counting ``[`` and ``{`` bounds the containers, ``,`` and ``:`` the items, and the
    running balance of the brackets alone gives the nesting depth. CodecError if any
    is above its limit."""
    bare = _JSON_STRING.sub(b'""', data)
    containers = bare.count(b"[") + bare.count(b"{")
    if containers > max_containers:
        raise CodecError(f"message has {containers} lists/dicts, above the limit of {max_containers}")
    items = bare.count(b",") + bare.count(b":") + 1
    if items > max_items:
        raise CodecError(f"message has about {items} items, above the limit of {max_items}")
    brackets = np.frombuffer(bare.translate(None, delete=_ALL_BUT_BRACKETS), dtype=np.uint8)
    opens = (brackets == ord("[")) | (brackets == ord("{"))
    depth = int(np.cumsum(np.where(opens, 1, -1)).max(initial=0))
    if depth > max_depth:
        raise CodecError(f"message is nested {depth} levels deep, above the limit of {max_depth}")


def _from_json_tree(tree: Any) -> Any:
    if isinstance(tree, list):
        return [_from_json_tree(item) for item in tree]
    if isinstance(tree, dict):
        if len(tree) == 1 and _ARRAY_TAG in tree:
            return _array_from_tree(tree[_ARRAY_TAG])
        if len(tree) == 1 and _DICT_TAG in tree:
            return _escaped_dict_from_tree(tree[_DICT_TAG])
        if _TAGS.intersection(tree):
            raise CodecError("malformed message: a reserved tag is mixed with other keys")
        return {key: _from_json_tree(value) for key, value in tree.items()}
    return tree  # None, bool, int, float, str from json


def _escaped_dict_from_tree(pairs: Any) -> dict:
    if not isinstance(pairs, list):
        raise CodecError("malformed escaped dict")
    out = {}
    for pair in pairs:
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
            raise CodecError("malformed escaped dict entry")
        out[pair[0]] = _from_json_tree(pair[1])
    return out


def _array_from_tree(spec: Any) -> np.ndarray:
    if not isinstance(spec, dict) or set(spec) != {"dtype", "shape", "data"}:
        raise CodecError("malformed array")
    dtype = _checked_dtype(spec["dtype"])
    shape = _checked_shape(spec["shape"])
    if not isinstance(spec["data"], str):
        raise CodecError("malformed array data")
    expected = math.prod(shape) * dtype.itemsize
    # base64 length bounds the decoded length, so check before decoding.
    if len(spec["data"]) > 4 * (expected // 3 + 1) + 4:
        raise CodecError("array data is longer than its shape and dtype allow")
    try:
        raw = base64.b64decode(spec["data"], validate=True)
    except Exception:
        raise CodecError("array data is not valid base64") from None
    if len(raw) != expected:
        raise CodecError(f"array data has {len(raw)} bytes, shape {tuple(shape)} of {dtype} needs {expected}")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _checked_dtype(text: Any) -> np.dtype:
    if not isinstance(text, str) or len(text) > 16:
        raise CodecError("malformed array dtype")
    try:
        dtype = np.dtype(text)
    except Exception:
        raise CodecError(f"unknown array dtype {text[:16]!r}") from None
    if dtype.kind not in _ALLOWED_ARRAY_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise CodecError(f"array dtype {dtype} is not allowed")
    return dtype


def _checked_shape(shape: Any) -> list[int]:
    if not isinstance(shape, list) or len(shape) > _MAX_NDIM:
        raise CodecError("malformed array shape")
    for n in shape:
        if type(n) is not int or n < 0:
            raise CodecError("malformed array shape")
    return shape
