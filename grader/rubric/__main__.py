"""python -m grader.rubric [PATH] [--edition NAME]: validate a rubric and print it."""
import argparse
import sys
from pathlib import Path

from .load import RubricError, load_rubric


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m grader.rubric", description=__doc__)
    ap.add_argument("path", nargs="?", help="rubric TOML (default: the edition's)")
    ap.add_argument("--edition", help="the edition the rubric grades (default: the one its file is named "
                                          "after, grader/rubric/<edition>.toml, else the one the grader was built for)")
    a = ap.parse_args(argv)
    if a.edition is None:
        from grader.editions import EDITIONS, default_edition   # default: the zip's EDITION file, else spring2026
        stem = Path(a.path).stem if a.path else None
        a.edition = stem if stem in EDITIONS else default_edition()
    try:
        r = load_rubric(a.path, edition=a.edition)
    except RubricError as e:
        print(f"rubric error: {e}", file=sys.stderr)
        return 1
    for t in r.tests:
        print(f"{t.number:>6}  {t.points:>5g}  {t.visibility:<15} {t.key:<26} {t.name}")
    print(f"total {r.total_points:g} points, {len(r.tests)} tests ({r.source})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
