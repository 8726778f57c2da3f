"""Banned libraries: a static scan of the submission and a run-time guard.

The homework forbids deep-learning libraries that would do the work for the
student: tensorflow, keras, torch (with torchvision/torchaudio) and
scikit-learn (import name ``sklearn``; ``scikit_learn`` too in case someone
writes that).

Static scan
    :func:`scan_file` / :func:`scan_tree` parse with :mod:`ast` (never
    import) and report :class:`Finding` objects. Kinds:

    - ``"banned"``: ``import x``, ``from x import y``,
      ``importlib.import_module("x...")`` or ``__import__("x...")`` with a
      literal banned name.
    - ``"allowed-shim"``: a ``from M import N`` that the allow-list permits
      for that file. The default allow-list lets ``preprocess.py`` keep the
      stencil's ``from tensorflow.keras import datasets`` (the grader
      provides a local stand-in for it).
    - ``"dynamic-import"``: ``import_module``/``__import__`` with a
      non-literal argument; a warning, not a violation.
    - ``"syntax"``: the file does not parse (reported, never raised).
    - ``"unreadable"``: not read at all - a symbolic link (never followed: a
      ``.py`` linked to /dev/zero or /etc/...), a fifo, a device, a file
      reached through a linked folder, or an I/O error.
    - ``"too-large"``: above grader.submission.MAX_SOURCE_BYTES; not read
      (parsing costs up to ~470x a file's size in memory).
    - ``"too-complex"``: nested too deeply to parse (RecursionError or
      MemoryError in the parser).

    The last three (``NOT_SCANNED``) mean "could not be scanned": the statement
    says why. Nothing a submission holds makes the scan raise or read without
    limits (grader/submission.py read_source and parse_python).

    Allow-list keys are paths relative to the scanned root (posix form); a
    key also matches the same file name deeper in the tree
    (``code/preprocess.py`` matches ``preprocess.py``) because GitHub
    submissions often nest the files one directory down.

The run-time guard is grader/sandbox/guard.py.
"""
from __future__ import annotations

import ast
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from grader.submission import parse_python, read_source

from grader.banned_libraries import is_banned

DEFAULT_ALLOWED: dict[str, frozenset[tuple[str, str]]] = {
    "preprocess.py": frozenset({("tensorflow.keras", "datasets"), ("tensorflow.keras.datasets", "mnist")}),
}

_SKIPPED_DIRS = {"__pycache__", ".git", ".hg", ".svn", "node_modules"}
NOT_SCANNED = frozenset({"unreadable", "too-large", "too-complex"})
_MAX_STATEMENT = 300   # characters of a statement shown in a finding


@dataclass(frozen=True)
class Finding:
    file: str        # path relative to the scanned root, posix form
    line: int
    col: int
    module: str      # module named in the statement ("" for syntax/dynamic)
    statement: str   # the source text of the statement (one line for calls); for the
                     # kinds that report a problem: what is wrong
    kind: str        # "banned" | "allowed-shim" | "dynamic-import" | "syntax"
                     # | "unreadable" | "too-large" | "too-complex" (see NOT_SCANNED)

    def to_dict(self) -> dict:
        return asdict(self)


# ------------------------------------------------------------ static scan

def scan_tree(root, files=None, allowed=None) -> list[Finding]:
    """Scan every .py file under root (or just ``files``, relative to root)."""
    root = Path(root)
    rels = sorted(_python_files(root)) if files is None else [Path(f).as_posix() for f in files]
    findings: list[Finding] = []
    for rel in rels:
        findings.extend(_scan(root, rel, allowed))
    return findings


def _python_files(root: Path):
    """Relative names of the .py entries under root; linked folders are not entered."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in _SKIPPED_DIRS and not d.startswith(".")]
        for name in filenames:
            if name.endswith(".py"):
                yield (Path(dirpath) / name).relative_to(root).as_posix()


def scan_file(path, root=None, allowed=None) -> list[Finding]:
    """Scan one file. ``root`` decides the relative name (default: its dir)."""
    path = Path(path)
    root = Path(root) if root is not None else path.parent
    try:
        rel = path.relative_to(root).as_posix()   # by name: a link is never resolved
    except ValueError:
        return [Finding(path.name, 0, 0, "", "is outside the scanned folder; it was not read", "unreadable")]
    return _scan(root, rel, allowed)


def _scan(root: Path, rel: str, allowed) -> list[Finding]:
    allowed_pairs = _allowed_for(rel, DEFAULT_ALLOWED if allowed is None else allowed)
    source_bytes, problem = read_source(root, rel)
    tree = None
    if problem is None:
        tree, problem = parse_python(source_bytes, rel)
    if problem is not None:
        return [Finding(rel, problem.line, problem.col, "", _short(problem.reason), problem.kind)]
    source = source_bytes.decode("utf-8", errors="replace")
    lines = source.splitlines()
    findings = []
    for node in ast.walk(tree):
        findings.extend(_findings_for_node(node, rel, source, lines, allowed_pairs))
    return sorted(findings, key=lambda f: (f.line, f.col))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_STATEMENT else text[:_MAX_STATEMENT - 3] + "..."


def _allowed_for(rel: str, allowed) -> frozenset:
    pairs = set()
    for key, value in allowed.items():
        if rel == key or rel.endswith("/" + key):
            pairs.update(value)
    return frozenset(pairs)


def _findings_for_node(node, rel, source, lines, allowed_pairs):
    if isinstance(node, ast.Import):
        for alias in node.names:
            if is_banned(alias.name):
                # (module, None) allows a plain "import module" (an edition's given, unused line)
                kind = "allowed-shim" if (alias.name, None) in allowed_pairs else "banned"
                yield _finding(rel, node, alias.name, source, kind)
    elif isinstance(node, ast.ImportFrom):
        yield from _from_import_findings(node, rel, source, allowed_pairs)
    elif isinstance(node, ast.Call) and _is_dynamic_import_call(node):
        yield from _dynamic_import_findings(node, rel, lines)


def _from_import_findings(node: ast.ImportFrom, rel, source, allowed_pairs):
    if node.level or not node.module:  # relative imports are the student's own files
        return
    if is_banned(node.module):
        names = {alias.name for alias in node.names}
        ok = all((node.module, name) in allowed_pairs for name in names)
        yield _finding(rel, node, node.module, source, "allowed-shim" if ok else "banned")
    else:
        # "from importlib import import_module" is fine; only banned modules matter here.
        return


def _is_dynamic_import_call(node: ast.Call) -> bool:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id in ("__import__", "import_module")
    if isinstance(func, ast.Attribute):
        return func.attr in ("import_module", "__import__")
    return False


def _dynamic_import_findings(node: ast.Call, rel, lines):
    statement = _line_text(lines, node.lineno)
    first = node.args[0] if node.args else None
    if first is None:
        for kw in node.keywords:
            if kw.arg == "name":
                first = kw.value
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        if is_banned(first.value):
            yield Finding(rel, node.lineno, node.col_offset, first.value, statement, "banned")
    else:
        yield Finding(rel, node.lineno, node.col_offset, "", statement, "dynamic-import")


def _finding(rel, node, module, source, kind) -> Finding:
    text = ast.get_source_segment(source, node) or ""
    return Finding(rel, node.lineno, node.col_offset, module, _short(text), kind)


def _line_text(lines, lineno) -> str:
    return _short(lines[lineno - 1].strip()) if 0 < lineno <= len(lines) else ""
