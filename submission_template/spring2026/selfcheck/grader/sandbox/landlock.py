"""A small ctypes binding to Landlock, the Linux security module any process may use on itself.

A process calls :func:`restrict` once; from then on it and every process it
starts can open only the paths it was given (read-only or read-write), cannot
bind or connect TCP sockets (ABI >= 4), and cannot signal processes or reach
abstract unix sockets outside its own sandbox (ABI >= 6). No privilege is
needed and nothing can lift it again. It works the same for root and for a
normal user, which is what lets a TA grade as themselves without exposing
their home directory.

Why our own binding and not the PyPI ``landlock`` package: that package
(1.0.0.dev5, alpha, one author) covers file-system rights only - no TCP
rules, no scopes - and its ``Ruleset.allow`` gives one set of rights to
every path, where a worker needs read-only and read-write parts. The
kernel interface is three system calls and two structs (documented in the
kernel's ``include/uapi/linux/landlock.h``), about as much code as wrapping
that package would be, with no dependency to keep in the Gradescope image.
"""
from __future__ import annotations

import ctypes
import errno
import os
import stat
from dataclasses import dataclass, field

# Same numbers on every architecture (asm-generic table, Linux >= 5.13).
_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1 << 0
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

# File-system rights (landlock.h, LANDLOCK_ACCESS_FS_*).
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15        # ABI 2, 3, 5
# Network rights (ABI 4) and scopes (ABI 6).
BIND_TCP, CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1

_FS_RIGHTS_ADDED = {1: (1 << 13) - 1, 2: REFER, 3: TRUNCATE, 5: IOCTL_DEV}
_FILE_ONLY_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
READ_ONLY = EXECUTE | READ_FILE | READ_DIR
READ_WRITE_FILE = READ_FILE | WRITE_FILE | TRUNCATE     # for device files such as /dev/null


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64),
                ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1   # the kernel struct is packed: 12 bytes
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class LandlockError(OSError):
    """The kernel refused a Landlock call the kernel said it supports."""


@dataclass
class Applied:
    """What :func:`restrict` put in force."""
    abi: int
    filesystem: bool = False
    tcp: bool = False
    scopes: bool = False
    missing_paths: list = field(default_factory=list)   # asked for but absent: nothing to allow

    def to_dict(self) -> dict:
        return {"abi": self.abi, "filesystem": self.filesystem, "tcp": self.tcp, "scopes": self.scopes}


_libc = None


def _syscall(number, *args) -> int:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc.syscall.restype = ctypes.c_long
    result = _libc.syscall(ctypes.c_long(number), *args)
    if result < 0:
        code = ctypes.get_errno()
        raise LandlockError(code, os.strerror(code))
    return result


def abi_version() -> int:
    """The kernel's Landlock ABI version; 0 when Landlock is missing, disabled or blocked (seccomp)."""
    try:
        return _syscall(_SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
    except (LandlockError, OSError, AttributeError):
        return 0


def fs_rights(abi: int) -> int:
    return sum(bits for version, bits in _FS_RIGHTS_ADDED.items() if abi >= version)


def restrict(read_only=(), read_write=(), read_write_files=()) -> Applied:
    """Confine this process (and its future children) for good.

    ``read_only``: paths (files or directories, whole trees) that may be read
    and executed; ``read_write``: trees where anything but executing may be done;
    ``read_write_files``: single files (devices) that may be read and written.
    Everything else is denied, TCP bind/connect too where the kernel can.
    Returns what was put in force; raises LandlockError when the kernel
    supports Landlock but refused (then nothing was applied).
    """
    abi = abi_version()
    applied = Applied(abi)
    if abi < 1:
        return applied
    handled_fs = fs_rights(abi)
    attr = _RulesetAttr(handled_access_fs=handled_fs,
                        handled_access_net=(BIND_TCP | CONNECT_TCP) if abi >= 4 else 0,
                        scoped=(SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL) if abi >= 6 else 0)
    ruleset = _syscall(_SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr)),
                       ctypes.c_uint32(0))
    try:
        # Writable trees get every right but EXECUTE: nothing the worker writes (or the submission
        # brought) can be started as a program.
        writable = handled_fs & ~EXECUTE
        for paths, rights in ((read_only, READ_ONLY), (read_write, writable), (read_write_files, READ_WRITE_FILE)):
            for path in paths:
                if not _allow(ruleset, path, rights & handled_fs):
                    applied.missing_paths.append(str(path))
        _no_new_privileges()
        _syscall(_SYS_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0))
    finally:
        os.close(ruleset)
    applied.filesystem, applied.tcp, applied.scopes = True, abi >= 4, abi >= 6
    return applied


def _allow(ruleset: int, path, rights: int) -> bool:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError as error:
        if error.errno in (errno.ENOENT, errno.ENOTDIR, errno.EACCES, errno.ELOOP):
            return False
        raise
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            rights &= _FILE_ONLY_RIGHTS   # the kernel refuses directory rights on a file
        rule = _PathBeneathAttr(allowed_access=rights, parent_fd=fd)
        _syscall(_SYS_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(_RULE_PATH_BENEATH), ctypes.byref(rule),
                 ctypes.c_uint32(0))
    finally:
        os.close(fd)
    return True


def _no_new_privileges() -> None:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    if _libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        code = ctypes.get_errno()
        raise LandlockError(code, f"prctl(PR_SET_NO_NEW_PRIVS): {os.strerror(code)}")
