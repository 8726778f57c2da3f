"""Run the local Beras tests (tests/test_*.py) and print what passes and what does not.

    python test_runner.py                      # every test
    python test_runner.py --category beras     # one file: beras, data, gradient, assignment (or yours)
    python test_runner.py --test NAME          # the tests whose name contains NAME, e.g. dense, ohe
    python test_runner.py --list               # the tests, by category
    python test_runner.py --verbose            # also tracebacks and what the tests printed

Exit code 0 when every selected test passes. These are the same checks as
`python tests/test_<category>.py`; the autograder runs its own, stricter ones.
The data tests need MNIST: `python -m _local.fetch_mnist` downloads it once.
"""
import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TESTS_DIR = HERE / "tests"

sys.path.insert(0, str(TESTS_DIR))
import _checks  # noqa: E402  (also puts this folder first on sys.path)

CATEGORIES = tuple(_checks.find_test_files(TESTS_DIR))


def load_categories(categories):
    """{category: (test functions, or None if its file did not load), load error}."""
    loaded = {}
    for category in categories:
        path = TESTS_DIR / f"test_{category}.py"
        try:
            loaded[category] = (_checks.collect(_checks.load_test_file(path)), None)
        except Exception as exc:  # a broken or missing test file must not stop the others
            loaded[category] = (None, exc)
    return loaded


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python test_runner.py",
                                     description=__doc__.strip().splitlines()[0])
    parser.add_argument("--category", choices=CATEGORIES, action="append",
                        help="only this category (repeatable; default: all)")
    parser.add_argument("--test", action="append", metavar="NAME",
                        help="only the tests whose name contains NAME, in any case, e.g. dense, "
                             "softmax, ohe, preprocess (repeatable); a full name runs that test alone")
    parser.add_argument("--all", action="store_true", help="run every test (the default)")
    parser.add_argument("--list", action="store_true", help="list the tests and exit")
    parser.add_argument("--verbose", "-v", action="store_true", help="print tracebacks and output")
    args = parser.parse_args(argv)

    loaded = load_categories(args.category or CATEGORIES)
    if args.list:
        for category, (tests, error) in loaded.items():
            print(f"[{category}]" + (f" (could not load: {error})" if error else ""))
            for fn in tests or []:
                print(f"  {_checks.listing(fn)}")
        return 0
    known = [fn for tests, _ in loaded.values() for fn in tests or []]
    all_loaded = all(error is None for _, error in loaded.values())
    if args.test:
        _, unknown = _checks.select(known, args.test)
        if unknown and all_loaded:  # else the test may be in the file that did not load: say that
            print(f"unknown test(s): {', '.join(unknown)}; see --list", file=sys.stderr)
            return 2

    outcomes = []
    for category, (tests, error) in loaded.items():
        if args.test and error is None:
            tests, _ = _checks.select(tests, args.test)
            if not tests:
                continue
        print(f"== {category} (tests/test_{category}.py) ==", flush=True)
        if error is not None:
            status, message = _checks.describe(error)
            outcomes.append(_checks.Outcome(f"tests/test_{category}.py", status, f"could not load: {message}"))
            _checks.report(outcomes[-1], args.verbose)
            continue
        _checks.warn_unreachable(TESTS_DIR / f"test_{category}.py", loaded[category][0])
        for fn in tests:
            outcomes.append(_checks.run_test(fn))
            _checks.report(outcomes[-1], args.verbose)
    print()
    return 0 if _checks.summary(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
