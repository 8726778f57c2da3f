"""The reference's answers to every check's probe: a value, computed once and cached on disk.

The answers depend only on the checks' inputs, the probes and the reference's
code. A file of answers is named by a hash of the checks and probes, holds a hash
of the reference's code, and is plain data (the worker codec, no pickle). Where
the reference is present (the platform, a TA's machine) a file whose reference
hash is stale is ignored and recomputed in a reference worker; the first run on a
machine fills the cache, later runs read it. The students' self-check kit has no
reference: it ships the answers for its own public inputs (python -m assign) in
``answers/`` beside its grader package. A reference that fails a probe, or a kit
without answers, is a grader fault: never score against answers that are not there.
"""
import hashlib
import os
import tempfile
from pathlib import Path

from grader.checks.compare import error_text
from grader.runner.session import Session, failure_text
from grader.sandbox.codec import CodecError, decode, encode
from grader.submission import PROJECT_ROOT, build_reference_submission, reference_sources

CACHE_ENV = "BERAS_REFERENCE_CACHE"
REFERENCE_SLOWDOWN = 3          # the reference's probes may take 3 x a check's own allowance
MAX_CACHE_BYTES = 64 * 1024 * 1024


class ReferenceFailed(RuntimeError):
    """The reference did not answer a probe: the grader cannot grade (a grader fault)."""


def cache_dir():
    return Path(os.environ.get(CACHE_ENV) or PROJECT_ROOT / ".cache" / "reference")


SHIPPED_DIR = PROJECT_ROOT / "answers"     # the self-check kit's answers (no reference there)


def _digest(places):
    """A hash of every .py file in these folders (or of these files)."""
    digest = hashlib.sha256()
    for place in places:
        for path in ([place] if place.is_file() else sorted(place.rglob("*.py"))):
            digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _reference_places(edition):
    return [PROJECT_ROOT / source for source, _ in reference_sources(edition)]


def reference_present(edition):
    """Whether the reference is here (the platform, a TA's machine) - not in the students' kit."""
    return all(place.exists() for place in _reference_places(edition))


def reference_digest(edition):
    return _digest(_reference_places(edition))


def answers_name(edition, checks):
    """The file name of these checks' answers: a hash of their inputs and of the probes' code."""
    digest = hashlib.sha256(_digest([PROJECT_ROOT / "grader" / "probes"]).encode())
    for check in checks:
        digest.update(check.key.encode() + check.probe.encode() + encode(check.args))
    return f"{edition}-{digest.hexdigest()[:32]}.answers"


def reference_answers(edition, checks, log=lambda msg: None):
    """({check key: answer}, {check key: seconds}) for the checks scored against the reference."""
    wanted = [c for c in checks if c.uses_reference]
    name = answers_name(edition, wanted)
    if not reference_present(edition):
        shipped = _read(SHIPPED_DIR / name)
        if shipped is None:
            raise ReferenceFailed(f"no answers for these checks in {SHIPPED_DIR} (expected {name}); "
                                  "regenerate the kit with python -m assign")
        return shipped["answers"], shipped["seconds"]
    current = reference_digest(edition)
    cached = _read(cache_dir() / name)
    if cached is not None and cached.get("reference") == current:
        return cached["answers"], cached["seconds"]
    log("running the reference's probes")
    answers, seconds = _compute(edition, wanted, log)
    _write(cache_dir() / name, {"answers": answers, "seconds": seconds, "reference": current})
    return answers, seconds


def write_shipped_answers(folder, edition, checks, log=lambda msg: None):
    """The answers for a kit without the reference (deterministic bytes: no timings)."""
    answers, _ = reference_answers(edition, checks, log)
    wanted = [c for c in checks if c.uses_reference]
    path = Path(folder) / answers_name(edition, wanted)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encode({"answers": answers, "seconds": {}}, max_bytes=MAX_CACHE_BYTES))
    return path


def _compute(edition, checks, log):
    with tempfile.TemporaryDirectory(prefix="beras-reference-") as tmp:
        root = build_reference_submission(Path(tmp) / "reference", edition)
        with Session(root, log) as session:
            answers = {}
            for check in checks:
                result = session.call(check.key, check.probe, check.args, check.timeout * REFERENCE_SLOWDOWN)
                answers[check.key] = _answer_or_fault(check, result)
            return answers, dict(session.seconds)


def _answer_or_fault(check, result):
    if not result.ok:
        raise ReferenceFailed(f"the reference failed probe {check.probe}: {failure_text(result)}")
    failed = [label for label, case in (result.value or {}).items() if "error" in case]
    if failed:
        raise ReferenceFailed(f"the reference failed probe {check.probe} in {failed[0]}: "
                              f"{error_text(result.value[failed[0]]['error'])}")
    return result.value


def _read(path):
    try:
        if path.stat().st_size > MAX_CACHE_BYTES:
            return None
        value = decode(path.read_bytes(), max_bytes=MAX_CACHE_BYTES)
    except (OSError, CodecError, ValueError):
        return None
    return value if isinstance(value, dict) and {"answers", "seconds"} <= set(value) else None


def _write(path, value):
    """Atomically; a cache that cannot be written only costs time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = encode(value, max_bytes=MAX_CACHE_BYTES)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, prefix=".tmp-") as f:
            f.write(data)
        os.replace(f.name, path)
    except (OSError, CodecError):
        pass
