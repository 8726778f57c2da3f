"""Text that any strict JSON / UTF-8 reader accepts, and that stays a readable size.

Strings reach results.json from places the grader does not control: exception
messages raised by student code (``raise ValueError("\\ud800")`` carries a lone
surrogate), names read from the file system (a folder named in latin-1 bytes is
decoded by Python with ``surrogateescape``: byte 0xE9 becomes U+DCE9), text a
worker printed. None of these can be encoded as UTF-8, and writing them raises
UnicodeEncodeError at the very end of a grading run. NUL characters are valid
JSON but are refused by common JSON stores (PostgreSQL's jsonb), so they go too.

Everything is shown escaped, never dropped, so a student can still see what
their code said:

* U+DC80..U+DCFF (a byte that was not UTF-8, from the file system) -> ``\\xNN``
* any other surrogate U+D800..U+DFFF                                -> ``\\uNNNN``
* NUL                                                               -> ``\\x00``

``safe_tree`` applies this to every string (keys included) of a JSON-like tree;
build_results and the results writers call it once, so callers never need to.
"""
from __future__ import annotations

import re
from typing import Any

_UNSAFE = re.compile("[\x00\ud800-\udfff]")
_ESCAPED_BYTES = range(0xDC80, 0xDD00)   # what surrogateescape makes of bytes 0x80..0xFF


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    if code == 0:
        return "\\x00"
    if code in _ESCAPED_BYTES:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


def safe_text(text: str) -> str:
    """``text`` with everything UTF-8 cannot encode (and NUL) shown as an escape."""
    return _UNSAFE.sub(_escape, text)


def safe_tree(value: Any) -> Any:
    """A copy of a JSON-like tree (dict / list / tuple / scalars) with every string made safe."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, dict):
        return {safe_text(str(k)): safe_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [safe_tree(v) for v in value]
    return value


def bounded_text(text: str, limit: int) -> str:
    """``text`` cut to about ``limit`` characters, keeping its start and its end.

    The end of a message matters as much as its start (the last line a crashing
    program printed), so the middle is what goes, and the cut is said."""
    if len(text) <= limit:
        return text
    keep = max(limit - 80, 3)
    head, tail = text[: keep * 2 // 3], text[-(keep // 3):]
    return f"{head}\n[... {len(text) - len(head) - len(tail)} characters cut ...]\n{tail}"
