"""A base laid out once, and each mutant's submission built from that layout.

The bases are the ones the grader's own tests use (tests/bases.build_base):
"reference" (our library, BEGIN SOLUTION blocks) and "course" (a correct
submission on the course's given code, BEGIN STUDENT blocks).
"""
import shutil
from pathlib import Path

from tests.bases import BASES, build_base  # noqa: F401  (BASES: the choices the CLI offers)
from tools.mutation.blocks import MARKERS


def lay_out_base(dest, base, edition):
    """The base as a student submits it, at dest; returns (its path, the block marker its files use)."""
    dest = Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    build_base(dest, base, edition)
    return dest, MARKERS[base]


def mutant_submission(base_root, mutant, dest):
    """A copy of the base with the mutant's file written over; returns its path."""
    dest = Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(base_root, dest, ignore=shutil.ignore_patterns("__pycache__"))
    (dest / mutant.file).write_text(mutant.text, encoding="utf-8")
    return dest
