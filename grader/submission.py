"""Finding a submission's root, and laying out the reference as a submission."""
import ast
import shutil
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
IGNORED_DIRS = {"__MACOSX", ".git", "__pycache__", "node_modules", ".venv", "venv"}
MAX_DEPTH = 4


def find_root(submission):
    """The shallowest folder under `submission` that holds beras/ (None when there is none)."""
    submission = Path(submission)
    frontier = [submission]
    for _ in range(MAX_DEPTH + 1):
        for folder in frontier:
            if (folder / "beras").is_dir():
                return folder
        frontier = sorted(child for folder in frontier for child in _subfolders(folder))
    return None


def _subfolders(folder):
    try:
        return [c for c in folder.iterdir()
                if c.is_dir() and not c.is_symlink() and c.name not in IGNORED_DIRS and not c.name.startswith(".")]
    except OSError:
        return []


def has_final_marker(root, marker):
    """FINAL.txt, final.txt, Final.TXT...: any case."""
    return any(p.is_file() and p.name.lower() == marker for p in Path(root).iterdir())


def build_reference_submission(dest, edition="spring2026"):
    """The reference library and the edition's reference files, laid out as a student submits them."""
    dest = Path(dest)
    shutil.copytree(PROJECT_ROOT / "beras", dest / "beras", ignore=shutil.ignore_patterns("__pycache__"))
    for item in (PROJECT_ROOT / "reference" / edition).iterdir():
        if item.name == "__pycache__":
            continue
        target = dest / item.name
        if item.is_dir():
            shutil.copytree(item, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(item, target)
    return dest


def _defines_function(path, name):
    try:
        tree = ast.parse(path.read_text(errors="replace"))
    except (SyntaxError, ValueError, OSError):
        return False
    return any(isinstance(node, ast.FunctionDef) and node.name == name for node in tree.body)


def renamed_assignment(root):
    """When assignment.py is missing: the one root-level .py that defines get_model(), if any."""
    root = Path(root)
    if (root / "assignment.py").exists():
        return None
    candidates = [p for p in sorted(root.glob("*.py")) if _defines_function(p, "get_model")]
    return candidates[0] if len(candidates) == 1 else None


def stage_with_assignment(root, renamed, staging):
    """A copy of the submission in which the renamed file is also available as assignment.py."""
    staged = Path(staging) / Path(root).name
    shutil.copytree(root, staged, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", ".git"))
    shutil.copy2(renamed, staged / "assignment.py")
    return staged
