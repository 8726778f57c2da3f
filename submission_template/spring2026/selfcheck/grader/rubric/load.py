"""Load and validate a rubric TOML file (format documented at the top of
grader/rubric/spring2026.toml and in grader/rubric/README.md).

    rubric = load_rubric()                      # grader/rubric/spring2026.toml
    rubric = load_rubric(edition="spring2026")
    rubric = load_rubric("/path/to/other.toml")
    rubric.tests            # list[RubricTest], in file order
    rubric.test("api")      # one test, KeyError if unknown
    rubric.total_points
    rubric.settings["gradcheck_rtol"]
    rubric.limits           # None, or {"max_submissions": int, "after": date | datetime | None}

Every problem raises RubricError naming the file and the offending key.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterator, Mapping

RUBRIC_DIR = Path(__file__).resolve().parent

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
BANNED_POLICIES = ("zero_affected", "zero_all", "report_only")
OUTPUT_FORMATS = ("text", "md")

DEFAULT_SETTINGS: dict[str, Any] = {
    "total_visibility": "visible",
    "stdout_visibility": "hidden",
    "output_format": "text",
    "banned_library": "zero_affected",
    "gradcheck_rtol": 1e-5,
    "gradcheck_warn": 1e-3,
    "final_epochs": 10,
    "final_batch_size": 64,
    "final_time_budget_s": 0,
    "final_stop_at_full_marks": False,
    "final_flush_subnormals": True,
    "final_full_accuracy": 0.95,
    "final_zero_accuracy": 0.80,
    "final_memory_mb": 640,
    # fall2025's predictions.npy review, for staff (grader/checks/predictions.py)
    "predictions_max_plausible_accuracy": 0.993,
    "predictions_accuracy_margin": 0.05,
    "predictions_min_error_correlation": 0.15,
    "total_time_budget_s": 540,
    "hint_detail": "formula",
    "input_seed": 0,
}

# Settings only one edition reads: in another edition's rubric they would be accepted and silently
# ignored, so a staff member who sets one there is told instead.
EDITION_ONLY_SETTINGS: dict[str, str] = {
    "predictions_max_plausible_accuracy": "fall2025",
    "predictions_accuracy_margin": "fall2025",
    "predictions_min_error_correlation": "fall2025",
}

TEST_REQUIRED = ("name", "number", "points", "visibility")
TEST_OPTIONAL = ("tags",)
_NUMBER_RE = re.compile(r"^\d+(\.\d+)*$")


# How much a hint gives away: the formula, only the concept to revisit, or nothing.
HINT_DETAILS = ("formula", "concept", "none")


class RubricError(ValueError):
    """The rubric file is missing or invalid; the message names file and key."""


@dataclass(frozen=True)
class RubricTest:
    key: str
    name: str
    number: str
    points: float
    visibility: str
    order: int                      # 0-based position in the file
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rubric:
    settings: Mapping[str, Any]
    tests: list[RubricTest]
    source: str = ""                # path of the file it was loaded from
    limits: Mapping[str, Any] | None = None   # [limits]: submission limits (grader/limits.py)
    _by_key: Mapping[str, RubricTest] = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {t.key: t for t in self.tests})

    def test(self, key: str) -> RubricTest:
        try:
            return self._by_key[key]
        except KeyError:
            raise KeyError(f"no rubric test {key!r} in {self.source or 'rubric'}; "
                           f"known: {', '.join(self._by_key)}") from None

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def __iter__(self) -> Iterator[RubricTest]:
        return iter(self.tests)

    @property
    def keys(self) -> list[str]:
        return [t.key for t in self.tests]

    @property
    def total_points(self) -> float:
        return sum(t.points for t in self.tests)


def default_rubric_path(edition: str = "spring2026") -> Path:
    if not re.fullmatch(r"[A-Za-z0-9_]+", edition or ""):
        raise RubricError(f"invalid edition name {edition!r}")
    return RUBRIC_DIR / f"{edition}.toml"


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _number_key(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in number.split("."))


def _check_settings(raw: Any, where: str, edition: str | None = None) -> dict[str, Any]:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise RubricError(f"{where}: [settings] must be a table")
    unknown = [k for k in raw if k not in DEFAULT_SETTINGS]
    if unknown:
        raise RubricError(f"{where}: unknown setting(s) {', '.join(map(repr, unknown))} in [settings]; "
                          f"known: {', '.join(DEFAULT_SETTINGS)}")
    elsewhere = [k for k in raw if edition and EDITION_ONLY_SETTINGS.get(k, edition) != edition]
    if elsewhere:
        raise RubricError(f"{where}: setting(s) {', '.join(map(repr, elsewhere))} in [settings] apply only to "
                          f"{EDITION_ONLY_SETTINGS[elsewhere[0]]}, but this rubric is loaded for {edition}, "
                          f"which would ignore them: remove them, or grade with --edition "
                          f"{EDITION_ONLY_SETTINGS[elsewhere[0]]} if the rubric is meant for it")
    s = {**DEFAULT_SETTINGS, **raw}

    def bad(key: str, why: str) -> RubricError:
        return RubricError(f"{where}: setting {key!r} = {s[key]!r}: {why}")

    for key in ("total_visibility", "stdout_visibility"):
        if s[key] not in VISIBILITIES:
            raise bad(key, f"must be one of {', '.join(VISIBILITIES)}")
    if s["banned_library"] not in BANNED_POLICIES:
        raise bad("banned_library", f"must be one of {', '.join(BANNED_POLICIES)}")
    if s["output_format"] not in OUTPUT_FORMATS:
        raise bad("output_format", f"must be one of {', '.join(OUTPUT_FORMATS)}")
    if not isinstance(s["input_seed"], int) or isinstance(s["input_seed"], bool) or s["input_seed"] < 0:
        raise bad("input_seed", "must be a non-negative integer")
    if s["hint_detail"] not in HINT_DETAILS:
        raise bad("hint_detail", f"must be one of {', '.join(HINT_DETAILS)}")
    for key in ("gradcheck_rtol", "gradcheck_warn", "total_time_budget_s"):
        if not _is_number(s[key]) or s[key] <= 0:
            raise bad(key, "must be a positive number")
    if not _is_number(s["final_time_budget_s"]) or s["final_time_budget_s"] < 0:
        raise bad("final_time_budget_s", "must be a number >= 0 (0: no cap of its own, the time left of the run)")
    for key in ("final_epochs", "final_batch_size", "final_memory_mb"):
        if not isinstance(s[key], int) or isinstance(s[key], bool) or s[key] <= 0:
            raise bad(key, "must be a positive integer")
    for key in ("final_stop_at_full_marks", "final_flush_subnormals"):
        if not isinstance(s[key], bool):
            raise bad(key, "must be true or false")
    for key in ("final_full_accuracy", "final_zero_accuracy", "predictions_max_plausible_accuracy",
                "predictions_accuracy_margin"):
        if not _is_number(s[key]) or not 0 <= s[key] <= 1:
            raise bad(key, "must be a number between 0 and 1")
    if not _is_number(s["predictions_min_error_correlation"]) or not -1 <= s["predictions_min_error_correlation"] <= 1:
        raise bad("predictions_min_error_correlation", "must be a number between -1 and 1 (a correlation)")
    if s["gradcheck_warn"] < s["gradcheck_rtol"]:
        raise bad("gradcheck_warn", f"must be >= gradcheck_rtol ({s['gradcheck_rtol']!r})")
    if s["final_zero_accuracy"] >= s["final_full_accuracy"]:
        raise bad("final_zero_accuracy", f"must be < final_full_accuracy ({s['final_full_accuracy']!r})")
    return s


def _check_test(key: str, raw: Any, order: int, where: str) -> RubricTest:
    label = f"{where}: test {key!r}"
    if not isinstance(raw, dict):
        raise RubricError(f"{label}: must be a table [tests.\"{key}\"]")
    if not key or not key.strip() or key != key.strip():
        raise RubricError(f"{label}: the key must be non-empty without surrounding spaces")
    missing = [f for f in TEST_REQUIRED if f not in raw]
    if missing:
        raise RubricError(f"{label}: missing field(s) {', '.join(missing)}")
    unknown = [f for f in raw if f not in TEST_REQUIRED + TEST_OPTIONAL]
    if unknown:
        raise RubricError(f"{label}: unknown field(s) {', '.join(map(repr, unknown))}")
    name, number, points, vis = raw["name"], raw["number"], raw["points"], raw["visibility"]
    if not isinstance(name, str) or not name.strip() or "\n" in name:
        raise RubricError(f"{label}: name must be a non-empty single-line string")
    if not isinstance(number, str) or not _NUMBER_RE.match(number):
        raise RubricError(f"{label}: number {number!r} must be a string like \"2.3\"")
    if not _is_number(points):
        raise RubricError(f"{label}: points {points!r} must be a number")
    if points < 0:
        raise RubricError(f"{label}: points {points!r} must not be negative")
    if vis not in VISIBILITIES:
        raise RubricError(f"{label}: unknown visibility {vis!r}; use one of {', '.join(VISIBILITIES)}")
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise RubricError(f"{label}: tags must be a list of strings")
    return RubricTest(key=key, name=name.strip(), number=number, points=points,
                      visibility=vis, order=order, tags=tuple(tags))


LIMIT_KEYS = ("max_submissions", "after")


def _check_limits(raw: Any, where: str) -> Mapping[str, Any] | None:
    """[limits]: at most max_submissions submissions from ``after`` on (a date or a datetime;
    absent: every submission counts). None when the rubric sets no limit."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise RubricError(f"{where}: [limits] must be a table")
    unknown = [k for k in raw if k not in LIMIT_KEYS]
    if unknown:
        raise RubricError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))} in [limits]; "
                          f"known: {', '.join(LIMIT_KEYS)}")
    n = raw.get("max_submissions")
    if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
        raise RubricError(f"{where}: [limits] max_submissions = {n!r}: must be a positive integer")
    after = raw.get("after")
    if isinstance(after, str):
        try:
            after = (dt.datetime.fromisoformat(after) if "T" in after or " " in after.strip()
                     else dt.date.fromisoformat(after))
        except ValueError:
            raise RubricError(f"{where}: [limits] after = {raw['after']!r}: not a date (\"2026-02-19\") "
                              "or a date and time (\"2026-02-19T17:00:00-05:00\")") from None
    if after is not None and not isinstance(after, dt.date):     # a datetime is a date too; a time is not
        raise RubricError(f"{where}: [limits] after = {after!r}: must be a date or a date and time")
    return MappingProxyType({"max_submissions": n, "after": after})


def parse_rubric(data: dict, source: str = "<rubric>", edition: str | None = None) -> Rubric:
    """Validate already-parsed TOML data (a dict) and build a Rubric (for `edition`, when given)."""
    where = source
    unknown = [k for k in data if k not in ("settings", "tests", "limits")]
    if unknown:
        raise RubricError(f"{where}: unknown top-level key(s) {', '.join(map(repr, unknown))}; "
                          "expected [settings], [limits] and [tests.\"<key>\"] tables")
    settings = _check_settings(data.get("settings"), where, edition)
    limits = _check_limits(data.get("limits"), where)
    raw_tests = data.get("tests")
    if not isinstance(raw_tests, dict) or not raw_tests:
        raise RubricError(f"{where}: no tests; add [tests.\"<key>\"] tables")
    tests: list[RubricTest] = []
    seen_numbers: dict[str, str] = {}
    for order, (key, raw) in enumerate(raw_tests.items()):
        t = _check_test(key, raw, order, where)
        if t.number in seen_numbers:
            raise RubricError(f"{where}: test {key!r}: duplicate number {t.number!r} "
                              f"(also used by {seen_numbers[t.number]!r})")
        if tests and _number_key(t.number) <= _number_key(tests[-1].number):
            raise RubricError(f"{where}: test {key!r}: number {t.number!r} must come after "
                              f"{tests[-1].number!r} ({tests[-1].key!r}); keep tests in number order")
        seen_numbers[t.number] = key
        tests.append(t)
    return Rubric(settings=MappingProxyType(settings), tests=tests, source=source, limits=limits)


def load_rubric(path: str | Path | None = None, edition: str = "spring2026") -> Rubric:
    """Load the rubric at ``path`` (default: grader/rubric/<edition>.toml)."""
    p = Path(path) if path is not None else default_rubric_path(edition)
    try:
        text = p.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise RubricError(f"{p}: rubric file not found (edition {edition!r})") from None
    except (OSError, UnicodeDecodeError) as e:
        raise RubricError(f"{p}: cannot read rubric: {e}") from None
    try:
        # TOML itself rejects duplicate keys/tables; report that as a RubricError.
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise RubricError(f"{p}: invalid TOML: {e}") from None
    return parse_rubric(data, source=str(p), edition=edition)
