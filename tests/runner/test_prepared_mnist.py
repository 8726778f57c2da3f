"""MNIST prepared once as .npy and memory-mapped by workers: the same numbers as decoding the
.gz files, never the test labels, and read-only for the worker (its writes stay its own)."""
import os

import numpy as np
import pytest

from grader.data import mnist
from grader.sandbox.supervisor import Worker
from grader.shims import SHIMS_DIR
from grader.submission import build_reference_submission

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    folder = tmp_path / "prepared"
    monkeypatch.setenv(mnist.CACHE_ENV, str(folder))
    return folder


def test_the_prepared_arrays_are_the_decoded_ones(fresh_cache):
    paths = mnist.prepare()
    assert set(paths) == set(mnist.PREPARED) and all(p.parent == fresh_cache for p in paths.values())
    images, labels = mnist.read_idx(mnist.mnist_dir() / mnist.FILES["train_images"][0]), \
        mnist.read_idx(mnist.mnist_dir() / mnist.FILES["train_labels"][0])
    assert np.array_equal(np.load(paths["train_images"]), images)
    assert np.array_equal(np.load(paths["train_labels"]), labels)
    assert np.array_equal(np.load(paths["test_images"]),
                          mnist.read_idx(mnist.mnist_dir() / mnist.FILES["test_images"][0]))
    inputs = np.load(paths["train_inputs_float32"])
    assert inputs.dtype == np.float32 and inputs.shape == (60000, 784)
    assert np.array_equal(inputs, images.reshape(60000, 784).astype(np.float32) * np.float32(1 / 255))
    one_hot = np.load(paths["train_one_hot_float32"])
    assert np.array_equal(one_hot.argmax(axis=1), labels) and np.array_equal(one_hot.sum(axis=1), np.ones(60000))
    # Prepared once: a second call writes nothing.
    stamps = {name: p.stat().st_mtime_ns for name, p in paths.items()}
    mnist.prepare()
    assert stamps == {name: p.stat().st_mtime_ns for name, p in paths.items()}


def test_a_partial_file_is_prepared_again(fresh_cache):
    path = mnist.prepare(["train_labels"])["train_labels"]
    path.write_bytes(path.read_bytes()[:1000])            # e.g. a copy cut short
    mnist.prepare(["train_labels"])
    assert np.array_equal(np.load(path), mnist.load("train_labels"))


def test_without_a_writable_cache_nothing_is_prepared(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv(mnist.CACHE_ENV, str(blocker / "prepared"))
    assert mnist.prepared_for_worker(training=True) == {}


def test_no_prepared_file_holds_the_real_test_labels(fresh_cache):
    mnist.prepare()
    real = mnist.load("test_labels").tobytes()
    for path in fresh_cache.iterdir():
        assert real not in path.read_bytes(), path
    for decoy in (True, False):
        staged = {**mnist.files_for_worker(decoy_test_labels=decoy), **mnist.prepared_for_worker(training=True)}
        contents = [v if isinstance(v, bytes) else v.read_bytes() for v in staged.values()]
        assert not any(real in c for c in contents)
        assert (mnist.FILES["test_labels"][0] in staged) == decoy


def test_the_training_worker_maps_its_data_and_cannot_write_the_files(tmp_path):
    root = build_reference_submission(tmp_path / "reference")
    links = mnist.prepared_for_worker(training=True)
    worker = Worker(root, memory_mb=860, shims=SHIMS_DIR, data_files=mnist.files_for_worker(decoy_test_labels=False),
                    data_links=links, data_dir_env=mnist.ENV_VAR, probe_prefixes=("grader.probes.", "tests.runner."))
    try:
        setup = worker.call("grader.probes.final:setup", {"dtype": "float32", "seed": 0}, timeout=120)
        assert setup.ok and "error" not in setup.value, (setup.detail, setup.value)
        got = worker.call("tests.runner.probes_for_tests:training_data_as_fit_sees_it", timeout=60)
        assert got.ok, (got.status, got.detail, got.stderr[-2000:])
        seen = got.value
        staged = {name: worker.data_dir / mnist.prepared_name(name)
                  for name in ("train_inputs_float32", "train_one_hot_float32", "test_images")}
        inodes = [(os.stat(staged[name]).st_ino, os.stat(links[mnist.prepared_name(name)]).st_ino)
                  for name in staged if staged[name].exists()]
    finally:
        worker.close()
    if os.geteuid() != 0:
        # the worker runs as the caller and could write through a link: nothing is linked,
        # and it decodes the .gz files itself (as it always did)
        assert inodes == [] and seen["x"]["file"] is None and seen["x"]["writeable"]
        return
    # as root: hard links to the one prepared copy, which the worker's own uid cannot write
    assert len(inodes) == 3 and all(a == b for a, b in inodes)
    # fit's inputs and labels are the staged files, mapped copy-on-write; the test images read-only
    assert seen["x"]["file"] == str(staged["train_inputs_float32"]) and seen["x"]["mode"] == "c"
    assert seen["y"]["file"] == str(staged["train_one_hot_float32"]) and seen["y"]["mode"] == "c"
    assert seen["test"]["file"] == str(staged["test_images"]) and seen["test"]["mode"] == "r"
    assert seen["x"]["writeable"] and not seen["test"]["writeable"]
    # a write to the array stays in the worker's memory: the file keeps the real pixel
    assert seen["x_after_write"] == 42.0 and seen["file_after_write"] == seen["file_before_write"] != 42.0
    assert seen["open_for_writing"].startswith("denied"), seen


def test_large_optional_files_are_linked_or_left_out_never_copied(tmp_path):
    # A prepared array the worker could write through a link (here: one the worker's own uid
    # owns, the case of a grader not running as root) is not staged at all.
    root = build_reference_submission(tmp_path / "reference")
    own = tmp_path / "own.npy"
    own.write_bytes(b"x" * 1000)
    own.chmod(0o644)
    with Worker(root, data_files={}, data_links={"own.npy": own}, drop_privileges=False) as worker:
        assert worker.data_linked == [] and not (worker.data_dir / "own.npy").exists()
    if os.geteuid() == 0:
        with Worker(root, data_files={}, data_links={"own.npy": own}) as worker:   # the sandbox uid: linked
            assert worker.data_linked == ["own.npy"]
            assert os.stat(worker.data_dir / "own.npy").st_ino == own.stat().st_ino


def test_the_students_kit_keeps_no_prepared_copy(tmp_path, monkeypatch):
    # Where the grader is not the project itself (the self-check kit in a student's folder),
    # nothing is written: 240 MB there could end up in what the student submits.
    monkeypatch.delenv(mnist.CACHE_ENV, raising=False)
    monkeypatch.setattr(mnist, "PROJECT_ROOT", tmp_path / "selfcheck")
    assert mnist.prepared_dir() is None and mnist.prepare() == {} and mnist.prepared_for_worker(training=True) == {}
    assert not (tmp_path / "selfcheck").exists()
