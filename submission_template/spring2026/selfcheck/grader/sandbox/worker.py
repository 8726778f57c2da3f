"""The worker process: the only place where student code runs.

Run as::

    python -P -m grader.sandbox.worker --fd-in N --fd-out M --fd-report R --root SUBMISSION_DIR
        [--shims DIR] [--memory-mb MB] [--file-mb MB] [--probe-prefix grader.probes.]...
        [--drop-uid UID --drop-gid GID] [--read-only PATH]... [--read-write PATH]...

Protocol
    Requests and replies are length-prefixed codec frames (see protocol.py)
    on two dedicated pipe fds, never stdin/stdout: student prints go to fd
    1/2, which the supervisor captures separately. The first frame from the
    parent is ``{"token": str}``; every reply carries that token and echoes
    the request ``id``. Requests are ``{"id": int, "probe":
    "pkg.module:function", "args": {...}}``; built-ins are ``__ping__``
    (answers ``{"pong": True, "protections": {...}}``: what this process put
    in force before any student code ran) and ``__banned_attempts__``.
    Replies are ``{"ok": True, "value": ..., "seconds": float}`` or
    ``{"ok": False, "error": {...}, "seconds": ...}``. A third pipe (fd R)
    carries the banned-import guard's records, one JSON line each, written
    the moment they happen (guard.py).

Setup order
    (a) move the protocol fds to private high numbers (close-on-exec) and
    close the originals, read the token; set resource limits; import numpy
    and the probe packages while the submission is not yet on sys.path (so a
    student file called ``numpy.py`` or ``grader/`` cannot shadow them);
    (b) when started as root: drop to the sandbox uid (first importing a list
    of common modules when that uid cannot read the interpreter's files);
    (c) Landlock: from here on only the paths given with --read-only /
    --read-write, the interpreter and the system libraries can be opened,
    and no TCP (confine.py, landlock.py); (d) install the banned-import
    guard; (e) put the shims dir at sys.path[0] and the submission right
    after it, chdir to the submission; (f) serve requests until the parent
    closes the pipe.

Threat model
    Student code runs in this process with the same powers as the worker
    itself. It can read the token, find the protocol fds (/proc/self/fd) and
    write a well-formed forged reply; the token, the request id and the
    private fd numbers only stop accidents and casual tampering (garbage
    written to random fds makes the supervisor reject the stream and restart
    the worker). What makes grading trustworthy is elsewhere: this process
    only *reports* plain data; the trusted process compares it with the
    reference, scores, and alone writes results.json, and it enforces time
    and memory from outside. A forged reply can at worst claim a value the
    student could have returned honestly from their own code.
"""
from __future__ import annotations

import argparse
import fcntl
import importlib
import os
import resource
import sys
import time
import traceback

from . import confine, landlock
from .codec import CodecError
from .guard import BannedImportGuard
from .protocol import ChannelClosed, read_frame, write_frame

DEFAULT_PROBE_PREFIXES = ("grader.probes.",)
BUILTIN_PROBES = ("__ping__", "__banned_attempts__")
PRIVATE_FD_BASE = 700            # protocol fds move at or above this number
MESSAGE_CAP = 2000
MAX_FRAMES = 40
MAX_PROCESSES = 64
DEFAULT_FILE_MB = 64             # largest file student code may write (RLIMIT_FSIZE)

# Modules imported before the privilege drop when the sandbox uid cannot read
# the interpreter's own files (e.g. a Python under a 0700 /root, no mount namespace).
LATE_DROP_PRELOAD = (
    "abc argparse array ast base64 bisect calendar cmath collections collections.abc contextlib copy "
    "csv dataclasses datetime decimal difflib enum fractions functools gc gzip hashlib heapq inspect io "
    "itertools json logging math numbers operator os pathlib pickle platform pprint queue random re "
    "shutil signal statistics string struct tempfile textwrap threading time timeit traceback types "
    "typing unittest urllib urllib.parse uuid warnings weakref zipfile zlib importlib.util "
    "numpy numpy.linalg numpy.random numpy.fft numpy.testing numpy.ma numpy.polynomial numpy.lib.stride_tricks"
).split()


def main(argv=None) -> None:
    args = _parse_args(argv)
    fd_in, fd_out, fd_report = _take_private_fds(args.fd_in, args.fd_out, args.fd_report)
    try:
        token = read_frame(fd_in)["token"]
    except Exception:
        os._exit(3)
    limits = _apply_limits(args.memory_mb, args.file_mb)
    prefixes = tuple(args.probe_prefix or DEFAULT_PROBE_PREFIXES)
    root = os.path.realpath(args.root)
    _preimport_trusted(prefixes)
    report = {"limits": limits, "preloaded": False}
    if args.drop_uid is not None:
        if not _uid_can_use_interpreter(args.drop_uid, args.drop_gid):
            _preload_modules(LATE_DROP_PRELOAD)
            report["preloaded"] = True
        _drop_privileges(args.drop_uid, args.drop_gid)
    report["uid"] = os.getuid()
    report["landlock"] = _confine_file_system(args.read_only or [], args.read_write or [])
    guard = BannedImportGuard(args.shims, root, report_fd=fd_report).install()
    _set_import_path(args.shims, root)
    os.chdir(root)
    _configure_student_output()
    session = Session(fd_in, fd_out, token, root, prefixes, guard, report)
    session.serve()


def _parse_args(argv):
    parser = argparse.ArgumentParser(prog="grader.sandbox.worker")
    parser.add_argument("--fd-in", type=int, required=True)
    parser.add_argument("--fd-out", type=int, required=True)
    parser.add_argument("--fd-report", type=int, default=None)
    parser.add_argument("--root", required=True)
    parser.add_argument("--shims", default=None)
    parser.add_argument("--memory-mb", type=int, default=None)
    parser.add_argument("--file-mb", type=int, default=DEFAULT_FILE_MB)
    parser.add_argument("--read-only", action="append")
    parser.add_argument("--read-write", action="append")
    parser.add_argument("--probe-prefix", action="append")
    parser.add_argument("--drop-uid", type=int, default=None)
    parser.add_argument("--drop-gid", type=int, default=None)
    return parser.parse_args(argv)


# ------------------------------------------------------------------ setup

def _take_private_fds(fd_in: int, fd_out: int, fd_report) -> tuple:
    """Duplicate the protocol fds to high, close-on-exec numbers; close the originals."""
    private_in = fcntl.fcntl(fd_in, fcntl.F_DUPFD_CLOEXEC, PRIVATE_FD_BASE)
    private_out = fcntl.fcntl(fd_out, fcntl.F_DUPFD_CLOEXEC, PRIVATE_FD_BASE + 7)
    os.close(fd_in)
    os.close(fd_out)
    private_report = None
    if fd_report is not None:
        private_report = fcntl.fcntl(fd_report, fcntl.F_DUPFD_CLOEXEC, PRIVATE_FD_BASE + 13)
        os.close(fd_report)
        os.set_blocking(private_report, False)   # the guard must never block on a full pipe
    return private_in, private_out, private_report


def _apply_limits(memory_mb, file_mb) -> dict:
    # No core dumps; address-space cap so a memory blow-up is a MemoryError
    # here rather than the container's OOM killer taking the whole grader.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # A fork bomb stops here (the limit counts the sandbox user's processes and threads).
    resource.setrlimit(resource.RLIMIT_NPROC, (MAX_PROCESSES, MAX_PROCESSES))
    # No file bigger than this (Python ignores SIGXFSZ: the write fails with EFBIG).
    file_limit = int(file_mb) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))
    limits = {"processes": MAX_PROCESSES, "file_size_mb": int(file_mb), "core_dumps": False}
    if memory_mb:
        limit = int(memory_mb) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        limits["address_space_mb"] = int(memory_mb)
    return limits


def _preimport_trusted(prefixes) -> None:
    import numpy  # noqa: F401  (see module docstring: must not be shadowed)
    for prefix in prefixes:
        parts = prefix.rstrip(".").split(".")
        for depth in range(1, len(parts) + 1):
            try:
                importlib.import_module(".".join(parts[:depth]))
            except ImportError:
                break  # reported later, per request, as a normal error reply


def _preload_modules(names) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:
            pass


def _uid_can_use_interpreter(uid: int, gid: int) -> bool:
    """Whether `uid` may read the standard library and site-packages (tried in a short-lived child)."""
    import sysconfig
    folders = [sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"],
               os.path.dirname(os.path.dirname(__import__("numpy").__file__))]
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setresgid(gid, gid, gid)
            os.setresuid(uid, uid, uid)
            ok = all(os.access(folder, os.R_OK | os.X_OK) for folder in folders)
        except BaseException:
            ok = False
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def _confine_file_system(read_only, read_write) -> dict:
    """Landlock: from here on only the worker's own area, the interpreter and system libraries."""
    area = list(read_only) + list(read_write)
    try:
        applied = landlock.restrict(read_only=confine.interpreter_paths(exclude=area) + list(read_only),
                                    read_write=read_write, read_write_files=confine.DEVICES)
    except OSError as error:
        return {"abi": landlock.abi_version(), "filesystem": False, "tcp": False, "scopes": False,
                "problem": f"the kernel refused it ({error})"}
    return applied.to_dict()


def _drop_privileges(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    if os.getuid() == 0 or os.geteuid() == 0:
        os._exit(4)  # never run student code as root by accident


def _set_import_path(shims, root: str) -> None:
    # With -P nothing unsafe was prepended; drop any leftover cwd entries too.
    sys.path[:] = [p for p in sys.path if p not in ("", ".")]
    front = ([os.path.realpath(shims)] if shims else []) + [root]
    sys.path[:0] = front


def _configure_student_output() -> None:
    # Line buffering: after a timeout kill, the prints up to the hang are
    # already in the supervisor's pipe, which helps explain the timeout.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(line_buffering=True, errors="backslashreplace")
        except Exception:
            pass


# ------------------------------------------------------------------ serving

class Session:
    def __init__(self, fd_in, fd_out, token, root, prefixes, guard, report=None):
        self.fd_in, self.fd_out, self.token = fd_in, fd_out, token
        self.root, self.prefixes, self.guard = root, prefixes, guard
        self.report = dict(report or {})   # taken before any student code ran
        self.stdout, self.stderr = sys.stdout, sys.stderr

    def serve(self) -> None:
        while True:
            try:
                request = read_frame(self.fd_in)
            except ChannelClosed:
                os._exit(0)  # parent closed the channel; skip student atexit hooks
            except (OSError, CodecError) as exc:
                _report_fatal(f"cannot read a request: {exc}")
                os._exit(6)
            reply = self.handle(request)
            self._flush_student_output()
            self._send(reply, request)

    def handle(self, request) -> dict:
        started = time.perf_counter()
        try:
            value = self._run(request)
            reply = {"ok": True, "value": value}
        except BaseException as exc:  # SystemExit/KeyboardInterrupt from student code too
            reply = {"ok": False, "error": describe_exception(exc, self.root)}
        reply["seconds"] = time.perf_counter() - started
        return reply

    def _run(self, request):
        if not isinstance(request, dict) or not isinstance(request.get("probe"), str):
            raise ValueError("malformed request: needs a 'probe' string")
        probe = request["probe"]
        if probe == "__ping__":
            return {"pong": True, "protections": self.report}
        if probe == "__banned_attempts__":
            return list(self.guard.attempts)
        args = request.get("args") or {}
        if not isinstance(args, dict):
            raise ValueError("malformed request: 'args' must be a dict")
        return resolve_probe(probe, self.prefixes)(**args)

    def _send(self, reply, request) -> None:
        request_id = request.get("id") if isinstance(request, dict) else None
        reply.update(token=self.token, id=request_id)
        try:
            try:
                write_frame(self.fd_out, reply)
            except CodecError as exc:
                write_frame(self.fd_out, {
                    "ok": False, "seconds": reply["seconds"], "token": self.token, "id": request_id,
                    "error": _error_dict("CodecError", f"the probe's return value cannot be sent back: {exc}"),
                })
        except OSError:
            os._exit(5)  # the reply pipe is gone (parent died or student closed it)

    def _flush_student_output(self) -> None:
        for stream in (sys.stdout, sys.stderr, self.stdout, self.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        # Student code may have replaced sys.stdout; put ours back for the next probe.
        sys.stdout, sys.stderr = self.stdout, self.stderr


def _report_fatal(message: str) -> None:
    try:
        os.write(2, f"grader worker: {message}\n".encode("utf-8", "replace"))
    except OSError:
        pass


def resolve_probe(probe: str, prefixes):
    if not any(probe.startswith(prefix) for prefix in prefixes):
        raise PermissionError(f"probe {probe!r} is not under an allowed prefix {list(prefixes)}")
    module_name, sep, function_name = probe.partition(":")
    if not sep or not function_name:
        raise ValueError(f"probe {probe!r} must look like 'package.module:function'")
    function = getattr(importlib.import_module(module_name), function_name)
    if not callable(function):
        raise TypeError(f"probe {probe!r} is not callable")
    return function


# ------------------------------------------------------------------ errors

def describe_exception(exc: BaseException, root: str) -> dict:
    frames = [_frame_dict(fs, root) for fs in traceback.extract_tb(exc.__traceback__)][-MAX_FRAMES:]
    student_frame = next((f for f in reversed(frames) if f["in_submission"]), None)
    if isinstance(exc, SyntaxError) and exc.filename and _inside(exc.filename, root):
        # The offending line of a SyntaxError is not a traceback frame.
        student_frame = {"file": os.path.relpath(os.path.realpath(exc.filename), root),
                         "line": exc.lineno or 0, "function": "<module>",
                         "code": (exc.text or "").strip(), "in_submission": True}
    error = _error_dict(_safe_type_name(exc), _safe_message(exc))
    error.update(frames=frames, student_frame=student_frame)
    return error


def _error_dict(type_name: str, message: str) -> dict:
    return {"type": type_name, "message": message, "frames": [], "student_frame": None}


def _frame_dict(fs: traceback.FrameSummary, root: str) -> dict:
    inside = _inside(fs.filename, root)
    path = os.path.relpath(os.path.realpath(fs.filename), root) if inside else fs.filename
    return {"file": path, "line": fs.lineno or 0, "function": fs.name,
            "code": (fs.line or "")[:300], "in_submission": inside}


def _inside(filename: str, root: str) -> bool:
    if not filename or not os.path.isabs(filename):  # "<frozen importlib...>", "<string>"
        return False
    real = os.path.realpath(filename)
    return real.startswith(root + os.sep)


def _safe_type_name(exc: BaseException) -> str:
    try:
        return str(type(exc).__name__)[:200]
    except Exception:
        return "BaseException"


def _safe_message(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        message = (f"student code called sys.exit({exc.code!r}) (or exit()/quit()); "
                   "code under test must not end the program")
    else:
        try:
            message = str(exc)
        except BaseException:  # a student exception whose __str__ itself fails
            message = f"<the {_safe_type_name(exc)} could not be turned into text>"
    if len(message) > MESSAGE_CAP:
        message = message[:MESSAGE_CAP] + f" [... {len(message) - MESSAGE_CAP} characters cut]"
    return message


if __name__ == "__main__":
    main()
