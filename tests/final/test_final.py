"""The final training run (FINAL.txt), end to end with real MNIST and real workers.

Runtime is kept down with small final_epochs / final_time_budget_s settings.
"""
import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from grader.checks.final import score_fraction
from grader.runner.training import final_outcome
from grader.data import mnist
from grader.editions import load_edition
from grader.grade import grade
from grader.rubric.load import default_rubric_path, load_rubric
from tests.final import submissions

EDITION = load_edition("spring2026")


def settings(**overrides):
    s = dict(load_rubric().settings)
    s.update(overrides)
    return s


def rubric_file(tmp_path, **overrides):
    """The edition's rubric with some [settings] values replaced."""
    text = default_rubric_path().read_text()
    for key, value in overrides.items():
        text, n = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value!r}", text)
        assert n == 1, key
    path = tmp_path / "rubric.toml"
    path.write_text(text)
    load_rubric(path)  # valid
    return path


def outcome(sub, **overrides):
    return final_outcome(Path(sub), EDITION, settings(**overrides), {}, lambda msg: None)


def shown_accuracy(out):
    match = re.search(r"Test accuracy (\d+\.\d+)% after (\d+) epoch", out.output)
    assert match, out.output
    return float(match.group(1)) / 100


def test_reference_reaches_full_marks_through_grade(tmp_path):
    sub = submissions.reference(tmp_path / "sub")
    results = grade(sub, rubric_path=rubric_file(tmp_path, final_epochs=3))
    final = next(t for t in results["tests"] if t["number"] == "5.1")
    assert final["score"] == final["max_score"] == 20, final["output"]
    board = {e["name"]: e for e in results["leaderboard"]}
    assert board["Accuracy"]["value"] >= 0.965 and board["Accuracy"]["order"] == "desc"
    for epoch in (1, 2, 3):
        assert re.search(rf"(?m)^\s+{epoch}\s+\d+\.\d+%", final["output"]), final["output"]
    assert "after 3 epoch(s)" in final["output"]


def test_lowercase_marker_works_and_no_marker_is_not_requested(tmp_path):
    sub = submissions.reference(tmp_path / "sub", marker="final.txt")
    out = outcome(sub, final_epochs=1)
    acc = shown_accuracy(out)
    assert acc > 0.9
    assert out.fraction == pytest.approx(score_fraction(acc, settings()), abs=1e-3)
    assert out.leaderboard[0]["name"] == "Accuracy"
    (sub / "final.txt").unlink()
    out = outcome(sub)
    assert out.fraction == 0 and out.output.startswith("Not requested")


def test_import_failure_blocks_the_run(tmp_path):
    sub = submissions.reference(tmp_path / "sub")
    out = final_outcome(sub, EDITION, settings(), {"assignment": "Importing assignment failed: raised SyntaxError"},
                        lambda msg: None)
    assert out.fraction == 0 and "Importing assignment failed" in out.output


@pytest.mark.parametrize("kind", ["zero init", "optimizer never updates", "small learning rate"])
def test_weak_models_get_the_matching_partial_score(tmp_path, kind):
    sub = submissions.reference(tmp_path / "sub")
    if kind == "zero init":
        submissions.patch_assignment(sub, [('initializer="kaiming"', 'initializer="zero"'),
                                           ('initializer="xavier"', 'initializer="zero"')])
    elif kind == "optimizer never updates":
        submissions.patch_assignment(sub, append="""
            class _Frozen(Adam):
                def step(self):
                    pass

            def get_optimizer(model):
                return _Frozen(model.parameters, learning_rate=1e-3)
            """)
    else:
        submissions.patch_assignment(sub, [("Adam(model.parameters, learning_rate=1e-3)",
                                            "Adam(model.parameters, learning_rate=2e-6)")])
    out = outcome(sub, final_epochs=1)
    acc = shown_accuracy(out)
    assert acc < 0.95, out.output
    expected = score_fraction(acc, settings())
    assert out.fraction == pytest.approx(expected, abs=1e-3)
    assert f"earns {expected:.1%} of the points" in out.output
    if kind != "small learning rate":
        assert acc < 0.3 and out.fraction == 0


def test_fit_that_raises_is_a_failure_naming_file_and_line(tmp_path):
    sub = submissions.reference(tmp_path / "sub")
    submissions.patch_model(sub, """

        def _broken_fit(self, x, y, epochs, batch_size, wandb_run=None):
            raise ValueError("shapes do not line up")


        Sequential.fit = _broken_fit
        """)
    lines = (sub / "beras" / "model.py").read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "shapes do not line up" in text)
    out = outcome(sub, final_epochs=2)
    assert out.fraction == 0 and out.leaderboard is None
    assert "Epoch 1 failed" in out.output
    assert "ValueError: shapes do not line up" in out.output
    assert f"beras/model.py:{line}" in out.output


LEAK_ATTEMPTS = '''

import json as _json
import os as _os


def _labels_from(path):
    from grader.data import mnist as _m
    return _m.read_idx(path)


def _attempts(record_file, guessed_dir):
    tries = {}

    def attempt(name, fn):
        try:
            got = fn()
            import hashlib as _h
            import numpy as _np
            digest = _h.sha256(_np.asarray(got).astype(_np.uint8).tobytes()).hexdigest() \
                if _np.size(got) == 10000 else "not labels"
            tries[name] = "GOT " + repr(type(got)) + " " + digest
        except BaseException as error:
            tries[name] = "denied: " + type(error).__name__ + ": " + str(error)[:100]

    given = _os.environ.get("BERAS_MNIST_DIR", "")
    attempt("worker's MNIST dir", lambda: _labels_from(_os.path.join(given, "t10k-labels-idx1-ubyte.gz")))
    attempt("guessed real dir", lambda: _labels_from(_os.path.join(guessed_dir, "t10k-labels-idx1-ubyte.gz")))

    def keras():
        from tensorflow.keras import datasets
        return datasets.mnist.load_data()[1][1]
    attempt("tensorflow stand-in", keras)

    def grader_loader():
        from grader.data import mnist as _m
        return _m.load("test_labels", guessed_dir)
    attempt("grader loader on the guessed dir", grader_loader)

    ppid = _os.getppid()
    attempt("parent environ", lambda: open(f"/proc/{ppid}/environ", "rb").read())

    def parent_memory():
        with open(f"/proc/{ppid}/maps") as maps, open(f"/proc/{ppid}/mem", "rb") as mem:
            start = int(maps.readline().split("-")[0], 16)
            mem.seek(start)
            return mem.read(4096)
    attempt("parent memory", parent_memory)
    # Nothing outside the worker's own area is writable: report through the error message,
    # which the trusted side shows in the final run's output.
    raise RuntimeError("LEAK-TRIES " + _json.dumps(tries) + " END-TRIES")


_real_get_model = get_model


def get_model():
    _attempts(RECORD_FILE, GUESSED_DIR)
    return _real_get_model()
'''


@pytest.fixture
def record_dir():
    folder = Path(tempfile.mkdtemp(prefix="beras-final-record-"))
    folder.chmod(0o777)  # the worker runs as nobody when the tests run as root
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_the_worker_cannot_read_the_test_labels(tmp_path, monkeypatch, record_dir):
    private = submissions.private_mnist(tmp_path / "mnist")
    monkeypatch.setenv(mnist.ENV_VAR, str(private))
    sub = submissions.reference(tmp_path / "sub")
    record = record_dir / "attempts.json"
    submissions.patch_assignment(sub, append=f"\nRECORD_FILE = {str(record)!r}\nGUESSED_DIR = {str(private)!r}\n"
                                             + LEAK_ATTEMPTS)
    out = outcome(sub, final_epochs=1, final_batch_size=256)
    report = out.output.split("LEAK-TRIES ", 1)[1].split(" END-TRIES", 1)[0]
    tries = json.loads(report)
    assert len(tries) == 6, tries
    real = hashlib.sha256(mnist.load("test_labels").tobytes()).hexdigest()
    # The tensorflow stand-in may serve made-up labels; the real ones must never arrive.
    assert not any(real in how for how in tries.values()), tries
    if os.geteuid() == 0:  # as root the worker runs as nobody; otherwise the files are the caller's own
        others = {name: how for name, how in tries.items() if name != "tensorflow stand-in"}
        assert all(how.startswith("denied") for how in others.values()), tries
    else:
        assert tries["worker's MNIST dir"].startswith("denied")


SLEEPY_FIT = '''

import time as _time

_calls = []
_plain_fit = Sequential.fit


def _sleepy_fit(self, *args, **kwargs):
    _calls.append(1)
    if len(_calls) >= 2:
        _time.sleep({seconds})
    return _plain_fit(self, *args, **kwargs)


Sequential.fit = _sleepy_fit
'''


def test_slow_epochs_stop_training_between_epochs(tmp_path):
    sub = submissions.patch_model(submissions.reference(tmp_path / "sub"), SLEEPY_FIT.format(seconds=11))
    out = outcome(sub, final_epochs=5, final_time_budget_s=20)
    assert "Training stopped before epoch 3" in out.output, out.output
    assert out.extra_data["final"]["epochs_run"] == 2
    acc = shown_accuracy(out)
    assert acc > 0.95 and out.fraction == 1.0
    assert out.extra_data["final"]["epoch_seconds"][1] >= 11


def test_an_epoch_that_overruns_the_budget_is_stopped_and_the_previous_epoch_scored(tmp_path):
    sub = submissions.patch_model(submissions.reference(tmp_path / "sub"), SLEEPY_FIT.format(seconds=300))
    # batch 256: one epoch of the reference lands between 90 % and 95 % (partial credit)
    out = outcome(sub, final_epochs=5, final_time_budget_s=20, final_batch_size=256)
    assert "Epoch 2 was still running after" in out.output, out.output
    assert "after epoch 1 is scored" in out.output
    acc = shown_accuracy(out)
    assert 0.9 < acc < 0.95 and out.fraction == pytest.approx(score_fraction(acc, settings()), abs=1e-3)
    assert "Slow training" in out.output


def test_stencil_loop_compose_is_scored_and_explained_within_the_budget(tmp_path):
    sub = submissions.loop_compose(tmp_path / "sub")
    # An epoch takes 20-60 s here; the budget leaves room for one on a loaded CI machine too.
    out = outcome(sub, final_epochs=10, final_time_budget_s=150)
    info = out.extra_data["final"]
    assert info["epochs_run"] >= 1, out.output
    assert info["total_seconds"] <= 150 + 5
    assert out.fraction > 0 and out.leaderboard
    assert "Slow training" in out.output and "vectorize" in out.output
    assert "compose" in out.output or "get_weight_gradients" in out.output, out.output  # the sampler's finding
    if info["epochs_run"] < 10:
        assert "stopped" in out.output or "still running" in out.output


def test_memory_exhaustion_gets_a_clear_message(tmp_path):
    sub = submissions.loop_compose(tmp_path / "sub")
    # batch 256: the tiled (256, 784, 256) weight gradient does not fit in 480 MB
    out = outcome(sub, final_epochs=1, final_memory_mb=480, final_batch_size=256)
    assert out.fraction == 0
    assert "ran out of memory" in out.output and "480 MB" in out.output, out.output
