"""results.json on disk: pre-written at the start, replaced atomically at the end.

Gradescope shows "The autograder failed to execute correctly" and nothing else
when results.json is missing or invalid once the run is over. So, in Gradescope
mode (grader/cli.py):

1. ``prewrite(results)`` at the very start writes a minimal, valid file ("the
   grading run did not finish", every test at 0 of its max score): a run killed
   for time or memory, or a crash anywhere later, leaves that honest account
   behind. It also reserves ``reserve_bytes`` of disk beside it: a temporary
   file of that size, written out in full.
2. ``commit(results)`` at the end validates the results and writes them into the
   reserved file - over blocks that are already allocated, so a disk that student
   processes filled in the meantime (ENOSPC) does not stop it - truncates it to
   length and renames it over results.json (``os.replace`` within one folder:
   readers see the old file or the new one, never a part). When there is no
   reserve, or the results do not fit in it, a new temporary file is written
   instead.
3. If ``commit`` fails all the same, the pre-written file still stands; the
   caller may commit once more with a minimal file saying why.

Files are created by the trusted process only (mode 0600, in the results
folder); no worker is told where they are, and workers run under other uids.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .schema import to_json, validate_results
from .text import safe_tree

RESERVE_BYTES = 4 * 1024 * 1024   # results.json is tens of KB; messages are capped (plan.py)
_BLOCK = b" " * 65536


def checked_json(results: dict) -> bytes:
    """``results`` with every string made safe, validated, as UTF-8 JSON (ResultsError if invalid)."""
    data = validate_results(safe_tree(results))
    return to_json(data).encode("utf-8")


def write_atomically(path, data: bytes) -> Path:
    """Write ``data`` to a new temporary file beside ``path``, then rename it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def write_results(results: dict, path) -> Path:
    """Validate ``results`` and write them atomically to ``path`` (local mode's --json).

    Raises ResultsError (and writes nothing) if the results are invalid; readers see
    the previous file or no file, or the complete new one. Gradescope mode goes through
    ResultsFile, which also pre-writes and reserves disk."""
    return write_atomically(path, checked_json(results))


class ResultsFile:
    """The results.json of one grading run (see the module docstring)."""

    def __init__(self, path, *, reserve_bytes: int = RESERVE_BYTES):
        self.path = Path(path)
        self.reserve_bytes = reserve_bytes
        self.reserve: Path | None = None
        self.reserve_error: OSError | None = None

    def prewrite(self, results: dict) -> Path:
        """Reserve disk for the final write, then write ``results`` now (raises if that fails).

        The reserve comes first, so that once results.json is there, so is the reserve.
        When the reserve cannot be made, ``reserve_error`` says why and the final write
        goes the ordinary way."""
        data = checked_json(results)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.reserve is None and self.reserve_bytes > 0:
            try:
                self.reserve = self._make_reserve()
            except OSError as error:
                self.reserve_error = error
        return write_atomically(self.path, data)

    def commit(self, results: dict) -> Path:
        """Validate ``results`` and replace results.json with them (ResultsError / OSError on failure)."""
        data = checked_json(results)
        if self._write_into_reserve(data):
            return self.path
        return write_atomically(self.path, data)

    def discard_reserve(self) -> None:
        if self.reserve is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.reserve)
            self.reserve = None

    # ------------------------------------------------------------------ the reserve

    def _make_reserve(self) -> Path:
        fd, name = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".reserve")
        try:
            left = self.reserve_bytes
            while left > 0:
                left -= os.write(fd, _BLOCK[:min(left, len(_BLOCK))])
            os.fsync(fd)   # real blocks on disk now, not promises
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(name)
            raise
        os.close(fd)
        return Path(name)

    def _write_into_reserve(self, data: bytes) -> bool:
        if self.reserve is None or len(data) > self.reserve_bytes:
            return False
        try:
            fd = os.open(self.reserve, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
            try:
                done = 0
                while done < len(data):
                    done += os.pwrite(fd, data[done:], done)
                os.ftruncate(fd, len(data))
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(self.reserve, self.path)
        except OSError:
            return False   # the caller writes a new temporary file instead
        self.reserve = None
        return True
