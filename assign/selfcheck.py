"""The students' self-check kit: the platform's grader, without the solution, inside the stencil.

    submission_template/<edition>/
        run_autograder              python run_autograder [--json FILE] [--final]
        selfcheck/
            README.md               what this folder is (nothing in it to edit)
            grader/                 a copy of the grader package, minus EXCLUDED
            gradescope_utils/       vendored (MIT; its LICENSE is kept beside it)
            answers/                the reference's answers for the kit's own inputs (data)

The kit grades with the platform's own probes, checks, messages and points, but on
public inputs: its rubric copy draws them from PUBLIC_SEED, and the platform's rubric
must use another seed, so answers read out of the kit earn nothing on Gradescope.
The reference solution never ships: the answers are numbers computed here, from the
reference, for the checks a student sees (tests that are not "visible" on Gradescope
are listed by the kit, not run, and their answers are not shipped), and grader
modules that hold a solution in another form (EXCLUDED) are left out.

Everything written is a function of the sources (no timings, no dates, sorted
files), so `python -m assign --check` can compare a fresh kit byte for byte.
The kit is always cut from the grader and reference of this checkout (the ones
`python -m assign` runs with).
"""
import importlib.metadata
import importlib.util
import os
import re
import shutil
import stat
import tomllib
from pathlib import Path

KIT_DIR = "selfcheck"
ENTRY_POINT = "run_autograder"
# The inputs of the students' self-check; the platform's rubric must use another seed. (Seed 1 draws a
# model whose Softmax saturates below CategoricalCrossEntropy's clip, where the reference fails its own
# gradient check: write_answers refuses such a seed.)
PUBLIC_SEED = 2
# Grader modules that must not reach students, with the reason (relative to the grader package).
EXCLUDED = {
    "checks/optimizer_variants.py": "simulates correct and wrong optimizer updates: the optimizers' solution",
    "reference_demo.py": "grades the reference solution, which the kit does not have",
}
SKIP_DIRS = {"__pycache__", ".pytest_cache"}
SKIP_SUFFIXES = {".pyc", ".pyo"}
VENDORED = "gradescope_utils"
VENDORED_DIST = "gradescope-utils"
LICENSE_NAMES = ("LICENSE", "LICENSE.txt", "LICENSE.md", "COPYING")


class KitError(RuntimeError):
    """The kit cannot be built (a missing package, a platform seed equal to the public one...)."""


def grader_root():
    """The folder holding the grader package this checkout grades with."""
    return Path(__file__).resolve().parents[1]


# The kit is built for spring2026 only: it bundles that edition's grader and the reference's
# answers for its public inputs. fall2025 students get no kit (their grade rests on
# predictions.npy and the platform's safeguards), even once the grader knows fall2025.
KIT_EDITIONS = ("spring2026",)


def supported(edition_name):
    """True when this edition's stencil gets the kit: the grader knows it and it is in KIT_EDITIONS."""
    from grader.editions import EDITIONS
    return edition_name in EDITIONS and edition_name in KIT_EDITIONS


def write_kit(edition_name, stencil_dir, log=lambda msg: None):
    """Write the kit and its entry point into stencil_dir; return the kit folder."""
    stencil_dir = Path(stencil_dir)
    kit, entry = stencil_dir / KIT_DIR, stencil_dir / ENTRY_POINT
    clash = [p.name for p in (kit, entry) if p.exists() or p.is_symlink()]
    if clash:
        raise KitError(f"the stencil's sources already hold {', '.join(clash)}, which the self-check kit writes")
    copy_grader(grader_root() / "grader", kit / "grader")
    rubric = write_public_rubric(edition_name, kit / "grader" / "rubric" / f"{edition_name}.toml")
    vendor(VENDORED, VENDORED_DIST, kit)
    write_answers(edition_name, rubric, kit / "answers", log)
    (kit / "README.md").write_text(KIT_README.format(edition=edition_name, seed=PUBLIC_SEED), encoding="utf-8")
    entry.write_text(ENTRY_SCRIPT.replace("@EDITION@", edition_name).replace("@KIT@", KIT_DIR), encoding="utf-8")
    entry.chmod(entry.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return kit


# ------------------------------------------------------------------ the grader, minus the solution

def _kept(rel):
    parts = Path(rel).parts
    return (rel not in EXCLUDED and not SKIP_DIRS & set(parts) and Path(rel).suffix not in SKIP_SUFFIXES
            and not any(p.startswith(".") for p in parts))


def copy_grader(source, dest):
    """Copy the grader package file by file (sorted), leaving out EXCLUDED and compiled files."""
    source = Path(source)
    missing = [rel for rel in EXCLUDED if not (source / rel).is_file()]
    if missing:
        # A renamed module would otherwise ship under its new name unnoticed.
        raise KitError(f"excluded grader module(s) not found: {', '.join(missing)}; update "
                       "assign/selfcheck.py EXCLUDED")
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        rel = path.relative_to(source).as_posix()
        if _kept(rel):
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


# ------------------------------------------------------------------ the rubric, on public inputs

_SEED_LINE = re.compile(r"(?m)^input_seed\s*=.*$")


def public_rubric_text(text, where="the rubric"):
    """The rubric's text with [settings] input_seed set to PUBLIC_SEED (refused if the platform uses it)."""
    settings = tomllib.loads(text).get("settings", {})
    if settings.get("input_seed", 0) == PUBLIC_SEED:
        raise KitError(f"{where} draws the platform's inputs from input_seed = {PUBLIC_SEED}, the students' "
                       "public seed: answers in the kit would then be the platform's. Choose another input_seed.")
    line = f"input_seed = {PUBLIC_SEED}   # the self-check kit's public inputs; the platform draws others"
    if "input_seed" in settings:
        text, count = _SEED_LINE.subn(line, text)
    else:
        text, count = re.subn(r"(?m)^\[settings\][ \t]*$", "[settings]\n" + line, text, count=1)
    if count != 1 or tomllib.loads(text)["settings"].get("input_seed") != PUBLIC_SEED:
        raise KitError(f"could not set input_seed in {where}: write it as one line `input_seed = N` "
                       "under [settings]")
    return text


def write_public_rubric(edition_name, dest):
    from grader.rubric.load import default_rubric_path
    source = default_rubric_path(edition_name)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(public_rubric_text(source.read_text(encoding="utf-8"), str(source)), encoding="utf-8")
    return dest


# ------------------------------------------------------------------ vendored packages

def vendor(package, distribution, kit):
    """Copy an installed pure-Python package (and its licence) into the kit."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise KitError(f"{package} is not installed here; the kit vendors it (pip install {distribution})")
    source = Path(next(iter(spec.submodule_search_locations)))
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        rel = path.relative_to(source)
        if not SKIP_DIRS & set(rel.parts) and path.suffix not in SKIP_SUFFIXES:
            (kit / package / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, kit / package / rel)
    licence = _licence(distribution)
    if licence is None:
        raise KitError(f"no licence file found for {distribution}; the kit must ship it with the code")
    (kit / package / "LICENSE").write_bytes(licence)


def _licence(distribution):
    dist = importlib.metadata.distribution(distribution)
    for file in dist.files or ():
        if Path(file).name in LICENSE_NAMES:
            return Path(dist.locate_file(file)).read_bytes()
    return None


# ------------------------------------------------------------------ the answers

def kit_checks(edition_name, rubric):
    """The checks the kit runs: the edition's, on the kit's inputs, visible on Gradescope."""
    from grader.editions import load_edition
    checks = load_edition(edition_name).checks(rubric.settings["input_seed"])
    return [c for c in checks if rubric.test(c.key).visibility == "visible"]


def write_answers(edition_name, rubric_path, dest, log=lambda msg: None):
    """The reference's answers to the kit's checks (grader.runner.reference computes or reads them),
    once the reference has passed every one of them against itself."""
    from grader.rubric.load import load_rubric
    from grader.runner.reference import reference_answers, reference_present, write_shipped_answers
    if not reference_present(edition_name):
        raise KitError(f"the reference of {edition_name} is not in {grader_root()}: the kit's answers "
                       "are computed from it")
    rubric = load_rubric(rubric_path, edition=edition_name)
    checks = kit_checks(edition_name, rubric)
    answers, _ = reference_answers(edition_name, checks, log)
    failed = [problem for check in checks if check.uses_reference
              for problem in [_self_graded(check, answers[check.key], rubric.settings)] if problem]
    if failed:
        # The kit would tell every student that the grader failed, whatever their code.
        raise KitError(f"with input_seed = {rubric.settings['input_seed']}, the reference does not pass its own "
                       "checks:\n  " + "\n  ".join(failed))
    return write_shipped_answers(dest, edition_name, checks, log)


def _self_graded(check, answer, settings):
    """None when the reference, graded against its own answer, gets full marks; else why not."""
    try:
        outcome = check.score(check, answer, answer, settings)
    except Exception as error:  # e.g. the reference's gradients disagree with its finite differences
        return f"{check.key}: {type(error).__name__}: {error}"
    if outcome.fraction != 1:
        return f"{check.key}: {outcome.fraction:.0%}: {outcome.output[:500]}"
    return None


KIT_README = """\
# selfcheck/ - the course's autograder, for your own computer

Run it from the homework folder (the one holding beras/):

    python run_autograder                 # the table of tests, points and messages
    python run_autograder --json out.json # also Gradescope's results.json
    python run_autograder --final         # also train your model as the final test does
                                          # (as if FINAL.txt were there; takes minutes)

It is Gradescope's grader: the same tests, points and messages, your code run the
same way (in separate, limited worker processes). What differs:

- the inputs: Gradescope draws its own, so the expected answers stored in answers/
  (numbers for this kit's inputs, seed {seed}) are worth nothing there;
- tests that Gradescope shows only after the deadline are listed here as "checked
  on Gradescope only" and not run;
- some hints that name a specific mistake are given only on Gradescope.

It needs MNIST (the preprocessing and final tests): `python -m _local.fetch_mnist`
downloads it once. It runs on Linux, and on Windows inside WSL; its sandbox uses what
the kernel offers, and the table's last line says which protections were in force.
Nothing here is yours to edit; it is not part of your submission and is not graded.
Generated by the course staff (edition {edition}).
"""

ENTRY_SCRIPT = '''\
#!/usr/bin/env python3
\"\"\"Grade this homework folder with the course's own autograder, on your computer.

    python run_autograder                  the table of tests, points and messages
    python run_autograder --json FILE      also write Gradescope's results.json to FILE
    python run_autograder --final          also train your model as the final test does
                                           (as if FINAL.txt were here; nothing is created)

The same tests, points and messages as Gradescope, on other inputs (Gradescope draws
its own). Tests shown on Gradescope only after the deadline are listed, not run.
Needs Python 3.11+ and NumPy; nothing to install, no network. MNIST, once:
python -m _local.fetch_mnist
\"\"\"
import argparse
import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
KIT = HERE / "@KIT@"
EDITION = "@EDITION@"
MNIST_ENV = "BERAS_MNIST_DIR"
# Not part of what you submit: this script, the autograder beside it, the downloaded MNIST.
NOT_SUBMITTED = {"@KIT@", "run_autograder", "data"}
NEVER_COPIED = {"__pycache__", ".git", ".venv", "venv", "node_modules", ".ipynb_checkpoints", ".pytest_cache"}


def _arguments(argv):
    parser = argparse.ArgumentParser(prog="python run_autograder", description=__doc__.splitlines()[0],
                                     epilog="Exit status 0: graded, whatever the score. Any other: the "
                                            "autograder could not grade (the message says why).")
    parser.add_argument("--json", metavar="FILE", help="also write Gradescope's results.json here")
    parser.add_argument("--final", action="store_true",
                        help="run the final training test too, as if FINAL.txt were in this folder")
    parser.add_argument("--messages", type=int, default=6, metavar="N",
                        help="lines of each test's message shown (default 6; 0 for all)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    return parser.parse_args(argv)


def _grader_only_on_path():
    \"\"\"The kit first; never this folder (the grading side imports none of the homework's code).\"\"\"
    def here(entry):
        try:
            return Path(entry or os.curdir).resolve() == HERE
        except OSError:
            return False
    sys.path[:] = [str(KIT)] + [p for p in sys.path if not here(p)]


def _missing_mnist():
    \"\"\"The MNIST files the grader needs and cannot find (it checks their contents itself).\"\"\"
    from grader.data import mnist
    folder = mnist.mnist_dir()
    return folder, [file for file, _, _ in mnist.FILES.values() if not (folder / file).is_file()]


def _skipped(folder, names):
    \"\"\"What copytree leaves out: the self-check's own files, caches, and anything not a file,
    folder or link (a named pipe would block the copy).\"\"\"
    left_out = set(NOT_SUBMITTED) if Path(folder) == HERE else set()
    for name in names:
        try:
            mode = os.lstat(os.path.join(folder, name)).st_mode
        except OSError:
            left_out.add(name)
            continue
        if name in NEVER_COPIED or not (stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode)):
            left_out.add(name)
    return left_out


def _strict_json_without_jsonschema():
    \"\"\"results.json is checked against Gradescope's schema with jsonschema, which Gradescope's
    image has and the handout's environment has not: without it, the kit checks that the
    results are strict JSON (grader.results.schema.to_json) and no more. (Until the grader
    does this itself; see assign/selfcheck.py.)\"\"\"
    import importlib.util
    if importlib.util.find_spec("jsonschema") is None:
        import json
        from grader.results import results_file, schema
        results_file.validate_results = lambda results: json.loads(schema.to_json(results))


def _what_you_submit(tmp):
    \"\"\"A copy of this folder as you would submit it, under the same name (links copied as links:
    the grader decides what they may point to, as on Gradescope).\"\"\"
    copy = Path(tmp) / HERE.name
    shutil.copytree(HERE, copy, symlinks=True, ignore=_skipped)
    return copy


def main(argv=None):
    args = _arguments(sys.argv[1:] if argv is None else argv)
    if sys.version_info < (3, 11):
        print(f"run_autograder needs Python 3.11 or newer (this is {sys.version.split()[0]})", file=sys.stderr)
        return 2
    if sys.platform == "win32":
        print("run_autograder runs on Linux: on Windows, run it inside WSL (Windows Subsystem for Linux)",
              file=sys.stderr)
        return 2
    if not sys.platform.startswith("linux"):
        print(f"run_autograder: made for Linux; on {sys.platform} some of it may not work", file=sys.stderr)
    if not (KIT / "grader" / "cli.py").is_file():
        print(f"run_autograder: {KIT} is missing or incomplete; download the homework again", file=sys.stderr)
        return 2
    _grader_only_on_path()
    # MNIST where the homework's own code finds it (python -m _local.fetch_mnist puts it there).
    os.environ.setdefault(MNIST_ENV, str(HERE / "data" / "mnist"))
    folder, missing = _missing_mnist()
    if missing:
        print(f"run_autograder: MNIST is not in {folder} (missing {', '.join(missing)}). Get it once with\\n"
              f"    python -m _local.fetch_mnist\\nor set {MNIST_ENV} to the folder holding the four files.",
              file=sys.stderr)
        return 2
    os.environ["BERAS_SELFCHECK"] = "1"   # a student's self-check (grader.cli --selfcheck reads it too)
    _strict_json_without_jsonschema()
    from grader.cli import main as grade
    with tempfile.TemporaryDirectory(prefix="beras-selfcheck-") as tmp:
        command = [str(_what_you_submit(tmp)), "--edition", EDITION, "--selfcheck", "--messages", str(args.messages)]
        command += ["--json", args.json] if args.json else []
        command += ["--final"] if args.final else []
        command += ["--quiet"] if args.quiet else []
        return grade(command)


if __name__ == "__main__":
    sys.exit(main())
'''
