"""The submission's predictions.npy (fall2025), read in the trusted process without running anything.

The student's assignment.py saves its model's outputs on the 10000 MNIST test images;
the grader scores them against the test labels, which only this process has. The file
is untrusted bytes, so it is read the careful way:

- found by name, case-insensitively (predictions.npy, Predictions.NPY...), at the
  submission root (the folder holding beras/ and assignment.py), then in the folders
  above it up to the submission's top folder, when one is given;
- a regular file only: a symbolic link, a folder, a fifo... is refused and never followed;
- at most MAX_BYTES are read, and the .npy header is checked (magic, a plain numeric
  dtype, a known shape) before any array is built from it, so a header that promises a
  huge array, an object array (whose data is a pickle) or a structured dtype is refused
  without allocating or unpickling anything; the array itself is then built by
  ``np.load(allow_pickle=False)``.

Accepted: predicted labels, shape (10000,), integers 0..9 (whole-number floats too); or
scores/probabilities/one-hot rows, shape (10000, 10), finite numbers, of which the argmax
of each row is the predicted label. Anything else is a ``PredictionsFile`` with a problem
code (data, for code) and a message naming the file, what was expected, what was found,
and what to try (for the student).

Public API: ``read_predictions(root, submission=None) -> PredictionsFile``.
"""
from __future__ import annotations

import io
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grader.submission import read_at_most

FILE_NAME = "predictions.npy"
TEST_SIZE = 10000
CLASSES = 10
MAX_BYTES = 4 * 1024 * 1024        # (10000, 10) float64 is 0.8 MB; float128 or complex 1.6 MB
HEADER_BYTES = 64 * 1024           # enough for any .npy header np.save writes
MAX_HEADER_SIZE = 10000            # numpy's own default bound for literal_eval of the header
NEAR_MISSES_SHOWN = 5
TRAIN_SIZE = 60000
ACCEPTED_SHAPES = ((TEST_SIZE,), (TEST_SIZE, CLASSES))

REMEDY = ("Run python assignment.py (it trains your model and saves predictions.npy with np.save), "
          "then submit predictions.npy together with your code.")

# Problem codes (PredictionsFile.problem): what went wrong, as data.
MISSING, AMBIGUOUS, UNREADABLE, TOO_LARGE, NOT_NPY, CORRUPT = (
    "missing", "ambiguous", "unreadable", "too_large", "not_npy", "corrupt")
OBJECT, STRUCTURED, BAD_DTYPE, SHAPE, NON_FINITE, LABEL_RANGE = (
    "object_array", "structured", "bad_dtype", "shape", "non_finite", "label_range")


@dataclass(frozen=True)
class PredictionsFile:
    """What the submission's predictions.npy holds: predicted labels, or why there are none."""
    labels: np.ndarray | None = None   # (10000,) int64 in 0..9 when readable
    form: str = ""                     # "labels" | "scores" (argmax taken) when readable
    name: str = FILE_NAME              # the file as found, relative to the submission root
    problem: str | None = None         # a problem code above; None when readable
    message: str = ""                  # for the student, when there is a problem
    details: dict = field(default_factory=dict)   # for staff: dtype, shape, bytes, where

    @property
    def ok(self):
        return self.problem is None


# ------------------------------------------------------------------ finding the file

def _entries(folder):
    try:
        with os.scandir(folder) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError:
        return []


def _search_folders(root, submission):
    """The root, then each folder above it up to (and including) the submission's top folder."""
    root = Path(root)
    folders = [root]
    if submission is not None:
        top = Path(submission)
        folder = root
        while folder != top and top in folder.parents:
            folder = folder.parent
            folders.append(folder)
    return folders


def _display(path, root):
    try:
        return Path(os.path.relpath(path, root)).as_posix()
    except ValueError:
        return str(path)


def find_predictions(root, submission=None):
    """(path or None, PredictionsFile with a problem or None): the first folder holding the file wins.

    In one folder the exact name wins over other spellings; two other spellings and no exact
    one are ambiguous (which did the student mean?)."""
    for folder in _search_folders(root, submission):
        matches = [e for e in _entries(folder) if e.name.lower() == FILE_NAME]
        exact = [e for e in matches if e.name == FILE_NAME]
        if exact or len(matches) == 1:
            return Path((exact or matches)[0].path), None
        if matches:
            names = ", ".join(_display(e.path, root) for e in matches)
            return None, PredictionsFile(problem=AMBIGUOUS, message=(
                f"Found several files named like {FILE_NAME} ({names}); the grader does not guess which one "
                f"you meant. Keep one, named exactly {FILE_NAME}, next to assignment.py."))
    return None, PredictionsFile(problem=MISSING, message=_missing_text(root, submission))


def _missing_text(root, submission):
    near = [_display(e.path, root) for folder in _search_folders(root, submission) for e in _entries(folder)
            if e.name.lower().startswith("prediction") and e.name.lower() != FILE_NAME]
    text = (f"No {FILE_NAME} was found next to assignment.py. This edition scores the test-set "
            f"predictions you submit: expected {FILE_NAME} holding your model's outputs on the {TEST_SIZE} "
            f"MNIST test images. {REMEDY}")
    if near:
        text += (f" Found {', '.join(near[:NEAR_MISSES_SHOWN])} instead: save with np.save(\"{FILE_NAME}\", "
                 f"predictions) (not np.savez, np.savetxt or pickle), under exactly that name.")
    return text


# ------------------------------------------------------------------ reading it safely

def _kind_of(mode):
    for test, words in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"),
                        (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
                        (stat.S_ISCHR, "a device file"), (stat.S_ISBLK, "a device file")):
        if test(mode):
            return words
    return "not a regular file"


def _read_start(path, limit):
    """(file size, its first ``limit`` bytes) of a regular file, never through a link; OSError else."""
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        raise IsADirectoryError(f"it is {_kind_of(info.st_mode)}, not a regular file; the grader does not follow it")
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
            raise IsADirectoryError("it changed while it was being read")
        return opened.st_size, read_at_most(fd, limit)
    finally:
        os.close(fd)


def _what_it_looks_like(start):
    """Words for a file that is not .npy, from its first bytes."""
    if start[:4] == b"PK\x03\x04":
        return "a zip archive (np.savez writes one; so does zipping the file)"
    if start[:1] == b"\x80" or start[:2] in (b"(d", b"(l", b"]q", b"}q"):
        return "a Python pickle (pickle.dump writes one)"
    if start[:8] == b"\x89HDF\r\n\x1a\n":
        return "an HDF5 file"
    if start[:2] == b"\x1f\x8b":
        return "a gzip file"
    if not start:
        return "an empty file"
    try:
        text = start[:2000].decode("utf-8")
    except UnicodeDecodeError:
        return "binary data of an unknown format"
    if all(c.isprintable() or c.isspace() for c in text):
        return "a text file (np.savetxt or print write one)"
    return "binary data of an unknown format"


def _header(start):
    """(shape, fortran_order, dtype) from the first bytes of a .npy file; ValueError when malformed."""
    fp = io.BytesIO(start)
    version = np.lib.format.read_magic(fp)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(fp, max_header_size=MAX_HEADER_SIZE)
    if version == (2, 0):
        return np.lib.format.read_array_header_2_0(fp, max_header_size=MAX_HEADER_SIZE)
    raise ValueError(f".npy format version {version[0]}.{version[1]}, which np.save writes only for "
                     "structured arrays")


def _problem(code, name, message, **details):
    return PredictionsFile(name=name, problem=code, message=f"{name}: {message}", details=details)


def read_predictions(root, submission=None):
    """The submission's predictions as a PredictionsFile (labels, or a problem and a message).

    root: the folder holding beras/ and assignment.py; submission: the submission's top folder
    (searched too, after root and the folders between), or None."""
    path, missing = find_predictions(root, submission)
    if path is None:
        return missing
    name = _display(path, root)
    try:
        size, start = _read_start(path, HEADER_BYTES)
    except OSError as error:
        reason = error.args[0] if isinstance(error, IsADirectoryError) else (error.strerror or str(error))
        return _problem(UNREADABLE, name, f"cannot be read: {reason}. Submit {FILE_NAME} itself, a regular "
                                          f"file written by np.save. {REMEDY}")
    if start[:6] != b"\x93NUMPY":
        return _problem(NOT_NPY, name, f"is not a .npy file: it looks like {_what_it_looks_like(start)}. "
                                       f"Expected the file np.save(\"{FILE_NAME}\", predictions) writes. {REMEDY}",
                        bytes=size)
    try:
        shape, fortran, dtype = _header(start)
    except (ValueError, SyntaxError, EOFError) as error:
        return _problem(CORRUPT, name, f"starts like a .npy file but its header cannot be read ({error}); "
                                       f"it may be truncated or damaged. {REMEDY}", bytes=size)
    details = {"bytes": size, "shape": list(shape), "dtype": str(dtype)}
    refused = _refused_header(name, shape, dtype, size, details)
    if refused:
        return refused
    return _load(path, name, size, shape, dtype, details)


def _refused_header(name, shape, dtype, size, details):
    """A PredictionsFile with a problem when the header alone rules the file out, else None."""
    found = f"an array of shape {tuple(shape)} and dtype {dtype}"
    if dtype.hasobject:
        return _problem(OBJECT, name, f"holds {found}: Python objects, which the grader does not load (their "
                                      f"data is a pickle). Expected numbers: labels of shape ({TEST_SIZE},) or "
                                      f"scores of shape ({TEST_SIZE}, {CLASSES}). This happens when the "
                                      f"predictions are a list of arrays or Tensors: convert them with "
                                      f"np.concatenate or np.asarray(..., dtype=float) before np.save. "
                                      f"{REMEDY}", **details)
    if dtype.names is not None or dtype.subdtype is not None:
        return _problem(STRUCTURED, name, f"holds {found}, a structured array. Expected a plain array of "
                                          f"numbers. {REMEDY}", **details)
    if dtype.kind not in "biuf":
        return _problem(BAD_DTYPE, name, f"holds {found}. Expected numbers: integer labels or real-valued "
                                         f"scores. {REMEDY}", **details)
    if tuple(shape) not in ACCEPTED_SHAPES:
        hint = _shape_hint(tuple(shape))
        return _problem(SHAPE, name, f"holds {found}. Expected labels of shape ({TEST_SIZE},) or scores of "
                                     f"shape ({TEST_SIZE}, {CLASSES}) (one row per test image). "
                                     + (hint + " " if hint else "") + REMEDY, **details)
    if size > MAX_BYTES:   # a shape we accept in a file this large: extra bytes after the data
        return _problem(TOO_LARGE, name, f"is {size / 1024 / 1024:.1f} MB, more than the "
                                         f"{MAX_BYTES // 1024 // 1024} MB a {found} needs. {REMEDY}", **details)
    return None


def _shape_hint(shape):
    """The usual cause of a shape we do not accept, when we know one ("" otherwise)."""
    if shape == (CLASSES, TEST_SIZE):
        return "It looks transposed: save predictions.T."
    if shape in ((TEST_SIZE, 1), (1, TEST_SIZE)):
        return "Flatten it: save predictions.reshape(-1)."
    rows = shape[0] if shape else 0
    if len(shape) == 3 and shape[0] * shape[1] == TEST_SIZE and shape[2] in (1, CLASSES):
        return ("It looks like one array per batch: join them with np.concatenate(batches) before "
                "saving.")
    if rows == TRAIN_SIZE:
        return "These look like predictions on the training set: predict on the test images."
    if len(shape) == 2 and shape[1] == CLASSES and 0 < rows < TEST_SIZE:
        return (f"It has {rows} rows, not {TEST_SIZE}: make sure evaluate keeps the predictions of every "
                "batch (including the last, partial one), not only the last batch's.")
    return ""


def _load(path, name, size, shape, dtype, details):
    try:
        _, data = _read_start(path, MAX_BYTES + 1)
        array = np.load(io.BytesIO(data), allow_pickle=False, max_header_size=MAX_HEADER_SIZE)
    except OSError as error:
        return _problem(UNREADABLE, name, f"cannot be read: {error.strerror or error}. {REMEDY}", **details)
    except (ValueError, EOFError) as error:
        return _problem(CORRUPT, name, f"holds {tuple(shape)} {dtype} data that cannot be read ({error}); "
                                       f"it may be truncated. {REMEDY}", **details)
    if array.ndim == 1:
        return _labels_from_labels(array, name, details)
    return _labels_from_scores(array, name, details)


def _labels_from_labels(array, name, details):
    values = array.astype(np.float64) if array.dtype.kind == "f" else array
    if array.dtype.kind == "f" and not np.all(np.isfinite(values)):
        bad = int(np.sum(~np.isfinite(values)))
        return _problem(NON_FINITE, name, f"holds labels of which {bad} of {len(values)} are NaN or infinite. "
                                          f"Expected whole numbers 0-9. {REMEDY}", **details)
    if array.dtype.kind == "f" and not np.all(values == np.round(values)):
        return _problem(BAD_DTYPE, name, f"holds ({TEST_SIZE},) {array.dtype} values that are not whole "
                                         f"numbers. Expected labels 0-9 (np.argmax(probabilities, axis=1)) "
                                         f"or the ({TEST_SIZE}, {CLASSES}) probabilities themselves. {REMEDY}",
                        **details)
    if array.dtype.kind == "b" or values.min() < 0 or values.max() > CLASSES - 1:
        low, high = (int(values.min()), int(values.max())) if array.dtype.kind != "b" else (0, 1)
        return _problem(LABEL_RANGE, name, f"holds labels from {low} to {high}. Expected digits 0-9, "
                                           f"one per test image. {REMEDY}", **details)
    return PredictionsFile(labels=values.astype(np.int64), form="labels", name=name, details=details)


def _labels_from_scores(array, name, details):
    finite = np.isfinite(array) if array.dtype.kind == "f" else np.ones(array.shape, dtype=bool)
    bad_rows = int(np.sum(~finite.all(axis=1)))
    if bad_rows:
        return _problem(NON_FINITE, name, f"holds scores of which {bad_rows} of {len(array)} rows contain NaN "
                                          f"or infinity. NaN usually means the training diverged (log(0) in the "
                                          f"cross-entropy, a softmax that overflows, too large a learning "
                                          f"rate): check that your loss stays finite. {REMEDY}", **details)
    return PredictionsFile(labels=np.argmax(array, axis=1).astype(np.int64), form="scores", name=name,
                           details=details)


# ------------------------------------------------------------------ the final test, end to end

def predictions_final_outcome(root, settings, log=lambda msg: None, retrained=None, retrain_problem="",
                              submission=None, predictions=None):
    """fall2025's final test: read predictions.npy (or take ``predictions``, a PredictionsFile
    already read), score it against the true test labels (this process only), review it
    against ``retrained`` (a grader.checks.predictions.Retrained, or None with the reason in
    ``retrain_problem``), log the review for staff, and return the Outcome."""
    from grader.checks.final import KEY
    from grader.checks.predictions import predictions_outcome, review, review_log_lines
    from grader.data import mnist
    from grader.results.outcome import Outcome

    read = predictions if predictions is not None else read_predictions(root, submission)
    try:
        truth = mnist.load("test_labels").astype(np.int64)     # trusted side only
    except mnist.MnistError as error:
        return Outcome(KEY, 0.0, f"The grader could not load the MNIST test labels ({error}). "
                                 "This is not your fault; tell the course staff.")
    data = review(read, truth, settings, retrained, retrain_problem)
    for line in review_log_lines(data, settings):
        log(line)
    return predictions_outcome(read, truth, settings, data)
