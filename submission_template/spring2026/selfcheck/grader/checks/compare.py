"""Compare a subject's plain-data answer with the expected one and say what differs."""
import numpy as np

from grader.gradcheck import compare as compare_arrays

FLOAT32 = {"rtol": 1e-4, "atol": 1e-6}
FLOAT64 = {"rtol": 1e-7, "atol": 1e-10}


def tolerance_for(case):
    """The tolerance for a case, from what the grader knows of it (its inputs' dtype)."""
    return FLOAT32 if case.get("dtype") == "float32" else FLOAT64


def describe(value):
    """A short account of a value: type, shape, dtype, a few entries."""
    if isinstance(value, np.ndarray):
        flat = value.ravel()[:4]
        shown = ", ".join(f"{v:.6g}" if np.issubdtype(value.dtype, np.number) else str(v) for v in flat)
        more = ", ..." if value.size > 4 else ""
        return f"array shape {value.shape} dtype {value.dtype} [{shown}{more}]"
    if isinstance(value, dict) and "__type__" in value:
        return f"a {value['__type__']} ({value.get('__repr__', '')[:80]})"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return repr(value)[:120]


def _is_numeric_array_like(value):
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "biuf"
    return isinstance(value, (int, float, bool)) and not isinstance(value, str)


def differences(expected, got, rtol, atol, path="value", hints=True):
    """A list of human sentences; empty when got matches expected within tolerance."""
    if isinstance(expected, dict):
        if not isinstance(got, dict) or "__type__" in got:
            return [f"{path}: expected a dict with keys {sorted(expected)}, got {describe(got)}"]
        out = []
        for key, value in expected.items():
            if key not in got:
                out.append(f"{path}: missing key {key!r}")
            else:
                out += differences(value, got[key], rtol, atol, f"{path}[{key!r}]", hints)
        return out
    if isinstance(expected, list):
        if isinstance(got, np.ndarray) and got.ndim >= 1 and len(got) == len(expected):
            got = list(got)
        if not isinstance(got, list) or len(got) != len(expected):
            return [f"{path}: expected a list of {len(expected)}, got {describe(got)}"]
        out = []
        for i, (e, g) in enumerate(zip(expected, got)):
            out += differences(e, g, rtol, atol, f"{path}[{i}]", hints)
        return out
    if isinstance(expected, np.ndarray) and expected.dtype.kind in "biuf":
        return _array_differences(expected, got, rtol, atol, path, hints)
    if isinstance(expected, float) and not isinstance(got, bool) and isinstance(got, (int, float)):
        ok = abs(got - expected) <= atol + rtol * abs(expected) or (np.isnan(got) and np.isnan(expected))
        return [] if ok else [f"{path}: expected {expected:.8g}, got {got:.8g}"]
    if isinstance(expected, np.ndarray) and isinstance(got, np.ndarray):
        return [] if np.array_equal(expected, got) else [f"{path}: expected {describe(expected)}, got {describe(got)}"]
    return [] if expected == got else [f"{path}: expected {expected!r}, got {describe(got)}"]


def _array_differences(expected, got, rtol, atol, path, hints=True):
    if not _is_numeric_array_like(got):
        return [f"{path}: expected {describe(expected)}, got {describe(got)}"]
    got = np.asarray(got)
    if got.shape != expected.shape:
        if got.size == expected.size and np.squeeze(got).shape == np.squeeze(expected).shape:
            got = got.reshape(expected.shape)  # (n,) vs (1, n): both shapes are accepted
        else:
            return [f"{path}: expected shape {expected.shape}, got shape {got.shape} "
                    f"({describe(got)})"]
    report = compare_arrays(got.astype(np.float64), expected.astype(np.float64), rtol=rtol, atol=atol,
                            subject="your result")
    if report.ok:
        return []
    lines = [f"{path}: values differ (max abs error {report.max_abs_error:.3g}, "
             f"max rel error {report.max_rel_error:.3g}; tolerance rtol {rtol:g}, atol {atol:g})",
             f"    expected {describe(expected)}", f"    got      {describe(got)}"]
    if report.worst_index is not None:
        i = report.worst_index
        lines.append(f"    worst entry {i}: expected {expected[i]:.8g}, got {got[i]:.8g}")
    lines += [f"    hint: {h}" for h in report.hints] if hints else []
    return ["\n".join(lines)]


def error_text(error):
    """Where and how the subject's code raised: file:line in function, the line itself."""
    text = f"raised {error['type']}: {error['message']}".rstrip(": ")
    frame = error.get("student_frame")
    if frame:
        text += f"\n    at {frame['file']}:{frame['line']} in {frame['function']}(): {frame['code']}"
    text += _compose_text(error.get("compose"))
    if error["type"] == "NotImplementedError":
        text += "\n    hint: this part of the stencil is still a TODO."
    if error["type"] == "ModuleNotFoundError" and "banned" not in error["message"]:
        text += ("\n    hint: the grader has numpy and matplotlib, and stand-ins for the stencil's "
                 "tensorflow (MNIST download) and wandb imports; other packages are not installed, "
                 "so remove that import.")
    return text


def _compose_text(context):
    """The student's method behind an error raised in the given compose code."""
    if not isinstance(context, dict):
        return ""
    layer, method = context.get("layer"), context.get("method")
    text = (f"\n    This was raised in the given {context.get('compose')}() while combining what your "
            f"{layer}.{method}() returned (shapes {context.get('local_shapes')}) with the upstream "
            f"gradient J ({_j_text(context)}); the inputs have shapes {context.get('input_shapes')}.")
    if context.get("J_kind") != "list":
        text += ("\n    hint: J should be a one-element list [g]: does backward call inp.backward(g) "
                 "instead of inp.backward([g])?")
    else:
        text += (f"\n    hint: check {layer}.{method}(): it must return a list with one local gradient per "
                 + ("input (a (batch, n, n) Jacobian per sample, or one (n_in, n_out) matrix shared by the "
                    "batch)" if method == "get_input_gradients" else
                    "parameter, whose per-sample product with J[b] has the parameter's shape") + ".")
    return text


def _j_text(context):
    if context.get("J_kind") == "list":
        return f"a list of {context.get('J_length')} with shapes {context.get('J_shapes')}"
    return f"a {context.get('J_kind')} of shape {context.get('J_shapes')}"
