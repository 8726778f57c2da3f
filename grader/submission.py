"""Finding a submission's root, and laying out the reference as a submission."""
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
