"""Similar code across submissions, the stencil's own text subtracted.

Each submission's Python files become a token stream in which local names are one
placeholder (renaming variables changes nothing), comments and layout are dropped,
keywords, builtins, attribute names and numbers are kept; its fingerprint is the set of
K-token windows. Windows that occur in the stencil are removed first (everyone starts
from it), and so are windows shared by many submissions (what everyone writes anyway,
as MOSS does). Two submissions are similar when a large share of the smaller one's
remaining windows also occur in the other.

    fingerprints = {id: code_fingerprint(folder)}
    pairs = similar_pairs(fingerprints, stencil=folder_fingerprint(stencil))
"""
from __future__ import annotations

import builtins
import io
import keyword
import os
import stat
import tokenize
from itertools import combinations
from pathlib import Path

from grader.submission import find_root, read_source

K = 12                       # tokens per window: about a line of code
MIN_WINDOWS = 40             # fewer windows of one's own than this: too little code to compare
SIMILAR = 0.5                # share of the smaller submission's windows found in the other
COMMON_AT_LEAST = 10         # a window in more submissions than max(this, COMMON_SHARE x class) is boilerplate
COMMON_SHARE = 0.05
NOT_THEIRS = {"tests", "selfcheck", "_local", "tensorflow", "__pycache__", "__MACOSX", ".git", "data"}
MAX_FILES = 300
_KEEP_NAMES = set(keyword.kwlist) | set(dir(builtins)) | {"np", "numpy", "self"}


def _is_test_file(name: str) -> bool:
    return name.startswith("test_") or name.endswith("_test.py")


def python_files(root: Path) -> list[str]:
    """The submission's own .py files (relative posix paths): not tests, not the kit's folders."""
    files = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in NOT_THEIRS and not d.startswith("."))
        for name in sorted(names):
            path = os.path.join(folder, name)
            if name.endswith(".py") and not _is_test_file(name) and stat.S_ISREG(os.lstat(path).st_mode):
                files.append(Path(path).relative_to(root).as_posix())
                if len(files) >= MAX_FILES:
                    return files
    return files


def tokens(source: bytes) -> list[str]:
    """The normalised token stream of one file (what is left of it if it does not tokenize)."""
    out, previous = [], ""
    try:
        for tok in tokenize.tokenize(io.BytesIO(source).readline):
            if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT,
                            tokenize.ENCODING, tokenize.ENDMARKER):
                continue
            if tok.type == tokenize.NAME:
                text = tok.string if tok.string in _KEEP_NAMES or previous == "." else "N"
            elif tok.type == tokenize.STRING:
                text = "S"
            elif tok.type == tokenize.NEWLINE:
                text = ";"
            else:
                text = tok.string
            out.append(text)
            previous = tok.string
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return out


def windows(stream: list[str]) -> set[int]:
    return {hash(tuple(stream[i:i + K])) for i in range(len(stream) - K + 1)}


def folder_fingerprint(root: Path) -> set[int]:
    """Every window of every own .py file under ``root`` (the trusted read: regular files only, capped)."""
    found = set()
    for rel in python_files(root):
        data, problem = read_source(root, rel)
        if data is not None:
            found |= windows(tokens(data))
    return found


def code_fingerprint(submission_folder) -> set[int]:
    root = find_root(Path(submission_folder))
    return folder_fingerprint(root) if root is not None else set()


def _common(fingerprints: dict[str, set[int]]) -> set[int]:
    limit = max(COMMON_AT_LEAST, COMMON_SHARE * len(fingerprints))
    counts: dict[int, int] = {}
    for found in fingerprints.values():
        for w in found:
            counts[w] = counts.get(w, 0) + 1
    return {w for w, c in counts.items() if c > limit}


def own_windows(fingerprints: dict[str, set[int]], stencil: set[int]) -> dict[str, set[int]]:
    """Each submission's windows without the stencil's and without boilerplate."""
    drop = stencil | _common(fingerprints)
    return {i: found - drop for i, found in fingerprints.items()}


def similar_pairs(own: dict[str, set[int]]) -> list[dict]:
    """[{a, b, similarity, shared}] for pairs above SIMILAR, most similar first."""
    index: dict[int, list[str]] = {}
    for i, found in own.items():
        if len(found) >= MIN_WINDOWS:
            for w in found:
                index.setdefault(w, []).append(i)
    shared: dict[tuple[str, str], int] = {}
    for ids in index.values():
        for a, b in combinations(sorted(ids), 2):
            shared[(a, b)] = shared.get((a, b), 0) + 1
    pairs = []
    for (a, b), n in shared.items():
        similarity = n / min(len(own[a]), len(own[b]))
        if similarity >= SIMILAR and n >= MIN_WINDOWS:
            pairs.append({"a": a, "b": b, "similarity": round(similarity, 3), "shared": n})
    return sorted(pairs, key=lambda p: (-p["similarity"], p["a"], p["b"]))


def near(own: dict[str, set[int]], solution: set[int]) -> list[dict]:
    """[{id, similarity, shared}] for submissions whose own code is largely the solution's."""
    out = []
    for i, found in own.items():
        n = len(found & solution)
        if len(found) >= MIN_WINDOWS and n >= MIN_WINDOWS and n / len(found) >= SIMILAR:
            out.append({"id": i, "similarity": round(n / len(found), 3), "shared": n})
    return sorted(out, key=lambda p: (-p["similarity"], p["id"]))
