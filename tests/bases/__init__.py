"""Complete, correct submissions to build grader tests on.

    root = build_base(tmp_path / "submission", base="course")

Two bases exist:
- "reference": our reference library laid out as a submission
  (grader.submission.build_reference_submission): tidy, vectorized, strict.
- "course": tests/bases/spring2026_course, a submission written on the course's
  own stencil: the given code behaves as the course's does (docs/editions.md,
  "How the course's own given code behaves"), the student-written parts are a
  typical correct student's. Real submissions look like this one.

course_stencil(dest) lays out the course base with every student-written block
put back to the untouched stencil's state: a literal `???` where the stencil
leaves an expression blank (so those files do not parse), a TODO `pass` elsewhere.
"""
import re
import shutil
from pathlib import Path

from grader.submission import build_reference_submission

BASES = ("reference", "course")
COURSE_BASE = Path(__file__).resolve().parent / "spring2026_course"
COURSE_EDITIONS = ("spring2026",)

# A student-written region: "# BEGIN STUDENT: <task>" ... "# END STUDENT", same indentation.
_BLOCK = re.compile(r"^(?P<indent>[ \t]*)# BEGIN STUDENT: (?P<task>[^\n]+)\n"
                    r"(?P<body>.*?)"
                    r"^(?P=indent)# END STUDENT[ \t]*$", re.MULTILINE | re.DOTALL)

# Where the untouched stencil leaves an expression for the student, it holds a literal
# `???` (a SyntaxError until filled in). Every other block becomes a TODO `pass`.
STENCIL_PLACEHOLDERS = {
    "Tensor.__new__ array": ["obj = np.asarray(a=???).view(cls)"],
    "Linear.forward": ["return ???"],
    "Sigmoid.forward": ["return ???"],
    "get_model": ["model = ???"],
}


def build_base(dest, base="reference", edition="spring2026"):
    """Lay out a complete, correct submission at dest (which must not exist); return its path."""
    dest = Path(dest)
    if base == "reference":
        return build_reference_submission(dest, edition)
    if base == "course":
        if edition not in COURSE_EDITIONS:
            raise ValueError(f"the course base exists for {COURSE_EDITIONS}, not {edition!r}")
        shutil.copytree(COURSE_BASE, dest, ignore=shutil.ignore_patterns("__pycache__"))
        return dest
    raise ValueError(f"unknown base {base!r}; choose one of {BASES}")


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


def course_stencil(dest):
    """The course base as the course hands it out: student blocks blanked; returns dest."""
    dest = build_base(dest, base="course")
    for path in sorted(dest.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        blanked = blank_student_blocks(text)
        if blanked != text:
            path.write_text(blanked, encoding="utf-8")
    return dest
