"""What the batch keeps per submission in OUT/<id>/: results.json (the grader's own file,
byte for byte), answers.json (digests of wrong answers, staff only) and run.json (how the
run went: status, exit status, seconds, host, grader version, resume key, stderr's end).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

GRADED = "graded"
GRADER_FAULT = "grader fault"          # exit 3: the grader could not grade; results.json says so
TIMED_OUT = "timed out"
TASK_FAILED = "task failed"            # the executor lost the task (a worker died, a bug)
OTHER_GRADER = "other grader version"  # a cluster worker holds another version of the grader
FAILED = "grader failed"               # any other exit status (1 crash, 5 not written...)


def status_of(outcome: dict, grader: str) -> str:
    if "crash" in outcome:
        return TASK_FAILED
    if outcome.get("grader") != grader:
        return OTHER_GRADER
    if outcome.get("exit") is None:
        return TIMED_OUT
    if outcome["exit"] == 0 and outcome.get("results"):
        return GRADED
    if outcome["exit"] == 3:
        return GRADER_FAULT
    return FAILED


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def save(out: Path, submission_id: str, key: str, grader: str, outcome: dict) -> dict:
    """Write OUT/<id>/ from a task's outcome; returns the run record."""
    folder = out / submission_id
    folder.mkdir(parents=True, exist_ok=True)
    status = status_of(outcome, grader)
    for name in ("results.json", "answers.json"):
        text = outcome.get(name.split(".")[0])
        if text is not None:
            _write_text(folder / name, text)
        elif (folder / name).exists():
            (folder / name).unlink()          # never leave an earlier run's file beside this run's record
    record = {"id": submission_id, "status": status, "key": key, "exit": outcome.get("exit"),
              "seconds": outcome.get("seconds"), "started": outcome.get("started"), "host": outcome.get("host"),
              "grader": outcome.get("grader"), "stderr": outcome.get("stderr") or outcome.get("crash") or ""}
    _write_text(folder / "run.json", json.dumps(record, indent=1))
    return record


def load_record(out: Path, submission_id: str) -> dict | None:
    try:
        return json.loads((out / submission_id / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def load_json(out: Path, submission_id: str, name: str) -> dict | None:
    try:
        return json.loads((out / submission_id / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def reusable(out: Path, submission_id: str, key: str) -> dict | None:
    """The earlier record when this submission was graded with the same key (nothing changed)."""
    record = load_record(out, submission_id)
    if (record and record.get("key") == key and record.get("status") == GRADED
            and (out / submission_id / "results.json").is_file()):
        return record
    return None
