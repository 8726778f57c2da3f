"""What tells the editions apart in a submission: files and names each one defines.

Used to tell a student (or staff who picked the wrong autograder) that a submission
looks like another edition, instead of grading it against an API it never had.
"""
import ast

from grader.submission import parse_python, read_source

# edition -> (files only it has, class/function/method names only it defines)
MARKS = {
    "spring2026": ((), ("Linear", "Sequential", "zero_grad", "Named")),
    "fall2025": (("beras/gradient_tape.py",), ("Dense", "GradientTape", "SequentialModel", "apply_gradients",
                                               "Variable")),
}


def _defined_names(root):
    names = set()
    for path in sorted((root / "beras").glob("*.py"))[:50]:
        source, _ = read_source(root, path.relative_to(root).as_posix())
        tree = parse_python(source, path.name)[0] if source is not None else None
        if tree is None:
            continue
        names.update(node.name for node in ast.walk(tree)
                     if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)))
    return names


def marks_found(root):
    """{edition: [the marks of that edition found in the submission]}."""
    names = _defined_names(root)
    found = {}
    for edition, (files, defined) in MARKS.items():
        found[edition] = [f for f in files if (root / f).is_file() and not (root / f).is_symlink()] + \
                         [n for n in defined if n in names]
    return found


def other_edition(root, edition):
    """(name, marks) of an edition the submission looks more like than ``edition``, or None."""
    found = marks_found(root)
    own = len(found.get(edition, []))
    best = max((e for e in found if e != edition), key=lambda e: len(found[e]), default=None)
    if best is not None and len(found[best]) >= 2 and len(found[best]) > own:
        return best, found[best]
    return None


def mismatch_message(edition, other, marks):
    return (f"This submission looks like the {other} edition of Beras ({', '.join(marks)}), but this "
            f"autograder grades the {edition} edition, whose API differs (see the handout). Tests "
            f"below fail for that reason. If you followed the {other} handout, tell the course staff; "
            f"otherwise start from the {edition} stencil.")
