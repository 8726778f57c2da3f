"""Fingerprints of a submission's answers that differ from the reference's (staff only).

The same bug giving the same numbers on the grader's own inputs is a stronger sign of
shared work than similar text, so the batch's integrity flags compare these. Only a
digest leaves the grading run, and only for cases whose answer differs from the
reference's: correct answers say nothing about who wrote them.

Values are rounded to MANTISSA_BITS significant bits before hashing, so the same
arithmetic done in a slightly different order still gives the same digest, while a
different bug almost never does. Errors (an exception instead of a value) are left out:
the stencil's NotImplementedError is shared by everyone.

    digests = off_reference_digests(answers)   # answers: grade(..., answers={}) fills it
    write_digests(path, answers)
"""
import hashlib
import json
import os
from pathlib import Path

import numpy as np

MANTISSA_BITS = 16          # about 5 significant decimal digits
FLUSH_TO_ZERO = 1e-9        # |x| below this counts as 0 (float noise around an exact zero)
WHOLE = "*"                 # the case name of an answer that is not split into cases


def digest(value) -> str:
    """A short hex digest of a plain-data value (arrays, numbers, dicts, lists, strings)."""
    h = hashlib.sha256()
    _feed(h, value)
    return h.hexdigest()[:20]


def _feed(h, value):
    if isinstance(value, dict):
        h.update(b"{")
        for key in sorted(value, key=str):
            h.update(str(key).encode() + b":")
            _feed(h, value[key])
        h.update(b"}")
    elif isinstance(value, (list, tuple)):
        h.update(b"[")
        for item in value:
            _feed(h, item)
        h.update(b"]")
    elif isinstance(value, (bool, str, type(None))):
        h.update(repr(value).encode())
    elif isinstance(value, (int, float, np.number, np.ndarray)):
        _feed_numbers(h, np.asarray(value))
    else:
        h.update(type(value).__name__.encode())


def _feed_numbers(h, array):
    h.update(f"shape{array.shape}".encode())
    if array.dtype.kind in "biu":
        h.update(array.astype(np.int64).tobytes())
    elif array.dtype.kind in "fc":
        h.update(_rounded(np.asarray(array.real, dtype=np.float64)).tobytes())
    else:
        h.update(repr(array.tolist()).encode())


def _rounded(x):
    """(mantissa, exponent) pairs rounded to MANTISSA_BITS bits; NaN and inf kept distinct."""
    x = np.where(np.abs(x) < FLUSH_TO_ZERO, 0.0, x)
    finite = np.isfinite(x)
    mantissa, exponent = np.frexp(np.where(finite, x, 0.0))
    scale = 2.0 ** MANTISSA_BITS
    q = np.round(mantissa * scale)
    carry = np.abs(q) >= scale                      # 0.99999 rounds up to the next power of two
    q = np.where(carry, q / 2, q)
    exponent = exponent + carry
    special = np.where(np.isnan(x), 1, np.where(np.isposinf(x), 2, np.where(np.isneginf(x), 3, 0)))
    return np.stack([q.astype(np.int64), exponent.astype(np.int64), special.astype(np.int64)])


def _cases(answer):
    """{case: value} for an answer split into cases ({"value": ...} or {"error": ...} each), else one case."""
    if isinstance(answer, dict) and answer and all(isinstance(v, dict) and ("value" in v or "error" in v)
                                                   for v in answer.values()):
        return {str(k): v for k, v in answer.items()}
    return {WHOLE: {"value": answer}}


def off_reference_digests(answers: dict) -> dict:
    """{check key: {case: digest}} for the cases where the student answered a value that differs
    from the reference's (after rounding)."""
    out = {}
    for key, (reference, student) in answers.items():
        expected = _cases(reference) if reference is not None else {}
        differing = {}
        for case, got in _cases(student).items():
            if "value" not in got:
                continue
            mine = digest(got["value"])
            want = expected.get(case)
            if want is not None and "value" in want and digest(want["value"]) == mine:
                continue
            differing[case] = mine
        if differing:
            out[key] = differing
    return out


def write_digests(path, answers: dict) -> None:
    """The digests as JSON at ``path`` (written whole, then renamed)."""
    path = Path(path)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(off_reference_digests(answers), sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)
