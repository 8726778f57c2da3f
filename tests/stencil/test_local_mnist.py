"""MNIST on a student's computer without TensorFlow: the stencil's tensorflow/ stand-in and
`python -m _local.fetch_mnist`.

Everything runs as a student runs it (Python and NumPy, no PYTHONPATH) on the local
MNIST files; the download is tested against mirrors served on the loopback interface,
never the network. What the stand-in serves is compared with grader.data.mnist, the
grader's own reader. The grader, given a submission that carries the stand-in, must use
its own (and find no banned import in it).
"""
import contextlib
import functools
import gzip
import http.server
import json
import shutil
import subprocess
import sys
import threading

import numpy as np
import pytest

from grader.data import mnist
from tests.stencil.folders import ROOT, STENCIL, outcomes, reference_folder, run, stencil_folder

FILES = {name: file for name, (file, _, _) in mnist.FILES.items()}


@pytest.fixture(scope="module")
def homework(tmp_path_factory):
    return reference_folder(tmp_path_factory.mktemp("homework"))


@pytest.fixture(scope="module")
def stencil(tmp_path_factory):
    return stencil_folder(tmp_path_factory.mktemp("stencil"))


def test_this_machine_has_no_tensorflow():
    # Otherwise the tests below could pass through a real TensorFlow.
    proc = subprocess.run([sys.executable, "-c", "import importlib.util as u; print(u.find_spec('tensorflow'))"],
                          cwd="/", capture_output=True, text=True)
    assert proc.stdout.strip() == "None"


def test_the_stencils_own_line_loads_real_mnist(stencil, tmp_path):
    out = tmp_path / "arrays.npz"
    code = ("from tensorflow.keras import datasets\nimport numpy as np\n"
            "(a, b), (c, d) = datasets.mnist.load_data()\n"
            f"np.savez({str(out)!r}, train_x=a, train_y=b, test_x=c, test_y=d)\n")
    proc = run(stencil, "-c", code)
    assert proc.returncode == 0, proc.stderr
    with np.load(out) as got:
        for key, name in (("train_x", "train_images"), ("train_y", "train_labels"),
                          ("test_x", "test_images"), ("test_y", "test_labels")):
            expected = mnist.load(name)
            assert got[key].dtype == np.uint8 and got[key].shape == expected.shape
            assert np.array_equal(got[key], expected), key


def test_the_untouched_stencil_preprocess_imports_and_reaches_the_students_task(stencil):
    proc = run(stencil, "-c", "import preprocess; preprocess.load_and_preprocess_data()")
    assert proc.returncode == 1
    assert "NotImplementedError: load_and_preprocess_data in preprocess.py" in proc.stderr, proc.stderr


def test_the_stand_in_refuses_the_rest_of_tensorflow(stencil):
    for use in ("tf.GradientTape", "tf.keras.layers", "tf.keras.datasets.cifar10"):
        proc = run(stencil, "-c", f"import tensorflow as tf\n{use}")
        assert proc.returncode == 1
        assert "BannedLibraryError: " in proc.stderr and "banned in this homework" in proc.stderr, proc.stderr
        assert use.replace("tf.", "tensorflow.", 1) in proc.stderr


@pytest.mark.timeout(300)
def test_python_assignment_py_trains_on_mnist_with_numpy_only(homework):
    proc = run(homework, "assignment.py", "--epochs", "1", timeout=280)
    assert proc.returncode == 0, proc.stderr[-3000:]
    accuracy = float(proc.stdout.rsplit("Test accuracy:", 1)[1].split()[0])
    assert accuracy > 0.9


def test_missing_or_wrong_files_say_what_to_do(homework, tmp_path):
    empty = tmp_path / "empty"
    proc = run(homework, "assignment.py", mnist_dir=empty)
    assert proc.returncode == 1
    assert "MnistError: MNIST is not on this computer yet" in proc.stderr
    assert "python -m _local.fetch_mnist" in proc.stderr and str(empty) in proc.stderr
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    for name, file in FILES.items():
        shutil.copy(mnist.mnist_dir() / file, wrong / file)
    shutil.copy(mnist.mnist_dir() / FILES["test_labels"], wrong / FILES["train_labels"])
    proc = run(homework, "tests/test_data.py", "--test=preprocess_shapes", mnist_dir=wrong)
    status, message = outcomes(proc.stdout)["test_preprocess_shapes"]
    assert status == "ERROR"
    assert f"{wrong / FILES['train_labels']} is not the real MNIST file" in message
    assert "decompresses to 10008 bytes, not 60008" in message


def test_no_advice_to_install_tensorflow_anywhere_in_the_stencil():
    for path in STENCIL.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace").lower()
            assert "pip install tensorflow" not in text and "install tensorflow" not in text, path


# ------------------------------------------------------------------ python -m _local.fetch_mnist

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serving(folder):
    """A static file server for folder on 127.0.0.1 (a free port); yields its URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def mirrors(tmp_path_factory):
    """A good mirror (the same content compressed differently) and a bad one (one file with
    another file's content, one truncated), as folders."""
    good, bad = tmp_path_factory.mktemp("good_mirror"), tmp_path_factory.mktemp("bad_mirror")
    for name, file in FILES.items():
        with gzip.open(mnist.mnist_dir() / file, "rb") as f:
            content = f.read()
        (good / file).write_bytes(gzip.compress(content, compresslevel=1, mtime=0))
        shutil.copy(mnist.mnist_dir() / file, bad / file)
    assert (good / FILES["train_labels"]).read_bytes() != (mnist.mnist_dir() / FILES["train_labels"]).read_bytes()
    shutil.copy(mnist.mnist_dir() / FILES["test_labels"], bad / FILES["train_labels"])
    truncated = (mnist.mnist_dir() / FILES["test_images"]).read_bytes()
    (bad / FILES["test_images"]).write_bytes(truncated[: len(truncated) // 2])
    return good, bad


def _verified(folder):
    """The files grader.data.mnist accepts (it checks sizes and checksums itself)."""
    accepted = []
    for name, file in FILES.items():
        try:
            mnist.load(name, folder)
            accepted.append(file)
        except mnist.MnistError:
            pass
    return accepted


def test_fetch_tries_the_next_mirror_when_a_file_is_wrong(stencil, mirrors, tmp_path):
    good, bad = mirrors
    dest = tmp_path / "fetched"
    with serving(bad) as bad_url, serving(good) as good_url:
        proc = run(stencil, "-m", "_local.fetch_mnist", "--dest", str(dest), "--mirror", bad_url,
                   "--mirror", good_url, mnist_dir=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _verified(dest) == list(FILES.values())
    assert f"{FILES['train_labels']}: downloaded from {good_url}" in proc.stdout
    assert f"{FILES['train_images']}: downloaded from {bad_url}" in proc.stdout
    assert f"Set BERAS_MNIST_DIR={dest}" in proc.stdout
    assert not [p for p in dest.iterdir() if p.name not in FILES.values()], "temporary files left behind"


def test_fetch_never_saves_a_wrong_file(stencil, mirrors, tmp_path):
    _, bad = mirrors
    dest = tmp_path / "fetched"
    with serving(bad) as bad_url:
        proc = run(stencil, "-m", "_local.fetch_mnist", "--dest", str(dest), "--mirror", bad_url, mnist_dir=False)
    assert proc.returncode == 1
    assert sorted(p.name for p in dest.iterdir()) == sorted([FILES["train_images"], FILES["test_labels"]])
    assert f"{bad_url}{FILES['train_labels']}: it decompresses to 10008 bytes, not 60008" in proc.stderr
    assert f"{bad_url}{FILES['test_images']}: download failed (not a readable gzip file" in proc.stderr
    assert "by hand" in proc.stderr


def test_fetch_into_the_homework_folder_then_everything_runs_without_settings(mirrors, tmp_path):
    good, _ = mirrors
    folder = reference_folder(tmp_path / "homework")
    with serving(good) as url:
        proc = run(folder, "-m", "_local.fetch_mnist", "--mirror", url, mnist_dir=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.rstrip().endswith("Done: MNIST is ready.")
    assert _verified(folder / "data" / "mnist") == list(FILES.values())
    tests = run(folder, "tests/test_data.py", mnist_dir=False)
    assert tests.returncode == 0, tests.stdout
    assert len(outcomes(tests.stdout)) == 5
    # Files already there and correct: nothing is downloaded (the mirror is gone now).
    again = run(folder, "-m", "_local.fetch_mnist", "--mirror", url, mnist_dir=False)
    assert again.returncode == 0 and again.stdout.count("already there, checksum correct") == 4


# ------------------------------------------------------------------ the grader and the stand-in

def test_the_grader_uses_its_own_stand_in_and_finds_no_banned_import_in_ours(tmp_path):
    folder = reference_folder(tmp_path / "submission")
    # If the grader ever ran the submission's stand-in, preprocessing would fail.
    (folder / "tensorflow" / "keras" / "datasets" / "mnist.py").write_text(
        "def load_data(path='mnist.npz'):\n    raise RuntimeError('the submission stand-in was used')\n")
    results = tmp_path / "results.json"
    proc = subprocess.run([sys.executable, "-m", "grader", str(folder), "--json", str(results), "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    tests = {t["number"]: t for t in json.loads(results.read_text())["tests"]}
    preprocessing = next(t for t in tests.values() if t["name"].startswith("Preprocessing"))
    assert preprocessing["score"] == preprocessing["max_score"] > 0, preprocessing["output"]
    banned = next(t for t in tests.values() if t["name"].startswith("Banned libraries"))
    assert "No banned library" in banned["output"]
    assert "tensorflow/" not in banned["output"] and "_local/" not in banned["output"]
