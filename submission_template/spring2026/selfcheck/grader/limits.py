"""Submission limits: at most N graded submissions from a date on (the rubric's [limits]).

    [limits]
    max_submissions = 15
    after = "2026-02-19"      # a date (its midnight, in the submission's own time zone) or a datetime

Gradescope tells each run about the student's earlier submissions in
/autograder/submission_metadata.json (`created_at`, and `previous_submissions`, each
with `submission_time`, `score`, `results`); locally `--metadata FILE` gives the same.
Submissions are counted by their own times, never the wall clock, so a regrade reaches
the same decision: this submission's number is 1 + the earlier submissions made from
`after` on and before this one's `created_at`. Earlier runs the autograder failed on
(`autograder_error`) do not count against the student.

Within the limit the submission is graded and the output says how many remain. Over it,
it is not graded: the latest earlier submission's results are kept (as Gradescope
advises for rate limits), under a top-level message naming this submission's number,
the limit and the score that stands. When no earlier results can be found, the
submission is graded anyway and says so: a missing record never costs a student a score.

    decision = decide(rubric.limits, metadata)
    if not decision.grade: write(decision.results)
    else: write(with_note(grade(...), decision))
"""
from __future__ import annotations

import copy
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

GRADESCOPE_METADATA = Path("/autograder/submission_metadata.json")


@dataclass(frozen=True)
class Decision:
    grade: bool                         # False: over the limit, write ``results`` instead of grading
    note: str = ""                      # the top-level line for the student ("" when no limit applies)
    results: dict | None = None         # over the limit: the kept results, with the note on top
    data: dict = field(default_factory=dict)   # for staff: extra_data["submission_limit"]


class MetadataError(ValueError):
    """The metadata file is missing, unreadable or not what Gradescope writes."""


def read_metadata(path) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MetadataError(f"{path}: {type(error).__name__}: {error}") from None
    if not isinstance(data, dict):
        raise MetadataError(f"{path}: not a JSON object")
    return data


def _moment(text) -> dt.datetime | None:
    """An ISO 8601 time as Gradescope writes it ("2026-02-20T14:22:32.365935-08:00"); None if not one."""
    if not isinstance(text, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _start(after, tz) -> dt.datetime | None:
    """When counting starts: a date means its midnight in the submission's own time zone."""
    if after is None:
        return None
    if not isinstance(after, dt.datetime):
        after = dt.datetime.combine(after, dt.time())
    return after if after.tzinfo else after.replace(tzinfo=tz)


def _shown(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _after_text(limits) -> str:
    after = limits.get("after")
    return f" from {after.isoformat()} on" if after is not None else ""


def _earlier(metadata, created):
    """[(time, entry)] of earlier submissions (before ``created``), oldest first."""
    out = []
    for entry in metadata.get("previous_submissions") or []:
        if isinstance(entry, dict):
            moment = _moment(entry.get("submission_time"))
            if moment is not None and moment < created:
                out.append((moment, entry))
    return sorted(out, key=lambda pair: pair[0])


def decide(limits, metadata) -> Decision:
    """What to do with this submission under ``limits`` (the rubric's, or None)."""
    if not limits or metadata is None:
        return Decision(grade=True)
    created = _moment(metadata.get("created_at"))
    if created is None:
        return Decision(grade=True, data={"not_applied": "the metadata has no readable created_at"})
    n, after = limits["max_submissions"], _after_text(limits)
    start = _start(limits.get("after"), created.tzinfo)
    if start is not None and created < start:
        return Decision(grade=True, note=f"Submissions{after} are limited to {n}; this one does not count.",
                        data={"counted": False, "max_submissions": n})
    earlier = _earlier(metadata, created)
    counted = [e for t, e in earlier if (start is None or t >= start) and not e.get("autograder_error")]
    number = len(counted) + 1
    data = {"counted": True, "number": number, "max_submissions": n}
    if number <= n:
        left = n - number
        tail = (f"{left} left." if left else "it was your last: later submissions will not be graded, "
                "and this one's score will stand.")
        return Decision(grade=True, note=f"Submission {number} of the {n} allowed{after}: {tail}", data=data)
    kept = _latest_results(earlier)
    if kept is None:
        note = (f"Submission {number}{after}, over the limit of {n}; no earlier result was found to keep, "
                "so this one was graded.")
        return Decision(grade=True, note=note, data={**data, "over": True, "kept": None})
    moment, results = kept
    moment = _originally_graded(results) or moment
    score = _score_of(results)
    note = (f"This is submission {number}{after}, over the limit of {n}: it was not graded. The results below "
            f"are those of your submission of {_shown(moment)}, and its score of {score:g} points stands.")
    data = {**data, "over": True, "kept": moment.isoformat(), "score": score, "note": note}
    return Decision(grade=False, note=note, results=_merged(results, note, data), data=data)


def _latest_results(earlier):
    """(time, results) of the latest earlier submission with usable results, or None."""
    for moment, entry in reversed(earlier):
        results = entry.get("results")
        if isinstance(results, dict) and isinstance(results.get("tests"), list):
            return moment, results
    return None


def _previous_decision(results) -> dict:
    extra = results.get("extra_data")
    decision = extra.get("submission_limit") if isinstance(extra, dict) else None
    return decision if isinstance(decision, dict) else {}


def _originally_graded(results) -> dt.datetime | None:
    """When kept results were themselves kept from an earlier submission: that one's time."""
    return _moment(_previous_decision(results).get("kept"))


def _score_of(results) -> float:
    score = results.get("score")
    if isinstance(score, (int, float)) and not isinstance(score, bool):
        return round(float(score), 4)
    return round(sum(float(t.get("score") or 0) for t in results["tests"] if isinstance(t, dict)), 4)


def _merged(results, note, data) -> dict:
    """The kept results with the note at the top and the decision in extra_data."""
    merged = copy.deepcopy(results)
    output = merged.get("output") if isinstance(merged.get("output"), str) else ""
    earlier_note = _previous_decision(results).get("note")
    if isinstance(earlier_note, str) and earlier_note and output.startswith(earlier_note):
        output = output[len(earlier_note):].lstrip("\n")      # kept once already: one note, not a chain
    merged["output"] = note + ("\n\n" + output if output else "")
    extra = merged.get("extra_data") if isinstance(merged.get("extra_data"), dict) else {}
    merged["extra_data"] = {**extra, "submission_limit": data}
    return merged


def with_note(results: dict, decision: Decision) -> dict:
    """A graded submission's results with the limit's line on top (unchanged when there is none)."""
    if not decision.note and not decision.data:
        return results
    out = dict(results)
    if decision.note:
        out["output"] = decision.note + ("\n\n" + out["output"] if out.get("output") else "")
    if decision.data:
        out["extra_data"] = {**(out.get("extra_data") or {}), "submission_limit": decision.data}
    return out
