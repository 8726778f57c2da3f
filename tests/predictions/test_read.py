"""Reading a submission's predictions.npy safely: what is accepted, what is refused and how it is said.

Real files on disk, written with numpy (and by hand where numpy would not write them),
against the real MNIST test labels."""
import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from grader.runner import predictions as reader
from grader.runner.predictions import read_predictions
from tests.predictions.files import npy_header_only, softmax_scores, truth, with_errors

REMEDY_WORDS = "python assignment.py"


@pytest.fixture(scope="module")
def labels():
    return truth()


def _root(tmp_path):
    root = tmp_path / "submission"
    (root / "beras").mkdir(parents=True)
    (root / "assignment.py").write_text("def get_model():\n    pass\n")
    return root


def _save(root, array, name="predictions.npy", **kwargs):
    with open(root / name, "wb") as f:      # np.save would append .npy to other names
        np.save(f, array, **kwargs)
    return root / name


# ------------------------------------------------------------------ accepted

@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.float64])
def test_labels_are_accepted_as_they_are(tmp_path, labels, dtype):
    root = _root(tmp_path)
    submitted = with_errors(labels, 300)
    _save(root, submitted.astype(dtype))
    read = read_predictions(root)
    assert read.ok and read.problem is None and read.form == "labels"
    assert read.labels.dtype == np.int64
    np.testing.assert_array_equal(read.labels, submitted)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_scores_become_their_rowwise_argmax(tmp_path, labels, dtype):
    root = _root(tmp_path)
    submitted = with_errors(labels, 250)
    _save(root, softmax_scores(submitted, dtype))
    read = read_predictions(root)
    assert read.ok and read.form == "scores"
    np.testing.assert_array_equal(read.labels, submitted)


def test_one_hot_rows_are_scores(tmp_path, labels):
    root = _root(tmp_path)
    one_hot = np.zeros((10000, 10), dtype=bool)
    one_hot[np.arange(10000), labels] = True
    _save(root, one_hot)
    read = read_predictions(root)
    assert read.ok and read.form == "scores"
    np.testing.assert_array_equal(read.labels, labels)


def test_the_name_is_matched_case_insensitively(tmp_path, labels):
    root = _root(tmp_path)
    _save(root, labels, name="Predictions.NPY")
    read = read_predictions(root)
    assert read.ok and read.name == "Predictions.NPY"


def test_the_exact_name_wins_over_other_spellings(tmp_path, labels):
    root = _root(tmp_path)
    _save(root, labels)
    _save(root, np.zeros(10000, dtype=np.int64), name="PREDICTIONS.npy")
    read = read_predictions(root)
    assert read.ok and read.name == "predictions.npy"
    np.testing.assert_array_equal(read.labels, labels)


def test_two_other_spellings_are_ambiguous(tmp_path, labels):
    root = _root(tmp_path)
    _save(root, labels, name="Predictions.npy")
    _save(root, labels, name="PREDICTIONS.NPY")
    read = read_predictions(root)
    assert read.problem == reader.AMBIGUOUS
    assert "Predictions.npy" in read.message and "PREDICTIONS.NPY" in read.message


def test_a_file_at_the_top_of_a_submission_whose_code_is_in_a_subfolder_is_found(tmp_path, labels):
    top = tmp_path / "upload"
    root = _root(top)                      # top/submission/{beras, assignment.py}
    _save(top, labels)
    assert read_predictions(root).problem == reader.MISSING          # not searched without the top folder
    read = read_predictions(root, submission=top)
    assert read.ok and read.name == "../predictions.npy"
    # the root's own file wins over the top folder's
    _save(root, with_errors(labels, 10))
    assert read_predictions(root, submission=top).name == "predictions.npy"


# ------------------------------------------------------------------ refused, with a message

def test_missing_file_says_what_to_run(tmp_path):
    read = read_predictions(_root(tmp_path))
    assert read.problem == reader.MISSING and read.labels is None
    assert "predictions.npy" in read.message and REMEDY_WORDS in read.message and "10000" in read.message


def test_missing_file_names_the_near_misses(tmp_path, labels):
    root = _root(tmp_path)
    np.savez(root / "predictions.npz", labels)
    (root / "predictions.txt").write_text("1 2 3\n")
    read = read_predictions(root)
    assert read.problem == reader.MISSING
    assert "predictions.npz" in read.message and "predictions.txt" in read.message and "np.save" in read.message


def _assert_explained(read, code, *fragments):
    assert read.problem == code, (read.problem, read.message)
    assert read.labels is None and not read.ok
    assert read.message.startswith(read.name + ":"), read.message
    assert REMEDY_WORDS in read.message
    for fragment in fragments:
        assert fragment in read.message, (fragment, read.message)


@pytest.mark.parametrize("shape, fragments", [
    ((10000, 1), ["(10000, 1)", "(10000,)", "reshape(-1)"]),
    ((10, 10000), ["(10, 10000)", "transposed"]),
    ((60000, 10), ["(60000, 10)", "training set"]),
    ((9984, 10), ["(9984, 10)", "every batch"]),
    ((10000, 3), ["(10000, 3)", "(10000, 10)"]),
    ((100, 100, 10), ["(100, 100, 10)", "np.concatenate"]),
    ((), ["()", "(10000,)"]),
])
def test_wrong_shapes_say_expected_and_got(tmp_path, shape, fragments):
    root = _root(tmp_path)
    _save(root, np.zeros(shape, dtype=np.float32))
    _assert_explained(read_predictions(root), reader.SHAPE, *fragments)


def test_nan_scores_are_refused(tmp_path, labels):
    root = _root(tmp_path)
    scores = softmax_scores(labels)
    scores[[3, 50, 9000]] = np.nan
    scores[77, 2] = np.inf
    _save(root, scores)
    _assert_explained(read_predictions(root), reader.NON_FINITE, "4 of 10000 rows")


def test_nan_labels_are_refused(tmp_path, labels):
    root = _root(tmp_path)
    float_labels = labels.astype(np.float64)
    float_labels[5] = np.nan
    _save(root, float_labels)
    _assert_explained(read_predictions(root), reader.NON_FINITE, "1 of 10000")


def test_fractional_labels_are_refused(tmp_path, labels):
    root = _root(tmp_path)
    _save(root, labels + 0.5)
    _assert_explained(read_predictions(root), reader.BAD_DTYPE, "not whole numbers")


@pytest.mark.parametrize("shift, fragment", [(1, "from 1 to 10"), (-3, "from -3 to 6")])
def test_labels_outside_0_to_9_are_refused(tmp_path, labels, shift, fragment):
    root = _root(tmp_path)
    _save(root, labels + shift)
    _assert_explained(read_predictions(root), reader.LABEL_RANGE, fragment, "0-9")


@pytest.mark.parametrize("array, code", [
    (np.zeros(10000, dtype=[("label", "<i8"), ("p", "<f4")]), reader.STRUCTURED),
    (np.zeros((10000, 10), dtype=np.complex128), reader.BAD_DTYPE),
    (np.array(["7"] * 10000), reader.BAD_DTYPE),
])
def test_arrays_that_are_not_plain_numbers_are_refused(tmp_path, array, code):
    root = _root(tmp_path)
    _save(root, array)
    _assert_explained(read_predictions(root), code, str(array.dtype))


class Bomb:
    """Unpickling this makes a folder: proof that the file's pickle ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return os.mkdir, (self.marker,)


def test_an_object_array_is_refused_without_unpickling(tmp_path):
    root = _root(tmp_path)
    marker = tmp_path / "the_pickle_ran"
    array = np.empty(10000, dtype=object)
    array[:] = [Bomb(marker)] * 10000
    _save(root, array, allow_pickle=True)
    _assert_explained(read_predictions(root), reader.OBJECT, "Python objects", "np.asarray")
    assert not marker.exists()
    np.load(root / "predictions.npy", allow_pickle=True)      # the bomb is live: loading it would run it
    assert marker.exists()


def test_a_plain_pickle_is_not_npy_and_is_not_unpickled(tmp_path):
    root = _root(tmp_path)
    marker = tmp_path / "the_pickle_ran"
    (root / "predictions.npy").write_bytes(pickle.dumps([Bomb(marker)]))
    _assert_explained(read_predictions(root), reader.NOT_NPY, "pickle")
    assert not marker.exists()


@pytest.mark.parametrize("write, fragment", [
    (lambda p, labels: np.savez(open(p, "wb"), labels), "zip"),
    (lambda p, labels: np.savetxt(p, labels, fmt="%d"), "text file"),
    (lambda p, labels: p.write_bytes(b""), "empty file"),
])
def test_other_formats_under_the_right_name_are_named(tmp_path, labels, write, fragment):
    root = _root(tmp_path)
    write(root / "predictions.npy", labels)
    _assert_explained(read_predictions(root), reader.NOT_NPY, fragment, "np.save")


def test_a_truncated_file_is_corrupt(tmp_path, labels):
    root = _root(tmp_path)
    path = _save(root, softmax_scores(labels))
    path.write_bytes(path.read_bytes()[:300_000])
    _assert_explained(read_predictions(root), reader.CORRUPT, "truncated")


def test_a_damaged_header_is_corrupt(tmp_path):
    root = _root(tmp_path)
    (root / "predictions.npy").write_bytes(b"\x93NUMPY\x01\x00\x20\x00{'descr': <i8, 'shape': (]]\n" + b"\0" * 64)
    _assert_explained(read_predictions(root), reader.CORRUPT, "header")


def test_a_huge_file_is_refused_from_its_header(tmp_path):
    root = _root(tmp_path)
    path = root / "predictions.npy"
    with open(path, "wb") as f:                       # (60000, 784) float64 images: 376 MB, written sparsely
        np.lib.format.write_array_header_1_0(f, {"descr": "<f8", "fortran_order": False, "shape": (60000, 784)})
        f.truncate(f.tell() + 60000 * 784 * 8)
    assert path.stat().st_size > 300 * 1024 * 1024
    _assert_explained(read_predictions(root), reader.SHAPE, "(60000, 784)", "training set")


def test_extra_bytes_after_an_accepted_array_are_too_large(tmp_path, labels):
    root = _root(tmp_path)
    path = _save(root, softmax_scores(labels, np.float64))
    with open(path, "ab") as f:
        f.write(b"\0" * (8 * 1024 * 1024))
    _assert_explained(read_predictions(root), reader.TOO_LARGE, "MB")


def test_a_header_promising_a_huge_array_allocates_nothing(tmp_path):
    """In a process capped at 1 GB of address space: loading as the header says would need 80 GB."""
    root = _root(tmp_path)
    npy_header_only(root / "predictions.npy", (10_000_000_000,), payload=b"\0" * 800)
    code = textwrap.dedent(f"""
        import resource, sys
        sys.path.insert(0, {str(reader.Path(reader.__file__).resolve().parents[2])!r})
        from grader.runner.predictions import read_predictions
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        read = read_predictions({str(root)!r})
        print(read.problem)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == reader.SHAPE


def test_a_symlink_is_refused_even_to_a_valid_file(tmp_path, labels):
    root = _root(tmp_path)
    real = _save(tmp_path, labels, name="elsewhere.npy")
    (root / "predictions.npy").symlink_to(real)
    _assert_explained(read_predictions(root), reader.UNREADABLE, "symbolic link")


def test_a_symlink_to_a_device_is_refused(tmp_path):
    root = _root(tmp_path)
    (root / "predictions.npy").symlink_to("/dev/zero")
    _assert_explained(read_predictions(root), reader.UNREADABLE, "symbolic link")


def test_a_folder_and_a_fifo_are_refused_without_blocking(tmp_path):
    root = _root(tmp_path)
    (root / "predictions.npy").mkdir()
    _assert_explained(read_predictions(root), reader.UNREADABLE, "a folder")
    other = _root(tmp_path / "fifo")
    os.mkfifo(other / "predictions.npy")              # opening it for reading would block forever
    _assert_explained(read_predictions(other), reader.UNREADABLE, "a named pipe")
