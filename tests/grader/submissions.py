"""Real submission folders for the grader's end-to-end tests.

    root = make_submission(tmp_path, patches=[("beras/layers.py", "x @ self.w + self.b", "x @ self.w")])

builds a base submission and applies text patches. A patch is (relative file,
old text, new text); the old text must occur exactly once, so a patch cannot
silently stop applying when the base changes.

The base is "reference" (our library) or "course" (a submission written on the
course's own given code, tests/bases): `make_submission(tmp_path, base="course")`.
Text patches are written against one base's text; `overrides` - code appended to
a file, redefining a method through the public API - apply to either base:

    make_submission(tmp_path, base=base, overrides={"beras/losses.py": CODE})
"""
from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

from grader.grade import grade
from grader.rubric.load import load_rubric
from tests.results.schema import validate_results
from tests.bases import BASES, build_base  # noqa: F401  (BASES: for parametrizing over both)

# The tests' own rubric (same tests as the production one, other points): tests never pin
# the production rubric's points.
TEST_RUBRIC = Path(__file__).resolve().parents[1] / "rubrics" / "spring2026.toml"
RUBRIC = load_rubric(TEST_RUBRIC, edition="spring2026")
RUBRIC_POINTS = {t.number: float(t.points) for t in RUBRIC}      # number -> max_score, in rubric order
NUMBER_OF = {t.key: t.number for t in RUBRIC}                      # check key -> number
# Tests that need the beras package to import (everything but the static scan and the final run).
BERAS_TESTS = tuple(NUMBER_OF[k] for k in NUMBER_OF if k.startswith(("behaviour.", "gradients."))
                    and k != "behaviour.preprocess")
SCORED_BERAS_TESTS = tuple(n for n in BERAS_TESTS if RUBRIC_POINTS[n] > 0)
NOT_JUDGED_HERE = {"5.1"}  # final.accuracy: not requested without FINAL.txt


class PatchError(AssertionError):
    pass


def apply_patch(root: Path, rel: str, old: str, new: str) -> None:
    path = Path(root) / rel
    text = path.read_text(encoding="utf-8")
    count = text.count(old)
    if count != 1:
        raise PatchError(f"patch for {rel}: expected the old text exactly once, found it {count} times:\n{old}")
    path.write_text(text.replace(old, new), encoding="utf-8")


def make_submission(tmp_path, patches=(), extra_files=None, remove=(), final=False, name="submission",
                    base="reference", overrides=None, edition="spring2026"):
    """A base laid out as a student submission, with the given changes; returns its folder.

    base: "reference" or "course" (see tests/bases); edition: whose API (spring2026, fall2025).
    patches: [(relative file, old text, new text)], each old text present exactly once.
    overrides: {relative file: code appended to it} (e.g. a method redefined with a bug).
    extra_files: {relative path: str | bytes}, written after the patches (overwrites).
    remove: relative paths (files or folders) deleted last.
    final: add an empty FINAL.txt (the graded training run); default no.
    """
    root = Path(tmp_path) / name
    if root.exists():
        shutil.rmtree(root)
    build_base(root, base, edition=edition)
    for rel, old, new in patches:
        apply_patch(root, rel, old, new)
    for rel, code in (overrides or {}).items():
        with open(root / rel, "a", encoding="utf-8") as f:
            f.write("\n\n" + textwrap.dedent(code))
    for rel, content in (extra_files or {}).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    for rel in remove:
        path = root / rel
        assert path.exists(), f"remove: {rel} does not exist in the submission"
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    if final:
        (root / "FINAL.txt").write_text("", encoding="utf-8")
    return root


def line_of(root, rel, text):
    """1-based line number of the (unique) line containing `text` in the file."""
    lines = Path(root, rel).read_text(encoding="utf-8").splitlines()
    hits = [i + 1 for i, line in enumerate(lines) if text in line]
    assert len(hits) == 1, f"{text!r} found on lines {hits} of {rel}"
    return hits[0]


def by_number(results):
    return {t["number"]: t for t in results["tests"]}


def losers(results, ignore=NOT_JUDGED_HERE):
    """Numbers of scored tests below full marks."""
    return {t["number"] for t in results["tests"]
            if t["number"] not in ignore and t["max_score"] > 0 and t["score"] < t["max_score"]}


def summary(results):
    """A compact account for assertion messages."""
    return "\n".join(f"{t['number']:>5} {t['score']:>7}/{t['max_score']:<3} {t.get('status', '')}: "
                     f"{t['output'][:300]!r}" for t in results["tests"])


def grade_json(path, **kwargs):
    """grade() with the tests' own rubric, round-tripped through strict JSON as Gradescope reads it."""
    if kwargs.get("edition_name", "spring2026") == "spring2026":
        kwargs.setdefault("rubric_path", TEST_RUBRIC)
    return json.loads(json.dumps(grade(str(path), **kwargs), allow_nan=False))


def assert_complete(results):
    """Schema-valid, every rubric test present once with its max_score, and the total adds up."""
    validate_results(results)
    numbers = [t["number"] for t in results["tests"]]
    assert numbers == list(RUBRIC_POINTS), numbers
    for t in results["tests"]:
        assert t["max_score"] == RUBRIC_POINTS[t["number"]], t
        assert 0 <= t["score"] <= t["max_score"], t
        assert t["output"].strip(), f"test {t['number']} has no message"
    assert abs(results["score"] - sum(t["score"] for t in results["tests"])) < 1e-6, results["score"]


def full_marks(results, number):
    t = by_number(results)[number]
    return t["score"] == t["max_score"]


def rubric_with(tmp_path, name="rubric.toml", source=TEST_RUBRIC, **settings):
    """A copy of the tests' rubric (or of ``source``) with some [settings] changed."""
    import re
    text = Path(source).read_text(encoding="utf-8")
    for key, value in settings.items():
        line = f"{key} = {json.dumps(value)}"
        text, n = re.subn(rf"(?m)^{key} = .*$", line, text)
        if n == 0:
            text = text.replace("[settings]\n", f"[settings]\n{line}\n", 1)
    path = Path(tmp_path) / name
    path.write_text(text, encoding="utf-8")
    return path
