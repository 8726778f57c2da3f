"""Finding a submission's root, reading its files safely, and laying out the reference as a submission.

A submission is untrusted input to the trusted process. A zip or a repository can
hold symbolic links (to /dev/zero, to /etc, to a file elsewhere on the machine),
named pipes, device files, files of any size, and Python source that parses only
with gigabytes of memory. So everything here:

* never follows a symbolic link inside the submission (``os.lstat``, ``O_NOFOLLOW``,
  ``follow_symlinks=False``), and reads regular files only - never a fifo or a
  device (``O_NONBLOCK``: not even the open can hang);
* reads a source file only up to ``MAX_SOURCE_BYTES`` and parses only what fits:
  the parser needs up to ~470 bytes of memory per byte of source (measured with
  CPython 3.11: 1 MB of ``0,0,0,...`` takes 472 MB, a 10 MB list literal of saved
  weights 1.6 GB; Gradescope gives 768 MB to everything), and a RecursionError or
  MemoryError while parsing is an answer, not a crash;
* returns what cannot be read or parsed as data (:class:`SourceProblem`), never raises.
"""
from __future__ import annotations

import ast
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

PROJECT_ROOT = Path(__file__).resolve().parents[1]
IGNORED_DIRS = {"__MACOSX", ".git", "__pycache__", "node_modules", ".venv", "venv"}
MAX_DEPTH = 4
MAX_FOLDERS_PER_LEVEL = 2000      # find_root looks at no more folders than this per level
MAX_SOURCE_BYTES = 256 * 1024     # the largest .py the trusted process reads or parses (ours are < 20 KB)
MAX_CANDIDATES = 200              # root-level .py files examined for a renamed assignment.py
MAX_STAGED_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class SourceProblem:
    """Why a submission file was not read or not parsed; meant to be shown to the student."""
    kind: str           # "unreadable" | "too-large" | "syntax" | "too-complex"
    reason: str         # e.g. "is a symbolic link (to /dev/zero); links are not followed"
    line: int = 0
    col: int = 0


class SubmissionTooLarge(ValueError):
    """Staging a copy of the submission would take more than MAX_STAGED_BYTES."""


# ------------------------------------------------------------------ reading untrusted files

def _kind_of(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    for test, words in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"),
                        (stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device file"),
                        (stat.S_ISBLK, "a device file"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return words
    return "not a regular file"


def _size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _link_text(path: Path) -> str:
    try:
        target = os.readlink(path)
    except OSError:
        return "a symbolic link"
    return f"a symbolic link (to {target[:120]})"


def _reached_without_links(root: Path, rel: str) -> str | None:
    """None when root/rel lies inside root through real folders only; else why not."""
    parts = PurePosixPath(rel).parts
    if not parts or PurePosixPath(rel).is_absolute() or ".." in parts:
        return "is outside the submission; it was not read"
    folder = root
    for part in parts[:-1]:
        folder = folder / part
        try:
            mode = os.lstat(folder).st_mode
        except OSError as error:
            return f"cannot be reached ({error.strerror})"
        if stat.S_ISLNK(mode):
            return f"is inside {_link_text(folder)}; links are not followed, so it was not read"
        if not stat.S_ISDIR(mode):
            return "cannot be reached (a part of its path is not a folder)"
    return None


def read_source(root, rel, max_bytes: int = MAX_SOURCE_BYTES) -> tuple[bytes | None, SourceProblem | None]:
    """(the bytes of root/rel, None), or (None, why not): regular files inside root only, at most max_bytes."""
    root, rel = Path(root), PurePosixPath(Path(rel).as_posix()).as_posix()
    problem = _reached_without_links(root, rel)
    if problem:
        return None, SourceProblem("unreadable", problem)
    path = root / rel
    try:
        info = os.lstat(path)
    except OSError as error:
        return None, SourceProblem("unreadable", f"cannot be read ({error.strerror})")
    what = _link_text(path) if stat.S_ISLNK(info.st_mode) else _kind_of(info.st_mode)
    if what:
        return None, SourceProblem("unreadable", f"is {what}, not a regular file; it was not read")
    if info.st_size > max_bytes:
        return None, _too_large(info.st_size, max_bytes)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        return None, SourceProblem("unreadable", f"cannot be read ({error.strerror})")
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
            return None, SourceProblem("unreadable", "changed while it was being read; it was not read")
        data = read_at_most(fd, max_bytes + 1)
    except OSError as error:
        return None, SourceProblem("unreadable", f"cannot be read ({error.strerror})")
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        return None, _too_large(len(data), max_bytes)
    return data, None


def _too_large(size: int, limit: int) -> SourceProblem:
    return SourceProblem("too-large", f"is {_size_text(size)}; the grader reads Python files up to "
                                      f"{_size_text(limit)}, so it was not checked (keep data such as "
                                      "saved weights out of .py files: use .npy/.npz)")


def read_at_most(fd: int, limit: int) -> bytes:
    """At most ``limit`` bytes from an open file, read in 1 MB pieces."""
    chunks, total = [], 0
    while total < limit:
        chunk = os.read(fd, min(1 << 20, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def parse_python(data: bytes, filename: str) -> tuple[ast.Module | None, SourceProblem | None]:
    """(the AST, None), or (None, why not): a syntax error, or code nested too deeply to parse."""
    try:
        return ast.parse(data, filename=filename), None
    except SyntaxError as error:
        return None, SourceProblem("syntax", _syntax_text(error), error.lineno or 0, max((error.offset or 1) - 1, 0))
    except (RecursionError, MemoryError) as error:
        return None, SourceProblem("too-complex", f"is nested too deeply to be parsed ({type(error).__name__}); "
                                                  "it could not be scanned")
    except Exception as error:  # e.g. ValueError for null bytes on older Pythons
        return None, SourceProblem("syntax", f"{type(error).__name__}: {str(error)[:200]}")


def _syntax_text(error: SyntaxError) -> str:
    text = (error.text or "").strip()[:200]
    return f"{type(error).__name__}: {error.msg}" + (f": {text}" if text else "")


# ------------------------------------------------------------------ the submission's layout

def _entries(folder: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as it:
            return list(it)
    except OSError:
        return []


def _is_real_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def find_root(submission):
    """The shallowest folder under `submission` that holds a real beras/ folder (None when there is none).

    Symbolic links to folders are not followed (the workers' copy of the submission drops
    them too), so a linked beras/ does not count."""
    submission = Path(submission)
    frontier = [submission]
    for _ in range(MAX_DEPTH + 1):
        for folder in frontier:
            if _is_real_dir(folder / "beras"):
                return folder
        frontier = sorted(child for folder in frontier for child in _subfolders(folder))[:MAX_FOLDERS_PER_LEVEL]
    return None


def _subfolders(folder: Path) -> list[Path]:
    return [Path(e.path) for e in _entries(folder)
            if e.is_dir(follow_symlinks=False) and e.name not in IGNORED_DIRS and not e.name.startswith(".")]


def has_final_marker(root, marker):
    """FINAL.txt, final.txt, Final.TXT...: any case; a regular file (a link does not count)."""
    return any(e.name.lower() == marker and e.is_file(follow_symlinks=False) for e in _entries(Path(root)))


# ------------------------------------------------------------------ the reference, laid out as a submission

# What each edition's reference is made of: (source, destination inside the submission), both
# relative to the project root; a source is a folder (every file under it) or one file. No two
# sources may give the same file. `python -m assign` cuts each edition's stencil from these same
# files (assign/editions.py reads this table). Files that are the same in every edition are
# written once: reference/common/ (preprocess.py, the local MNIST stand-ins _local/ and
# tensorflow/, test_runner.py, tests/test_data.py), and fall2025 takes the one-hot encoder and
# the accuracy metric from spring2026's beras/ (the same code in both APIs).
def reference_sources(edition):
    """The edition's REFERENCE_SOURCES (grader/editions/): ((source, destination), ...)."""
    from grader.editions import load_edition   # here: the editions import this module
    return load_edition(edition).REFERENCE_SOURCES


REFERENCE_SKIP_DIRS = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints"}
REFERENCE_SKIP_SUFFIXES = {".pyc", ".pyo"}
# Downloaded for local runs (python -m _local.fetch_mnist), never part of the homework.
REFERENCE_LOCAL_ONLY = {"data/mnist"}


class ReferenceLayoutError(RuntimeError):
    """An edition's reference sources are missing or overlap."""


def _source_entries(base: Path):
    """(path, path relative to base) of every file a reference source contributes, sorted."""
    if base.is_file():
        return [(base, Path(base.name))]
    found = []
    for dirpath, dirnames, filenames in os.walk(base):
        here = Path(dirpath).relative_to(base)
        dirnames[:] = sorted(d for d in dirnames
                             if d not in REFERENCE_SKIP_DIRS and (here / d).as_posix() not in REFERENCE_LOCAL_ONLY)
        found += [(Path(dirpath) / name, here / name) for name in sorted(filenames)
                  if Path(name).suffix not in REFERENCE_SKIP_SUFFIXES]
    return found


def reference_files(sources, root=PROJECT_ROOT, name="the edition"):
    """[(absolute source path, posix path inside the submission)] of these sources, sorted by the latter.

    A file source's destination is the file's own path in the submission."""
    files = {}
    for src, dest in sources:
        base = Path(root) / src
        if not base.exists():
            raise ReferenceLayoutError(f"{name}: reference source {base} does not exist")
        for path, rel in _source_entries(base):
            key = (Path(dest) if base.is_file() else Path(dest) / rel).as_posix().removeprefix("./")
            if key in files:
                raise ReferenceLayoutError(f"{name}: {key} comes from both {files[key]} and {path}")
            files[key] = path
    return sorted((path, key) for key, path in files.items())


def build_reference_submission(dest, edition="spring2026"):
    """The reference library and the edition's reference files, laid out as a student submits them
    (the edition's REFERENCE_SOURCES; the solution markers stay, they are comments)."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for path, key in reference_files(reference_sources(edition), PROJECT_ROOT, edition):
        target = dest / key
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    return dest


def _defines_function(root: Path, name: str, function: str) -> bool:
    data, problem = read_source(root, name)
    if problem:
        return False
    tree, problem = parse_python(data, name)
    return tree is not None and any(isinstance(node, ast.FunctionDef) and node.name == function
                                    for node in tree.body)


def renamed_assignment(root):
    """When assignment.py is missing: the one root-level .py that defines get_model(), if any.

    Only regular files count: a symbolic link (``model_def.py -> /anywhere/assignment.py``)
    is never followed."""
    root = Path(root)
    if os.path.lexists(root / "assignment.py"):
        return None
    names = sorted(e.name for e in _entries(root) if e.name.endswith(".py") and e.is_file(follow_symlinks=False))
    candidates = [name for name in names[:MAX_CANDIDATES] if _defines_function(root, name, "get_model")]
    return root / candidates[0] if len(candidates) == 1 else None


def stage_with_assignment(root, renamed, staging):
    """A copy of the submission in which the renamed file is also available as assignment.py.

    Regular files are copied and symbolic links copied as links (never followed: the
    workers' copy decides what they may reach); fifos, devices and sockets are left out.
    SubmissionTooLarge when the copy would exceed MAX_STAGED_BYTES."""
    root = Path(root)
    staged = Path(staging) / root.name
    _copy_without_following(root, staged)
    data, problem = read_source(root, Path(renamed).name)
    if problem:  # renamed_assignment read it a moment ago; it cannot have become unreadable
        raise SubmissionTooLarge(f"{Path(renamed).name} {problem.reason}")
    (staged / "assignment.py").write_bytes(data)
    return staged


def _copy_without_following(src: Path, dst: Path) -> None:
    total = 0
    for dirpath, dirnames, filenames in os.walk(src):          # never descends into linked folders
        dirnames[:] = [d for d in dirnames if d not in ("__pycache__", ".git")]
        here = Path(dirpath)
        target = dst / here.relative_to(src)
        target.mkdir(parents=True, exist_ok=True)
        for name in filenames + [d for d in dirnames if os.path.islink(here / d)]:
            source = here / name
            try:
                info = os.lstat(source)
            except OSError:
                continue
            if stat.S_ISLNK(info.st_mode):
                os.symlink(os.readlink(source), target / name)
            elif stat.S_ISREG(info.st_mode):
                total += info.st_size
                if total > MAX_STAGED_BYTES:
                    raise SubmissionTooLarge(f"the submission is larger than {_size_text(MAX_STAGED_BYTES)}; "
                                             "remove data files and virtual environments from it")
                shutil.copy2(source, target / name, follow_symlinks=False)
