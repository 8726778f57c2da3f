"""Where the student-written code is: the marked blocks of a base's files.

The reference marks what students write with ``# BEGIN SOLUTION: <task>`` ...
``# END SOLUTION``; the course-faithful base (tests/bases) with ``# BEGIN STUDENT``
... ``# END STUDENT``. Mutants are made only inside these blocks: the rest is code
the course gives, which the grader does not score.
"""
import re
from dataclasses import dataclass

MARKERS = {"reference": "SOLUTION", "course": "STUDENT"}


@dataclass(frozen=True)
class Block:
    task: str
    first: int   # first line of code (1-based, after the BEGIN line)
    last: int    # last line of code (before the END line)

    def holds(self, first, last):
        return self.first <= first and last <= self.last


def blocks_of(text, marker):
    """The marked blocks of a file's text, in order."""
    begin = re.compile(rf"^\s*# BEGIN {marker}(?::\s*(?P<task>.*))?$")
    end = re.compile(rf"^\s*# END {marker}\s*$")
    found, start, task = [], None, None
    for number, line in enumerate(text.splitlines(), start=1):
        opened = begin.match(line)
        if opened:
            start, task = number + 1, (opened.group("task") or "").strip()
        elif end.match(line) and start is not None:
            found.append(Block(task, start, number - 1))
            start = None
    return found
