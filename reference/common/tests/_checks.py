"""Shared helpers for the local Beras tests: numeric checks and a tiny test runner.

Only NumPy and the standard library are used, so the tests run anywhere the
homework runs. Each test file can be run on its own:

    python tests/test_beras.py --list         # the names of its tests
    python tests/test_beras.py --all          # run all of them (the default)
    python tests/test_beras.py --test=NAME    # run the tests whose name contains NAME (repeatable)
    python tests/test_beras.py --verbose      # also print tracebacks and output

NAME is any part of a test's name, in any case (`--test=dense`, `--test=Softmax`);
a full name runs that test alone. A `test_...` function you add to a test file
is found wherever it is in the file. `python test_runner.py` runs every file
(see its --help).
"""
import argparse
import ast
import contextlib
import importlib.util
import inspect
import io
import os
import signal
import sys
import traceback
import warnings
from pathlib import Path

import numpy as np

TESTS_DIR = Path(__file__).resolve().parent
SUBMISSION_DIR = TESTS_DIR.parent


def use_submission_path():
    """Make this submission's beras/, preprocess.py and assignment.py the ones imported."""
    for folder in (TESTS_DIR, SUBMISSION_DIR):  # SUBMISSION_DIR ends up first
        while str(folder) in sys.path:
            sys.path.remove(str(folder))
        sys.path.insert(0, str(folder))


use_submission_path()


# --------------------------------------------------------------------- checks

def as_float_array(value, what):
    """value as a float64 NumPy array, or an AssertionError saying why it is not numeric."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise AssertionError(f"{what} should be a numeric array, got {_short(value)} ({e})") from None
    return array


def _short(value, limit=120):
    text = repr(value).replace("\n", " ")
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def assert_close(got, expected, what, rtol=1e-5, atol=1e-7, shape=True):
    """Fail with a readable message unless got matches expected (shape and values)."""
    expected = np.asarray(expected, dtype=np.float64)
    got = as_float_array(got, what)
    if shape and got.shape != expected.shape:
        if got.size == expected.size:
            hint = " (same number of entries: check how the array is shaped)"
        else:
            hint = ""
        raise AssertionError(f"{what} has shape {got.shape}, expected {expected.shape}{hint}")
    if not shape:
        got = got.reshape(expected.shape)
    if not np.all(np.isfinite(got)):
        raise AssertionError(f"{what} contains NaN or inf: {_short(got)}")
    bad = ~np.isclose(got, expected, rtol=rtol, atol=atol)
    if np.any(bad):
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        err = np.abs(got - expected)
        raise AssertionError(
            f"{what} is wrong at index {index}: got {got[index]:.6g}, expected {expected[index]:.6g} "
            f"({int(bad.sum())} of {bad.size} entries off, max abs error {err.max():.3g})\n"
            f"  got:      {_short(np.round(got, 6))}\n  expected: {_short(np.round(expected, 6))}")


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def numerical_gradient(f, x, eps=1e-6):
    """Central finite differences of the scalar f() with respect to the float64 array x.

    x is perturbed in place, one entry at a time, and restored afterwards.
    """
    check(isinstance(x, np.ndarray) and x.dtype == np.float64,
          "numerical_gradient needs a float64 array to perturb")
    grad = np.zeros(x.shape, dtype=np.float64)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    check(np.shares_memory(flat, x), "numerical_gradient needs a contiguous array")
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        up = float(f())
        flat[i] = old - eps
        down = float(f())
        flat[i] = old
        gflat[i] = (up - down) / (2 * eps)
    return grad


def first_or_only(grads, what):
    """The first entry of a list of gradients (as returned by compose_*_gradients)."""
    check(grads is not None, f"{what} returned None")
    try:
        return grads[0]
    except (TypeError, IndexError, KeyError):
        raise AssertionError(f"{what} should return a list (one gradient per input), "
                             f"got {_short(grads)}") from None


# --------------------------------------------------------------------- finding tests

def also_known_as(*names):
    """Other names `--test` finds this test by: the handout's words for what it checks.

    The handout says `--test=dense` for the dense layer (spring2026 calls it Linear), `--test=ohe`
    for one-hot encoding, `--test=preprocess` for the data tests.
    """
    def mark(fn):
        fn.also_known_as = tuple(names)
        return fn
    return mark


def _normalized(name):
    return name.lower().removeprefix("test_")


def _names(fn):
    return {_normalized(n) for n in (fn.__name__, *getattr(fn, "also_known_as", ()))}


def matching(tests, pattern):
    """The tests `--test PATTERN` selects: those named exactly so (with or without test_,
    or by an alias), else every test whose name or alias contains PATTERN, in any case."""
    wanted = _normalized(pattern)
    exact = [fn for fn in tests if wanted in _names(fn)]
    return exact or [fn for fn in tests if any(wanted in name for name in _names(fn))]


def select(tests, patterns):
    """(the tests any pattern selects, in their own order; the patterns that select none)."""
    chosen = {id(fn) for pattern in patterns for fn in matching(tests, pattern)}
    unknown = [pattern for pattern in patterns if not matching(tests, pattern)]
    return [fn for fn in tests if id(fn) in chosen], unknown


def collect(*modules):
    """The test functions (names starting with test_) defined in the modules, in file order.

    A name found in several modules (the same file loaded twice) counts once, from the
    first module that has it.
    """
    found = {}
    for module in modules:
        for name, obj in vars(module).items():
            if (name.startswith("test_") and inspect.isfunction(obj) and name not in found
                    and obj.__module__ == module.__name__):
                found[name] = obj
    return sorted(found.values(), key=lambda fn: fn.__code__.co_firstlineno)


def load_test_file(path):
    """Import a tests/test_*.py file by path, all of it (not as the 'tests' package, which may be taken).

    Loading the whole file before looking for tests finds a test_ function wherever it
    is, also after the `if __name__ == "__main__":` block.
    """
    path = Path(path)
    name = f"_beras_local_tests_{path.stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def find_test_files(tests_dir=TESTS_DIR):
    """{category: path} for every tests/test_<category>.py: the four given ones first, then yours."""
    given = ("beras", "data", "gradient", "assignment")
    found = {path.stem.removeprefix("test_"): path for path in sorted(Path(tests_dir).glob("test_*.py"))}
    return {**{c: found[c] for c in given if c in found}, **{c: p for c, p in found.items() if c not in given}}


def unreachable_tests(path, found):
    """[(name, line)] of test_ functions written in the file that `found` lacks: defined
    inside a block that never runs when the file is imported (`if __name__ == "__main__":`)."""
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return []
    have = {fn.__name__ for fn in found}
    missing = []
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue   # a top-level test is found; a nested function is a helper
        for node in ast.walk(statement):
            if (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_")
                    and node.name not in have):
                missing.append((node.name, node.lineno))
    return missing


def warn_unreachable(path, found, stream=None):
    for name, line in unreachable_tests(path, found):
        print(f"note: {name} (tests/{Path(path).name}:{line}) is not run: it is inside a block "
              "that does not run on import (such as `if __name__ == \"__main__\":`); "
              "define it at the top level of the file", file=stream or sys.stdout)


# --------------------------------------------------------------------- running

class Outcome:
    def __init__(self, name, status, message="", details=""):
        self.name, self.status, self.message, self.details = name, status, message, details


def _where(tb):
    """'file:line in function' of the innermost frame outside the tests, if any."""
    spot = None
    for frame, lineno in traceback.walk_tb(tb):
        filename = Path(frame.f_code.co_filename)
        try:
            inside_tests = filename.resolve().is_relative_to(TESTS_DIR) or filename.name == "test_runner.py"
        except OSError:
            inside_tests = False
        if not inside_tests and not str(filename).startswith("<"):
            try:
                shown = filename.resolve().relative_to(SUBMISSION_DIR).as_posix()
            except ValueError:
                shown = filename.name
            spot = f"{shown}:{lineno} in {frame.f_code.co_name}"
    return spot


def _mnist_error_class():
    """_local.mnist.MnistError when this folder has the MNIST stand-in, else None."""
    module = sys.modules.get("_local.mnist")
    return getattr(module, "MnistError", None)


def describe(exc):
    """(status, one-line-ish message) for an exception raised by a test."""
    if isinstance(exc, NotImplementedError):
        return "FAIL", f"not implemented yet: {exc}"
    if isinstance(exc, AssertionError):
        return "FAIL", str(exc) or "assertion failed"
    mnist_error = _mnist_error_class()
    if mnist_error is not None and isinstance(exc, mnist_error):
        return "ERROR", f"MNIST could not be loaded: {exc}"
    where = _where(exc.__traceback__)
    text = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, (ImportError, SyntaxError)):
        text = f"could not import your code: {text}"
        if isinstance(exc, ModuleNotFoundError) and (exc.name or "").split(".")[0] in ("tensorflow", "_local"):
            text += (" (the homework folder's tensorflow/ and _local/ folders load MNIST without "
                     "TensorFlow: copy them back from the stencil)")
    return "ERROR", text + (f" (at {where})" if where else "")


TEST_TIME_LIMIT_S = int(os.environ.get("BERAS_TEST_TIME_LIMIT", "120"))


class TestTimeout(Exception):
    """A test ran longer than TEST_TIME_LIMIT_S (an infinite loop, or a very slow loop)."""


@contextlib.contextmanager
def time_limit(seconds):
    """Stop a test that runs too long; only where SIGALRM exists (not on Windows)."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def stop(signum, frame):
        raise TestTimeout(f"the test was stopped after {seconds} s: look for an infinite loop "
                          "or a Python loop over every sample or entry")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_test(fn):
    """Run one test function; never lets its exception (or sys.exit) escape."""
    output = io.StringIO()
    try:
        with contextlib.redirect_stdout(output), warnings.catch_warnings(), time_limit(TEST_TIME_LIMIT_S):
            warnings.simplefilter("ignore")
            with np.errstate(all="ignore"):
                fn()
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # SystemExit from student code counts as an error too
        status, message = describe(exc)
        details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        return Outcome(fn.__name__, status, message, details + _printed(output))
    return Outcome(fn.__name__, "PASS", details=_printed(output))


def _printed(output):
    text = output.getvalue()
    if not text.strip():
        return ""
    lines = text.replace("\r", "\n").splitlines()
    if len(lines) > 40:
        lines = lines[:20] + [f"... ({len(lines) - 40} lines) ..."] + lines[-20:]
    return "printed by the test:\n" + "\n".join(lines) + "\n"


def report(outcome, verbose=False, stream=None):
    stream = stream or sys.stdout
    line = f"{outcome.status:<5} {outcome.name}"
    if outcome.message:
        first, *rest = outcome.message.splitlines()
        line += f": {first}" + "".join(f"\n        {r}" for r in rest)
    print(line, file=stream, flush=True)
    if verbose and outcome.details:
        for text in outcome.details.rstrip().splitlines():
            print(f"      | {text}", file=stream)


def summary(outcomes, stream=None):
    passed = sum(o.status == "PASS" for o in outcomes)
    failed = len(outcomes) - passed
    errors = sum(o.status == "ERROR" for o in outcomes)
    todo = sum(o.message.startswith("not implemented yet") for o in outcomes)
    extra = []
    if errors:
        extra.append(f"{errors} with errors")
    if todo:
        extra.append(f"{todo} not implemented yet")
    print(f"{passed} passed, {failed} failed" + (f" ({', '.join(extra)})" if extra else ""),
          file=stream or sys.stdout, flush=True)
    return failed == 0


def listing(fn):
    """One line of --list: the name, and the other names --test finds it by."""
    aliases = getattr(fn, "also_known_as", ())
    return fn.__name__ + (f"   (also: {', '.join(aliases)})" if aliases else "")


def main_for_file(module_name, argv=None):
    """The command line of one test file: --list, --all (default), --test=NAME, --verbose.

    Called from the file's `if __name__ == "__main__":` block, before the rest of the
    file has run; so the file is loaded again, whole, and its tests collected from that
    (and from what had run, for a test defined inside the block itself).
    """
    partial = sys.modules[module_name]
    path = Path(partial.__file__).resolve()
    parser = argparse.ArgumentParser(prog=f"python tests/{path.name}",
                                     description=(partial.__doc__ or "").strip().splitlines()[0])
    parser.add_argument("--list", action="store_true", help="list the tests and exit")
    parser.add_argument("--all", action="store_true", help="run every test (the default)")
    parser.add_argument("--test", action="append", metavar="NAME",
                        help="run the tests whose name contains NAME, in any case (repeatable); "
                             "a full name runs that test alone")
    parser.add_argument("--verbose", "-v", action="store_true", help="print tracebacks and output")
    args = parser.parse_args(argv)
    try:
        whole = load_test_file(path)
    except Exception as exc:  # code after this block failed: run what is there, and say why
        status, message = describe(exc)
        print(f"note: tests/{path.name} could not be loaded to its end ({message}); "
              "running the tests defined before its `if __name__ == \"__main__\":` block", file=sys.stderr)
        whole = None
    tests = collect(*([whole] if whole is not None else []), partial)
    if args.list:
        for fn in tests:
            print(listing(fn))
        return 0
    warn_unreachable(path, tests)
    if args.test:
        tests, unknown = select(tests, args.test)
        if unknown:
            print(f"unknown test(s): {', '.join(unknown)}; see --list", file=sys.stderr)
            return 2
    outcomes = []
    for fn in tests:
        outcomes.append(run_test(fn))
        report(outcomes[-1], args.verbose)
    return 0 if summary(outcomes) else 1
