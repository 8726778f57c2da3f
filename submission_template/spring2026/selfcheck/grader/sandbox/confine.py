"""What a worker may see and do, and the kernel mechanisms that enforce it (detected, used, reported).

Layers, strongest first; each is used where the kernel (and the grader's
privileges) allow, and :class:`Protections` says which were in force:

1. Landlock (any user, Linux >= 5.13; see landlock.py), applied by the
   worker to itself before any student code is importable: the file system
   shrinks to the worker's own area (read-write: its run folder; read-only:
   its copies of the grader, the shims and its MNIST files) plus the
   interpreter's standard library, site-packages (minus banned libraries)
   and system libraries, read-only. ABI >= 4: no TCP bind/connect. ABI >= 6:
   no signals or abstract unix sockets outside the worker's own processes.
2. Namespaces through bubblewrap (``bwrap``), when it is installed and the
   kernel lets it work (as root; as a normal user when unprivileged user
   namespaces are allowed): a pid namespace (the worker's processes see only
   each other; all die with it), a network namespace (no network at all, UDP
   included), ipc and uts, and a mount namespace holding only the interpreter,
   system libraries and the worker's area, read-only except the run folder.
3. As root: student code runs under a uid of the Worker's own (SANDBOX_UIDS,
   no account), so file permissions apply and every process of that uid can
   be killed at the end (:func:`kill_uid`, from a helper running as that uid:
   ``kill(-1, SIGKILL)``, repeated until none is left) and its files removed
   from the shared temp folders (:func:`remove_files_of_uid`).
4. Resource limits set by the worker: address space, processes, file size,
   no core dumps.

Why bubblewrap rather than our own unshare/mount code: it is the maintained,
audited tool for exactly this (Flatpak's sandbox), a 130 kB Debian/Ubuntu
package with no daemon; it does the fiddly parts right (pid 1 that reaps and
dies with its parent, mount propagation, /proc and /dev for the new
namespaces, user namespaces for non-root). Landlock stays our own (see
landlock.py) because bubblewrap does not do it and it is the layer that works
everywhere, Gradescope's containers included where namespaces are refused.
"""
from __future__ import annotations

import fcntl
import os
import pwd
import random
import shutil
import signal
import stat
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import asdict, dataclass, field

from grader.banned_libraries import is_banned

# Each Worker runs its student code under a uid of its own, from this range (no
# account needed): then its stray processes can be found and killed without
# touching another grading run's workers on the same machine.
SANDBOX_UIDS = range(62000, 64000)
SHARED_TEMP_DIRS = ("/tmp", "/var/tmp", "/dev/shm")
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
_SITE_DIR_NAMES = ("site-packages", "dist-packages")
BWRAP_NAMESPACES = ("pid", "net", "ipc", "uts")


@dataclass
class Protections:
    """Which walls were in force around a worker's student code; JSON-ready via to_dict()."""
    uid_drop: bool = False               # student code under a uid of its own (grader is root)
    uid: int | None = None
    landlock_abi: int = 0                # the kernel's Landlock ABI (0: none, or blocked)
    landlock_filesystem: bool = False    # only the worker's area + interpreter, read-only outside its run folder
    landlock_tcp: bool = False           # TCP bind/connect refused
    landlock_scopes: bool = False        # signals and abstract unix sockets stay inside the sandbox
    namespaces: list = field(default_factory=list)   # e.g. ["pid", "net", "ipc", "uts", "mount"] (bubblewrap)
    network: str = "open"                # "none" (own network namespace), "no-tcp" (Landlock), "open"
    filesystem: str = "open"             # "allow-list" (Landlock and/or mount namespace), "permissions" (uid), "open"
    survivors: list = field(default_factory=list)    # how stray processes are ended
    limits: dict = field(default_factory=dict)
    banned_import_guard: str = "audit-hook"
    missing: list = field(default_factory=list)      # each protection not in force, and why

    def to_dict(self) -> dict:
        # Without the uid: it is drawn at random per Worker, and results must not vary run to run.
        data = asdict(self)
        del data["uid"]
        return data

    def summary(self) -> str:
        parts = [f"filesystem: {self.filesystem}", f"network: {self.network}"]
        if self.landlock_abi:
            parts.append(f"Landlock ABI {self.landlock_abi}")
        if self.namespaces:
            parts.append("namespaces: " + ",".join(self.namespaces))
        parts.append("uid: own" if self.uid_drop else "uid: the grader's")
        return "; ".join(parts)


# ------------------------------------------------------------------ what the interpreter needs

def interpreter_paths(exclude=()) -> list[str]:
    """Read-only paths a worker's interpreter needs after start-up: stdlib, site-packages
    entries except banned libraries, and the system libraries extension modules load.

    Called inside the worker (its sys.path is the interpreter's own); paths under
    ``exclude`` (the worker's staged area) are left out.
    """
    exclude = tuple(os.path.realpath(e) for e in exclude)
    stdlib = os.path.realpath(sysconfig.get_paths()["stdlib"])
    paths: list[str] = []
    for entry in sys.path:
        real = os.path.realpath(entry) if entry else ""
        if not real or not os.path.exists(real) or _under(real, exclude):
            continue
        if real == stdlib or os.path.basename(real) in _SITE_DIR_NAMES:
            paths += _entries_without_banned(real)
        else:
            paths.append(real)
    paths += _library_dirs()
    paths += [p for p in ("/etc/ld.so.cache",) if os.path.exists(p)]
    return sorted(set(paths))


def _entries_without_banned(folder: str) -> list[str]:
    # Landlock allows whole trees: listing a folder's entries one by one is how a
    # banned library installed there (torch in site-packages) stays unreadable.
    out = []
    for name in os.listdir(folder):
        if name in _SITE_DIR_NAMES or name == "__pycache__":
            continue   # a site dir inside the stdlib is its own sys.path entry (or not used)
        stem = name.split(".", 1)[0].split("-", 1)[0]
        if not is_banned(stem):
            out.append(os.path.join(folder, name))
    return out


def _library_dirs() -> list[str]:
    multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    candidates = [sysconfig.get_config_var("LIBDIR") or "", "/lib64", "/usr/lib64"]
    if multiarch:
        candidates += [f"/lib/{multiarch}", f"/usr/lib/{multiarch}"]
    libdir = sysconfig.get_config_var("LIBDIR") or ""
    out = []
    for path in candidates:
        if not path or not os.path.isdir(path):
            continue
        if path == libdir:   # e.g. /usr/lib or <prefix>/lib: only libpython, not the python3.x folder in it
            out += [os.path.join(path, n) for n in os.listdir(path) if n.startswith("libpython")]
        else:
            out.append(os.path.realpath(path))
    return out + _mapped_libraries()


def _mapped_libraries() -> list[str]:
    """The shared libraries this process has loaded (files, not their folders: a folder such as
    <prefix>/lib also holds the base interpreter's site-packages)."""
    found = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split(None, 5)[-1].strip() if line.count(" ") >= 5 else ""
                if path.startswith("/") and ".so" in os.path.basename(path):
                    found.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(found)


def _under(path: str, roots) -> bool:
    return any(path == root or path.startswith(root + os.sep) for root in roots)


# ------------------------------------------------------------------ bubblewrap

_BWRAP_CHECK: dict = {}


def bwrap_status() -> tuple[str | None, str]:
    """(path to a working bwrap or None, why not). Tried once per process: the kernel or a
    container's seccomp profile may refuse namespaces even where bwrap is installed."""
    key = os.geteuid()
    if key not in _BWRAP_CHECK:
        _BWRAP_CHECK[key] = _try_bwrap()
    return _BWRAP_CHECK[key]


def _try_bwrap():
    path = shutil.which("bwrap") or next((p for p in ("/usr/bin/bwrap", "/usr/local/bin/bwrap")
                                          if os.access(p, os.X_OK)), None)
    if path is None:
        return None, "bubblewrap (bwrap) is not installed: no pid, network or mount namespace"
    true = shutil.which("true") or "/bin/true"
    command = [path, *_namespace_flags(), "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev",
               "--die-with-parent", "--", true]
    try:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=20)
    except (OSError, subprocess.SubprocessError) as error:
        return None, f"bubblewrap could not run ({error}): no pid, network or mount namespace"
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        return None, f"bubblewrap cannot create namespaces here ({said[0][:200]}): no pid, network or mount namespace"
    return path, ""


def _namespace_flags() -> list[str]:
    flags = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    if os.geteuid() != 0:
        flags.insert(0, "--unshare-user")   # a normal user needs a user namespace for the others
    return flags


def bwrap_command(bwrap: str, *, read_only, read_write, home: str, info_fd: int) -> list[str]:
    """The bwrap prefix for a worker: new namespaces and a root holding only what it needs."""
    command = [bwrap, *_namespace_flags(), "--die-with-parent", "--new-session", "--info-fd", str(info_fd),
               "--dev", "/dev", "--proc", "/proc"]
    links = [link for link in ("/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32") if os.path.islink(link)]
    for link in links:   # merged /usr: keep the links so ld.so and #! paths resolve
        command += ["--symlink", os.readlink(link), link]
    system = _system_mounts() + _interpreter_mounts()
    targets = system + [str(p) for p in read_only] + [str(p) for p in read_write]
    # bwrap makes missing parent folders 0700, which a dropped uid cannot cross: make them 0755.
    for folder in _parent_folders(targets, skip=set(targets) | set(links)):
        command += ["--dir", folder]
    for path in system:
        command += ["--ro-bind-try", path, path]
    for path in read_only:
        command += ["--ro-bind", str(path), str(path)]
    for path in read_write:
        command += ["--bind", str(path), str(path)]
    command += ["--chdir", home, "--"]
    return command


def _parent_folders(targets, skip) -> list[str]:
    parents = set()
    for target in targets:
        parent = os.path.dirname(target)
        while parent not in ("/", ""):
            parents.add(parent)
            parent = os.path.dirname(parent)
    return sorted((p for p in parents if p not in skip), key=lambda p: (p.count(os.sep), p))


def _system_mounts() -> list[str]:
    mounts = ["/usr/lib", "/usr/lib64", "/usr/bin", "/etc/ld.so.cache"]
    mounts += [p for p in ("/bin", "/lib", "/lib64") if not os.path.islink(p)]
    return mounts


def _interpreter_mounts() -> list[str]:
    """The interpreter's install, the venv, and whatever sys.path holds outside them (not the project)."""
    exe = os.path.realpath(sys.executable)
    roots = {sys.base_prefix, sys.prefix, os.path.dirname(exe),
             os.path.dirname(os.path.dirname(exe))}
    for entry in sys.path:
        real = os.path.realpath(entry) if entry else ""
        if real and os.path.basename(real) in _SITE_DIR_NAMES:
            roots.add(real)
    roots = sorted(os.path.realpath(r) for r in roots if r and r != "/")
    # Drop paths already inside another one (bwrap would mount them twice).
    return [r for r in roots if not any(r != other and r.startswith(other + os.sep) for other in roots)]


def exit_code_from_bwrap(code: int | None) -> int | None:
    """bwrap reports a worker killed by signal N as exit code 128 + N; give it back as -N (like Popen)."""
    if code is not None and 128 < code < 128 + 65:
        return -(code - 128)
    return code


# ------------------------------------------------------------------ sandbox uids

def unused_sandbox_uid() -> int:
    """A uid from SANDBOX_UIDS with no account and no process (random: concurrent runs differ).

    Only a guess for a short-lived use (tests): a Worker reserves its uid with
    :func:`reserve_sandbox_uid`, so that two grading runs never share one.
    """
    busy = set(uids_with_processes().values())
    candidates = [uid for uid in SANDBOX_UIDS if uid not in busy]
    random.SystemRandom().shuffle(candidates)
    for uid in candidates:
        try:
            pwd.getpwuid(uid)
        except KeyError:
            return uid
    raise RuntimeError(f"no free sandbox uid in {SANDBOX_UIDS}")


def reserve_sandbox_uid() -> tuple[int, int]:
    """(uid, lock fd): a sandbox uid no other Worker on this machine holds, until the fd is closed.

    A uid merely without processes can be picked by two grading runs at once (both
    workers not started yet), and then one run's clean-up would kill the other's
    worker. Each Worker therefore holds an exclusive flock on a file named after
    its uid, in a root-only folder; the kernel drops it when the holder exits, so
    a crashed run frees its uid.
    """
    folder = _lock_folder()
    for _ in range(50):
        uid = unused_sandbox_uid()
        fd = os.open(os.path.join(folder, str(uid)), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        if uid in uids_with_processes().values():   # taken by a run that has released it since
            os.close(fd)
            continue
        return uid, fd
    raise RuntimeError(f"no free sandbox uid in {SANDBOX_UIDS}")


def _lock_folder() -> str:
    for folder in ("/run/beras-sandbox-uids", os.path.join(tempfile.gettempdir(), "beras-sandbox-uids")):
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
            st = os.lstat(folder)
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode) and st.st_uid == 0 and not st.st_mode & 0o077:
            return folder   # root's own: nobody else can plant or hold these locks
    raise RuntimeError("no root-only folder for the sandbox uid locks (/run or the temp folder)")


def uids_with_processes(include_zombies=False):
    """{pid: uid} of every process (zombies left out unless asked: they run nothing)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            uid = os.stat(f"/proc/{entry}").st_uid
            if not include_zombies and _is_zombie(entry):
                continue
        except (FileNotFoundError, ProcessLookupError):
            continue
        found[int(entry)] = uid
    return found


def is_running(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie."""
    return not _is_zombie(str(pid))


def _is_zombie(pid: str) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X")
    except (OSError, IndexError):
        return True   # gone


def processes_of(uid: int) -> list[int]:
    return [pid for pid, owner in uids_with_processes().items() if owner == uid]


def kill_uid(uid: int, deadline_s: float = 10.0) -> int:
    """Kill every process of `uid` until none is left; returns how many rounds it took.

    A helper process becomes `uid` and calls kill(-1, SIGKILL): the kernel then
    signals every process of that uid in one pass, so a process that forks and
    exits fast cannot hop out of the way (it is either signalled or not yet
    born, and a process with a pending SIGKILL cannot fork). Repeated until
    /proc shows no live process of the uid. Root only; `uid` must be a sandbox uid.
    """
    if uid not in SANDBOX_UIDS:
        raise ValueError(f"refusing to kill uid {uid}: not a sandbox uid")
    rounds = 0
    stop_at = time.monotonic() + deadline_s
    while processes_of(uid):
        rounds += 1
        _kill_all_as(uid)
        if time.monotonic() > stop_at:
            break
        time.sleep(0.005 * min(rounds, 20))
    return rounds


def _kill_all_as(uid: int) -> None:
    pid = os.fork()
    if pid == 0:   # the helper: nothing here may raise into the grader's code
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            os.kill(-1, signal.SIGKILL)
        except BaseException:
            pass
        os._exit(0)
    os.waitpid(pid, 0)


def remove_files_of_uid(uid: int, folders=SHARED_TEMP_DIRS) -> list[str]:
    """Remove what `uid` left in the world-writable temp folders (one level into sticky subfolders)."""
    removed = []
    for folder in folders:
        removed += _remove_owned(folder, uid, depth=2)
    return removed


def _remove_owned(folder: str, uid: int, depth: int) -> list[str]:
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if st.st_uid == uid:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)   # rmtree never follows symlinks
            else:
                try:
                    os.unlink(entry.path)
                except OSError:
                    continue
            removed.append(entry.path)
        elif depth > 1 and entry.is_dir(follow_symlinks=False) and st.st_mode & 0o002:
            removed += _remove_owned(entry.path, uid, depth - 1)   # another world-writable folder
    return removed


# ------------------------------------------------------------------ the report

def describe(*, uid_drop: bool, uid: int | None, worker_report: dict | None, namespaces: list,
             namespace_problem: str, limits: dict) -> Protections:
    """Protections from what the supervisor set up and what the worker says it applied (before any
    student code ran)."""
    landlock = (worker_report or {}).get("landlock") or {}
    p = Protections(uid_drop=uid_drop, uid=uid, landlock_abi=int(landlock.get("abi") or 0),
                    landlock_filesystem=bool(landlock.get("filesystem")),
                    landlock_tcp=bool(landlock.get("tcp")), landlock_scopes=bool(landlock.get("scopes")),
                    namespaces=list(namespaces), limits=dict(limits))
    if worker_report is None:
        p.missing.append("the worker did not report what it applied")
    elif landlock.get("problem"):
        p.missing.append(f"Landlock: {landlock['problem']}")
    elif not p.landlock_abi:
        p.missing.append("Landlock is not available in this kernel (or is blocked): no file-system allow-list "
                         "from Landlock")
    elif not p.landlock_tcp:
        p.missing.append(f"Landlock ABI {p.landlock_abi} < 4: TCP is not restricted by Landlock")
    if namespace_problem:
        p.missing.append(namespace_problem)
    if not uid_drop:
        p.missing.append("the grader is not root: student code runs under the grader's own uid")
    p.network = "none" if "net" in namespaces else ("no-tcp" if p.landlock_tcp else "open")
    if p.network != "none":
        p.missing.append("no network namespace: " + ("UDP and other protocols stay open" if p.network == "no-tcp"
                                                     else "the worker has the machine's network"))
    if p.landlock_filesystem or "mount" in namespaces:
        p.filesystem = "allow-list"
    else:
        p.filesystem = "permissions" if uid_drop else "open"
    if "pid" in namespaces:
        p.survivors.append("pid-namespace")
    if uid_drop:
        p.survivors.append("kill-by-uid")
    p.survivors.append("process-group")
    if p.survivors == ["process-group"]:
        p.missing.append("no pid namespace and no uid of its own: a student process that leaves its process "
                         "group (setsid) can outlive the worker")
    return p
