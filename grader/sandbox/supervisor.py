"""The trusted side: start worker processes, send probe requests, judge nothing.

``Worker(root).call("grader.probes.x:f", {...}, timeout=10)`` returns a
:class:`ProbeResult` whatever the student code does: returns, raises,
exits, loops, eats memory, prints megabytes, or scribbles on file
descriptors. Only bad arguments from grader code (a probe outside the
allowed prefixes, arguments the codec cannot carry) raise.

How the worker is confined
- Own process group (``start_new_session``); a timeout kills the whole
  group with SIGKILL from here, then the next call starts a fresh worker.
  (A student process that calls setsid() itself can escape the group; the
  container's own limits are the backstop for that.)
- Address-space cap (RLIMIT_AS = ``memory_mb``), set by the worker before it
  imports anything of the student's. Measured on the development machine
  (Python 3.11.7, numpy 2.4, OpenBLAS/OMP/MKL threads = 1): the worker with
  numpy starts at 100 MB (120 MB in "late" drop mode, which preloads more
  modules; at 100 MB that mode fails and is reported as status "memory");
  with the default 600 MB a 450 MB array still allocates, 500 MB does not.
- Clean, minimal environment; stdin is /dev/null; stdout/stderr are pipes
  that this side drains while waiting, so a printing worker never blocks.
- A fresh copy of the submission per worker start (symlinks leading out of
  the submission are dropped; ``max_submission_mb`` cap), so the original
  is never modified and every restart sees the same files.
- Privilege drop when running as root (``drop_privileges=True``): student code
  runs under a uid of this Worker's own, unused and without an account
  (SANDBOX_UIDS; "nobody" below stands for it: same rights as any other
  non-owner), so its processes - even ones that left the process group -
  are found and killed when the worker stops, and two grading runs on one
  machine never touch each other's workers. Two ways, chosen once by trying them:
  * "exec": the worker is started directly as nobody (Popen user/group,
    no supplementary groups). Used when nobody can run the interpreter,
    import numpy and read the grader package (the Gradescope case: system
    or /usr/local Python).
  * "late": the interpreter is not usable by nobody (e.g. a pyenv Python
    under a 0700 /root). The worker starts as root, pre-imports numpy and a
    list of common stdlib modules (worker.LATE_DROP_PRELOAD), then drops
    to nobody before the submission is on sys.path. Student code then
    cannot import stdlib modules outside that list.
  If the grader package itself is not readable by nobody, the packages
  named by ``probe_prefixes`` are copied into the sandbox area and that
  copy is put on PYTHONPATH; an unreadable shims dir is copied likewise. When not root (a student self-checking, CI),
  no drop happens: the worker runs as the calling user.
"""
from __future__ import annotations

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

from .codec import CodecError, encode
from .protocol import FrameReader, _HEADER

PROJECT_ROOT = Path(__file__).resolve().parents[2]   # the dir holding the grader package
NOBODY_UID = NOBODY_GID = 65534
# Each Worker runs its student code under a uid of its own, from this range (no
# account needed): then its stray processes can be found and killed without
# touching another grading run's workers on the same machine.
SANDBOX_UIDS = range(62000, 64000)
STATUSES = ("ok", "error", "timeout", "crashed", "memory")
_BUILTIN_PROBES = ("__ping__", "__banned_attempts__")
_SKIP_NAMES = {".git", "__pycache__", ".hg", ".svn"}
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
    next_id: int = 1
    hello: bytes = b""               # the token frame, sent ahead of the first request
    reader: FrameReader = field(default_factory=FrameReader)


class Worker:
    def __init__(self, root: Path, *, memory_mb: int = 600, shims: Path | None = None,
                 env: dict | None = None, drop_privileges: bool = True, output_cap_bytes: int = 64_000,
                 probe_prefixes: tuple[str, ...] = ("grader.probes.",), startup_timeout: float = 30.0,
                 max_submission_mb: int = 200):
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise SandboxSetupError(f"submission directory {self.root} does not exist")
        self.memory_mb = memory_mb
        self.shims = Path(shims).resolve() if shims else None
        self.env_overrides = dict(env or {})
        self.output_cap_bytes = output_cap_bytes
        self.probe_prefixes = tuple(probe_prefixes)
        self.startup_timeout = startup_timeout
        self._proc: _Process | None = None
        self._runs = 0
        self.area = Path(tempfile.mkdtemp(prefix="beras-sandbox-"))
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self.area), True)
        os.chmod(self.area, 0o711)  # others may traverse (to reach their run dir), not list
        self.drop_mode = self._choose_drop_mode(drop_privileges)
        self.uid = _unused_sandbox_uid() if self.drop_mode != "none" else os.getuid()
        self.pristine = self.area / "pristine"
        copy_submission(self.root, self.pristine, max_bytes=max_submission_mb * 1024 * 1024)
        self.pythonpath = self._project_path_for_worker()
        self.shims = self._shims_for_worker()

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

    # ------------------------------------------------------------ setup

    def _check_probe_name(self, probe: str) -> None:
        if not isinstance(probe, str):
            raise TypeError("probe must be a string like 'grader.probes.module:function'")
        if probe not in _BUILTIN_PROBES and not probe.startswith(self.probe_prefixes):
            raise ValueError(f"probe {probe!r} is not under the allowed prefixes {list(self.probe_prefixes)}")

    def _choose_drop_mode(self, drop_privileges: bool) -> str:
        if not drop_privileges or os.geteuid() != 0:
            return "none"
        return "exec" if _python_usable_by_nobody(str(PROJECT_ROOT)) else "late"

    def _project_path_for_worker(self) -> str:
        # Only the packages probes need go on the worker's path, as a copy: the
        # project root also holds the reference beras/, which a submission
        # lacking its own beras must not import (nor read by path).
        target = self.area / "project"
        for package in sorted({prefix.split(".", 1)[0] for prefix in self.probe_prefixes} | {"grader"}):
            shutil.copytree(PROJECT_ROOT / package, target / package,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        _make_world_readable(target)
        return str(target)

    def _shims_for_worker(self) -> Path | None:
        if self.shims is None or self.drop_mode == "none" or _readable_by_nobody(self.shims):
            return self.shims
        copy = self.area / "shims"  # e.g. shims under a 0700 temp dir: give nobody a readable copy
        shutil.copytree(self.shims, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        _make_world_readable(copy)
        return copy

    def _worker_env(self, home: Path) -> dict:
        env = {
            "PATH": os.pathsep.join([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]),
            "HOME": str(home), "TMPDIR": str(home), "LANG": "C.UTF-8",
            "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg",
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        }
        env.update(self.env_overrides)
        extra = self.env_overrides.get("PYTHONPATH")
        env["PYTHONPATH"] = self.pythonpath + (os.pathsep + extra if extra else "")
        return env

    def _prepare_run_dir(self) -> Path:
        self._runs += 1
        run_dir = self.area / f"run{self._runs}"
        shutil.copytree(self.pristine, run_dir / "submission", symlinks=False)
        (run_dir / "home").mkdir()
        if self.drop_mode != "none":
            _chown_tree(run_dir, self.uid, self.uid)
        return run_dir

    def _command(self, run_dir: Path, fd_in: int, fd_out: int) -> list[str]:
        cmd = [sys.executable, "-P", "-m", "grader.sandbox.worker", "--fd-in", str(fd_in),
               "--fd-out", str(fd_out), "--root", str(run_dir / "submission")]
        if self.shims:
            cmd += ["--shims", str(self.shims)]
        if self.memory_mb:
            cmd += ["--memory-mb", str(self.memory_mb)]
        for prefix in self.probe_prefixes:
            cmd += ["--probe-prefix", prefix]
        if self.drop_mode == "late":
            cmd += ["--drop-uid", str(self.uid), "--drop-gid", str(self.uid)]
        return cmd

    def _spawn(self) -> ProbeResult:
        run_dir = self._prepare_run_dir()
        req_read, req_write = os.pipe()
        rep_read, rep_write = os.pipe()
        user_kwargs = {}
        if self.drop_mode == "exec":
            user_kwargs = dict(user=self.uid, group=self.uid, extra_groups=[])
        try:
            popen = subprocess.Popen(
                self._command(run_dir, req_read, rep_write), pass_fds=(req_read, rep_write),
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                cwd=str(run_dir / "home"), env=self._worker_env(run_dir / "home"),
                start_new_session=True, **user_kwargs)
        except OSError as exc:
            for fd in (req_read, req_write, rep_read, rep_write):
                os.close(fd)
            return ProbeResult("crashed", detail=f"the worker process could not be started: {exc}")
        os.close(req_read)
        os.close(rep_write)
        token = secrets.token_hex(16)
        self._proc = _Process(popen, req_write, rep_read, popen.stdout.fileno(), popen.stderr.fileno(),
                              token, run_dir)
        for fd in (rep_read, self._proc.stdout_fd, self._proc.stderr_fd):
            os.set_blocking(fd, False)
        hello = encode({"token": token})
        self._proc.hello = _HEADER.pack(len(hello)) + hello
        return self._exchange({"probe": "__ping__", "args": {}}, self.startup_timeout)

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
        started = time.monotonic()
        outcome = self._pump(proc, outgoing, out, err, started + timeout)
        seconds = time.monotonic() - started
        result = self._judge_outcome(outcome, request, timeout, out, err)
        result.seconds = seconds
        result.stdout, result.stderr = out.text(), err.text()
        return result

    def _pump(self, proc: _Process, outgoing: bytes, out, err, deadline: float):
        """Write the request, drain output, read the reply. Returns (kind, data)."""
        poller = select.poll()
        streams = {proc.stdout_fd: out, proc.stderr_fd: err}
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
        exit_code = self._stop(graceful=False)
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

    def _stop(self, graceful: bool) -> int | None:
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        code = None
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
        for fd in (proc.request_fd, proc.reply_fd):
            _close_quietly(fd)
        for stream in (proc.popen.stdout, proc.popen.stderr):
            try:
                stream.close()
            except OSError:
                pass
        if self.drop_mode != "none":
            kill_strays(self.uid)
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


def _uids_with_processes() -> set:
    uids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                uids.add(os.stat(f"/proc/{entry}").st_uid)
            except FileNotFoundError:
                pass
    return uids


def _unused_sandbox_uid() -> int:
    """A uid from SANDBOX_UIDS with no account and no process (random: concurrent runs differ)."""
    import pwd
    import random
    busy = _uids_with_processes()
    candidates = [uid for uid in SANDBOX_UIDS if uid not in busy]
    random.SystemRandom().shuffle(candidates)
    for uid in candidates:
        try:
            pwd.getpwuid(uid)
        except KeyError:
            return uid
    raise SandboxSetupError(f"no free sandbox uid in {SANDBOX_UIDS}")


def kill_strays(uid: int) -> int:
    """Kill every process of `uid` (student code that left its process group with setsid).

    The uid is this Worker's own (SANDBOX_UIDS), so nothing else runs under it;
    returns how many processes were killed.
    """
    killed = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.stat(f"/proc/{entry}").st_uid == uid:
                os.kill(int(entry), signal.SIGKILL)
                killed += 1
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            pass
    return killed


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


def copy_submission(src: Path, dst: Path, *, max_bytes: int) -> None:
    """Copy src to dst, dropping symlinks that lead outside src; cap the size."""
    src = src.resolve()
    total = 0
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames[:] = [d for d in dirnames if d not in _SKIP_NAMES and _stays_inside(Path(dirpath, d), src)]
        rel = Path(dirpath).relative_to(src)
        (dst / rel).mkdir(parents=True, exist_ok=True)
        for name in filenames:
            path = Path(dirpath, name)
            if name.endswith(".pyc") or not _stays_inside(path, src) or not path.is_file():
                continue
            total += path.stat().st_size
            if total > max_bytes:
                raise SandboxSetupError(f"the submission is larger than {max_bytes // (1024 * 1024)} MB; "
                                        "remove data files and virtual environments from it")
            shutil.copyfile(path, dst / rel / name)


def _stays_inside(path: Path, root: Path) -> bool:
    if not path.is_symlink():
        return True
    try:
        path.resolve().relative_to(root)
        return not path.is_dir()  # a linked directory could loop; copy linked files only
    except (ValueError, OSError, RuntimeError):
        return False


def _chown_tree(root: Path, uid: int, gid: int) -> None:
    for dirpath, dirnames, filenames in os.walk(root):
        os.chown(dirpath, uid, gid)
        for name in filenames:
            os.chown(os.path.join(dirpath, name), uid, gid)


def _make_world_readable(root: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(root):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644)


def _readable_by_nobody(path: Path) -> bool:
    """Whether uid/gid 65534 (no supplementary groups) can read path, by mode bits."""
    path = path.resolve()
    for parent in reversed(path.parents):
        if not _other_can(parent, stat.S_IXOTH):
            return False
    return _other_can(path, stat.S_IROTH)


def _other_can(path: Path, bit: int) -> bool:
    try:
        st = path.stat()
    except OSError:
        return False
    return bool(st.st_mode & bit)


_PYTHON_CHECK_CACHE: dict[tuple[str, str], bool] = {}


def _python_usable_by_nobody(project_root: str) -> bool:
    """Try once: can nobody run this interpreter and import numpy?"""
    key = (sys.executable, project_root)
    if key not in _PYTHON_CHECK_CACHE:
        try:
            done = subprocess.run([sys.executable, "-P", "-c", "import numpy"], cwd="/",
                                  env={"PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1"},
                                  user=NOBODY_UID, group=NOBODY_GID, extra_groups=[],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, timeout=60)
            _PYTHON_CHECK_CACHE[key] = done.returncode == 0
        except (OSError, subprocess.SubprocessError):
            _PYTHON_CHECK_CACHE[key] = False
    return _PYTHON_CHECK_CACHE[key]

