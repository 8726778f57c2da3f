"""Every single-edit mutant of a base's student-written blocks.

    mutants = generate(base_root, marker="SOLUTION")

walks each .py file of a laid-out base, parses it, and asks every operator for edits
of every node lying wholly inside a marked block. An edit is kept when the mutated
file compiles, its AST differs from the original's, and no earlier mutant produced
the same file. The order is deterministic (file, position, operator), so a mutant's
id names the same edit on every run.
"""
import ast
import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from tools.mutation.blocks import blocks_of
from tools.mutation.operators import FAMILY, edits_for


@dataclass
class Mutant:
    id: str               # "<file>:<line>:<operator>:<short hash>", stable across runs
    file: str             # submission-relative path, e.g. "beras/layers.py"
    line: int
    operator: str
    family: str           # "generic" | "deep-learning"
    what: str             # the edit in a few words
    diff: str             # unified diff of the file
    block: str            # the block's task
    text: str = field(repr=False, default="")   # the mutated file

    def record(self):
        """The JSON-ready description (without the mutated file itself)."""
        return {"id": self.id, "file": self.file, "line": self.line, "operator": self.operator,
                "family": self.family, "what": self.what, "block": self.block, "diff": self.diff}


def python_files(root):
    """Submission-relative paths of the base's .py files, sorted (tests and local tools excluded)."""
    root = Path(root)
    skip = ("tests", "_local", "tensorflow", "utils", "selfcheck")
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py")
                  if not set(p.relative_to(root).parts[:-1]) & set(skip) and p.name != "test_runner.py")


def generate(root, marker, files=None):
    """Every mutant of the marked blocks of the base laid out at root."""
    root = Path(root)
    mutants, seen = [], set()
    for rel in files or python_files(root):
        text = (root / rel).read_text(encoding="utf-8")
        blocks = blocks_of(text, marker)
        if not blocks:
            continue
        for mutant in _file_mutants(rel, text, blocks):
            key = (mutant.file, mutant.text)
            if key not in seen:
                seen.add(key)
                mutants.append(mutant)
    return mutants


def _file_mutants(rel, text, blocks):
    tree = ast.parse(text)
    original = ast.dump(tree)
    for node in _nodes_in_blocks(tree, blocks):
        where = node.iter if isinstance(node, ast.comprehension) else node
        block = next(b for b in blocks if b.holds(where.lineno, where.end_lineno))
        for edit in edits_for(node, text):
            mutated = apply_edit(text, edit)
            if mutated is None or not _compiles(mutated, rel) or ast.dump(ast.parse(mutated)) == original:
                continue
            digest = hashlib.sha256(mutated.encode()).hexdigest()[:8]
            yield Mutant(id=f"{rel}:{edit.span[0]}:{edit.operator}:{digest}", file=rel, line=edit.span[0],
                         operator=edit.operator, family=FAMILY.get(edit.operator, "generic"), what=edit.what,
                         diff=unified_diff(text, mutated, rel), block=block.task, text=mutated)


def _nodes_in_blocks(tree, blocks):
    """Nodes lying wholly inside a block, in source order; none inside f-strings (their positions are unreliable)."""
    inside_fstring = {id(n) for f in ast.walk(tree) if isinstance(f, ast.JoinedStr) for n in ast.walk(f)}
    nodes = [n for n in ast.walk(tree)
             if hasattr(n, "lineno") and n.end_lineno is not None and id(n) not in inside_fstring
             and any(b.holds(n.lineno, n.end_lineno) for b in blocks)]
    # comprehension nodes carry no position; their iter does, and first_batch_only edits the iter.
    nodes += [c for n in nodes if isinstance(n, (ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp))
              for c in n.generators]
    return sorted(nodes, key=lambda n: _position(n.iter if isinstance(n, ast.comprehension) else n))


def _position(node):
    return node.lineno, node.col_offset


def apply_edit(text, edit):
    """The file with the edit's span replaced (positions in UTF-8 bytes, as ast gives them)."""
    data = text.encode("utf-8")
    starts = [0]
    for line in data.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    first, first_col, last, end_col = edit.span
    if last > len(starts) - 1:
        return None
    begin, end = starts[first - 1] + first_col, starts[last - 1] + end_col
    new = edit.text
    if edit.statement:
        new = new.replace("\n", "\n" + " " * first_col)   # a multi-line statement keeps its indentation
    return (data[:begin] + new.encode("utf-8") + data[end:]).decode("utf-8")


def _compiles(text, rel):
    try:
        compile(text, rel, "exec")
    except (SyntaxError, ValueError):
        return False
    return True


def unified_diff(before, after, rel):
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 fromfile=f"a/{rel}", tofile=f"b/{rel}", n=1)
    return "".join(lines)
