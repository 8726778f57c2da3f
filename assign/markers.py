"""Cut a student version out of a solution file, by its solution markers.

    # BEGIN SOLUTION: <todo text>
    ... solution code ...
    # END SOLUTION
    # STENCIL: <code>          (optional, one or more lines)

The block between BEGIN and END (markers included) becomes, at the BEGIN
line's indentation,

    # TODO: <todo text>
    raise NotImplementedError("<Class.method> in <file>: <todo text>")

If ``# STENCIL:`` lines directly follow the END line, their code (each at
its own line's indentation) replaces the ``raise``; the TODO comment stays.
Everything else is kept byte for byte. In the solution the STENCIL lines are
ordinary comments.
"""
import ast
import json
import re

BEGIN_RE = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION(?::[ \t]*(?P<todo>.*?))?[ \t]*$")
END_RE = re.compile(r"^(?P<indent>[ \t]*)# END SOLUTION[ \t]*$")
STENCIL_RE = re.compile(r"^(?P<indent>[ \t]*)# STENCIL:[ \t]?(?P<code>.*?)[ \t]*$")
# Anything that looks like a marker; a line matching this but not the strict
# forms above is a typo that would otherwise leak into the stencil.
LOOSE_RE = re.compile(r"#\s*(BEGIN\s+SOLUTION|END\s+SOLUTION|STENCIL\s*:)", re.IGNORECASE)

DEFAULT_TODO = "implement this"


class MarkerError(ValueError):
    """A malformed, unbalanced or nested marker; the message starts with file:line."""

    def __init__(self, filename, lineno, message):
        self.filename, self.lineno = filename, lineno
        super().__init__(f"{filename}:{lineno}: {message}")


def _strip_eol(line):
    return line.rstrip("\r\n")


def _eol(line):
    return line[len(_strip_eol(line)):] or "\n"


def _indent_of(line):
    return len(line) - len(line.lstrip(" \t"))


def _scopes_from_ast(source):
    """[(first line, last line, qualified name)] of every def/class, or None if unparsable."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    scopes = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}.{child.name}" if prefix else child.name
                for deco in getattr(child, "decorator_list", []):
                    if isinstance(deco, ast.Attribute) and deco.attr in ("setter", "deleter"):
                        name += f" ({deco.attr})"
                scopes.append((child.lineno, child.end_lineno, name))
                visit(child, name)
            else:
                visit(child, prefix)

    visit(tree, "")
    return scopes


_DEF_RE = re.compile(r"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+(?P<name>\w+)")


def _scope_by_scanning(lines, index):
    """Qualified name of the def/class enclosing lines[index], scanning upward by indentation."""
    names = []
    threshold = _indent_of(lines[index])
    for line in reversed(lines[:index]):
        text = _strip_eol(line)
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        indent = _indent_of(text)
        if indent < threshold:
            m = _DEF_RE.match(text)
            if m:
                names.append(m.group("name"))
            threshold = indent
            if indent == 0:
                break
    return ".".join(reversed(names))


def enclosing_name(source, lines, index, scopes=None):
    """'Class.method' (or 'function') around lines[index] (0-based); '' at module level."""
    if scopes is None:
        scopes = _scopes_from_ast(source)
    if scopes is None:
        return _scope_by_scanning(lines, index)
    lineno = index + 1
    inside = [(first, name) for first, last, name in scopes if first < lineno <= last]
    return max(inside)[1] if inside else ""


def _string_literal(text):
    return json.dumps(text, ensure_ascii=False)


def cut(source, filename="<string>", label=None):
    """Return the stencil version of one solution file's source text.

    ``filename`` is used in error messages; ``label`` (default: filename) is
    how the file is named in the NotImplementedError messages, e.g.
    ``beras/core.py``. Raises MarkerError on malformed, unbalanced or nested
    markers.
    """
    label = label or filename
    lines = source.splitlines(keepends=True)
    scopes = _scopes_from_ast(source)
    out = []
    block = None          # (begin index, indent string, todo text) while inside a block
    after_end = False     # the previous line closed a block (STENCIL lines may follow)
    pending_raise = None  # the raise line to emit unless STENCIL lines follow
    for i, line in enumerate(lines):
        text = _strip_eol(line)
        lineno = i + 1
        begin, end, stencil = BEGIN_RE.match(text), END_RE.match(text), STENCIL_RE.match(text)
        if not (begin or end or stencil) and LOOSE_RE.search(text):
            raise MarkerError(filename, lineno, f"malformed marker line: {text.strip()!r} "
                              "(expected '# BEGIN SOLUTION: todo', '# END SOLUTION' or '# STENCIL: code' "
                              "alone on its line)")
        if stencil:
            if block is not None:
                raise MarkerError(filename, lineno, "# STENCIL: inside a solution block (put it right "
                                  f"after the # END SOLUTION of the block opened at line {block[0] + 1})")
            if not after_end:
                raise MarkerError(filename, lineno, "# STENCIL: line does not directly follow "
                                  "a # END SOLUTION line")
            if "SOLUTION" in stencil.group("code"):
                raise MarkerError(filename, lineno, "the word SOLUTION would leak into the stencil")
            pending_raise = None
            out.append(stencil.group("indent") + stencil.group("code") + _eol(line))
            continue
        if pending_raise is not None:
            out.append(pending_raise)
            pending_raise = None
        after_end = False
        if begin:
            if block is not None:
                raise MarkerError(filename, lineno, "nested # BEGIN SOLUTION: the block opened at "
                                  f"line {block[0] + 1} is not closed yet")
            todo = (begin.group("todo") or "").strip() or DEFAULT_TODO
            if "SOLUTION" in todo:
                raise MarkerError(filename, lineno, "the word SOLUTION in the TODO text would leak "
                                  "into the stencil")
            block = (i, begin.group("indent"), todo)
            continue
        if end:
            if block is None:
                raise MarkerError(filename, lineno, "# END SOLUTION without a matching # BEGIN SOLUTION")
            start, indent, todo = block
            if end.group("indent") != indent:
                raise MarkerError(filename, lineno, "# END SOLUTION is not indented like its "
                                  f"# BEGIN SOLUTION at line {start + 1}")
            where = enclosing_name(source, lines, start, scopes)
            message = f"{where} in {label}: {todo}" if where else f"{label}: {todo}"
            eol = _eol(lines[start])
            out.append(f"{indent}# TODO: {todo}{eol}")
            pending_raise = f"{indent}raise NotImplementedError({_string_literal(message)}){eol}"
            block = None
            after_end = True
            continue
        if block is None:
            if "SOLUTION" in text:
                raise MarkerError(filename, lineno, "given code mentions SOLUTION, which would leak "
                                  f"into the stencil: {text.strip()!r}")
            out.append(line)
    if block is not None:
        raise MarkerError(filename, block[0] + 1, "# BEGIN SOLUTION is never closed by # END SOLUTION")
    if pending_raise is not None:
        out.append(pending_raise)
    result = "".join(out)
    # The checks above should make this impossible; never ship a marker anyway.
    if "SOLUTION" in result or LOOSE_RE.search(result):
        raise AssertionError(f"{filename}: a solution marker leaked into the stencil")
    return result


def fill(source, filename="<string>"):
    """The file as a student hands it in: the stencil, with the solution where the stencil's
    ``raise`` (or its STENCIL lines) stood.

    Each ``# BEGIN SOLUTION: todo`` becomes the stencil's ``# TODO: todo`` comment, the
    solution lines stay, and the END line and the STENCIL lines after it go. Malformed
    markers raise MarkerError, as for ``cut``."""
    cut(source, filename=filename)          # the same validation (and errors) as the stencil's
    out = []
    after_end = False
    for line in source.splitlines(keepends=True):
        text = _strip_eol(line)
        begin, end, stencil = BEGIN_RE.match(text), END_RE.match(text), STENCIL_RE.match(text)
        if stencil and after_end:
            continue
        after_end = bool(end)
        if begin:
            todo = (begin.group("todo") or "").strip() or DEFAULT_TODO
            out.append(f"{begin.group('indent')}# TODO: {todo}{_eol(line)}")
        elif not end:
            out.append(line)
    result = "".join(out)
    if "SOLUTION" in result or LOOSE_RE.search(result):
        raise AssertionError(f"{filename}: a solution marker is left in the filled file")
    return result
