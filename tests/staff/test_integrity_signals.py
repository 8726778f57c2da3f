"""The two fingerprints behind the integrity flags, on real code and real numbers."""
import numpy as np

from staff.answer_digests import digest, off_reference_digests
from staff.integrity import code as code_flags

LAYER = b'''
import numpy as np
class Dense:
    def forward(self, inputs):
        result = inputs @ self.weights + self.bias
        total = np.sum(result, axis=-1, keepdims=True)
        return result / np.maximum(total, 1e-9)
    def backward(self, grad):
        return [grad @ self.weights.T, inputs.T @ grad]
''' * 3


def test_the_same_arithmetic_in_another_order_gives_the_same_digest():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 10))
    assert digest(x.sum(axis=0)) == digest(x[::-1].sum(axis=0))
    assert digest(np.float64(1.0)) == digest(np.float64(0.9999999999))       # across a power of two
    assert digest(x.sum(axis=0)) != digest(x.sum(axis=0) / 64)                 # the missing 1/batch is another answer
    assert digest({"a": x[0], "b": 1}) != digest({"a": x[0], "b": 2})


def test_only_answers_that_differ_from_the_reference_are_kept():
    ref = {"case 1": {"value": np.arange(3.0)}, "case 2": {"value": np.ones(2)}}
    mine = {"case 1": {"value": np.arange(3.0) + 1e-13}, "case 2": {"value": np.ones(2) * 2},
            "case 3": {"error": {"type": "NotImplementedError", "message": "", "student_frame": None}}}
    assert set(off_reference_digests({"behaviour.x": (ref, mine)})["behaviour.x"]) == {"case 2"}


def test_renamed_and_commented_code_keeps_its_fingerprint():
    renamed = LAYER.replace(b"result", b"out").replace(b"total", b"norm").replace(b"    def", b"    # mine\n    def")
    assert code_flags.windows(code_flags.tokens(LAYER)) == code_flags.windows(code_flags.tokens(renamed))
    other = LAYER.replace(b"np.maximum(total, 1e-9)", b"total.clip(min=1e-9)")
    assert code_flags.windows(code_flags.tokens(LAYER)) != code_flags.windows(code_flags.tokens(other))


def test_what_the_stencil_already_holds_is_nobodys_work():
    windows = code_flags.windows(code_flags.tokens(LAYER))
    own = code_flags.own_windows({"a": set(windows), "b": set(windows)}, stencil=windows)
    assert own == {"a": set(), "b": set()} and code_flags.similar_pairs(own) == []
    own = code_flags.own_windows({"a": set(windows), "b": set(windows)}, stencil=set())
    assert [(p["a"], p["b"]) for p in code_flags.similar_pairs(own)] == [("a", "b")]
