"""The students' self-check kit (`python run_autograder` in the stencil), run as a student runs it.

A homework folder is laid out as a student has it - the generated stencil, kit included,
filled with a complete solution (tests/bases: our reference, or one written on the course's
given code), with one classic bug or none - and `python run_autograder --json FILE` runs in
it with the handout's environment: Python 3.11 and NumPy, nothing else (no gradescope-utils,
no jsonschema) and no PYTHONPATH, so neither this project nor its reference solution is
reachable. Its verdicts are compared with the platform grader's on the same folder: every
test students see passes or fails alike, and the failing messages name the same cases,
files and methods (the numbers differ: the kit's inputs are not the platform's).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from assign import selfcheck
from grader.data import mnist
from grader.sandbox import confine
from tests.grader.submissions import RUBRIC, by_number, grade_json, make_submission
from tests.grader.test_both_bases import BUGS
from tests.stencil.folders import ROOT, STENCIL, ignore
from tests.stencil.test_no_solution_in_stencil import _files, occurrences, solution_lines

pytestmark = pytest.mark.timeout(300)

KIT = STENCIL / selfcheck.KIT_DIR
ENTRY = STENCIL / selfcheck.ENTRY_POINT
VISIBLE = {t.number for t in RUBRIC if t.visibility == "visible"}
PLATFORM_ONLY = {t.number for t in RUBRIC if t.visibility != "visible"}
BUG = {p.id: p.values[0] for p in BUGS}
ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (to become another user)")


# ------------------------------------------------------------------ the handout's environment

# What the handout asks students to install: NumPy, and matplotlib for the course's visualize.py.
HANDOUT_PACKAGES = ("numpy", "matplotlib")


def handout_environment(dest):
    """A Python 3.11 with the handout's packages in its site-packages and nothing else: a venv of
    the project's base interpreter, each package (and what it requires) hard-linked, file by file
    as its RECORD lists them, from the project's venv. Returns its python."""
    dest = Path(dest)
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    base = Path(sys.base_prefix) / "bin" / f"python{version}"
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(dest)], check=True, timeout=120)
    site = dest / "lib" / f"python{version}" / "site-packages"
    for distribution in _with_requirements(HANDOUT_PACKAGES):
        for file in distribution.files or ():
            source = Path(distribution.locate_file(file)).resolve()
            target = site / file
            if source.is_file() and target.resolve().is_relative_to(site.resolve()) and "__pycache__" not in \
                    file.parts:
                target.parent.mkdir(parents=True, exist_ok=True)
                _link_or_copy(source, target)
    return dest / "bin" / "python"


def _with_requirements(names):
    """The installed distributions of these names and of everything they require (no extras)."""
    import importlib.metadata as metadata
    found, pending = {}, list(names)
    while pending:
        name = re.split(r"[ <>=!~;\[(]", pending.pop(), maxsplit=1)[0].lower().replace("_", "-")
        if name in found:
            continue
        found[name] = metadata.distribution(name)
        pending += [r for r in found[name].requires or () if "extra ==" not in r]
    return [found[name] for name in sorted(found)]


def _link_or_copy(source, target):
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


@pytest.fixture(scope="module")
def python(tmp_path_factory):
    return handout_environment(tmp_path_factory.mktemp("handout") / "venv")


def student_env(**extra):
    """What a student's shell has: no PYTHONPATH, none of the grader's switches; MNIST from the
    project's local copy (as if fetched; BERAS_MNIST_DIR=None leaves it unset)."""
    env = {k: v for k, v in os.environ.items()
           if k != "PYTHONPATH" and not k.startswith(("BERAS_", "PYTEST_")) and k != "VIRTUAL_ENV"}
    env.update(PYTHONDONTWRITEBYTECODE="1", BERAS_MNIST_DIR=str(mnist.mnist_dir()))
    for key, value in extra.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


# ------------------------------------------------------------------ homework folders

def homework(tmp_path, base, overrides=None):
    """The stencil as handed out (kit included), filled with a complete solution."""
    folder = tmp_path / "homework"
    shutil.copytree(STENCIL, folder, ignore=ignore)
    solution = make_submission(tmp_path / "solution", base=base, overrides=overrides)
    shutil.copytree(solution, folder, dirs_exist_ok=True, ignore=ignore)
    return folder


def run_kit(python, folder, *args, env=None, timeout=240):
    return subprocess.run([str(python), selfcheck.ENTRY_POINT, *args], cwd=folder, env=env or student_env(),
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def kit_results(python, folder, *args):
    proc = run_kit(python, folder, "--json", "kit.json", "--quiet", *args)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    results = json.loads((folder / "kit.json").read_text(encoding="utf-8"))
    (folder / "kit.json").unlink()
    return results, proc.stdout


def verdicts(results, numbers):
    return {n: t["status"] for n, t in by_number(results).items() if n in numbers}


_NUMBER = re.compile(r"\d+(\.\d+)?(e[-+]?\d+)?")
_LOCATION = re.compile(r"\bat ([\w./-]+\.py):(\d+) in (\w+)\(\)")
_METHOD = re.compile(r"\b([A-Z]\w*\.\w+)\(\)")


def what_a_failure_names(output):
    """The cases a failing message lists (numbers masked: the inputs differ), and the files,
    lines and methods it points at."""
    lines = output.splitlines()
    cases = {_NUMBER.sub("#", line) for line in lines[1:] if line.startswith("- ")}
    return {"head": _NUMBER.sub("#", lines[0]) if lines else "", "cases": cases,
            "locations": set(_LOCATION.findall(output)), "methods": set(_METHOD.findall(output))}


def assert_platform_only_tests_listed(kit):
    for number in PLATFORM_ONLY:
        test = by_number(kit)[number]
        assert test["score"] == 0 and test["output"].startswith("Checked on Gradescope only"), test


# ------------------------------------------------------------------ the environment itself

def test_the_handout_environment_has_numpy_and_nothing_of_ours(python, tmp_path):
    probe = ("import importlib.util as u, numpy, matplotlib.pyplot\n"
             "print([m for m in ('gradescope_utils', 'jsonschema', 'grader', 'beras', 'tensorflow')"
             " if u.find_spec(m)])")
    proc = subprocess.run([str(python), "-c", probe], cwd=tmp_path, env=student_env(), capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "[]", proc.stdout + proc.stderr


def share(test):
    return test["score"] / test["max_score"] if test["max_score"] else test["status"]


# ------------------------------------------------------------------ the platform's verdicts, locally

@pytest.mark.parametrize("base", ["reference", "course"])
def test_a_correct_homework_gets_the_platforms_verdicts(python, tmp_path, base):
    folder = homework(tmp_path, base)
    kit, table = kit_results(python, folder)
    platform = grade_json(folder)
    assert verdicts(kit, VISIBLE) == verdicts(platform, VISIBLE)
    for number in VISIBLE:  # the kit's rubric has the production points, the platform run the tests' own
        assert share(by_number(kit)[number]) == share(by_number(platform)[number]), number
    assert_platform_only_tests_listed(kit)
    assert "Sandbox: filesystem: allow-list" in table, table[-800:]


@pytest.mark.parametrize("bug", ["softmax_jacobian_of_the_wrong_shape", "backward_passes_g_instead_of_a_list",
                                 "cce_gradient_missing_1_over_batch", "softmax_subtracts_the_global_max"])
@pytest.mark.parametrize("base", ["reference", "course"])
def test_one_bug_gets_the_platforms_verdicts_and_messages(python, tmp_path, base, bug):
    folder = homework(tmp_path, base, BUG[bug])
    kit, _ = kit_results(python, folder)
    platform = grade_json(folder)
    assert verdicts(kit, VISIBLE) == verdicts(platform, VISIBLE)
    failing = {n for n, status in verdicts(platform, VISIBLE).items() if status == "failed"}
    lose = next(p.values[1] for p in BUGS if p.id == bug)
    assert lose & VISIBLE <= failing, "the bug must show in the tests students see"
    for number in sorted(failing):
        assert what_a_failure_names(by_number(kit)[number]["output"]) == \
            what_a_failure_names(by_number(platform)[number]["output"]), number
    assert_platform_only_tests_listed(kit)


def test_a_hint_that_simulates_the_optimizer_is_given_on_the_platform_only(python, tmp_path):
    # The recogniser of RMSProp's sqrt(v + eps) mistake simulates RMSProp: it does not ship.
    folder = homework(tmp_path, "course", BUG["rmsprop_sqrt_of_v_plus_eps"])
    kit, _ = kit_results(python, folder)
    platform = grade_json(folder)
    assert by_number(kit)["2.9"]["status"] == by_number(platform)["2.9"]["status"] == "failed"
    assert "sqrt(v + eps)" in by_number(platform)["2.9"]["output"]
    assert "sqrt(v + eps)" not in by_number(kit)["2.9"]["output"]
    assert what_a_failure_names(by_number(kit)["2.9"]["output"])["cases"] == \
        what_a_failure_names(by_number(platform)["2.9"]["output"])["cases"]


def test_final_trains_as_the_platform_does_without_creating_final_txt(python, tmp_path):
    folder = homework(tmp_path, "reference")
    kit, _ = kit_results(python, folder, "--final")
    final = by_number(kit)["5.1"]
    assert final["status"] == "passed" and final["score"] == final["max_score"], final
    assert "test accuracy" in final["output"]
    assert not [p for p in folder.iterdir() if p.name.lower() == "final.txt"]
    without, _ = kit_results(python, folder)
    assert by_number(without)["5.1"]["score"] == 0 and "FINAL.txt" in by_number(without)["5.1"]["output"]


def test_without_mnist_it_says_how_to_fetch_it(python, tmp_path):
    folder = homework(tmp_path, "reference")
    proc = run_kit(python, folder, env=student_env(BERAS_MNIST_DIR=None))
    assert proc.returncode == 2
    assert "python -m _local.fetch_mnist" in proc.stderr and str(folder / "data" / "mnist") in proc.stderr


def test_help_names_the_options(python, tmp_path):
    folder = homework(tmp_path, "reference")
    proc = run_kit(python, folder, "--help")
    assert proc.returncode == 0
    assert "--json FILE" in proc.stdout and "--final" in proc.stdout


@ROOT_ONLY
def test_a_student_who_is_not_root_gets_the_same_verdicts_and_is_told_the_protections():
    """The non-root path of the sandbox (a student's laptop): Landlock and namespaces as the
    kernel allows, and the table says what was in force and what was not."""
    setpriv = shutil.which("setpriv")
    if not setpriv:
        pytest.skip("needs util-linux's setpriv")
    uid = confine.unused_sandbox_uid()
    area = Path(tempfile.mkdtemp(prefix="beras-selfcheck-student-"))
    try:
        area.chmod(0o755)
        python = handout_environment(area / "venv")
        folder = homework(area, "reference")
        out = area / "out"
        out.mkdir()
        os.chown(out, uid, uid)
        # the student's own copy of MNIST (the project's may sit in a folder only root can read)
        data = area / "mnist"
        data.mkdir()
        for file, _, _ in mnist.FILES.values():
            shutil.copyfile(mnist.mnist_dir() / file, data / file)
            (data / file).chmod(0o644)
        env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "LANG": "C.UTF-8",
               "BERAS_MNIST_DIR": str(data), "PYTHONDONTWRITEBYTECODE": "1"}
        proc = subprocess.run([setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", str(python),
                               selfcheck.ENTRY_POINT, "--quiet", "--json", str(out / "kit.json")],
                              cwd=folder, env=env, capture_output=True, text=True, timeout=240)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        kit = json.loads((out / "kit.json").read_text(encoding="utf-8"))
        platform = grade_json(folder)
    finally:
        confine.kill_uid(uid)
        confine.remove_files_of_uid(uid)
        shutil.rmtree(area, ignore_errors=True)
    assert verdicts(kit, VISIBLE) == verdicts(platform, VISIBLE)
    sandbox = kit["extra_data"]["sandbox"]
    assert sandbox["details"]["filesystem"] == "allow-list" and sandbox["details"]["uid_drop"] is False, sandbox
    assert sandbox["missing"], "what was not in force must be said"
    assert "Sandbox: filesystem: allow-list" in proc.stdout and "not in force" in proc.stdout, proc.stdout[-800:]


# ------------------------------------------------------------------ what the kit holds

def test_the_kit_holds_no_line_of_any_solution_block():
    tells = solution_lines()
    scanned = {p.relative_to(STENCIL).as_posix() for p in _files(STENCIL)}
    # the stencil-wide check (test_no_solution_in_stencil) reads the kit's files too
    assert f"{selfcheck.KIT_DIR}/grader/grade.py" in scanned and selfcheck.ENTRY_POINT in scanned
    assert occurrences(KIT, tells) == []


def _distinctive_lines(path, others):
    lines = {line.strip() for line in path.read_text(encoding="utf-8").splitlines()}
    return {line for line in lines if len(line) >= 12 and not line.startswith(("#", '"""')) and line not in others}


def test_the_kit_holds_nothing_of_the_excluded_modules_and_no_reference():
    grader = ROOT / "grader"
    kit_files = [p for p in KIT.rglob("*") if p.is_file()]
    assert not (KIT / "beras").exists() and not (KIT / "reference").exists()
    for rel in selfcheck.EXCLUDED:
        assert not (KIT / "grader" / rel).exists(), rel
        others = {line.strip() for p in grader.rglob("*.py") if p != grader / rel
                  for line in p.read_text(encoding="utf-8").splitlines()}
        telling = _distinctive_lines(grader / rel, others)
        assert telling, f"{rel}: nothing distinctive to look for"
        found = [f"{p.relative_to(KIT)}: {line.strip()}" for p in kit_files if p.suffix in (".py", ".md", "")
                 for line in p.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip() in telling]
        assert found == [], rel


def test_the_kit_is_the_platforms_grader_with_public_inputs():
    for path in sorted((ROOT / "grader").rglob("*")):
        rel = path.relative_to(ROOT / "grader").as_posix()
        if path.is_file() and "__pycache__" not in path.parts and rel not in selfcheck.EXCLUDED \
                and rel != "rubric/spring2026.toml":
            assert (KIT / "grader" / rel).read_bytes() == path.read_bytes(), rel
    import tomllib
    platform = tomllib.loads((ROOT / "grader" / "rubric" / "spring2026.toml").read_text())
    kit = tomllib.loads((KIT / "grader" / "rubric" / "spring2026.toml").read_text())
    assert kit["settings"].pop("input_seed") == selfcheck.PUBLIC_SEED != platform["settings"].pop("input_seed", 0)
    assert kit == platform   # every other setting, every test, every point is the platform's
    assert (KIT / "gradescope_utils" / "LICENSE").read_text().startswith("MIT License")


def test_a_rubric_on_the_public_seed_is_refused():
    text = (ROOT / "grader" / "rubric" / "spring2026.toml").read_text()
    same = re.sub(r"(?m)^input_seed = .*$", f"input_seed = {selfcheck.PUBLIC_SEED}", text)
    with pytest.raises(selfcheck.KitError, match="public seed"):
        selfcheck.public_rubric_text(same)


def test_a_reference_that_fails_its_own_check_is_refused():
    """The kit's answers are checked before they ship: graded against itself, the reference
    must get full marks (else every student would be told the grader failed)."""
    from grader.editions import load_edition
    from grader.runner.reference import reference_answers
    settings = RUBRIC.settings
    checks = [c for c in load_edition("spring2026").checks(selfcheck.PUBLIC_SEED) if c.key == "gradients.layers"]
    answers, _ = reference_answers("spring2026", checks)
    answer = answers["gradients.layers"]
    assert selfcheck._self_graded(checks[0], answer, settings) is None
    label = next(iter(answer))
    value = answer[label]["value"]
    doubled = dict(value, analytic={name: g * 2 for name, g in value["analytic"].items()})
    broken = dict(answer, **{label: dict(answer[label], value=doubled)})
    assert "gradients.layers" in selfcheck._self_graded(checks[0], broken, settings)


def test_the_answers_are_regenerated_byte_for_byte(tmp_path):
    """`python -m assign --check` compares the kit's answers too: computed afresh (no cache) by a
    new reference worker, they are the committed bytes."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", BERAS_REFERENCE_CACHE=str(tmp_path / "empty-cache"))
    proc = subprocess.run([sys.executable, "-m", "assign", "--check"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    computed = list((tmp_path / "empty-cache").iterdir())
    assert [p.name for p in computed] == [p.name for p in (KIT / "answers").iterdir()]
    assert computed[0].read_bytes() != b""
