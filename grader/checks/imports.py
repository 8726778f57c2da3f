"""Which of a submission's own files import which: a static import graph (never imported).

Used to attribute a banned import to the tests whose code can reach it: a test
exercising beras/layers.py also runs whatever layers.py imports from the
submission, and a scratch file nothing imports is never run by the grader.
Package ``__init__.py`` files only re-export, so their edges are not followed:
importing beras does not make a Tensor test run the code of beras/layers.py.

The files are untrusted: only regular files (never symlinks) up to MAX_BYTES are
read, and a file that cannot be parsed simply has no edges.
"""
import ast
import os
import stat
from pathlib import Path

MAX_BYTES = 1_000_000


def _read_source(path):
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
        return None
    try:
        with open(path, "rb", opener=lambda p, flags: os.open(p, flags | os.O_NOFOLLOW)) as f:
            return f.read(MAX_BYTES + 1)
    except OSError:
        return None


def _module_file(root, module, files):
    """The submission file a dotted module name resolves to, if it is one of ``files``."""
    base = module.replace(".", "/")
    for candidate in (f"{base}.py", f"{base}/__init__.py"):
        if candidate in files:
            return candidate
    return None


def _imported_modules(tree, rel):
    package = rel.rsplit("/", 1)[0].replace("/", ".") if "/" in rel else ""
    if rel.endswith("__init__.py"):
        package = rel[: -len("/__init__.py")].replace("/", ".") if "/" in rel else ""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".") if package else []
                parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base:
                yield base
            for alias in node.names:  # "from beras import layers" names a submodule
                if alias.name != "*" and base:
                    yield f"{base}.{alias.name}"


def import_graph(root, files):
    """{file: set of submission files it imports}, for ``files`` (posix paths under root)."""
    root, files = Path(root), set(files)
    graph = {}
    for rel in files:
        source = _read_source(root / rel)
        edges = set()
        if source is not None:
            try:
                tree = ast.parse(source, filename=rel)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                tree = None
            if tree is not None:
                for module in _imported_modules(tree, rel):
                    target = _module_file(root, module, files)
                    if target and target != rel:
                        edges.add(target)
        graph[rel] = edges
    return graph


def reachable(graph, starts):
    """Files whose code runs when the ``starts`` run: the starts and what they import,
    transitively. A package's __init__.py only re-exports its modules, so its own
    imports are not followed."""
    seen, frontier = set(), list(starts)
    while frontier:
        rel = frontier.pop()
        if rel in seen:
            continue
        seen.add(rel)
        if not rel.endswith("__init__.py"):
            frontier.extend(graph.get(rel, ()))
    return seen


def is_testing_file(rel):
    """The handout exempts testing files: anything under tests/, test_*.py, *_test.py."""
    parts = rel.split("/")
    name = parts[-1]
    return "tests" in parts[:-1] or "test" in parts[:-1] or name.startswith("test_") or \
        name.endswith("_test.py") or name == "test_runner.py"
