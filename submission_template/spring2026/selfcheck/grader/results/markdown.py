"""A check's message as structured Markdown (rubric setting ``output_format = "md"``).

Checks write plain text with a layout convention, never markup::

    14/15 cases match the reference.          <- headline sentences
    - Softmax() [float64, large values]:      <- a failing case; its details are indented
        result['forward']: values differ ...
            expected array shape (3, 3) ...
        hint: softmax must subtract ...       <- a hint (indented or not)
    - digits 0-9: OK                          <- a one-line case

This module renders that layout - by indentation and by the shapes ``- ...:`` and
``hint:`` of a line only, never by what the words mean - as Markdown: a heading per
case that has details, the details (expected and got values, where the code raised)
in a code block, hints as quotes, one-line cases as a list, everything else as
paragraphs. Text outside code blocks is escaped, so nothing a student's code said
(an exception message, a file name) becomes markup.
"""
from __future__ import annotations

import re
import textwrap

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~!&{}])")
_LINE_START = re.compile(r"^([-+=]|\d+[.)])")
_HINT = re.compile(r"^hint:\s*", re.IGNORECASE)
CASE_HEADING = "####"


def escape(text: str) -> str:
    """Inline text that renders as itself (no emphasis, links, HTML or headings)."""
    text = _SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], text)


def _fenced(lines: list[str]) -> str:
    body = textwrap.dedent("\n".join(lines)).strip("\n")
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)   # a fence longer than any backtick run inside
    return f"{fence}text\n{body}\n{fence}"


def _is_indented(line: str) -> bool:
    return line[:1] in (" ", "\t")


def to_markdown(text: str) -> str:
    """Render a check's plain-text message as Markdown (see the module docstring)."""
    lines = text.splitlines()
    blocks: list[str] = []
    pending: list[str] = []
    kind = None                       # what ``pending`` holds: "para", "list" or "code"

    def flush():
        nonlocal kind
        if pending:
            if kind == "code":
                blocks.append(_fenced(pending))
            elif kind == "list":
                blocks.append("\n".join(pending))
            else:
                blocks.append("  \n".join(pending))    # two spaces: a line break in the paragraph
        pending.clear()
        kind = None

    def add(new_kind, line):
        nonlocal kind
        if kind != new_kind:
            flush()
            kind = new_kind
        pending.append(line)

    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            if kind != "code":
                flush()
            continue
        if _HINT.match(stripped):
            flush()
            blocks.append("> **Hint:** " + escape(_HINT.sub("", stripped)))
        elif _is_indented(line):
            add("code", line)
        elif stripped.startswith("- ") and stripped.endswith(":") and _details_follow(lines, i):
            flush()
            blocks.append(f"{CASE_HEADING} " + escape(stripped[2:-1].strip()))
        elif stripped.startswith("- "):
            add("list", "- " + escape(stripped[2:]))
        else:
            add("para", escape(stripped))
    flush()
    return "\n\n".join(blocks)


def _details_follow(lines: list[str], i: int) -> bool:
    following = next((line for line in lines[i + 1:] if line.strip()), "")
    return _is_indented(following)
