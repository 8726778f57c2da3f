"""Mutation operators: each looks at one AST node and proposes single edits of the source.

An operator is a function ``(node) -> iterable of Edit``. An Edit replaces the source
span of one node (or of two adjacent statements) with new text; the generator applies
it to the file, keeps it only when the result compiles and differs, and drops
duplicates. Two families:

generic         arithmetic and comparison swaps, constants off by one, dropped
                statements, removed returns, swapped arguments and operands, swapped
                adjacent statements, a function for its twin (max/min, any/all, ...)
deep-learning   transpose, wrong axis, keepdims dropped, missing 1/batch (a division
                dropped, mean turned into sum), sign flips, in-place update turned into
                rebinding, eps moved inside the sqrt, a reduction dropped (e.g. a bias
                gradient not summed over the batch), first batch only (a loop over the
                first item), training flag ignored
"""
import ast
import copy
from dataclasses import dataclass


@dataclass(frozen=True)
class Edit:
    span: tuple          # (first line, first col, last line, end col): ast positions (cols in UTF-8 bytes)
    text: str            # the replacement source
    operator: str        # the operator's name
    what: str            # the edit in a few words: "old -> new"
    statement: bool = False   # the span is a whole statement (continuation lines are indented)


# Expressions whose unparsed text needs parentheses where another expression stood.
_NEEDS_PARENS = (ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Lambda, ast.NamedExpr)


def _span(node):
    return (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)


def _short(text, limit=70):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def replace(node, new_node, operator):
    """An Edit putting new_node (an expression or a statement) where node stands."""
    text = ast.unparse(ast.fix_missing_locations(new_node))
    if isinstance(new_node, _NEEDS_PARENS) and isinstance(node, ast.expr):
        text = f"({text})"
    return Edit(_span(node), text, operator, f"{_short(ast.unparse(node))} -> {_short(text)}",
                statement=isinstance(node, ast.stmt))


def _changed(node, **fields):
    """A deep copy of node with some fields replaced."""
    new = copy.deepcopy(node)
    for name, value in fields.items():
        setattr(new, name, value)
    return new


def _called_name(call):
    """The called function's last name: np.sum -> "sum", x.mean -> "mean", len -> "len"."""
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def _with_name(call, name):
    func = call.func
    new_func = (ast.Attribute(copy.deepcopy(func.value), name, ast.Load()) if isinstance(func, ast.Attribute)
                else ast.Name(name, ast.Load()))
    return _changed(call, func=new_func)


def _neg(expr):
    return ast.UnaryOp(ast.USub(), copy.deepcopy(expr))


def _dot_t(expr):
    return ast.Attribute(copy.deepcopy(expr), "T", ast.Load())


# ------------------------------------------------------------------------------ generic

ARITHMETIC_SWAPS = {ast.Add: [ast.Sub], ast.Sub: [ast.Add], ast.Mult: [ast.Div], ast.Div: [ast.Mult],
                    ast.FloorDiv: [ast.Div], ast.Mod: [ast.FloorDiv], ast.Pow: [ast.Mult],
                    ast.MatMult: [ast.Mult]}
COMPARISON_SWAPS = {ast.Gt: [ast.GtE, ast.Lt], ast.GtE: [ast.Gt, ast.LtE], ast.Lt: [ast.LtE, ast.Gt],
                    ast.LtE: [ast.Lt, ast.GtE], ast.Eq: [ast.NotEq], ast.NotEq: [ast.Eq],
                    ast.Is: [ast.IsNot], ast.IsNot: [ast.Is], ast.In: [ast.NotIn], ast.NotIn: [ast.In]}
FUNCTION_TWINS = {"maximum": "minimum", "minimum": "maximum", "max": "min", "min": "max",
                  "argmax": "argmin", "argmin": "argmax", "any": "all", "all": "any",
                  "zeros": "ones", "ones": "zeros", "normal": "uniform", "uniform": "normal"}
NON_COMMUTATIVE = (ast.Sub, ast.Div, ast.MatMult, ast.Pow, ast.FloorDiv, ast.Mod)


def arithmetic_swap(node):
    if isinstance(node, ast.BinOp):
        for op in ARITHMETIC_SWAPS.get(type(node.op), []):
            yield replace(node, _changed(node, op=op()), "arithmetic_swap")
    elif isinstance(node, ast.AugAssign):
        for op in ARITHMETIC_SWAPS.get(type(node.op), []):
            yield replace(node, _changed(node, op=op()), "arithmetic_swap")


def comparison_swap(node):
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        for op in COMPARISON_SWAPS.get(type(node.ops[0]), []):
            yield replace(node, _changed(node, ops=[op()]), "comparison_swap")
    elif isinstance(node, ast.BoolOp):
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        yield replace(node, _changed(node, op=other), "comparison_swap")
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield replace(node, copy.deepcopy(node.operand), "comparison_swap")


def constant_off_by_one(node):
    if not isinstance(node, ast.Constant):
        return
    value = node.value
    if isinstance(value, bool):
        yield replace(node, ast.Constant(not value), "constant_off_by_one")
    elif isinstance(value, (int, float)):
        for new in (value + 1, value - 1):
            yield replace(node, ast.Constant(new) if new >= 0 else _neg(ast.Constant(-new)),
                          "constant_off_by_one")


def drop_statement(node):
    if isinstance(node, ast.stmt) and not isinstance(node, (ast.Return, ast.Pass)):
        yield replace(node, ast.Pass(), "drop_statement")


def remove_return(node):
    if isinstance(node, ast.Return) and node.value is not None:
        yield replace(node, ast.Expr(copy.deepcopy(node.value)), "remove_return")


def swap_arguments(node):
    if isinstance(node, ast.Call) and not any(isinstance(a, ast.Starred) for a in node.args):
        for i in range(len(node.args) - 1):
            args = copy.deepcopy(node.args)
            args[i], args[i + 1] = args[i + 1], args[i]
            yield replace(node, _changed(node, args=args), "swap_arguments")


def swap_operands(node):
    if isinstance(node, ast.BinOp) and isinstance(node.op, NON_COMMUTATIVE):
        yield replace(node, _changed(node, left=node.right, right=node.left), "swap_operands")


def function_twin(node):
    if isinstance(node, ast.Call) and _called_name(node) in FUNCTION_TWINS:
        yield replace(node, _with_name(node, FUNCTION_TWINS[_called_name(node)]), "function_twin")


def swap_statements(node, source):
    """Each pair of adjacent simple statements in one body, in the other order."""
    for field in ("body", "orelse", "finalbody"):
        body = getattr(node, field, None)
        if not isinstance(body, list):
            continue
        for first, second in zip(body, body[1:]):
            if _compound(first) or _compound(second):
                continue
            a, b = ast.get_source_segment(source, first), ast.get_source_segment(source, second)
            if a is None or b is None or a == b:
                continue
            indent = " " * first.col_offset
            span = (first.lineno, first.col_offset, second.end_lineno, second.end_col_offset)
            yield Edit(span, f"{b}\n{indent}{a}", "swap_statements",
                       f"{_short(a, 40)} <-> {_short(b, 40)}", statement=False)


def _compound(stmt):
    return isinstance(stmt, (ast.If, ast.For, ast.While, ast.With, ast.Try, ast.FunctionDef, ast.ClassDef))


# ------------------------------------------------------------------------------ deep learning

def transpose(node):
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        yield replace(node, _changed(node, left=_dot_t(node.left)), "transpose")
        yield replace(node, _changed(node, right=_dot_t(node.right)), "transpose")
    elif isinstance(node, ast.Attribute) and node.attr == "T" and isinstance(node.ctx, ast.Load):
        yield replace(node, copy.deepcopy(node.value), "transpose")
    elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Tuple) and len(node.slice.elts) >= 2:
        for i in range(len(node.slice.elts) - 1):
            elts = copy.deepcopy(node.slice.elts)
            if ast.dump(elts[i]) == ast.dump(elts[i + 1]):
                continue
            elts[i], elts[i + 1] = elts[i + 1], elts[i]
            yield replace(node, _changed(node, slice=ast.Tuple(elts, ast.Load())), "transpose")
    elif isinstance(node, ast.Return) and node.value is not None:
        values = node.value.elts if isinstance(node.value, (ast.List, ast.Tuple)) else [node.value]
        for value in values:
            if isinstance(value, (ast.Name, ast.Attribute, ast.Subscript)):
                yield replace(value, _dot_t(value), "transpose")


AXES = (-1, 0, 1)


def wrong_axis(node):
    if not isinstance(node, ast.Call):
        return
    for i, kw in enumerate(node.keywords):
        if kw.arg != "axis":
            continue
        current = _int_value(kw.value)
        for axis in AXES:
            if current is not None and axis != current:
                keywords = copy.deepcopy(node.keywords)
                keywords[i].value = ast.Constant(axis) if axis >= 0 else _neg(ast.Constant(-axis))
                yield replace(node, _changed(node, keywords=keywords), "wrong_axis")
        yield replace(node, _changed(node, keywords=_without(node.keywords, i)), "wrong_axis")


def _int_value(expr):
    try:
        value = ast.literal_eval(expr)
    except ValueError:
        return None
    return value if isinstance(value, int) else None


def _without(keywords, index):
    return [copy.deepcopy(k) for j, k in enumerate(keywords) if j != index]


def keepdims_dropped(node):
    if isinstance(node, ast.Call):
        for i, kw in enumerate(node.keywords):
            if kw.arg == "keepdims":
                yield replace(node, _changed(node, keywords=_without(node.keywords, i)), "keepdims_dropped")


def missing_batch_factor(node):
    """a / n -> a; a mean -> a sum: the 1/batch (or 1/n) factor forgotten."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        yield replace(node, copy.deepcopy(node.left), "missing_batch_factor")
    elif isinstance(node, ast.Call) and _called_name(node) == "mean":
        yield replace(node, _with_name(node, "sum"), "missing_batch_factor")


def sign_flip(node):
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield replace(node, copy.deepcopy(node.operand), "sign_flip")
    elif isinstance(node, ast.Return) and node.value is not None:
        values = node.value.elts if isinstance(node.value, ast.List) else [node.value]
        for value in values:
            if _numeric_looking(value):
                yield replace(value, _neg(value), "sign_flip")
    elif isinstance(node, (ast.Assign, ast.AugAssign)) and _numeric_looking(node.value):
        yield replace(node.value, _neg(node.value), "sign_flip")


def _numeric_looking(expr):
    """Could negating this be a sign bug? Not for constants, literals, objects built by a class (Capitalized())."""
    if isinstance(expr, (ast.Constant, ast.UnaryOp, ast.Dict, ast.Tuple, ast.List, ast.Compare, ast.BoolOp,
                         ast.ListComp, ast.DictComp, ast.GeneratorExp, ast.Lambda)):
        return False
    if isinstance(expr, ast.Call):
        name = _called_name(expr) or ""
        return not name[:1].isupper() and name not in ("any", "all", "len", "float", "list", "dict", "zip")
    return True


def inplace_to_rebinding(node):
    """p -= x -> p = p - x; a[i] = v -> a = v; f(x, out=y) -> f(x): the update no longer reaches the caller's object."""
    if isinstance(node, ast.AugAssign) and isinstance(node.target, (ast.Name, ast.Attribute)):
        target = copy.deepcopy(node.target)
        load = copy.deepcopy(node.target)
        load.ctx = ast.Load()
        new = ast.Assign([target], ast.BinOp(load, copy.deepcopy(node.op), copy.deepcopy(node.value)))
        yield replace(node, new, "inplace_to_rebinding")
    elif (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Subscript)
          and isinstance(node.targets[0].value, ast.Name)):
        new = ast.Assign([ast.Name(node.targets[0].value.id, ast.Store())], copy.deepcopy(node.value))
        yield replace(node, new, "inplace_to_rebinding")
    elif isinstance(node, ast.Call):
        for i, kw in enumerate(node.keywords):
            if kw.arg == "out":
                yield replace(node, _changed(node, keywords=_without(node.keywords, i)), "inplace_to_rebinding")


def eps_inside_sqrt(node):
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        for root, other, sqrt_on_left in ((node.left, node.right, True), (node.right, node.left, False)):
            if isinstance(root, ast.Call) and _called_name(root) == "sqrt" and len(root.args) == 1:
                inner = ast.BinOp(copy.deepcopy(root.args[0]), ast.Add(), copy.deepcopy(other))
                yield replace(node, _changed(root, args=[inner]), "eps_inside_sqrt")


REDUCTIONS = ("sum", "mean")


def reduction_dropped(node):
    """np.sum(x, ...) / x.sum(...) -> x: e.g. a bias gradient not summed over the batch."""
    if not isinstance(node, ast.Call) or _called_name(node) not in REDUCTIONS:
        return
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("np", "numpy"):
        if node.args:
            yield replace(node, copy.deepcopy(node.args[0]), "reduction_dropped")
    elif isinstance(func, ast.Attribute):
        yield replace(node, copy.deepcopy(func.value), "reduction_dropped")


def first_batch_only(node):
    """A loop (or comprehension) over only its first item: for b in batches[:1]."""
    if isinstance(node, (ast.For, ast.comprehension)):
        first = ast.Subscript(copy.deepcopy(node.iter), ast.Slice(None, ast.Constant(1)), ast.Load())
        yield replace(node.iter, first, "first_batch_only")


FLAGS = ("training", "requires_grad")


def flag_ignored(node):
    """The training flag (or a requires_grad flag) read as a constant."""
    if isinstance(node, ast.Name) and node.id in FLAGS and isinstance(node.ctx, ast.Load):
        for value in (True, False):
            yield replace(node, ast.Constant(value), "training_flag_ignored")
    elif isinstance(node, ast.Attribute) and node.attr in FLAGS and isinstance(node.ctx, ast.Load):
        for value in (True, False):
            yield replace(node, ast.Constant(value), "training_flag_ignored")


GENERIC = (arithmetic_swap, comparison_swap, constant_off_by_one, drop_statement, remove_return,
           swap_arguments, swap_operands, function_twin)
DEEP_LEARNING = (transpose, wrong_axis, keepdims_dropped, missing_batch_factor, sign_flip,
                 inplace_to_rebinding, eps_inside_sqrt, reduction_dropped, first_batch_only, flag_ignored)
# Operators that need the file's source text as well as the node.
WITH_SOURCE = (swap_statements,)

FAMILY = {**{op.__name__: "generic" for op in GENERIC + WITH_SOURCE},
          **{op.__name__: "deep-learning" for op in DEEP_LEARNING}}
FAMILY["training_flag_ignored"] = "deep-learning"


def edits_for(node, source):
    """Every edit any operator proposes for this node."""
    for operator in GENERIC + DEEP_LEARNING:
        yield from operator(node)
    for operator in WITH_SOURCE:
        yield from operator(node, source)
