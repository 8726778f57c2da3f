"""No solution in the stencil: find lines of the reference's solution blocks in a generated folder.

A *telltale* is a line of a ``# BEGIN SOLUTION`` ... ``# END SOLUTION`` block
that would give the answer away: stripped, not blank, not a comment, not a bare
``return``/``pass``-like keyword, at least MIN_LENGTH characters, and found
nowhere outside the solution blocks of the sources (such a line is given code,
or a line of the students' own tests, and is handed out anyway). A stencil
leaks when any of its files holds a telltale as a whole (stripped) line: through
a ``# STENCIL:`` line, a copied data or text file, or a generator bug.
"""
from pathlib import Path

from .markers import BEGIN_RE, END_RE

MIN_LENGTH = 12
TRIVIAL = frozenset({"return", "pass", "continue", "break", "...", "else:", "try:", "finally:"})


def split_source(text):
    """([(line number, stripped line)] inside solution blocks, {stripped lines outside them})."""
    inside, solution, given = False, [], set()
    for number, line in enumerate(text.splitlines(), 1):
        if BEGIN_RE.match(line):
            inside = True
        elif END_RE.match(line):
            inside = False
        elif inside:
            solution.append((number, line.strip()))
        else:
            given.add(line.strip())
    return solution, given


def _telling(line):
    return len(line) >= MIN_LENGTH and not line.startswith("#") and line not in TRIVIAL


def telltales(sources):
    """{telltale line: 'file:line' where it is in a solution} for sources {name: text}."""
    found, given = {}, set()
    for name, text in sorted(sources.items()):
        solution, outside = split_source(text)
        given |= outside
        for number, line in solution:
            if _telling(line):
                found.setdefault(line, f"{name}:{number}")
    return {line: where for line, where in found.items() if line not in given}


def read_text(path):
    """A file's text, or None for a binary file (no solution blocks, no lines to compare)."""
    data = Path(path).read_bytes()
    return None if b"\0" in data else data.decode("utf-8", errors="replace")


def leaks(folder, tells):
    """['stencil file:line holds the solution line of source:line: text'] for every telltale in folder."""
    folder = Path(folder)
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        text = read_text(path)
        for number, line in enumerate((text or "").splitlines(), 1):
            where = tells.get(line.strip())
            if where:
                found.append(f"{path.relative_to(folder).as_posix()}:{number} holds the solution line of "
                             f"{where}: {line.strip()}")
    return found
