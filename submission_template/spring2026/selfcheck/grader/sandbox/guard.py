"""The banned-library guard inside a worker: stand-in modules, and a record student code cannot erase.

A banned import (tensorflow, keras, torch, scikit-learn: see banned.py) that
the grader's shims do not serve gives a *stand-in* module instead of an
ImportError, so one stray ``import torch`` at the top of beras/layers.py
does not break the whole package: only code that really uses it fails, with
an error that names the library and the file and line that imported it::

    torch is banned in this homework (imported at beras/layers.py:3); rewrite this with NumPy

Two parts:

- a finder first on ``sys.meta_path`` that hands out the stand-ins (student
  code can remove it from the list);
- an audit hook (``sys.addaudithook``: it cannot be removed, and it sees
  imports of names built at run time, e.g. ``__builtins__["__import__"]``).
  It records every banned import, puts the finder back first on
  ``sys.meta_path`` whenever it is missing, and refuses to run the code of a
  real banned package that is installed on the machine.

Each new record (module, file, line, function, kind) is written at once, as one
JSON line, to a pipe whose other end the trusted process holds: what was
written cannot be taken back, whatever the student's code does afterwards.
The same records are kept in ``guard.attempts`` for the ``__banned_attempts__``
probe. Repeats (same library, file and line) are recorded once.

What the guard cannot see: code that does not import a banned library but
is one, renamed (a vendored copy of torch's functions under another
name). The static scan and the course's honour code deal with that.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import json
import os
import sys
import types

from grader.banned_libraries import is_banned

MAX_RECORDS = 200
_HERE = os.path.realpath(__file__)
_IMPORTLIB_DIR = os.path.dirname(os.path.realpath(importlib.machinery.__file__)) + os.sep


class BannedLibraryError(AttributeError):
    """A stand-in for a banned library was used.

    An AttributeError so that ``from torch import nn`` still imports (Python then
    looks for a submodule ``torch.nn``, which is a stand-in too).
    """


def _message(module: str, imported_at: str, use: str = "") -> str:
    library = module.split(".", 1)[0]
    where = f"imported at {imported_at}" if imported_at else "imported"
    used = f"; used here as {use}" if use else ""
    return f"{library} is banned in this homework ({where}{used}); rewrite this with NumPy"


class StandInModule(types.ModuleType):
    """What a banned import gives: importing works, any use raises BannedLibraryError."""

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)   # introspection (copy, pickle, inspect) sees a plain module
        raise BannedLibraryError(_message(self.__name__, self.__dict__.get("__imported_at__", ""),
                                          f"{self.__name__}.{name}"))

    def __call__(self, *args, **kwargs):
        raise BannedLibraryError(_message(self.__name__, self.__dict__.get("__imported_at__", ""),
                                          f"{self.__name__}(...)"))


class _StandInLoader(importlib.abc.Loader):
    def __init__(self, imported_at: str):
        self.imported_at = imported_at

    def create_module(self, spec):
        module = StandInModule(spec.name)
        module.__imported_at__ = self.imported_at
        return module

    def exec_module(self, module):
        pass


class _StandInFinder(importlib.abc.MetaPathFinder):
    def __init__(self, guard: "BannedImportGuard"):
        self.guard = guard

    def find_spec(self, fullname, path=None, target=None):
        if not is_banned(fullname) or self.guard.served_by_shims(fullname, path):
            return None
        where = self.guard.record(fullname, sys._getframe(1))
        self.guard.stand_ins[fullname] = None   # taken out of sys.modules again (see _forget_stand_ins)
        return importlib.machinery.ModuleSpec(fullname, _StandInLoader(where), is_package=True)


class BannedImportGuard:
    def __init__(self, shims_dir=None, submission_root=None, report_fd=None):
        self.shims_dir = os.path.realpath(shims_dir) if shims_dir else None
        self.submission_root = os.path.realpath(submission_root) if submission_root else None
        self.report_fd = report_fd
        self.attempts: list[dict] = []
        self.stand_ins: dict[str, None] = {}
        self._seen: set = set()
        self._busy = False
        self.finder = _StandInFinder(self)

    def install(self) -> "BannedImportGuard":
        self._put_finder_first()
        sys.addaudithook(self._audit)
        return self

    # ------------------------------------------------------------ what the shims serve

    def served_by_shims(self, fullname: str, path=None) -> bool:
        """True when the grader's stand-in package (e.g. tensorflow.keras.datasets) provides the module."""
        if not self.shims_dir:
            return False
        loaded = sys.modules.get(fullname)
        if loaded is not None and not isinstance(loaded, StandInModule):
            return self._inside_shims(getattr(loaded, "__file__", None) or "")
        parent, _, _ = fullname.rpartition(".")
        if parent and (path or parent in sys.modules):
            entries = list(path or getattr(sys.modules[parent], "__path__", None) or [])
            if not entries or not all(self._inside_shims(entry) for entry in entries):
                return False
        else:
            # A top-level name, or (the audit event comes before the parent is loaded) where
            # the parent package would be in the shims.
            entries = [os.path.join(self.shims_dir, *parent.split("."))] if parent else [self.shims_dir]
        return importlib.machinery.PathFinder.find_spec(fullname, entries) is not None

    def _inside_shims(self, entry) -> bool:
        real = os.path.realpath(entry)
        return real == self.shims_dir or real.startswith(self.shims_dir + os.sep)

    # ------------------------------------------------------------ records

    def record(self, module: str, frame, kind: str = "import") -> str:
        """Note a banned import made from `frame` (or an outer frame); returns "file:line".

        ``kind`` is "import", or "guard-removed" when student code took the finder
        off sys.meta_path (noticed, and undone, at the next audit event).
        """
        where = self._importing_location(frame)
        place = f"{where['file']}:{where['line']}" if where["file"] else ""
        key = (module.split(".", 1)[0], where["file"], where["line"], kind)
        if key not in self._seen and len(self.attempts) < MAX_RECORDS:
            self._seen.add(key)
            entry = {"module": module, **where, "kind": kind}
            self.attempts.append(entry)
            self._report(entry)
        return place

    def _report(self, entry: dict) -> None:
        if self.report_fd is None:
            return
        try:
            os.write(self.report_fd, (json.dumps(entry) + "\n").encode("utf-8", "replace"))
        except OSError:
            pass   # student code closed or filled the pipe; guard.attempts still has it

    def _importing_location(self, frame) -> dict:
        """The innermost frame that is neither import machinery nor this guard."""
        while frame is not None:
            filename = frame.f_code.co_filename
            if not (filename.startswith("<frozen") or filename.startswith(_IMPORTLIB_DIR)
                    or os.path.realpath(filename) == _HERE):
                return {"file": self._display_path(filename), "line": frame.f_lineno,
                        "function": frame.f_code.co_name}
            frame = frame.f_back
        return {"file": "", "line": 0, "function": ""}

    def _display_path(self, filename: str) -> str:
        real = os.path.realpath(filename)
        root = self.submission_root
        if root and (real == root or real.startswith(root + os.sep)):
            return os.path.relpath(real, root)
        return filename

    # ------------------------------------------------------------ the audit hook

    def _audit(self, event, args):
        if self._busy:
            return   # events raised by the hook's own work (sys._getframe, realpath)
        self._busy = True
        try:
            if self._put_finder_first():
                self.record("", sys._getframe(1), kind="guard-removed")
            if event == "import":
                self._on_import(args[0])
            elif event == "exec":
                self._on_exec(args[0])
        except BannedLibraryError:
            raise
        except Exception:
            pass   # an audit hook that raises aborts the operation: only ever on purpose
        finally:
            self._busy = False

    def _on_import(self, name) -> None:
        if isinstance(name, str) and is_banned(name) and not self.served_by_shims(name):
            self.record(name, sys._getframe(2))
        elif self.stand_ins:
            self._forget_stand_ins()

    def _on_exec(self, code) -> None:
        self._forget_stand_ins()
        filename = getattr(code, "co_filename", "")
        if isinstance(filename, str) and self._is_real_banned_package(filename):
            module = next(part for part in filename.split(os.sep) if is_banned(part.split(".", 1)[0]))
            place = self.record(module.split(".", 1)[0], sys._getframe(2))
            raise BannedLibraryError(_message(module, place) + " (the installed library may not be run)")

    def _is_real_banned_package(self, filename: str) -> bool:
        # Installed packages live in site-packages/dist-packages; the shims are the grader's own.
        if "-packages" + os.sep not in filename or (self.shims_dir and self._inside_shims(filename)):
            return False
        tail = filename.split("-packages" + os.sep, 1)[1]
        return is_banned(tail.split(os.sep, 1)[0].split(".", 1)[0])

    def _forget_stand_ins(self) -> None:
        # A stand-in left in sys.modules would make later imports of the same name
        # silent (no audit event): drop it, so each importing module is recorded.
        for name in list(self.stand_ins):
            if isinstance(sys.modules.get(name), StandInModule):
                del sys.modules[name]
        self.stand_ins.clear()

    def _put_finder_first(self) -> bool:
        """Put the finder back first on sys.meta_path; True when it had been taken away."""
        meta_path = sys.meta_path
        if meta_path and meta_path[0] is self.finder:
            return False
        removed = self.finder not in meta_path
        while self.finder in meta_path:
            meta_path.remove(self.finder)
        meta_path.insert(0, self.finder)
        return removed
