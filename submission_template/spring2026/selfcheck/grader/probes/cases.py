"""Run named cases against a subject, turning every result into plain data."""
import sys
import traceback
from pathlib import Path

import numpy as np

MAX_REPR = 300


def plain(value):
    """Arrays, numbers, strings, lists and dicts as they are; anything else described."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        array = np.array(value.view(np.ndarray) if type(value) is not np.ndarray else value, copy=True)
        if array.dtype == object:
            try:
                return np.asarray(array.tolist(), dtype=float)
            except (TypeError, ValueError):
                return {"__type__": "ndarray(dtype=object)", "__repr__": repr(array)[:MAX_REPR]}
        return array
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return {"__type__": f"{type(value).__module__}.{type(value).__qualname__}",
            "__repr__": _safe_repr(value)}


def _safe_repr(value):
    try:
        return repr(value)[:MAX_REPR]
    except BaseException:
        return "<unprintable>"


def submission_root():
    return Path.cwd().resolve()


def describe_exception(error):
    """Type, message and the innermost frame inside the submission (file, line, code)."""
    root = submission_root()
    student_frame = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename.startswith("<"):
            continue  # <frozen importlib._bootstrap> and the like are not files
        try:
            rel = Path(frame.filename).resolve().relative_to(root)
        except ValueError:
            continue
        student_frame = {"file": str(rel), "line": frame.lineno, "function": frame.name,
                         "code": (frame.line or "").strip()}
    if isinstance(error, SyntaxError) and error.filename:
        try:
            rel = Path(error.filename).resolve().relative_to(root)
            student_frame = {"file": str(rel), "line": error.lineno or 0, "function": "<module>",
                             "code": (error.text or "").strip()}
        except ValueError:
            pass
    try:
        message = str(error)
    except BaseException:
        message = "<unprintable message>"
    return {"type": type(error).__name__, "message": message[:1500], "student_frame": student_frame,
            "compose": _compose_context(error),
            # the classes it is an instance of, so that checks can tell kinds apart without the message
            "kinds": [cls.__name__ for cls in type(error).__mro__[:-1]][:12]}


COMPOSE_SOURCES = {"compose_input_gradients": "get_input_gradients",
                   "compose_weight_gradients": "get_weight_gradients"}


def _shape_of(value):
    try:
        return list(np.shape(value))
    except Exception:
        return None


def _compose_context(error):
    """When the error was raised inside a (given) compose method: which layer's local
    gradients and which upstream J it was combining, as shapes - the bug is usually in
    what get_*_gradients returned or in how backward passed J on, not in compose."""
    tb, found = error.__traceback__, None
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_name in COMPOSE_SOURCES and "self" in frame.f_locals:
            found = frame
        tb = tb.tb_next
    if found is None:
        return None
    layer, method = found.f_locals["self"], COMPOSE_SOURCES[found.f_code.co_name]
    J = found.f_locals.get("J")
    try:
        local = getattr(layer, method)()
        local_shapes = [_shape_of(g) for g in local] if isinstance(local, (list, tuple)) else _shape_of(local)
    except BaseException:
        local_shapes = None
    return {"layer": type(layer).__name__, "compose": found.f_code.co_name, "method": method,
            "local_shapes": local_shapes,
            "input_shapes": [_shape_of(x) for x in (getattr(layer, "inputs", None) or [])][:4],
            "J_kind": type(J).__name__ if not isinstance(J, (list, tuple)) else "list",
            "J_length": len(J) if isinstance(J, (list, tuple)) else None,
            "J_shapes": [_shape_of(j) for j in J][:4] if isinstance(J, (list, tuple)) else _shape_of(J)}


class Cases:
    """Collects {case name: {"value": ...} | {"error": ...}}; one failing case spares the rest."""

    def __init__(self):
        self.results = {}

    def run(self, name, fn, *args, **kwargs):
        try:
            self.results[name] = {"value": plain(fn(*args, **kwargs))}
        except (KeyboardInterrupt, GeneratorExit):
            raise
        except BaseException as error:  # SystemExit included: student code may call sys.exit
            self.results[name] = {"error": describe_exception(error)}
        return self.results[name]


    def run_facts(self, keys, fn, *args, **kwargs):
        """Run fn once; each fact it measures is its own case, stored under the case key the
        grader chose for it (keys: {fact: case key}), so independent mistakes cost
        independent cases. fn returns {fact: value} or yields (fact, value) pairs as it goes;
        when it raises, the facts measured so far keep their values and the others get the error."""
        measured = {}
        try:
            values = fn(*args, **kwargs)
            pairs = values.items() if isinstance(values, dict) else values
            for fact, value in pairs:
                measured[fact] = {"value": plain(value)}
        except (KeyboardInterrupt, GeneratorExit):
            raise
        except BaseException as error:
            failed = {"error": describe_exception(error)}
            measured.update({fact: failed for fact in keys if fact not in measured})
        for fact, key in keys.items():
            self.results[key] = measured.get(fact, {"error": {
                "type": "Missing", "message": "not measured", "student_frame": None}})


def fresh_import(name):
    """Import a submission module (cached after the first time, as Python does)."""
    __import__(name)
    return sys.modules[name]
