"""Complete, correct submissions to build grader tests on.

    root = build_base(tmp_path / "submission", base="course")
    root = build_base(tmp_path / "fall", base="course", edition="fall2025")
    root = build_base(tmp_path / "old", base="course", edition="fall2025", variant="older")

Two bases exist, for each edition (spring2026, the default, and fall2025):
- "reference": our reference library laid out as a submission
  (grader.submission.build_reference_submission): tidy, vectorized, strict.
- "course": tests/bases/<edition>_course, a submission written on the course's
  own stencil: the given code behaves as the course's does (docs/editions.md,
  "How the course's own given code behaves", for each edition), the
  student-written parts are a typical correct student's. Real submissions look
  like this one.

variant="older" (fall2025 course base only) applies tests/bases/older_terms.py: the
spring-2025 / fall-2024 differences (Variable a plain alias of Tensor, no
Tensor.assign, CategoricalCrossEntropy without __init__/epsilon, no uniform
initializers, Dense.weights a tuple, an unused `import tensorflow as tf`).

course_stencil(dest, edition) lays out the course base with every student-written block
put back to the untouched stencil's state: a literal `???` where the stencil
leaves an expression blank (so those files do not parse), a TODO `pass` elsewhere.
"""
import re
import shutil
from pathlib import Path

from grader.submission import build_reference_submission

from . import older_terms

BASES = ("reference", "course")
HERE = Path(__file__).resolve().parent
COURSE_BASES = {"spring2026": HERE / "spring2026_course", "fall2025": HERE / "fall2025_course"}
COURSE_BASE = COURSE_BASES["spring2026"]
COURSE_EDITIONS = tuple(COURSE_BASES)
# Files a course base takes from another edition's, where the course's code is the same in both:
# {edition: (base folder it takes them from, (relative paths...))}.
COURSE_SHARED = {"fall2025": (COURSE_BASES["spring2026"], ("beras/onehot.py", "beras/metrics.py", "preprocess.py",
                                                           "utils/wandb_login.py"))}
# Variants of a course base: {edition: {variant name: function rewriting the laid-out base}}.
COURSE_VARIANTS = {"fall2025": {older_terms.VARIANT: older_terms.apply_edits}}

# A student-written region: "# BEGIN STUDENT: <task>" ... "# END STUDENT", same indentation.
_BLOCK = re.compile(r"^(?P<indent>[ \t]*)# BEGIN STUDENT: (?P<task>[^\n]+)\n"
                    r"(?P<body>.*?)"
                    r"^(?P=indent)# END STUDENT[ \t]*$", re.MULTILINE | re.DOTALL)

# Where the untouched stencil leaves an expression for the student, it holds a literal
# `???` (a SyntaxError until filled in). Every other block becomes a TODO `pass`.
STENCIL_PLACEHOLDERS = {
    "Tensor.__new__ array": ["obj = np.asarray(a=???).view(cls)"],
    "Linear.forward": ["return ???"],
    "Dense.forward": ["return ???"],
    "Sigmoid.forward": ["return ???"],
    "get_model": ["model = ???"],
}


def build_base(dest, base="reference", edition="spring2026", variant=None):
    """Lay out a complete, correct submission at dest (which must not exist); return its path.

    variant names a rewrite of the course base (COURSE_VARIANTS), e.g. "older" for fall2025."""
    dest = Path(dest)
    if base not in BASES:
        raise ValueError(f"unknown base {base!r}; choose one of {BASES}")
    if variant is not None and (base != "course" or variant not in COURSE_VARIANTS.get(edition, {})):
        known = {e: sorted(v) for e, v in COURSE_VARIANTS.items()}
        raise ValueError(f"no variant {variant!r} of the {base} base of {edition}; course variants: {known}")
    if base == "reference":
        return build_reference_submission(dest, edition)
    if edition not in COURSE_BASES:
        raise ValueError(f"the course base exists for {COURSE_EDITIONS}, not {edition!r}")
    shutil.copytree(COURSE_BASES[edition], dest, ignore=shutil.ignore_patterns("__pycache__"))
    shared_from, shared = COURSE_SHARED.get(edition, (None, ()))
    for rel in shared:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared_from / rel, dest / rel)
    if variant is not None:
        COURSE_VARIANTS[edition][variant](dest)
    return dest


def student_tasks(text):
    """The task names of a file's student-written blocks, in order."""
    return [m.group("task").strip() for m in _BLOCK.finditer(text)]


def stencil_body(task):
    """The untouched stencil's lines for one task (without indentation)."""
    return STENCIL_PLACEHOLDERS.get(task, [f"# TODO: {task}", "pass"])


def blank_student_blocks(text):
    """The file's text with every student-written block replaced by its stencil body."""
    def replace(match):
        indent, task = match.group("indent"), match.group("task").strip()
        body = "".join(f"{indent}{line}\n" for line in stencil_body(task))
        return f"{indent}# BEGIN STUDENT: {task}\n{body}{indent}# END STUDENT"
    return _BLOCK.sub(replace, text)


def course_stencil(dest, edition="spring2026"):
    """The course base as the course hands it out: student blocks blanked; returns dest."""
    dest = build_base(dest, base="course", edition=edition)
    for path in sorted(dest.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        blanked = blank_student_blocks(text)
        if blanked != text:
            path.write_text(blanked, encoding="utf-8")
    return dest
