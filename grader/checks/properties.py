"""Checks that need no reference: statistics of initializers, one-hot round trips."""
import numpy as np

from grader.checks.compare import error_text
from grader.results.outcome import Outcome

INIT_IN, INIT_OUT = 300, 200
# name -> (distribution, std as a function of fan_in, fan_out)
INITIALIZERS = {
    "zero": ("zero", lambda i, o: 0.0),
    "normal": ("normal", lambda i, o: 1.0),
    "xavier": ("normal", lambda i, o: np.sqrt(2.0 / (i + o))),
    "kaiming": ("normal", lambda i, o: np.sqrt(2.0 / i)),
    "xavier uniform": ("uniform", lambda i, o: np.sqrt(6.0 / (i + o))),
    "kaiming uniform": ("uniform", lambda i, o: np.sqrt(6.0 / i)),
}
REQUIRED_INITIALIZERS = ("zero", "normal", "xavier", "kaiming")  # the spring2026 stencil's assert allows only these
# The uniform ones are optional: a submission may refuse them, as the stencil's assert does (and some
# students raise their own error). One that offers them - returns a draw, or crashes trying - is
# scored on them like on the others: a silently wrong initializer is a bug, an honest refusal is not.
REFUSALS = {"AssertionError", "NotImplementedError", "ValueError", "KeyError"}
NORMAL_TAIL = 2.0        # in stds: a normal (even truncated at 2 sigma) reaches beyond it, a uniform never
TRUNCATED_STD = 0.87962566  # std of a normal truncated at 2 sigma, in sigmas (Keras' truncated normal)


def _initializer_problems(name, s):
    kind, spread = INITIALIZERS[name]
    sigma = spread(INIT_IN, INIT_OUT)
    n = INIT_IN * INIT_OUT
    problems = []
    if s["shape"] != [INIT_IN, INIT_OUT]:
        problems.append(f"w has shape {tuple(s['shape'])}, expected ({INIT_IN}, {INIT_OUT})")
    if s["b_size"] != INIT_OUT or not s["b_all_zero"]:
        problems.append(f"b must be {INIT_OUT} zeros (got {s['b_size']} values, all zero: {s['b_all_zero']})")
    if kind == "zero":
        if s["min"] != 0 or s["max"] != 0:
            problems.append("w must be all zeros")
        return problems
    if kind == "uniform":
        std, bound = sigma / np.sqrt(3.0), sigma
        if s["min"] < -bound * 1.0001 or s["max"] > bound * 1.0001:
            problems.append(f"values must lie in [-{bound:.4g}, {bound:.4g}], got [{s['min']:.4g}, {s['max']:.4g}]")
        accepted = [std]
    else:
        std = sigma
        accepted = [sigma, sigma * TRUNCATED_STD]
        # The tails tell a normal draw from a uniform one of the same std: among 60000 draws
        # the largest |w| of a normal is ~4.5 std (2.27 for Keras' 2-sigma truncated normal),
        # of a uniform at most sqrt(3) = 1.73 std.
        widest = max(abs(s["min"]), abs(s["max"]))
        if s["std"] > 0 and widest < NORMAL_TAIL * s["std"]:
            problems.append(f"the values look uniform, not normal: the largest |w| is {widest / s['std']:.2f} "
                            f"std (a normal draw reaches beyond {NORMAL_TAIL} std)")
    # 60000 draws: the sample std's standard error is ~std/sqrt(2n) = 0.3 %; allow ~10 of them.
    if not any(abs(s["std"] - a) <= 0.03 * a for a in accepted):
        problems.append(f"std {s['std']:.4g}, expected {std:.4g} (fan_in {INIT_IN}, fan_out {INIT_OUT})")
    # the sample mean's standard error is std/sqrt(n); allow 6 of them
    if abs(s["mean"]) > 6 * std / np.sqrt(n):
        problems.append(f"mean {s['mean']:.4g}, expected 0")
    return problems


def initializer_args(dense="Linear"):
    """One case per initializer and way of reaching it; the probe echoes each case's label."""
    cases = []
    for name in INITIALIZERS:
        cases.append({"label": f"_initialize_weight({name!r}, {INIT_IN}, {INIT_OUT})", "name": name, "via": "draw"})
        cases.append({"label": f"{dense}({INIT_IN}, {INIT_OUT}, initializer={name!r})", "name": name,
                      "via": "constructor"})
    return {"cases_spec": cases, "n_in": INIT_IN, "n_out": INIT_OUT, "seed": 7}


def score_initializers(key, results, args):
    lines, passed, total = [], 0, 0
    for case in args["cases_spec"]:
        label, name = case["label"], case["name"]
        result = results.get(label) if isinstance(results, dict) else None
        if not isinstance(result, dict) or not ("value" in result or "error" in result):
            result = {"error": {"type": "Missing", "message": "case not run", "student_frame": None}}
        scored = name in REQUIRED_INITIALIZERS or not _refused(result)
        if "error" in result:
            problems = [error_text(result["error"])]
        else:
            problems = _initializer_problems(name, result["value"])
        total += scored
        passed += scored and not problems
        lines.append(f"- {label}: {'OK' if not problems else '; '.join(problems)}{_optional_note(name, scored)}")
    return Outcome(key, passed / total if total else 0.0,
                   f"{passed}/{total} scored cases pass (statistical checks, seed fixed; an optional initializer "
                   f"is scored when your code offers it).\n" + "\n".join(lines))


def _refused(result):
    """Whether the case ended in a deliberate refusal (the stencil's assert, a ValueError...), or was not run."""
    error = result.get("error")
    if not isinstance(error, dict):
        return False
    kinds = error.get("kinds")   # from the worker: untrusted, so only a list of names counts
    names = {k for k in kinds if isinstance(k, str)} if isinstance(kinds, list) else {error.get("type")}
    return error.get("type") == "Missing" or bool(REFUSALS & names)


def _optional_note(name, scored):
    if name in REQUIRED_INITIALIZERS:
        return ""
    if scored:
        return (" (optional, scored because your code offers it: make it right, or refuse it with an "
                "AssertionError or ValueError as the stencil's assert does)")
    return " (optional, refused: not scored)"


def onehot_args():
    return {"label_sets": [
        {"label": "digits 0-9", "fit": np.arange(10), "data": np.array([3, 0, 9, 9, 1])},
        {"label": "non-contiguous labels [3, 7, 3, 9]", "fit": np.array([3, 7, 3, 9]),
         "data": np.array([9, 3, 7, 7])},
    ]}


def _onehot_problems(data, fit, value):
    encoded, decoded = np.asarray(value.get("encoded")), np.asarray(value.get("decoded"))
    classes = len(np.unique(fit))
    if encoded.shape != (len(data), classes):
        return [f"forward gave shape {encoded.shape}, expected ({len(data)}, {classes}): one column per label seen by fit"]
    problems = []
    if not (np.all((encoded == 0) | (encoded == 1)) and np.all(encoded.sum(axis=1) == 1)):
        problems.append("each row must have a single 1")
    columns = encoded.argmax(axis=1)
    same = np.equal.outer(data, data)
    if not np.array_equal(same, np.equal.outer(columns, columns)):
        problems.append("equal labels must map to equal rows, different labels to different rows")
    if decoded.shape != data.shape or not np.array_equal(decoded, data):
        problems.append(f"inverse(forward(x)) gave {decoded.tolist()}, expected {data.tolist()}")
    return problems


def score_onehot(key, results, args):
    lines, passed = [], 0
    for spec in args["label_sets"]:
        result = results.get(spec["label"], {"error": {"type": "Missing", "message": "not run"}})
        problems = ([error_text(result["error"])] if "error" in result
                    else _onehot_problems(spec["data"], spec["fit"], result["value"]))
        passed += not problems
        lines.append(f"- {spec['label']}: {'OK' if not problems else '; '.join(problems)}")
    total = len(args["label_sets"])
    return Outcome(key, passed / total, f"{passed}/{total} cases pass.\n" + "\n".join(lines))
