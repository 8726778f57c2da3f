import math
import random

import numpy as np
import pytest

from grader.sandbox.codec import CodecError, decode, encode


def roundtrip(value):
    return decode(encode(value))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int8", "int32", "int64", "uint8", "uint64",
                                   "bool", "complex128", ">f4"])
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 3), (0, 4), (2, 1, 3)])
def test_arrays_keep_dtype_shape_and_values(dtype, shape):
    arr = (np.arange(int(np.prod(shape))) % 3).reshape(shape).astype(dtype)
    back = roundtrip(arr)
    assert type(back) is np.ndarray
    assert back.dtype == arr.dtype and back.shape == arr.shape
    assert np.array_equal(back, arr)
    assert back.flags.writeable


def test_non_contiguous_array_and_special_floats():
    arr = np.array([[np.nan, np.inf], [-np.inf, -0.0]], dtype=np.float32).T
    back = roundtrip(arr)
    assert back.dtype == np.float32
    assert np.array_equal(back, arr, equal_nan=True)
    assert math.copysign(1, back[1, 1]) == -1


def test_nested_plain_data():
    value = {"a": [1, 2.5, None, True, "x"], "b": (1, (2, 3)), "nan": float("nan"), "inf": -math.inf,
             "arrays": [np.zeros((2, 2)), {"deep": np.int64(7)}], "big": 2**80, "": "empty key"}
    back = roundtrip(value)
    assert back["a"] == [1, 2.5, None, True, "x"]
    assert back["b"] == [1, [2, 3]]
    assert math.isnan(back["nan"]) and back["inf"] == -math.inf
    assert back["big"] == 2**80
    assert type(back["a"][3]) is bool and type(back["a"][0]) is int
    assert np.array_equal(back["arrays"][0], np.zeros((2, 2)))


def test_numpy_scalars_decode_as_0d_arrays_with_dtype():
    back = roundtrip([np.float32(1.5), np.bool_(True), np.int64(-3)])
    assert [b.dtype for b in back] == [np.float32, np.bool_, np.int64]
    assert all(b.shape == () for b in back)
    assert back[0].item() == 1.5


def test_dicts_that_look_like_tags_are_escaped():
    value = {"__ndarray__": {"dtype": "<f8", "shape": [1], "data": "AAAAAAAA8D8="}, "__dict__": 1}
    assert roundtrip(value) == value


@pytest.mark.parametrize("bad", [object(), np.array([1, "a"], dtype=object), np.ma.masked_array([1, 2]),
                                 np.ma.masked_array([[1]]).view(np.ndarray).view(type("Sub", (np.ndarray,), {})), {1: 2}, {1, 2}, b"bytes", np.array(["s"]),
                                 lambda: 1, type("MyFloat", (float,), {})(1.0)])
def test_refuses_non_plain_values(bad):
    with pytest.raises(CodecError) as info:
        encode(bad)
    assert type(bad).__name__ in str(info.value)


def test_refuses_pickle_and_garbage_bytes():
    import pickle
    for data in [pickle.dumps({"a": 1}), b"", b"\x00\xff", b"[1,2", b'{"__ndarray__": 3}',
                 b'{"__ndarray__": {"dtype": "|O", "shape": [1], "data": "AAAAAAAAAAA="}}',
                 b'{"__ndarray__": {"dtype": "<f8", "shape": [1000000000000], "data": ""}}',
                 b'{"__ndarray__": {"dtype": "<f8", "shape": [-1], "data": ""}}',
                 b'{"__ndarray__": {"dtype": "<f8", "shape": [2], "data": "AAAAAAAA8D8="}}',
                 b'{"__ndarray__": {"dtype": "[(\'a\',\'O\')]", "shape": [1], "data": ""}}',
                 b"[" * 100000 + b"]" * 100000]:
        with pytest.raises(CodecError):
            decode(data)


def test_random_garbage_only_raises_codec_error():
    rng = random.Random(0)
    good = encode({"x": np.arange(6.0).reshape(2, 3), "y": [1, "two"]})
    for _ in range(2000):
        data = bytearray(good)
        for _ in range(rng.randint(1, 5)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            decode(bytes(data))
        except CodecError:
            pass


def test_size_cap():
    with pytest.raises(CodecError):
        encode(np.zeros(1000), max_bytes=100)
    with pytest.raises(CodecError):
        decode(encode(np.zeros(1000)), max_bytes=100)


# ------------------------------------------------------------------ hostile frames (issue 8)

import os
import resource
import struct
import subprocess
import sys
import time

from grader.sandbox.codec import DEFAULT_MAX_BYTES, MAX_DEPTH, check_structure
from grader.sandbox.protocol import FrameReader, read_frame

GRADESCOPE_MB = 768


def nested_empty_lists(size):
    """About ``size`` bytes of [[],[],...]: a container per 3 bytes."""
    count = size // 3
    return b"[" + b"[]," * (count - 1) + b"[]]"


def test_the_default_cap_leaves_a_wide_margin_over_real_replies():
    # The largest reply when grading the reference is 51 KB (measured; see codec's docstring).
    assert 8 * 1024 * 1024 <= DEFAULT_MAX_BYTES <= 32 * 1024 * 1024
    predictions = np.arange(10000, dtype=np.int8)
    big = {"predictions": predictions, "probabilities": np.random.default_rng(0).random((10000, 10))}
    back = roundtrip(big)
    assert np.array_equal(back["predictions"], predictions)


def test_a_40mb_frame_is_refused_from_its_header():
    payload = nested_empty_lists(40 * 1024 * 1024)
    frame = struct.pack(">Q", len(payload)) + payload
    reader = FrameReader()
    reader.feed(frame[:8])
    with pytest.raises(CodecError, match="announces"):
        reader.pop_frame()
    read_fd, write_fd = os.pipe()
    try:
        os.write(write_fd, frame[:8])
        with pytest.raises(CodecError, match="announces"):
            read_frame(read_fd)
    finally:
        os.close(read_fd)
        os.close(write_fd)


@pytest.mark.parametrize("payload, why", [
    (nested_empty_lists(15 * 1024 * 1024), "lists/dicts"),
    (b"[" * 200 + b"]" * 200, "nested"),
    (b"[" + b"0," * 3_000_000 + b"0]", "items"),
    (b"{" + b'"":0,' * 500_000 + b'"":0}', "items"),
])
def test_pathological_structure_is_refused_before_parsing(payload, why):
    started = time.monotonic()
    with pytest.raises(CodecError, match=why):
        decode(payload)
    assert time.monotonic() - started < 2.0


def test_brackets_and_commas_inside_strings_are_not_structure():
    value = {"message": "[" * 100_000 + "," * 300_000 + '"\\' + "{" * 100_000}
    assert roundtrip(value) == value


def test_what_encode_sends_decode_accepts():
    deep = []
    for _ in range(MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(CodecError, match="nested"):
        encode(deep)
    with pytest.raises(CodecError):
        encode(list(range(300_000)))
    ok = [0] * 1000
    for _ in range(MAX_DEPTH - 10):
        ok = [ok]
    assert roundtrip(ok) == ok


def test_scanning_a_full_size_message_is_cheap():
    message = encode({"data": np.random.default_rng(0).random(1_500_000)})   # ~16 MB of base64
    assert len(message) > 15 * 1024 * 1024
    started = time.monotonic()
    check_structure(message)
    assert time.monotonic() - started < 1.0


HOSTILE_DECODE = """
import struct, sys
from grader.sandbox.codec import CodecError, decode
from grader.sandbox.protocol import FrameReader
size = int(sys.argv[1])
payload = b"[" + b"[]," * (size // 3 - 1) + b"[]]"
if sys.argv[2] == "raw":
    import json
    json.loads(payload)          # what decoding without the scan does
    print("decoded")
    raise SystemExit(0)
reader = FrameReader()
reader.feed(struct.pack(">Q", len(payload)) + payload)
try:
    reader.pop_frame()
except CodecError as error:
    print("refused:", error)
try:
    decode(payload[: 15 * 1024 * 1024 - 1] + b"]", max_bytes=16 * 1024 * 1024)
except CodecError as error:
    print("refused:", error)
"""


def _under_gradescope_memory(*args):
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (GRADESCOPE_MB * 2**20, GRADESCOPE_MB * 2**20))
    return subprocess.run([sys.executable, "-c", HOSTILE_DECODE, *map(str, args)], preexec_fn=limit,
                          capture_output=True, text=True, timeout=120,
                          cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))


def test_hostile_frames_are_refused_within_gradescopes_memory():
    size = 40 * 1024 * 1024
    control = _under_gradescope_memory(size, "raw")
    assert control.returncode != 0 and "MemoryError" in control.stderr, control  # the attack is real
    run = _under_gradescope_memory(size, "scan")
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.count("refused:") == 2, run.stdout
