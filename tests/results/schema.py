"""Gradescope results.json schema for the project's tests.

    from tests.results.schema import validate_results
    validate_results(results)     # AssertionError listing every problem

The schema file next to this module is the test-side copy; it must stay identical
to grader/results/gradescope_results.schema.json (checked in test_schema.py).
"""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema

SCHEMA_PATH = Path(__file__).resolve().parent / "gradescope_results.schema.json"


def load_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def schema_errors(results) -> list[str]:
    """Every reason Gradescope would reject ``results`` (empty list when valid)."""
    try:
        data = json.loads(json.dumps(results, allow_nan=False))
    except (TypeError, ValueError) as e:
        return [f"not strict JSON: {e}"]
    validator = jsonschema.Draft202012Validator(load_schema())
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(data)]


def validate_results(results) -> None:
    errors = schema_errors(results)
    assert not errors, "results.json does not match Gradescope's format:\n" + "\n".join(errors)


validate = validate_results
