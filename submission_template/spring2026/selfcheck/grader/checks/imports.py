"""Which of a submission's own files import which: a static import graph (never imported).

Used to attribute a banned import to the tests whose code can reach it: a test
exercising beras/layers.py also runs whatever layers.py imports from the
submission, and a scratch file nothing imports is never run by the grader.
Package ``__init__.py`` files only re-export, so their edges are not followed:
importing beras does not make a Tensor test run the code of beras/layers.py.

The files are untrusted: they are read and parsed with grader.submission's limits
(regular files inside the submission only, a size cap), and a file that cannot be
read or parsed simply has no edges.
"""
import ast
from pathlib import Path

from grader.submission import parse_python, read_source

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
        source, _ = read_source(root, rel)
        edges = set()
        if source is not None:
            tree, _ = parse_python(source, rel)
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
