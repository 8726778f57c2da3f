"""Validation of a results dict against Gradescope's results.json format.

The schema (draft 2020-12) lives next to this file; tests/results keeps an
identical copy for the project's own tests.
"""
from __future__ import annotations

import functools
import json
import os
from pathlib import Path

SCHEMA_PATH = Path(__file__).resolve().parent / "gradescope_results.schema.json"


class ResultsError(ValueError):
    """A results dict that Gradescope would not accept."""


@functools.lru_cache(maxsize=1)
def load_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def to_json(results: dict) -> str:
    """Serialise strictly (no NaN/Infinity, only JSON types); ResultsError otherwise."""
    try:
        return json.dumps(results, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    except (TypeError, ValueError) as e:
        raise ResultsError(f"results are not valid JSON: {e}") from None


def validate_results(results: dict) -> dict:
    """Raise ResultsError listing every problem; return the JSON round-tripped copy.

    The students' self-check kit runs without jsonschema: there the results are only
    checked to be strict JSON (the platform validates the same code path in full)."""
    if not isinstance(results, dict):
        raise ResultsError(f"results must be a dict, not {type(results).__name__}")
    data = json.loads(to_json(results))
    try:
        import jsonschema  # in requirements.txt; imported lazily so importing this module is cheap
    except ImportError:
        if os.environ.get("BERAS_SELFCHECK") == "1":
            return data
        raise
    validator = jsonschema.Draft202012Validator(load_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = [f"- at /{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:20]]
        if len(errors) > 20:
            lines.append(f"- ... and {len(errors) - 20} more")
        raise ResultsError("results do not match Gradescope's format:\n" + "\n".join(lines))
    return data
