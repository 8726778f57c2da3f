"""What a grade depends on, as digests: the resume key of a submission, and the grader's version.

A submission whose files, rubric, edition and grader (grader/, the reference library
beras/ and reference/) are all unchanged keeps its earlier result; anything else is
graded again. The grader's digest is computed where the grading runs too, so a Dask
worker holding another version of the grader is noticed instead of mixing versions.
"""
from __future__ import annotations

import functools
import hashlib
import os
import stat
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
GRADER_PARTS = ("grader", "beras", "reference")
NOT_CONTENT = {"__pycache__", ".git"}


def tree_digest(root) -> str:
    """sha256 over every file under ``root``: relative path, kind and content (a link's target,
    never followed), in a fixed order; caches (__pycache__, .git) left out."""
    root = Path(root)
    h = hashlib.sha256()
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in NOT_CONTENT)
        for name in sorted(names):
            path = Path(folder, name)
            if name.endswith(".pyc"):
                continue
            rel = path.relative_to(root).as_posix()
            mode = os.lstat(path).st_mode
            h.update(rel.encode("utf-8", "surrogateescape") + b"\0")
            if stat.S_ISLNK(mode):
                h.update(b"link\0" + os.readlink(path).encode("utf-8", "surrogateescape"))
            elif stat.S_ISREG(mode):
                h.update(b"file\0")
                with open(path, "rb") as f:
                    for block in iter(lambda: f.read(1 << 20), b""):
                        h.update(block)
            else:
                h.update(b"other\0")
            h.update(b"\0")
    return h.hexdigest()


@functools.lru_cache(maxsize=None)
def grader_digest(project_root: str = str(PROJECT_ROOT)) -> str:
    """The version of the grader that grades here (its source, the reference, the rubrics)."""
    h = hashlib.sha256()
    for part in GRADER_PARTS:
        h.update(part.encode() + b"\0" + tree_digest(Path(project_root, part)).encode())
    return h.hexdigest()[:16]


def resume_key(submission_path, rubric_text: str, edition: str, grader: str) -> str:
    h = hashlib.sha256()
    for piece in (tree_digest(submission_path), hashlib.sha256(rubric_text.encode()).hexdigest(), edition, grader):
        h.update(piece.encode() + b"\0")
    return h.hexdigest()[:24]
