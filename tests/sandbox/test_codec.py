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
