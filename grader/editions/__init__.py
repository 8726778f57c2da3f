"""The editions of the homework: one grader.editions.base.Edition subclass each (design principle 7)."""
import importlib

EDITIONS = ("spring2026", "fall2025")
DEFAULT_EDITION = "spring2026"


def load_edition(name=DEFAULT_EDITION):
    if name not in EDITIONS:
        raise ValueError(f"Unknown edition {name!r}; known: {', '.join(EDITIONS)}")
    return importlib.import_module(f"grader.editions.{name}").EDITION
