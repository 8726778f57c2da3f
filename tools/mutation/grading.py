"""The real grader on one submission, read back as the tests that lost points.

Runs ``python -m <grader module> SUB --json F --quiet`` exactly as a TA would (the
module is ``grader`` unless a test asks for a deliberately weakened one), with the
project root as the working directory, and reads results.json.
"""
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from grader.submission import PROJECT_ROOT

GRADE_TIMEOUT_S = 900   # the grader keeps its own budget (540 s); this only guards a hung process


@dataclass
class Grade:
    scores: dict          # {number: (score, max_score)}
    statuses: dict        # {number: "passed" | "failed" | ...}
    seconds: float
    exit_status: int
    error: str = ""       # why there are no scores (the grader crashed or timed out)


def grade(submission, out_json, *, edition, rubric=None, final=False, grader_module="grader"):
    import time
    command = [sys.executable, "-m", grader_module, str(submission), "--json", str(out_json), "--quiet",
               "--edition", edition]
    if rubric:
        command += ["--rubric", str(rubric)]
    if final:
        command += ["--final"]
    started = time.monotonic()
    try:
        done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=GRADE_TIMEOUT_S,
                              env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    except subprocess.TimeoutExpired:
        return Grade({}, {}, time.monotonic() - started, -1, f"the grader did not finish in {GRADE_TIMEOUT_S} s")
    seconds = time.monotonic() - started
    if done.returncode != 0 or not Path(out_json).exists():
        return Grade({}, {}, seconds, done.returncode,
                     f"the grader exited with status {done.returncode}: {done.stderr.strip()[-800:]}")
    results = json.loads(Path(out_json).read_text(encoding="utf-8"))
    tests = results["tests"]
    return Grade({t["number"]: (float(t["score"]), float(t["max_score"])) for t in tests},
                 {t["number"]: t.get("status", "") for t in tests}, seconds, 0)


def lost_points(grade_, judged):
    """The judged, scored tests below full marks, in rubric order."""
    return [n for n, (score, top) in grade_.scores.items() if n in judged and top > 0 and score < top - 1e-9]


def failed_informational(grade_, judged):
    """Judged 0-point tests that failed (e.g. 3.4 accumulation): reported, not kills."""
    return [n for n, (score, top) in grade_.scores.items()
            if n in judged and top == 0 and grade_.statuses.get(n) == "failed"]
