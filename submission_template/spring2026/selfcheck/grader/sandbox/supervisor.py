"""The trusted side: start worker processes, send probe requests, judge nothing.

``Worker(root).call("grader.probes.x:f", {...}, timeout=10)`` returns a
:class:`ProbeResult` whatever the student code does: returns, raises,
exits, loops, eats memory, prints megabytes, or scribbles on file
descriptors. Only bad arguments from grader code (a probe outside the
allowed prefixes, arguments the codec cannot carry) raise.

What a worker can read: only its own area
    The Worker stages everything its worker may read into an area of its own
    (``self.area``, removed at close) - nothing a worker needs lies outside
    it except the interpreter, so where the grader, the venv or MNIST live
    (a 0700 clone under /root, /autograder/source) does not matter:

    - ``area/pristine``: the submission, copied once (never following a
      symbolic link; relative links that stay inside are kept as links;
      ``max_submission_mb`` cap). Readable by the grader only.
    - ``area/w`` (0700 + sticky, owned by the worker's uid): ``project/`` (the
      grader modules workers run: WORKER_MODULES and the packages of
      ``probe_prefixes``), ``shims/``, ``data/`` (``data_files``: e.g. MNIST's
      training files and test images, never the test labels; hard links
      where the worker cannot write through them, else copies; ``data_links``:
      large optional files, e.g. MNIST's prepared arrays, staged only as such
      hard links and left out where one is not possible - a copy would cost
      more than it saves, and RAM where /tmp is a tmpfs; the folder's path is
      given to the worker in ``data_dir_env``), and ``runN/`` - per
      worker start a fresh copy of the submission plus a home folder, the only
      place the worker may write.

How the worker is confined (confine.py says how each layer is detected)
    - Landlock, applied by the worker to itself before student code can run:
      only ``area/w`` (read-only but for ``runN``) plus the interpreter,
      stdlib, site-packages (minus banned libraries) and system libraries,
      read-only; no TCP; no signals out of the sandbox.
    - bubblewrap when it works here: pid, network, ipc and uts namespaces,
      and a mount namespace holding only the interpreter and the area.
    - As root (``drop_privileges=True``): student code runs under a uid of
      this Worker's own (confine.SANDBOX_UIDS); at every stop all processes
      of that uid are killed until none is left and its files in the shared
      temp folders are removed. When not root (a TA, a student self-checking)
      the worker runs as the caller, inside Landlock and the namespaces.
    - Limits set by the worker: address space (``memory_mb``), processes,
      file size (``file_mb``), no core dumps. Measured on the development
      machine (Python 3.11.7, numpy 2.4, BLAS threads = 1): the worker with
      numpy starts at 100 MB (120 MB when it must preload modules before the
      uid drop; at 100 MB that mode fails and is reported as status
      "memory"); with the default 600 MB a 450 MB array still allocates,
      500 MB does not.
    - Own session and process group; a timeout kills the group (and with it
      the pid namespace) with SIGKILL from here, then the next call starts a
      fresh worker. Clean, minimal environment; stdin is /dev/null;
      stdout/stderr are pipes drained while waiting, so a printing worker
      never blocks.

    ``worker.protections`` (a confine.Protections, set at each worker start
    from what was set up here and what the worker reports it applied before
    any student code ran) says which layers were in force and, in
    ``missing``, which were not and why: never silently weaker.

Banned imports
    The worker's guard (guard.py) gives stand-in modules for banned libraries
    and writes a record of every banned import to a pipe of its own the
    moment it happens. ``ProbeResult.banned_imports`` holds those that
    arrived during that call, ``worker.banned_imports`` all of them (dicts
    with module, file, line, function, and kind: "import", or "guard-removed"
    when student code took the guard's finder off sys.meta_path).
"""
from __future__ import annotations

import json
import os
import secrets
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import confine
from .codec import CodecError, encode
from .confine import kill_uid
from .protocol import FrameReader, _HEADER

PROJECT_ROOT = Path(__file__).resolve().parents[2]   # the dir holding the grader package
# The grader modules a worker runs (besides the packages named by probe prefixes):
# staged into its area, so it never reads the project itself (nor the reference beside it).
WORKER_MODULES = ("grader/__init__.py", "grader/sandbox", "grader/data", "grader/gradcheck.py",
                  "grader/banned_libraries.py")   # is_banned, used by the guard
STATUSES = ("ok", "error", "timeout", "crashed", "memory")
IN_WORKER_ENV = "BERAS_IN_WORKER"
DEFAULT_FILE_MB = 64
_BUILTIN_PROBES = ("__ping__", "__banned_attempts__")
_SKIP_NAMES = {".git", "__pycache__", ".hg", ".svn"}
_STAGE_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")
MAX_BANNED_RECORDS = 200
_MEMORY_MARKERS = ("MemoryError", "Cannot allocate memory", "std::bad_alloc", "out of memory")


class SandboxSetupError(RuntimeError):
    """The sandbox cannot be prepared (missing or oversized submission)."""


@dataclass
class ProbeResult:
    status: str                      # one of STATUSES
    value: Any = None
    error: dict | None = None
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0
    detail: str = ""
    exit_code: int | None = None     # set when the worker process ended
    banned_imports: list = field(default_factory=list)   # guard records that arrived during this call

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class _CappedOutput:
    """Keeps the first ``cap`` bytes, a short tail, and counts the rest."""

    def __init__(self, cap: int, tail_cap: int = 8192):
        self.cap, self.tail_cap = cap, tail_cap
        self.head, self.tail, self.cut = bytearray(), bytearray(), 0

    def add(self, data: bytes) -> None:
        room = max(self.cap - len(self.head), 0)
        self.head += data[:room]
        self.cut += max(len(data) - room, 0)
        self.tail = (self.tail + data)[-self.tail_cap:]

    def text(self) -> str:
        text = self.head.decode("utf-8", errors="replace")
        if self.cut:
            # The end matters most (the last line before a crash or a hang): keep it too.
            tail = bytes(self.tail[-min(self.cut, self.tail_cap):])
            text += f"\n[... {self.cut - len(tail)} bytes cut ...]\n" + tail.decode("utf-8", errors="replace")
        return text

    def tail_text(self) -> str:
        return self.tail.decode("utf-8", errors="replace")


@dataclass
class _Process:
    popen: subprocess.Popen
    request_fd: int
    reply_fd: int
    stdout_fd: int
    stderr_fd: int
    token: str
    run_dir: Path
    report_fd: int = -1              # the banned-import guard's records (JSON lines)
    info_fd: int = -1                # bwrap's --info-fd: the sandbox's pid 1
    sandbox_pid: int | None = None
    next_id: int = 1
    hello: bytes = b""               # the token frame, sent ahead of the first request
    reader: FrameReader = field(default_factory=FrameReader)


class Worker:
    def __init__(self, root: Path, *, memory_mb: int = 600, shims: Path | None = None,
                 env: dict | None = None, drop_privileges: bool = True, output_cap_bytes: int = 64_000,
                 probe_prefixes: tuple[str, ...] = ("grader.probes.",), startup_timeout: float = 30.0,
                 max_submission_mb: int = 200, data_files: dict | None = None, data_dir_env: str | None = None,
                 file_mb: int = DEFAULT_FILE_MB, namespaces: bool = True, leave_out_suffixes: tuple = (),
                 data_links: dict | None = None):
        """leave_out_suffixes: files of the submission the worker must not see, by suffix
        (e.g. the fall2025 retraining must not read the predictions it is compared with)."""
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise SandboxSetupError(f"submission directory {self.root} does not exist")
        self.memory_mb, self.file_mb = memory_mb, file_mb
        self.env_overrides = dict(env or {})
        self.output_cap_bytes = output_cap_bytes
        self.probe_prefixes = tuple(probe_prefixes)
        self.startup_timeout = startup_timeout
        self.data_dir_env = data_dir_env
        self._proc: _Process | None = None
        self._runs = 0
        self.protections: confine.Protections | None = None   # set at each worker start
        self.banned_imports: list[dict] = []
        self.drop_mode = "uid" if drop_privileges and os.geteuid() == 0 else "none"
        if self.drop_mode == "uid":
            self.uid, uid_lock = confine.reserve_sandbox_uid()   # held until the area is removed
        else:
            self.uid, uid_lock = os.getuid(), None
        self.gid = self.uid if self.drop_mode == "uid" else os.getgid()
        if namespaces:
            self.bwrap, self.namespace_problem = confine.bwrap_status()
        else:
            self.bwrap, self.namespace_problem = None, "namespaces were turned off for this Worker"
        self.area = Path(tempfile.mkdtemp(prefix="beras-sandbox-"))
        self._finalizer = weakref.finalize(self, _release, str(self.area), uid_lock)
        # Others may traverse the area (to reach w/, which is the worker's alone), not list it.
        os.chmod(self.area, 0o711 if self.drop_mode == "uid" else 0o700)
        self.pristine = self.area / "pristine"
        copy_submission(self.root, self.pristine, max_bytes=max_submission_mb * 1024 * 1024,
                        leave_out_suffixes=leave_out_suffixes)
        os.chmod(self.pristine, 0o700)
        self.own = self.area / "w"
        self.own.mkdir()
        self.project = self._stage_project(self.own / "project")
        self.shims = self._stage_tree(Path(shims).resolve(), self.own / "shims") if shims else None
        self.data_dir = self._stage_data(data_files, self.own / "data") if data_files is not None else None
        self.data_linked = self._link_data(data_links or {}, self.data_dir) if self.data_dir is not None else []
        if self.drop_mode == "uid":
            os.chown(self.own, self.uid, self.gid)
        # Sticky: the worker owns w/ but may not rename or remove what the grader staged in it.
        os.chmod(self.own, 0o1700)

    # ------------------------------------------------------------ public API

    def start(self) -> ProbeResult:
        """Start a worker (if none is running) and ping it."""
        if self._proc is not None:
            return self.call("__ping__", timeout=self.startup_timeout)
        return self._spawn()

    def call(self, probe: str, args: dict | None = None, timeout: float = 10.0) -> ProbeResult:
        self._check_probe_name(probe)
        request = {"probe": probe, "args": dict(args or {})}
        try:
            encode(request)
        except CodecError as exc:
            raise ValueError(f"arguments for {probe} cannot be sent to the worker: {exc}") from None
        if self._proc is None:
            started = self._spawn()
            if not started.ok:
                started.detail = f"the worker could not be started for {probe}: {started.detail}"
                return started
        return self._exchange(request, timeout)

    def close(self) -> None:
        self._stop(graceful=True)
        self._finalizer()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # ------------------------------------------------------------ staging

    def _check_probe_name(self, probe: str) -> None:
        if not isinstance(probe, str):
            raise TypeError("probe must be a string like 'grader.probes.module:function'")
        if probe not in _BUILTIN_PROBES and not probe.startswith(self.probe_prefixes):
            raise ValueError(f"probe {probe!r} is not under the allowed prefixes {list(self.probe_prefixes)}")

    def _stage_project(self, target: Path) -> Path:
        # Only what probes need goes on the worker's path, as its own copy: the
        # project root also holds the reference beras/ and reference/, which a
        # worker must neither import nor read.
        wanted = set(WORKER_MODULES)
        for prefix in self.probe_prefixes:
            parts = prefix.rstrip(".").split(".")
            wanted.update("/".join(parts[:depth]) + "/__init__.py" for depth in range(1, len(parts)))
            wanted.add("/".join(parts))
        for rel in sorted(wanted):
            source = PROJECT_ROOT / rel
            if source.is_dir():
                self._stage_tree(source, target / rel)
            elif source.is_file():
                (target / rel).parent.mkdir(parents=True, exist_ok=True)
                self._stage_file(source, target / rel)
            elif (PROJECT_ROOT / (rel + ".py")).is_file():
                (target / rel).parent.mkdir(parents=True, exist_ok=True)
                self._stage_file(PROJECT_ROOT / (rel + ".py"), target / (rel + ".py"))
        _make_world_readable(target)
        return target

    def _stage_tree(self, source: Path, target: Path) -> Path:
        shutil.copytree(source, target, ignore=_STAGE_IGNORE, copy_function=self._stage_file,
                        dirs_exist_ok=True)
        _make_world_readable(target)
        return target

    def _stage_data(self, files: dict, target: Path) -> Path:
        target.mkdir()
        for name, source in files.items():
            if not isinstance(name, str) or not name or "/" in name or name in (".", ".."):
                raise ValueError(f"data file names are plain file names, not {name!r}")
            if isinstance(source, (bytes, bytearray)):
                (target / name).write_bytes(source)
            else:
                self._stage_file(Path(source), target / name)
        _make_world_readable(target)
        return target

    def _link_data(self, files: dict, target: Path) -> list[str]:
        """The names of ``files`` staged into target as read-only hard links (see _stage_file);
        the others are left out (the worker does without them)."""
        linked = []
        for name, source in files.items():
            if not isinstance(name, str) or not name or "/" in name or name in (".", "..") or \
                    (target / name).exists():
                raise ValueError(f"data links are new plain file names, not {name!r}")
            if self._linkable(os.stat(source)):
                try:
                    os.link(source, target / name)
                    linked.append(name)
                except OSError:
                    pass   # another file system, or links refused
        return linked

    def _linkable(self, st) -> bool:
        """The worker can read the file but never write through a link to it."""
        return bool(st.st_uid != self.uid and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
                    and st.st_mode & stat.S_IROTH)

    def _stage_file(self, source, target) -> None:
        """A hard link when the worker can read but never write through it, else a copy."""
        source, target = Path(source), Path(target)
        if self._linkable(os.stat(source)):
            try:
                os.link(source, target)
                return
            except OSError:
                pass   # another file system, or links refused: copy
        shutil.copyfile(source, target)

    # ------------------------------------------------------------ starting

    def _worker_env(self, home: Path) -> dict:
        env = {
            "PATH": os.pathsep.join([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]),
            "HOME": str(home), "TMPDIR": str(home), "LANG": "C.UTF-8",
            "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": str(home / ".matplotlib"),
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            IN_WORKER_ENV: "1",
        }
        if self.data_dir is not None and self.data_dir_env:
            env[self.data_dir_env] = str(self.data_dir)
        env.update(self.env_overrides)
        extra = self.env_overrides.get("PYTHONPATH")
        env["PYTHONPATH"] = str(self.project) + (os.pathsep + extra if extra else "")
        return env

    def _prepare_run_dir(self) -> Path:
        self._runs += 1
        run_dir = self.own / f"run{self._runs}"
        shutil.copytree(self.pristine, run_dir / "submission", symlinks=True)
        (run_dir / "home").mkdir()
        if self.drop_mode == "uid":
            _chown_tree(run_dir, self.uid, self.gid)
        return run_dir

    def _read_only_parts(self) -> list[Path]:
        return [p for p in (self.project, self.shims, self.data_dir) if p is not None]

    def _command(self, run_dir: Path, fd_in: int, fd_out: int, fd_report: int) -> list[str]:
        cmd = [sys.executable, "-P", "-m", "grader.sandbox.worker", "--fd-in", str(fd_in),
               "--fd-out", str(fd_out), "--fd-report", str(fd_report), "--root", str(run_dir / "submission"),
               "--file-mb", str(self.file_mb), "--read-write", str(run_dir)]
        for path in self._read_only_parts():
            cmd += ["--read-only", str(path)]
        if self.shims:
            cmd += ["--shims", str(self.shims)]
        if self.memory_mb:
            cmd += ["--memory-mb", str(self.memory_mb)]
        for prefix in self.probe_prefixes:
            cmd += ["--probe-prefix", prefix]
        if self.drop_mode == "uid":
            cmd += ["--drop-uid", str(self.uid), "--drop-gid", str(self.gid)]
        return cmd

    def _spawn(self) -> ProbeResult:
        run_dir = self._prepare_run_dir()
        pipes = [os.pipe() for _ in range(4)]   # requests, replies, guard records, bwrap info
        (req_read, req_write), (rep_read, rep_write), (ban_read, ban_write), (info_read, info_write) = pipes
        command = self._command(run_dir, req_read, rep_write, ban_write)
        if self.bwrap:
            command = confine.bwrap_command(self.bwrap, read_only=self._read_only_parts(), read_write=[run_dir],
                                            home=str(run_dir / "home"), info_fd=info_write) + command
        child_ends = (req_read, rep_write, ban_write, info_write)
        try:
            popen = subprocess.Popen(
                command, pass_fds=child_ends,
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                cwd=str(run_dir / "home"), env=self._worker_env(run_dir / "home"), start_new_session=True)
        except OSError as exc:
            for fd in (fd for pair in pipes for fd in pair):
                os.close(fd)
            return ProbeResult("crashed", detail=f"the worker process could not be started: {exc}")
        for fd in child_ends:
            os.close(fd)
        token = secrets.token_hex(16)
        self._proc = _Process(popen, req_write, rep_read, popen.stdout.fileno(), popen.stderr.fileno(),
                              token, run_dir, report_fd=ban_read, info_fd=info_read)
        for fd in (rep_read, ban_read, info_read, self._proc.stdout_fd, self._proc.stderr_fd):
            os.set_blocking(fd, False)
        hello = encode({"token": token})
        self._proc.hello = _HEADER.pack(len(hello)) + hello
        result = self._exchange({"probe": "__ping__", "args": {}}, self.startup_timeout)
        if result.ok:
            self._note_protections(result.value)
        return result

    def _note_protections(self, pong) -> None:
        report = pong.get("protections") if isinstance(pong, dict) else None
        namespaces = []
        if self.bwrap and self._proc is not None:
            self._proc.sandbox_pid = _bwrap_child_pid(self._proc.info_fd)
            namespaces = list(confine.BWRAP_NAMESPACES) + ["mount"]
        self.protections = confine.describe(
            uid_drop=self.drop_mode == "uid" and isinstance(report, dict) and report.get("uid") == self.uid,
            uid=self.uid, worker_report=report if isinstance(report, dict) else None, namespaces=namespaces,
            namespace_problem=self.namespace_problem, limits=(report or {}).get("limits") or {})

    # ------------------------------------------------------------ one exchange

    def _exchange(self, request: dict, timeout: float) -> ProbeResult:
        proc = self._proc
        request = dict(request, id=proc.next_id)
        proc.next_id += 1
        payload = encode(request)
        outgoing = proc.hello + _HEADER.pack(len(payload)) + payload
        proc.hello = b""
        out = _CappedOutput(self.output_cap_bytes)
        err = _CappedOutput(self.output_cap_bytes)
        banned = _Lines()
        started = time.monotonic()
        outcome = self._pump(proc, outgoing, out, err, banned, started + timeout)
        seconds = time.monotonic() - started
        _drain(proc.report_fd, banned)   # records written just before the reply or a crash
        result = self._judge_outcome(outcome, request, timeout, out, err)
        result.seconds = seconds
        result.stdout, result.stderr = out.text(), err.text()
        result.banned_imports = _banned_records(banned.lines())
        room = MAX_BANNED_RECORDS - len(self.banned_imports)
        self.banned_imports += result.banned_imports[:max(room, 0)]
        return result

    def _pump(self, proc: _Process, outgoing: bytes, out, err, banned, deadline: float):
        """Write the request, drain output, read the reply. Returns (kind, data)."""
        poller = select.poll()
        streams = {proc.stdout_fd: out, proc.stderr_fd: err, proc.report_fd: banned}
        for fd in streams:
            poller.register(fd, select.POLLIN)
        poller.register(proc.reply_fd, select.POLLIN)
        pending = memoryview(outgoing)
        os.set_blocking(proc.request_fd, False)
        poller.register(proc.request_fd, select.POLLOUT)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return ("timeout", None)
            for fd, events in poller.poll(min(remaining, 1.0) * 1000):
                if fd == proc.request_fd:
                    pending = self._send_some(proc, pending, poller)
                    if pending is None:
                        return ("died", None)
                elif fd in streams:
                    if not _drain(fd, streams[fd]):
                        poller.unregister(fd)
                        streams.pop(fd)
                else:
                    kind, data = self._read_reply(proc)
                    if kind is not None:
                        _drain_all(proc, out, err)
                        return kind, data

    def _send_some(self, proc, pending, poller):
        try:
            written = os.write(proc.request_fd, pending)
        except BlockingIOError:
            return pending
        except OSError:  # EPIPE: the worker is gone
            poller.unregister(proc.request_fd)
            return None
        pending = pending[written:]
        if not pending:
            poller.unregister(proc.request_fd)
        return pending

    def _read_reply(self, proc):
        try:
            chunk = os.read(proc.reply_fd, 1 << 20)
        except BlockingIOError:
            return None, None
        if not chunk:
            return "died", None
        proc.reader.feed(chunk)
        try:
            frame = proc.reader.pop_frame()
        except CodecError as exc:
            return "garbled", str(exc)
        return ("reply", frame) if frame is not None else (None, None)

    def _judge_outcome(self, outcome, request, timeout, out, err) -> ProbeResult:
        kind, data = outcome
        probe = request["probe"]
        if kind == "reply":
            problem = self._reply_problem(data, request)
            if problem is None:
                return _result_from_reply(data, self.memory_mb)
            self._stop(graceful=False)
            return ProbeResult("crashed", detail=f"the worker's reply to {probe} was rejected ({problem}); "
                                                 "student code may have written to the grader's channel")
        if kind == "timeout":
            self._stop(graceful=False)
            return ProbeResult("timeout", detail=f"the worker did not answer within {timeout:.1f} s "
                                                 f"while running {probe} and was stopped")
        if kind == "garbled":
            self._stop(graceful=False)
            return ProbeResult("crashed", detail=f"the worker's channel carried malformed data while running "
                                                 f"{probe} ({data}); student code may have written to it")
        exit_code = self._stop(graceful=False, died=True)
        return _death_result(exit_code, probe, err, self.memory_mb)

    def _reply_problem(self, reply, request) -> str | None:
        proc = self._proc
        if not isinstance(reply, dict):
            return "not a dict"
        if not secrets.compare_digest(str(reply.get("token", "")), proc.token):
            return "missing or wrong session token"
        if reply.get("id") != request["id"]:
            return "reply id does not match the request"
        if proc.reader.has_leftover:
            return "extra bytes after the reply"
        if reply.get("ok") is True and "value" in reply:
            return None
        if reply.get("ok") is False and isinstance(reply.get("error"), dict):
            return None
        return "malformed reply"

    # ------------------------------------------------------------ stopping

    def _stop(self, graceful: bool, died: bool = False) -> int | None:
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        code = None
        if graceful or died:
            # Graceful: closing the request pipe makes the worker exit. Died: its exit
            # code is on its way (through bwrap, a moment later): wait for it, then kill.
            if graceful:
                _close_quietly(proc.request_fd)
            try:
                code = proc.popen.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        _kill_group(proc.popen.pid)
        try:
            code = proc.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        if self.bwrap:
            code = confine.exit_code_from_bwrap(code)
            _wait_until_gone(proc.sandbox_pid)   # its pid namespace dies with it
        for fd in (proc.request_fd, proc.reply_fd, proc.report_fd, proc.info_fd):
            _close_quietly(fd)
        for stream in (proc.popen.stdout, proc.popen.stderr):
            try:
                stream.close()
            except OSError:
                pass
        if self.drop_mode == "uid":
            kill_uid(self.uid)
            confine.remove_files_of_uid(self.uid)
        shutil.rmtree(proc.run_dir, ignore_errors=True)
        return code


# ------------------------------------------------------------------ helpers

def _result_from_reply(reply: dict, memory_mb) -> ProbeResult:
    if reply["ok"]:
        return ProbeResult("ok", value=reply["value"])
    error = reply["error"]
    out_of_memory = error.get("type") == "MemoryError" or (
        error.get("type") == "OSError" and "[Errno 12]" in str(error.get("message")))  # ENOMEM
    if out_of_memory:
        return ProbeResult("memory", error=error,
                           detail=f"the worker ran out of its {memory_mb} MB memory limit (MemoryError)")
    where = error.get("student_frame") or {}
    place = f" at {where.get('file')}:{where.get('line')} in {where.get('function')}" if where else ""
    return ProbeResult("error", error=error, detail=f"{error.get('type')}{place}: {error.get('message')}")


def _death_result(exit_code, probe, err: _CappedOutput, memory_mb) -> ProbeResult:
    tail = err.tail_text()
    if any(marker in tail for marker in _MEMORY_MARKERS):
        return ProbeResult("memory", exit_code=exit_code,
                           detail=f"the worker ran out of its {memory_mb} MB memory limit while running {probe}")
    if exit_code is not None and exit_code < 0:
        try:
            name = signal.Signals(-exit_code).name
        except ValueError:
            name = f"signal {-exit_code}"
        how = f"was killed by {name}"
    else:
        how = f"exited with code {exit_code} (os._exit or a crash)"
    last_line = next((line for line in reversed(tail.splitlines()) if line.strip()), "")
    said = f"; its last error output: {last_line.strip()[:300]}" if last_line else ""
    return ProbeResult("crashed", exit_code=exit_code,
                       detail=f"the worker process {how} while running {probe}{said}")


def _drain(fd: int, sink: _CappedOutput) -> bool:
    """Read what is available; False once the pipe is closed."""
    try:
        while True:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return False
            sink.add(chunk)
    except BlockingIOError:
        return True
    except OSError:
        return False


def _drain_all(proc: _Process, out, err) -> None:
    # The worker flushes its streams before replying, so everything printed
    # during the call is already in the pipes once the reply has arrived.
    _drain(proc.stdout_fd, out)
    _drain(proc.stderr_fd, err)


def _release(area: str, uid_lock: int | None) -> None:
    """Remove the area, then give the sandbox uid back (its processes were killed at the last stop)."""
    shutil.rmtree(area, ignore_errors=True)
    if uid_lock is not None:
        _close_quietly(uid_lock)


class _Lines:
    """Complete lines from a pipe (the guard's JSON records), capped."""

    def __init__(self, cap: int = 256 * 1024):
        self.data, self.cap = bytearray(), cap

    def add(self, chunk: bytes) -> None:
        self.data += chunk[:max(self.cap - len(self.data), 0)]

    def lines(self) -> list[bytes]:
        return bytes(self.data).split(b"\n")[:-1]


def _banned_records(lines) -> list[dict]:
    """The guard's records, as data; anything else on that pipe (student code writing to it) is dropped."""
    records = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if (isinstance(entry, dict) and isinstance(entry.get("module"), str) and isinstance(entry.get("file"), str)
                and isinstance(entry.get("line"), int)):
            records.append({"module": entry["module"][:200], "file": entry["file"][:500], "line": entry["line"],
                            "function": str(entry.get("function", ""))[:200],
                            "kind": str(entry.get("kind", "import"))[:40]})
    return records


def _bwrap_child_pid(info_fd: int) -> int | None:
    """The sandbox's pid 1 (as seen from here), from bwrap's --info-fd JSON."""
    try:
        data = os.read(info_fd, 4096)
        pid = json.loads(data).get("child-pid")
        return pid if isinstance(pid, int) else None
    except (OSError, ValueError, AttributeError):
        return None


def _wait_until_gone(pid: int | None, timeout: float = 10.0) -> None:
    if pid is None:
        return
    stop_at = time.monotonic() + timeout
    # A zombie counts as gone: it runs nothing, and reaping it is its new parent's business.
    while confine.is_running(pid) and time.monotonic() < stop_at:
        time.sleep(0.005)


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    except PermissionError:
        pass


def _close_quietly(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def copy_submission(src: Path, dst: Path, *, max_bytes: int, leave_out_suffixes: tuple = ()) -> None:
    """Copy src to dst without ever following a symbolic link; cap the size; leave out files
    whose names end (in any case) with one of ``leave_out_suffixes``.

    Regular files and folders are copied; a symbolic link is kept (as a link) only
    when its target is relative and has no ".." (it then points inside the copy),
    else dropped; fifos, devices and sockets are dropped.
    """
    total = 0
    pending = [(Path(src), Path(dst))]
    dst.mkdir(parents=True, exist_ok=True)
    while pending:
        source_dir, target_dir = pending.pop()
        try:
            entries = sorted(os.scandir(source_dir), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name in _SKIP_NAMES or entry.name.endswith(".pyc"):
                continue
            if leave_out_suffixes and entry.name.lower().endswith(tuple(leave_out_suffixes)):
                continue
            target = target_dir / entry.name
            if entry.is_symlink():
                _copy_link_if_inside(entry.path, target)
            elif entry.is_dir(follow_symlinks=False):
                target.mkdir()
                pending.append((Path(entry.path), target))
            elif entry.is_file(follow_symlinks=False):
                total += entry.stat(follow_symlinks=False).st_size
                if total > max_bytes:
                    raise SandboxSetupError(f"the submission is larger than {max_bytes // (1024 * 1024)} MB; "
                                            "remove data files and virtual environments from it")
                _copy_regular_file(entry.path, target)


def _copy_link_if_inside(link: str, target: Path) -> None:
    try:
        destination = os.readlink(link)
    except OSError:
        return
    if destination and not os.path.isabs(destination) and ".." not in Path(destination).parts:
        os.symlink(destination, target)


def _copy_regular_file(path: str, target: Path) -> None:
    # O_NOFOLLOW | O_NONBLOCK: a file swapped for a link or a fifo after the scan is not followed or waited on.
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return
        with open(fd, "rb", closefd=False) as source, open(target, "wb") as out:
            shutil.copyfileobj(source, out)
    finally:
        os.close(fd)


def _chown_tree(root: Path, uid: int, gid: int) -> None:
    for dirpath, dirnames, filenames in os.walk(root):
        os.chown(dirpath, uid, gid, follow_symlinks=False)
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            os.chown(os.path.join(dirpath, name), uid, gid, follow_symlinks=False)


def _make_world_readable(root: Path) -> None:
    # Staged files that are hard links keep their source's mode (already readable, see _stage_file).
    for dirpath, dirnames, filenames in os.walk(root):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            if stat.S_ISREG(st.st_mode) and st.st_nlink == 1:
                os.chmod(path, 0o644)
