"""Class-shaped folders for the batch tests, built from real submissions (tests/grader/submissions.py).

    export = make_export(tmp, {"1001": Student(...)}, ...)   # a Gradescope "Export Submissions" folder
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.grader.submissions import TEST_RUBRIC, make_submission
from tests.grader.test_both_bases import BUGS

PROJECT = Path(__file__).resolve().parents[2]
CCE_BUG = next(p.values[0] for p in BUGS if p.id == "cce_gradient_missing_1_over_batch")
HOSTILE_IMPORT = [("beras/core.py", "import inspect\n", "import inspect\nimport os\nos._exit(3)\n")]
BROKEN_LAYERS = [("beras/layers.py", "        return x @ self.w + self.b\n", "        return x @@ self.w\n")]


def planted_copy(original: Path, dest: Path) -> Path:
    """``original`` copied by someone hiding it: comments added, a local name renamed."""
    shutil.copytree(original, dest)
    for path in sorted(dest.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\bclipped\b", "safe_predictions", text)
        path.write_text("# my own work\n" + text.replace("\n\n\n", "\n\n\n# helper below\n"), encoding="utf-8")
    return dest


def stencil_submission(dest: Path) -> Path:
    """The stencil as handed out, submitted unchanged."""
    shutil.copytree(PROJECT / "submission_template" / "spring2026", dest,
                    ignore=shutil.ignore_patterns("selfcheck", "__pycache__"))
    return dest


def metadata_yaml(entries: dict) -> str:
    """submission_metadata.yml as Gradescope writes it (Ruby-style keys)."""
    lines = []
    for folder, (people, created_at, score) in entries.items():
        lines += [f"{folder}:", "  :submitters:"]
        for name, sid, email in people:
            lines += [f"  - :name: {name}", f"    :sid: '{sid}'", f"    :email: {email}"]
        lines += [f"  :created_at: {created_at}", f"  :score: {score}"]
    return "\n".join(lines) + "\n"


def single_run(submission: Path, out_json: Path, *extra) -> dict:
    """What ./run_autograder SUBMISSION --json FILE writes (the reference for 'exactly as a single run')."""
    subprocess.run([sys.executable, "-m", "grader", str(submission), "--json", str(out_json), "--quiet",
                    "--rubric", str(TEST_RUBRIC), *extra],
                   cwd=PROJECT, check=True, stdout=subprocess.DEVNULL)
    return json.loads(out_json.read_text(encoding="utf-8"))


def comparable(results: dict) -> dict:
    """results.json without what differs between two runs of the same thing (timings)."""
    results = json.loads(json.dumps(results))
    results.pop("execution_time", None)
    results.get("extra_data", {}).pop("timings_s", None)
    return results


def batch(*args) -> subprocess.CompletedProcess:
    """./run_autograder --batch ... --rubric TESTS' RUBRIC, as a TA runs it (python -m grader: the same
    command, this interpreter)."""
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args), "--rubric", str(TEST_RUBRIC)],
                          cwd=PROJECT, capture_output=True, text=True, timeout=600)


def two_submissions(root: Path) -> Path:
    """A plain folder of two submission folders, one per base: a correct one (reference code) and
    one with a bug (the course's code)."""
    root.mkdir(parents=True)
    make_submission(root, name="alice", base="reference")
    make_submission(root, name="bob", base="course", overrides=CCE_BUG)
    return root
