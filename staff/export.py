"""The submissions in a batch folder: a Gradescope export, or a plain folder of folders.

A Gradescope "Export Submissions" folder holds one ``submission_<id>/`` folder per
submission and ``submission_metadata.yml`` mapping each folder to its submitters (name,
sid, email), ``created_at`` and ``score`` (Ruby-style keys: ``:submitters:``, ``:name:``).
A plain folder: every subfolder is one submission, named after its folder. The export's
zip itself is unpacked first (once, into OUT/export/).

    folder = unpacked(DIR_OR_ZIP, OUT)
    submissions, warnings = find_submissions(folder)
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

METADATA_FILE = "submission_metadata.yml"
SKIPPED = {"__MACOSX", "__pycache__", ".git"}
_EXPORT_FOLDER = re.compile(r"^submission_(\d+)$")


class BatchFolderError(ValueError):
    """DIR is not a folder of submissions (said to the TA as a usage error)."""


@dataclass(frozen=True)
class Submitter:
    name: str = ""
    email: str = ""
    sid: str = ""


@dataclass(frozen=True)
class Submission:
    id: str                              # OUT/<id>/; the number of a Gradescope submission_<id>/ folder
    path: Path
    submitters: tuple[Submitter, ...] = ()
    created_at: str = ""                 # as the metadata gives it (ISO 8601)
    platform_score: float | None = None  # the score Gradescope holds for it
    extra: dict = field(default_factory=dict, compare=False)


def unpacked(source, out) -> Path:
    """The folder of submissions: ``source`` itself, or, for a zip (Gradescope's export as
    downloaded), its contents unpacked into OUT/export/ - once per zip - and the folder in it
    that holds submission_metadata.yml."""
    source = Path(source)
    if not (source.is_file() and zipfile.is_zipfile(source)):
        return source
    dest = Path(out) / "export"
    stamp = dest / ".unpacked-from"
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    if not (stamp.is_file() and stamp.read_text() == digest):
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        with zipfile.ZipFile(source) as archive:
            archive.extractall(dest)      # zipfile drops absolute paths and ".." and writes no links
        stamp.write_text(digest)
    found = sorted(dest.rglob(METADATA_FILE), key=lambda p: len(p.parts))
    if found:
        return found[0].parent
    tops = [p for p in dest.iterdir() if p.is_dir()]
    return tops[0] if len(tops) == 1 and not (tops[0] / "beras").is_dir() else dest


def _field(entry: dict, name: str):
    """A metadata field, whether the export wrote it Ruby-style (":name") or plainly ("name")."""
    if not isinstance(entry, dict):
        return None
    return entry.get(f":{name}", entry.get(name))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


def read_metadata(path: Path) -> dict:
    """{folder name: entry} from submission_metadata.yml."""
    import yaml  # staff dependency (requirements-staff.txt)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise BatchFolderError(f"{path}: cannot read the export's metadata ({type(error).__name__}: {error})")
    if not isinstance(data, dict):
        raise BatchFolderError(f"{path}: expected a mapping of submission folders, got {type(data).__name__}")
    return {str(k): v for k, v in data.items()}


def _submitters(entry) -> tuple[Submitter, ...]:
    people = _field(entry, "submitters") or []
    if not isinstance(people, list):
        return ()
    return tuple(Submitter(name=_text(_field(p, "name")), email=_text(_field(p, "email")),
                           sid=_text(_field(p, "sid"))) for p in people if isinstance(p, dict))


def _score(entry) -> float | None:
    value = _field(entry, "score")
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def _submission_id(folder: Path, export: bool) -> str:
    match = _EXPORT_FOLDER.match(folder.name)
    return match.group(1) if export and match else folder.name


def find_submissions(folder, exclude=()) -> tuple[list[Submission], list[str]]:
    """(the submissions in ``folder``, sorted by id; warnings for the TA). ``exclude``: folders
    that are not submissions even when inside it (the batch's own OUT)."""
    folder = Path(folder)
    excluded = {Path(p).resolve() for p in exclude}
    if not folder.is_dir():
        raise BatchFolderError(f"{folder} is not a folder")
    if (folder / "beras").is_dir():
        raise BatchFolderError(f"{folder} holds beras/: it is one submission, not a folder of them "
                               f"(grade it with ./run_autograder {folder})")
    metadata_path = folder / METADATA_FILE
    metadata = read_metadata(metadata_path) if metadata_path.is_file() else {}
    export = bool(metadata)
    subfolders = sorted(p for p in folder.iterdir()
                        if p.is_dir() and not p.is_symlink() and p.name not in SKIPPED and not p.name.startswith(".")
                        and p.resolve() not in excluded)
    submissions, warnings = [], []
    for path in subfolders:
        entry = metadata.get(path.name)
        if export and entry is None:
            warnings.append(f"{path.name}/ is not in {METADATA_FILE}: graded without names")
        submissions.append(Submission(id=_submission_id(path, export), path=path.resolve(),
                                      submitters=_submitters(entry), created_at=_text(_field(entry, "created_at")),
                                      platform_score=_score(entry)))
    names = {p.name for p in subfolders}
    for missing in sorted(set(metadata) - names):
        warnings.append(f"{METADATA_FILE} lists {missing}, which has no folder here: not graded")
    ids = [s.id for s in submissions]
    if len(set(ids)) != len(ids):
        raise BatchFolderError(f"{folder}: two folders give the same submission id")
    if not submissions:
        raise BatchFolderError(f"{folder} holds no submission folders")
    return sorted(submissions, key=lambda s: s.id), warnings
