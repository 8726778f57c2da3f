"""The local-mode view of a results.json dict: a plain-text table for a terminal.

A view only: it reads the results as written (grader/results builds them) and
decides nothing. Under the table: the total, and which sandbox protections were in
force around the student's code (extra_data.sandbox, with what was not).
"""
from __future__ import annotations

NAME_WIDTH = 56
INDENT = " " * 7


def format_table(results: dict, *, message_lines: int = 2, width: int = 100) -> str:
    """Number, name, score / max, status, then the first ``message_lines`` of each message."""
    tests = results.get("tests") or []
    head = f"{'No.':>5}  {'Test':<{NAME_WIDTH}}  {'Score':>11}  Status"
    lines = [head, "-" * len(head)]
    for t in tests:
        lines.append(_row(t))
        lines += _message(str(t.get("output", "")), message_lines, width)
    total = results.get("score", sum(t.get("score", 0) for t in tests))
    lines += ["-" * len(head), f"Total: {_shown(total)} / {_shown(sum(t.get('max_score', 0) for t in tests))}"]
    lines += _sandbox((results.get("extra_data") or {}).get("sandbox"))
    return "\n".join(lines)


def _shown(x) -> str:
    return f"{round(float(x), 4):g}"


def _row(t: dict) -> str:
    name = str(t.get("name", ""))
    if len(name) > NAME_WIDTH:
        name = name[: NAME_WIDTH - 3] + "..."
    most = t.get("max_score")
    score = f"{_shown(t.get('score', 0))} / {_shown(most)}" if most is not None else "-"
    status = t.get("status", "")
    if most == 0:
        status += " (info)"
    if t.get("visibility", "visible") != "visible":
        status += f" [{t['visibility']}]"
    return f"{str(t.get('number', '')):>5}  {name:<{NAME_WIDTH}}  {score:>11}  {status}"


def _message(output: str, shown_lines: int, width: int) -> list[str]:
    message = [line for line in output.splitlines() if line.strip()]
    lines = [_cut(INDENT + line, width) for line in message[:shown_lines]]
    if len(message) > shown_lines:
        lines.append(f"{INDENT}... ({len(message) - shown_lines} more line(s))")
    return lines


def _cut(line: str, width: int) -> str:
    return line if len(line) <= width else line[: width - 3] + "..."


def _sandbox(sandbox) -> list[str]:
    if not isinstance(sandbox, dict):
        return []
    return [f"Sandbox: {sandbox.get('summary')}"] + [f"  not in force: {m}" for m in sandbox.get("missing") or []]
