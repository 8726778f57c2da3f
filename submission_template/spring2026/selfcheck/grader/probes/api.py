"""Which modules import, and which API entries exist with bindable signatures."""
import importlib
import inspect

from grader.probes.cases import describe_exception


def import_modules(modules):
    """{module: None if it imports, else the exception described}."""
    report = {}
    for name in modules:
        try:
            importlib.import_module(name)
            report[name] = None
        except (KeyboardInterrupt, GeneratorExit):
            raise
        except BaseException as error:
            report[name] = describe_exception(error)
    return report


def _bind_problem(function, args, keywords, skip_self):
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return None  # builtins and the like: nothing to check
    params = list(signature.parameters.values())[1 if skip_self else 0:]
    try:
        inspect.Signature(params).bind(*args, **{k: None for k in keywords})
    except TypeError as error:
        shown = ", ".join(str(p) for p in params)
        return f"its parameters are ({shown}); a call with ({', '.join(args + [k + '=...' for k in keywords])}) fails: {error}"
    return None


def _member_problem(cls, member):
    try:
        static = inspect.getattr_static(cls, member["name"])
    except AttributeError:
        return "missing"
    kind = member["kind"]
    if kind == "property":
        return None if isinstance(static, property) else \
            f"should be a property (decorate it with @property), found {type(static).__name__}"
    if kind == "attribute":
        return None
    if isinstance(static, property):
        return "should be a method, found a property"
    if isinstance(static, staticmethod):
        return _bind_problem(static.__func__, member["args"], member["keywords"], skip_self=False)
    if isinstance(static, classmethod):
        return _bind_problem(static.__func__, member["args"], member["keywords"], skip_self=True)
    if not callable(static):
        return f"should be a method, found {type(static).__name__}"
    return _bind_problem(static, member["args"], member["keywords"], skip_self=True)


def describe(entries):
    """For each API entry: {"problem": str|None, "members": {name: problem|None}}."""
    report = {}
    for entry in entries:
        key = f"{entry['module']}.{entry['name']}"
        try:
            module = importlib.import_module(entry["module"])
        except BaseException as error:
            report[key] = {"problem": f"module {entry['module']} does not import "
                                      f"({describe_exception(error)['type']})", "members": {}}
            continue
        obj = getattr(module, entry["name"], None)
        if obj is None:
            report[key] = {"problem": "missing", "members": {}}
            continue
        if entry["kind"] == "class":
            if not inspect.isclass(obj):
                report[key] = {"problem": f"should be a class, found {type(obj).__name__}", "members": {}}
                continue
            problem = _bind_problem(obj.__init__, entry["args"], entry["keywords"], skip_self=True)
            members = {m["name"]: _member_problem(obj, m) for m in entry["members"]}
        else:
            problem = (None if callable(obj) else f"should be a function, found {type(obj).__name__}") \
                or _bind_problem(obj, entry["args"], entry["keywords"], skip_self=False)
            members = {}
        report[key] = {"problem": problem, "members": members}
    return report
