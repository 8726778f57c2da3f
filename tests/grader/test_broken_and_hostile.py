"""Broken and hostile submissions: every one still gets a complete, valid result with honest scores.

Probe time limits are shortened here (the grader's defaults are 20-60 s per probe and 60 s for the
import) by wrapping grader.grade._checks; the default-limit figures are measured separately and
reported by the lead, not re-measured on every run.
"""
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import pytest

import grader.grade as grade_module
from tests.grader.submissions import (SCORED_BERAS_TESTS, assert_complete,
                                      by_number, full_marks, grade_json, line_of, losers, make_submission,
                                      summary)

pytestmark = pytest.mark.timeout(120)  # per test; the slow ones below carry their own limit

SHORT = 3.0  # seconds per probe (and for the import) in these tests
BERAS_AND_PREPROCESS = set(SCORED_BERAS_TESTS) | {"2.11"}
# 10 MB of debug output on the first three calls, then a last line that says where the code was.
PRINTING_FORWARD = (
    "        global _PRINTS\n"
    "        _PRINTS = globals().get('_PRINTS', 0) + 1\n"
    "        if _PRINTS <= 3:\n"
    "            print('#' * 10_000_000)\n"
    "            print('debug: the end of my print')\n")


@pytest.fixture
def short_limits(monkeypatch):
    original = grade_module._checks

    def checks(edition, seed):
        out = original(edition, seed)
        for check in out:
            check.timeout = min(check.timeout, SHORT)
        return out

    monkeypatch.setattr(grade_module, "_checks", checks)
    monkeypatch.setattr(grade_module, "IMPORT_TIMEOUT", SHORT)


@pytest.fixture(scope="module", autouse=True)
def warm_reference():
    """The reference's answers are cached per process; compute them once with the real limits."""
    with tempfile.TemporaryDirectory() as tmp:
        grade_json(make_submission(tmp))


def graded(tmp_path, **kwargs):
    results = grade_json(make_submission(tmp_path, **kwargs))
    assert_complete(results)
    return results


def assert_all_beras_tests_zero(results):
    tests = by_number(results)
    for number in BERAS_AND_PREPROCESS:
        assert tests[number]["score"] == 0, summary(results)
    assert results["score"] == 0, summary(results)


# ------------------------------------------------------------------ broken trees

def test_syntax_error_in_layers(tmp_path):
    results = graded(tmp_path, patches=[("beras/layers.py", "        return x @ self.w + self.b\n",
                                         "        return x @ self.w + self.b)\n")])
    root = tmp_path / "submission"
    line = line_of(root, "beras/layers.py", "return x @ self.w + self.b)")
    assert_all_beras_tests_zero(results)
    for number in BERAS_AND_PREPROCESS:
        output = by_number(results)[number]["output"]
        assert "SyntaxError" in output and f"beras/layers.py:{line}" in output, output


def test_missing_losses_file(tmp_path):
    results = graded(tmp_path, remove=["beras/losses.py"])
    assert_all_beras_tests_zero(results)
    assert "Missing files: beras/losses.py" in results["output"]
    assert "losses" in by_number(results)["2.6"]["output"]


def test_no_beras_folder(tmp_path):
    results = graded(tmp_path, remove=["beras"])
    assert results["score"] == 0
    assert "No beras/ folder" in results["output"]
    for t in results["tests"]:
        assert t["score"] == 0
        assert "beras/" in t["output"], t


def test_empty_submission(tmp_path):
    results = grade_json(tmp_path)
    assert_complete(results)
    assert results["score"] == 0 and "No beras/ folder" in results["output"]


def test_nested_in_code_folder_with_junk_gets_full_marks(tmp_path):
    make_submission(tmp_path / "upload", name="code")
    outer = tmp_path / "upload"
    (outer / "hw2.zip").write_bytes(b"PK\x03\x04" + os.urandom(2000))
    (outer / "code" / "hw2 (1).zip").write_bytes(b"PK\x03\x04" + os.urandom(200))
    (outer / "code" / "notebook.ipynb").write_text(json.dumps({"cells": [], "nbformat": 4}))
    (outer / "code" / "predictions.npy").write_bytes(b"\x93NUMPY" + os.urandom(500))
    (outer / "__MACOSX").mkdir()
    (outer / "__MACOSX" / "beras").mkdir()  # a decoy beras/ where macOS zips put resource forks
    (outer / "README.md").write_text("my homework\n")
    results = grade_json(outer)
    assert_complete(results)
    assert losers(results) == set(), summary(results)
    assert results["extra_data"]["submission_root"] == "code"


# ------------------------------------------------------------------ import-time failures

def test_runtime_error_at_import_of_core(tmp_path):
    results = graded(tmp_path, patches=[("beras/core.py", "import inspect\n",
                                         "import inspect\nraise RuntimeError('student debugging')\n")])
    line = line_of(tmp_path / "submission", "beras/core.py", "raise RuntimeError('student debugging')")
    assert_all_beras_tests_zero(results)
    output = by_number(results)["2.3"]["output"]
    assert "RuntimeError: student debugging" in output and f"beras/core.py:{line}" in output, output


def test_sys_exit_at_import(tmp_path):
    results = graded(tmp_path, patches=[("beras/core.py", "import inspect\n", "import inspect\nimport sys\nsys.exit(3)\n")])
    line = line_of(tmp_path / "submission", "beras/core.py", "sys.exit(3)")
    assert_all_beras_tests_zero(results)
    output = by_number(results)["2.5"]["output"]
    assert "SystemExit" in output and f"beras/core.py:{line}" in output, output


def test_os_exit_at_import(tmp_path, short_limits):
    results = graded(tmp_path, patches=[("beras/core.py", "import inspect\n", "import inspect\nimport os\nos._exit(0)\n")])
    assert_all_beras_tests_zero(results)
    output = by_number(results)["2.5"]["output"]
    assert "Importing your code failed" in output, output
    assert "exit" in output.lower(), output


@pytest.mark.timeout(120)
def test_sleep_at_import_hits_the_time_limit(tmp_path, short_limits):
    started = time.monotonic()
    results = graded(tmp_path, patches=[("beras/core.py", "import inspect\n",
                                         "import inspect\nimport time\ntime.sleep(1000)\n")])
    elapsed = time.monotonic() - started
    assert elapsed < 4 * SHORT, elapsed
    assert_all_beras_tests_zero(results)
    output = by_number(results)["2.1"]["output"]
    assert "Importing your code failed" in output and f"did not answer within {SHORT:.1f} s" in output, output


# ------------------------------------------------------------------ run-time failures in one place

@pytest.mark.timeout(180)
def test_infinite_loop_in_linear_forward_costs_only_the_tests_that_call_it(tmp_path, short_limits):
    started = time.monotonic()
    results = graded(tmp_path, patches=[("beras/layers.py", "        return x @ self.w + self.b\n",
                                         PRINTING_FORWARD + "        while True:\n            pass\n")])
    elapsed = time.monotonic() - started
    assert elapsed < 12 * SHORT, elapsed
    assert losers(results) == {"2.3", "2.10", "3.1", "3.2", "3.3"}, summary(results)
    output = by_number(results)["2.3"]["output"]
    assert f"did not answer within {SHORT:.1f} s" in output and "infinite loop" in output, output[:500]
    assert "Your code printed" in output  # 10 MB of debug prints, capped
    assert len(json.dumps(results)) < 100_000


def test_memory_blowup_in_sigmoid_forward(tmp_path):
    results = graded(tmp_path, patches=[("beras/activations.py",
                                         "        return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x)))\n",
                                         "        junk = np.ones((10**6, 10**4))\n"
                                         "        return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x)))\n")])
    assert losers(results) == {"2.5", "3.1", "3.2", "3.3"}, summary(results)
    tests = by_number(results)
    assert 0 < tests["2.5"]["score"] < tests["2.5"]["max_score"]  # LeakyReLU, ReLU, Softmax still pass
    assert "MemoryError" in tests["2.5"]["output"] or "memory" in tests["2.5"]["output"].lower()
    assert "Sigmoid()" in tests["2.5"]["output"] and "Softmax()" not in tests["2.5"]["output"]


def test_nan_from_softmax_forward(tmp_path):
    results = graded(tmp_path, patches=[("beras/activations.py",
                                         "        return exps / exps.sum(axis=-1, keepdims=True)\n",
                                         "        return np.full(x.shape, np.nan)\n")])
    assert losers(results) == {"2.5", "2.10", "3.1", "3.2", "3.3"}, summary(results)
    output = by_number(results)["2.5"]["output"]
    assert "nan" in output.lower() and "Softmax()" in output


def test_forward_returns_none(tmp_path):
    results = graded(tmp_path, patches=[("beras/activations.py",
                                         "        return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x)))\n",
                                         "        0.5 * (1.0 + np.tanh(0.5 * np.asarray(x)))\n")])
    assert losers(results) == {"2.5", "3.1", "3.2", "3.3"}, summary(results)
    assert "Sigmoid()" in by_number(results)["2.5"]["output"]


def test_forward_returns_a_list(tmp_path):
    results = graded(tmp_path, patches=[("beras/layers.py", "        return x @ self.w + self.b\n",
                                         "        return (x @ self.w + self.b).tolist()\n")])
    # Diffable.__call__ takes a returned list for several outputs: the layer and everything built
    # on it (models, graphs) fail; the compose cases, which do not use the forward's value, pass.
    assert losers(results) == {"2.3", "2.10", "3.1", "3.2", "3.3"}, summary(results)
    output = by_number(results)["2.3"]["output"]
    assert "forward [float64, bias (out,), batch 5]" in output and "got a list of 5" in output


def test_huge_debug_prints_are_capped(tmp_path):
    results = graded(tmp_path, patches=[("beras/layers.py", "        return x @ self.w + self.b\n",
                                         PRINTING_FORWARD + "        return x @ self.w + self.b\n")])
    assert losers(results) == set(), summary(results)
    assert len(json.dumps(results)) < 100_000


def test_huge_debug_prints_before_a_crash_are_capped(tmp_path):
    results = graded(tmp_path, patches=[("beras/layers.py", "        return x @ self.w + self.b\n",
                                         PRINTING_FORWARD + "        import os\n        os._exit(7)\n")])
    assert losers(results) == {"2.3", "2.10", "3.1", "3.2", "3.3"}, summary(results)
    assert len(json.dumps(results)) < 100_000
    for t in results["tests"]:
        assert len(t["output"]) < 10_000, (t["number"], len(t["output"]))
    output = by_number(results)["2.3"]["output"]
    assert "Your code printed" in output and "output cut" in output, output[-500:]


def test_last_printed_line_before_a_crash_is_shown(tmp_path):
    results = graded(tmp_path, patches=[("beras/layers.py", "        return x @ self.w + self.b\n",
                                         PRINTING_FORWARD + "        import os\n        os._exit(7)\n")])
    output = by_number(results)["2.3"]["output"]
    assert "debug: the end of my print" in output, output[-300:]


# ------------------------------------------------------------------ banned libraries

LAYER_TESTS = {"2.2", "2.3", "2.4", "2.10", "3.1", "3.2", "3.3"}
TORCH_AT_TOP = [("beras/layers.py", "import numpy as np\n", "import numpy as np\nimport torch\n")]


def test_import_torch_at_top_of_layers(tmp_path):
    results = graded(tmp_path, patches=TORCH_AT_TOP)
    line = line_of(tmp_path / "submission", "beras/layers.py", "import torch")
    tests = by_number(results)
    assert f"beras/layers.py:{line}: import torch" in tests["4.1"]["output"]
    assert tests["4.1"]["status"] == "failed"
    # The import yields a stand-in, so the rest of beras still imports: only the tests that
    # run layers.py are withheld (zero_affected), each saying why and what it would have earned.
    assert losers(results) == LAYER_TESTS, summary(results)
    for number in LAYER_TESTS:
        assert "Withheld" in tests[number]["output"] and "beras/layers.py" in tests[number]["output"]


def test_import_torch_under_report_only_costs_nothing(tmp_path):
    from tests.grader.submissions import rubric_with
    results = grade_json(make_submission(tmp_path, patches=TORCH_AT_TOP),
                         rubric_path=rubric_with(tmp_path, banned_library="report_only"))
    assert_complete(results)
    assert losers(results) == set(), summary(results)
    assert "import torch" in by_number(results)["4.1"]["output"]


def test_using_a_banned_stand_in_fails_with_the_library_file_and_line(tmp_path):
    results = graded(tmp_path, patches=TORCH_AT_TOP + [
        ("beras/layers.py", "        return x @ self.w + self.b\n",
         "        return torch.tensor(x) @ self.w + self.b\n")])
    line = line_of(tmp_path / "submission", "beras/layers.py", "import torch")
    output = by_number(results)["2.3"]["output"]
    assert "torch" in output and f"beras/layers.py:{line}" in output, output


def test_banned_import_in_an_unused_function_withholds_only_the_tests_using_that_file(tmp_path):
    results = graded(tmp_path, patches=[("beras/layers.py", '''    @staticmethod
    def _initialize_weight(''', '''    def to_torch(self):
        import torch
        return torch.tensor(self.w)

    @staticmethod
    def _initialize_weight(''')])
    line = line_of(tmp_path / "submission", "beras/layers.py", "import torch")
    tests = by_number(results)
    assert f"beras/layers.py:{line}" in tests["4.1"]["output"]
    # Under "zero_affected", tests that exercise layers.py (directly or through models and graphs)
    # are withheld, with the reason; the others keep what they earned.
    withheld = {"2.2", "2.3", "2.4", "2.10", "3.1", "3.2", "3.3"}
    assert losers(results) == withheld, summary(results)
    for number in withheld:
        assert tests[number]["score"] == 0
        assert "Withheld" in tests[number]["output"] and "beras/layers.py" in tests[number]["output"]
        assert "would have earned 100%" in tests[number]["output"]


SKLEARN_IN_METRIC = [("beras/metrics.py", "        hits = np.argmax(probs, axis=-1)",
                      "        import importlib\n        importlib.import_module(\"sklearn\")\n"
                      "        hits = np.argmax(probs, axis=-1)")]


def test_importlib_sklearn_inside_a_function(tmp_path):
    results = graded(tmp_path, patches=SKLEARN_IN_METRIC)
    line = line_of(tmp_path / "submission", "beras/metrics.py", 'importlib.import_module("sklearn")')
    tests = by_number(results)
    assert f'beras/metrics.py:{line}: importlib.import_module("sklearn")' in tests["4.1"]["output"]
    # The accuracy metric (and the model, which uses it) are withheld; the others keep their points.
    assert tests["2.7"]["score"] == 0 and "Withheld" in tests["2.7"]["output"]
    for number in ("2.1", "2.5", "2.6", "2.8", "2.9", "2.11"):
        assert full_marks(results, number), summary(results)


def test_banned_import_in_metrics_withholds_only_the_tests_that_use_metrics(tmp_path):
    results = graded(tmp_path, patches=SKLEARN_IN_METRIC)
    assert losers(results) == {"2.7", "2.10"}, summary(results)


def test_import_error_inside_student_code_names_the_students_line(tmp_path):
    results = graded(tmp_path, patches=[("beras/metrics.py", "        hits = np.argmax(probs, axis=-1)",
                                         "        import scipy_not_installed\n        hits = np.argmax(probs, axis=-1)")])
    line = line_of(tmp_path / "submission", "beras/metrics.py", "import scipy_not_installed")
    output = by_number(results)["2.7"]["output"]
    assert "<frozen" not in output and f"at beras/metrics.py:{line} in forward()" in output, output


# ------------------------------------------------------------------ attacks on the judge

TAMPERING = '''
import builtins, unittest

def _always(*args, **kwargs):
    return None

for _name in dir(unittest.TestCase):
    if _name.startswith("assert"):
        setattr(unittest.TestCase, _name, _always)
unittest.TestCase.fail = _always
builtins.print = _always
try:
    from gradescope_utils.autograder_utils import decorators as _gs, json_test_runner as _jr

    class _weight:
        def __init__(self, val):
            pass

        def __call__(self, func):
            return func

    _gs.weight = _gs.partial_credit = _weight
    _jr.JSONTestRunner.run = lambda self, test: None
except Exception:
    pass
'''


def test_tampering_with_unittest_gradescope_utils_and_print_changes_nothing(tmp_path):
    # A real bug (softmax with the global max) must still be caught despite the tampering.
    results = graded(tmp_path, patches=[
        ("beras/__init__.py", "from .core import *\n", TAMPERING + "from .core import *\n"),
        ("beras/activations.py", "x.max(axis=-1, keepdims=True)", "x.max()")])
    assert losers(results) == {"2.5"}, summary(results)
    assert "Softmax() [float64, large and row-dependent values]" in by_number(results)["2.5"]["output"]


RANDOM_PATCH = '''
import numpy as _np
_real_default_rng = _np.random.default_rng
_np.random.seed = lambda *args, **kwargs: None
_np.random.default_rng = lambda *args, **kwargs: _real_default_rng(0)
'''


def test_monkeypatched_numpy_random_does_not_change_the_graders_inputs(tmp_path):
    results = graded(tmp_path, patches=[("beras/__init__.py", "from .core import *\n",
                                         RANDOM_PATCH + "from .core import *\n")])
    assert losers(results) == set(), summary(results)


def test_monkeypatched_numpy_random_with_a_real_bug(tmp_path):
    results = graded(tmp_path, patches=[
        ("beras/__init__.py", "from .core import *\n", RANDOM_PATCH + "from .core import *\n"),
        ("beras/optimizers.py", "(np.sqrt(v) + self.epsilon)", "np.sqrt(v + self.epsilon)")])
    assert losers(results) == {"2.9"}, summary(results)


FORGERY = '''
import os as _os, struct as _struct
try:
    from grader.sandbox.codec import encode as _encode
    _payload = _encode({"status": "ok", "value": {"forged": {"value": 1.0}}, "token": "0" * 32})
except Exception:
    _payload = b'{"status": "ok", "score": 100}'
for _fd in range(3, 1024):  # the worker keeps its protocol fds at 700 and above
    try:
        _os.write(_fd, _struct.pack(">Q", len(_payload)) + _payload)
    except OSError:
        pass
'''


def test_forged_worker_replies_on_file_descriptors(tmp_path):
    results = graded(tmp_path, patches=[
        ("beras/__init__.py", "from .core import *\n", FORGERY + "from .core import *\n"),
        ("beras/losses.py", "[-y_true / clipped / batch,", "[-y_true / clipped,")])
    # The forged frame reaches the reply pipe, lacks the session token and is rejected: the attack
    # earns nothing, and the message says what happened.
    assert_all_beras_tests_zero(results)
    output = by_number(results)["2.6"]["output"]
    assert "rejected" in output and "session token" in output, output


# ------------------------------------------------------------------ results.json forgery

def _world_writable_dir():
    """A results folder the sandboxed worker (uid nobody) could reach and write: the strongest case."""
    folder = Path(tempfile.mkdtemp(prefix="beras-results-"))
    folder.chmod(0o777)
    return folder


# Never aimed at the real /autograder/results of the machine running the tests: only at paths the
# attack can discover (our --results from the parent processes' command lines, the cwd, the env).
RESULTS_FORGERY = '''
import json as _json, os as _os, sys as _sys, time as _time
_FAKE = {"score": 100.0, "tests": [{"name": "forged", "score": 100.0, "max_score": 100.0}],
         "output": "FORGED BY STUDENT"}

def _targets():
    found = {_os.path.join(_os.getcwd(), "results.json")}
    for value in _os.environ.values():
        if value.endswith("results.json"):
            found.add(value)
    pid = _os.getppid()
    for _ in range(6):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                args = fh.read().decode(errors="replace").split("\\0")
            for i, arg in enumerate(args):
                if arg in ("--results", "--json") and i + 1 < len(args):
                    found.add(args[i + 1])
                elif arg.endswith("results.json"):
                    found.add(arg)
            with open(f"/proc/{pid}/stat") as fh:
                pid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except Exception:
            break
    return sorted(p for p in found if not p.startswith("/autograder/"))

def _forge(marker="student_was_here", paths=None):
    hits = []
    for path in (paths if paths is not None else _targets()):
        try:
            temp = path + ".forged"
            with open(temp, "w") as fh:
                _json.dump(_FAKE, fh)
            _os.replace(temp, path)  # works on a file we do not own, in a folder we may write
            hits.append(path)
            with open(_os.path.join(_os.path.dirname(path), marker), "w") as fh:
                fh.write(str(_os.getuid()))
        except Exception:
            pass
    return hits

_forge()
'''

DAEMON = RESULTS_FORGERY + '''
if _os.environ.get("BERAS_TEST_NO_DAEMON") is None and not globals().get("_DAEMON_STARTED"):
    _DAEMON_STARTED = True
    _LATER = _targets()  # found now, while the grader is still this process's ancestor
    if _os.fork() == 0:
        try:
            _os.setsid()
            if _os.fork() == 0:
                _time.sleep(4)
                _forge("student_was_here_late", _LATER)
        finally:
            _os._exit(0)
'''


def _gradescope_mode(submission, results_path):
    import subprocess
    from grader.submission import PROJECT_ROOT
    from tests.grader.submissions import TEST_RUBRIC
    return subprocess.run([sys.executable, "-m", "grader", "--submission-dir", str(submission),
                           "--results", str(results_path), "--quiet", "--rubric", str(TEST_RUBRIC)],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.timeout(300)
def test_student_cannot_write_results_json(tmp_path):
    folder = _world_writable_dir()
    try:
        results_path = folder / "results.json"
        root = make_submission(tmp_path, patches=[
            ("beras/__init__.py", "from .core import *\n", RESULTS_FORGERY + "from .core import *\n"),
            ("beras/activations.py", "x.max(axis=-1, keepdims=True)", "x.max()")])
        run = _gradescope_mode(root, results_path)
        assert run.returncode == 0, run.stderr[-2000:]
        results = json.loads(results_path.read_text())
        assert_complete(results)
        assert "FORGED" not in json.dumps(results)
        assert losers(results) == {"2.5"}, summary(results)
        assert not (Path(root) / "results.json").exists()
    finally:
        import shutil
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.timeout(300)
def test_detached_student_process_cannot_overwrite_results_json_later(tmp_path):
    folder = _world_writable_dir()
    try:
        results_path = folder / "results.json"
        root = make_submission(tmp_path, patches=[
            ("beras/__init__.py", "from .core import *\n", DAEMON + "from .core import *\n")])
        run = _gradescope_mode(root, results_path)
        assert run.returncode == 0, run.stderr[-2000:]
        time.sleep(8)  # give a detached straggler time to act
        results = json.loads(results_path.read_text())
        assert "FORGED" not in json.dumps(results)
        assert_complete(results)
    finally:
        import shutil
        time.sleep(0.5)
        shutil.rmtree(folder, ignore_errors=True)
