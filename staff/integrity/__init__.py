"""Integrity flags for staff: report only, never a score, never shown to students.

Three signals (each explained in its module):
- similar code, the stencil's own text subtracted (code.py);
- identical wrong answers on the grader's inputs (answers.py): the same bug in the same
  numbers is a stronger signal than similar text;
- code close to the reference solution (code.py, against beras/ and reference/<edition>/).

    flags = find_flags(submissions, results, answers, rubric, edition)
    flags.summary(id)      # one line for the CSV
    flags.save(OUT / "integrity.json")
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from staff.integrity import answers as answer_flags
from staff.integrity import code as code_flags
from staff.keys import PROJECT_ROOT


@dataclass
class Flags:
    similar_code: list[dict] = field(default_factory=list)       # {a, b, similarity, shared}
    same_wrong_answers: list[dict] = field(default_factory=list)  # {a, b, shared, tests}
    near_reference: list[dict] = field(default_factory=list)      # {id, similarity, shared}

    def summary(self, submission_id: str) -> str:
        parts = []
        for p in self.similar_code:
            if submission_id in (p["a"], p["b"]):
                parts.append(f"similar code to {_other(p, submission_id)} ({p['similarity']:.0%})")
        for p in self.same_wrong_answers:
            if submission_id in (p["a"], p["b"]):
                parts.append(f"same wrong answers as {_other(p, submission_id)} ({p['shared']} cases in "
                             f"{', '.join(p['tests'])})")
        for p in self.near_reference:
            if p["id"] == submission_id:
                parts.append(f"close to the reference solution ({p['similarity']:.0%})")
        return "; ".join(parts)

    @property
    def count(self) -> int:
        return len(self.similar_code) + len(self.same_wrong_answers) + len(self.near_reference)

    def save(self, path) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")


def _other(pair, me):
    return pair["b"] if pair["a"] == me else pair["a"]


def reference_fingerprint(edition: str) -> set[int]:
    """The reference solution as a submission would hold it (our library and the edition's files)."""
    library = PROJECT_ROOT / "reference" / edition / "beras"
    library = library if library.is_dir() else PROJECT_ROOT / "beras"
    found = code_flags.folder_fingerprint(library)
    return found | code_flags.folder_fingerprint(PROJECT_ROOT / "reference" / edition)


def find_flags(submissions, results, answers, rubric, edition, stencil=None) -> Flags:
    """stencil: the folder students started from (default: our submission_template/<edition>); a
    course that hands out its own code should give that, so its text is nobody's work."""
    stencil = code_flags.folder_fingerprint(Path(stencil or PROJECT_ROOT / "submission_template" / edition))
    own = code_flags.own_windows({s.id: code_flags.code_fingerprint(s.path) for s in submissions}, stencil)
    wrong = {s.id: answer_flags.wrong_items(results.get(s.id), answers.get(s.id), rubric) for s in submissions}
    return Flags(similar_code=code_flags.similar_pairs(own),
                 same_wrong_answers=answer_flags.shared_wrong_pairs(wrong),
                 near_reference=code_flags.near(own, reference_fingerprint(edition) - stencil))
