"""The stencil holds no solution: no line of a BEGIN SOLUTION block of beras/ or
reference/common/ or reference/spring2026/ appears in any file under submission_template/.

A line counts when it could give an answer away: stripped, at least 12 characters, not a
comment, not a bare `return`/`pass`, and found nowhere outside the solution blocks (a line
that is also given code, or in the students' own tests, is handed out anyway). The lines
are extracted here, independently of assign/ (which generated the stencil and guards it
with its own copy of this rule, tested at the end).
"""
import re
import shutil
import subprocess
import sys

import pytest

from tests.stencil.folders import ROOT, STENCIL, ignore

SOURCES = (ROOT / "beras", ROOT / "reference" / "common", ROOT / "reference" / "spring2026")
BEGIN = re.compile(r"^\s*# BEGIN SOLUTION\b")
END = re.compile(r"^\s*# END SOLUTION\s*$")
MIN_LENGTH = 12


def _files(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and not p.relative_to(folder).as_posix().startswith("data/"))


def _lines(path):
    data = path.read_bytes()
    return [] if b"\0" in data else data.decode("utf-8", errors="replace").splitlines()


def solution_lines(sources=SOURCES):
    """{stripped solution line that would give an answer away: 'file:line' where it is}."""
    inside_blocks, outside = {}, set()
    for folder in sources:
        for path in _files(folder):
            inside = False
            for number, raw in enumerate(_lines(path), 1):
                if BEGIN.match(raw):
                    inside = True
                elif END.match(raw):
                    inside = False
                elif inside:
                    inside_blocks.setdefault(raw.strip(), f"{path.relative_to(ROOT)}:{number}")
                else:
                    outside.add(raw.strip())
    return {line: where for line, where in inside_blocks.items()
            if len(line) >= MIN_LENGTH and not line.startswith("#") and line not in ("return", "pass")
            and line not in outside}


def occurrences(folder, lines):
    """['file:line: text'] for every line of a file under folder that is one of `lines`."""
    found = []
    for path in _files(folder):
        for number, raw in enumerate(_lines(path), 1):
            if raw.strip() in lines:
                found.append(f"{path.relative_to(folder)}:{number}: {raw.strip()} (from {lines[raw.strip()]})")
    return found


@pytest.fixture(scope="module")
def telltales():
    lines = solution_lines()
    files_with_blocks = {p.relative_to(ROOT).as_posix() for folder in SOURCES for p in _files(folder)
                         if any(BEGIN.match(line) for line in _lines(p))}
    # Every file with solution blocks contributes lines to look for: the check is not empty.
    assert {where.rsplit(":", 1)[0] for where in lines.values()} == files_with_blocks
    return lines


def test_no_solution_line_is_in_the_stencil(telltales):
    assert occurrences(STENCIL, telltales) == []


def test_a_planted_solution_line_is_found(telltales, tmp_path):
    copy = tmp_path / "stencil"
    shutil.copytree(STENCIL, copy, ignore=ignore)
    line, where = next(iter(sorted(telltales.items())))
    with open(copy / "beras" / "layers.py", "a") as f:
        f.write(f"\n# harmless\n    {line}\n")
    (copy / "notes.md").write_text(f"a hint:\n{line}\n")
    assert occurrences(copy, telltales) == [
        f"beras/layers.py:{len(_lines(copy / 'beras' / 'layers.py'))}: {line} (from {where})",
        f"notes.md:2: {line} (from {where})",
    ]


def test_assign_refuses_to_write_a_stencil_that_gives_an_answer_away(tmp_path):
    root = tmp_path / "root"
    shutil.copytree(ROOT / "beras", root / "beras", ignore=ignore)
    shutil.copytree(ROOT / "reference", root / "reference", ignore=ignore)
    onehot = root / "beras" / "onehot.py"
    text = onehot.read_text()
    answer = "        return self.labels[np.argmax(np.asarray(data), axis=-1)]\n        # END SOLUTION\n"
    assert text.count(answer) == 1
    onehot.write_text(text.replace(answer, answer + "        # STENCIL: return self.labels[np.argmax("
                                                     "np.asarray(data), axis=-1)]\n"))
    proc = subprocess.run([sys.executable, "-m", "assign", "--root", str(root)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2
    assert "the stencil would hold solution code" in proc.stderr
    assert "beras/onehot.py:" in proc.stderr and "return self.labels[np.argmax(np.asarray(data), axis=-1)]" \
        in proc.stderr
    assert not (root / "submission_template" / "spring2026").exists()
