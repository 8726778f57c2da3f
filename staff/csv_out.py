"""OUT/grades.csv: one row per submission, one column per rubric test number.

Columns: id, names, emails, sids (from the export's metadata when present; several
submitters joined with "; "), created_at, gradescope_score (what Gradescope holds),
status (graded / grader fault / ...), total, max, each test's score under its number
("2.1", ...), seconds, and integrity (the flags for staff, "" when none).
A run where the grader failed has empty test columns, never a 0 that looks like a grade.
"""
from __future__ import annotations

import csv

from staff.records import GRADED

FIXED = ["id", "names", "emails", "sids", "created_at", "gradescope_score", "status", "total", "max"]
TAIL = ["seconds", "integrity"]


def columns(rubric) -> list[str]:
    return FIXED + [t.number for t in rubric.tests] + TAIL


def _row(submission, run, results, rubric, flags) -> dict:
    people = submission.submitters
    row = {"id": submission.id, "names": "; ".join(p.name for p in people),
           "emails": "; ".join(p.email for p in people), "sids": "; ".join(p.sid for p in people),
           "created_at": submission.created_at,
           "gradescope_score": "" if submission.platform_score is None else submission.platform_score,
           "status": run["status"] if run else "not graded", "max": rubric.total_points,
           "seconds": (run or {}).get("seconds", ""), "integrity": flags.summary(submission.id)}
    if run and run["status"] == GRADED and results:
        row["total"] = results.get("score", "")
        by_number = {t.get("number"): t.get("score") for t in results.get("tests", [])}
        row.update({t.number: by_number.get(t.number, "") for t in rubric.tests})
    return row


def write_grades(path, submissions, runs, results, rubric, flags) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns(rubric), restval="")
        writer.writeheader()
        for s in submissions:
            writer.writerow(_row(s, runs.get(s.id), results.get(s.id), rubric, flags))
