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
    return {"type": type(error).__name__, "message": message[:1500], "student_frame": student_frame}


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


def fresh_import(name):
    """Import a submission module (cached after the first time, as Python does)."""
    __import__(name)
    return sys.modules[name]
