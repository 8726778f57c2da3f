"""Build an edition's stencil folder from the reference sources."""
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from grader.submission import (REFERENCE_SKIP_DIRS, REFERENCE_SKIP_SUFFIXES, ReferenceLayoutError,
                               reference_files)

from . import selfcheck
from .editions import EDITIONS
from .leaks import leaks, read_text, telltales
from .markers import MarkerError, cut

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SKIP_DIRS = REFERENCE_SKIP_DIRS
SKIP_SUFFIXES = REFERENCE_SKIP_SUFFIXES


class GenerationError(RuntimeError):
    pass


def source_files(edition, root=PROJECT_ROOT):
    """[(absolute source path, posix path inside the stencil)], sorted by stencil path."""
    try:
        return reference_files(edition.sources, root, f"edition {edition.name}")
    except ReferenceLayoutError as e:
        raise GenerationError(str(e)) from None


def build(edition, out_dir, root=PROJECT_ROOT):
    """Write the stencil of `edition` into out_dir (which must be empty or absent)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for path, key in source_files(edition, root):
        target = out_dir / key
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".py":
            source = path.read_text(encoding="utf-8")
            display = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
            stencil = cut(source, filename=display, label=key)
            try:
                compile(stencil, key, "exec")
            except SyntaxError as e:
                raise GenerationError(f"the stencil of {display} is not valid Python: {e}") from None
            with open(target, "w", encoding="utf-8", newline="") as f:
                f.write(stencil)
        else:
            shutil.copyfile(path, target)
    if selfcheck.supported(edition.name):
        try:
            selfcheck.write_kit(edition.name, out_dir)
        except selfcheck.KitError as e:
            raise GenerationError(f"the self-check kit of {edition.name}: {e}") from None
    check_no_solution(edition, out_dir, root)   # the kit too: no solution line anywhere in the stencil
    check_imports(out_dir)
    return out_dir


def check_no_solution(edition, out_dir, root=PROJECT_ROOT):
    """No line of a solution block may reach the stencil (assign.leaks says which lines count)."""
    sources = {}
    for path, _ in source_files(edition, root):
        text = read_text(path)
        if text is not None:
            sources[path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)] = text
    found = leaks(out_dir, telltales(sources))
    if found:
        raise GenerationError("the stencil would hold solution code:\n  " + "\n  ".join(found))


def check_imports(out_dir):
    """The stencil's beras package must import (its methods may then raise)."""
    if not (Path(out_dir) / "beras" / "__init__.py").exists():
        return
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)
    proc = subprocess.run([sys.executable, "-c", "import beras"], cwd=out_dir, env=env,
                          capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise GenerationError(f"`import beras` fails in the generated stencil {out_dir}:\n{proc.stderr}")


def _listing(folder):
    folder = Path(folder)
    found = set()
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        for name in filenames:
            path = Path(dirpath) / name
            if path.suffix not in SKIP_SUFFIXES:
                found.add(path.relative_to(folder).as_posix())
    return found


def compare(expected_dir, actual_dir):
    """Sorted list of 'path: why' for every file that differs between the two folders."""
    expected, actual = _listing(expected_dir), _listing(actual_dir)
    problems = [f"{p}: missing (should be generated)" for p in expected - actual]
    problems += [f"{p}: not generated from any source (stale?)" for p in actual - expected]
    for p in expected & actual:
        if not filecmp.cmp(Path(expected_dir) / p, Path(actual_dir) / p, shallow=False):
            problems.append(f"{p}: differs from the generated version")
    return sorted(problems)


def _edition(edition):
    return EDITIONS[edition] if isinstance(edition, str) else edition


def generate(edition, root=PROJECT_ROOT):
    """Regenerate the committed stencil folder of one edition (name or Edition); return its path."""
    edition = _edition(edition)
    target = Path(root) / edition.output
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{edition.name}-", dir=target.parent))
    try:
        build(edition, staging / "stencil", root)
        if target.exists():
            shutil.rmtree(target)
        (staging / "stencil").rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def check(edition, root=PROJECT_ROOT):
    """[problems] between the committed stencil and a fresh generation (empty when in sync)."""
    edition = _edition(edition)
    with tempfile.TemporaryDirectory(prefix="beras-assign-") as tmp:
        fresh = build(edition, Path(tmp) / edition.name, root)
        committed = Path(root) / edition.output
        if not committed.is_dir():
            return [f"{edition.output}: missing"]
        return [f"{edition.output}/{p}" for p in compare(fresh, committed)]


__all__ = ["MarkerError", "GenerationError", "build", "check", "compare", "generate", "source_files"]
