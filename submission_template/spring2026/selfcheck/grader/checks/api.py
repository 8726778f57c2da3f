"""The API check: every class, method and property the grader calls exists and binds."""
from grader.results.outcome import Outcome

SOURCE_FILE = {"beras": "beras/__init__.py", "preprocess": "preprocess.py", "assignment": "assignment.py"}


def _file_of(module):
    return SOURCE_FILE.get(module, module.replace(".", "/") + ".py")


def score_api(key, entries, report):
    problems, total = [], 0
    for entry in entries:
        name = f"{entry['module']}.{entry['name']}"
        where = f"{_file_of(entry['module'])}: {entry['name']}"
        found = report.get(name, {"problem": "not checked", "members": {}})
        total += 1 + len(entry["members"])
        if found["problem"]:
            problems.append(f"- {where}: {found['problem']}")
            problems += [f"- {where}.{m['name']}: not checked" for m in entry["members"]]
            continue
        for member in entry["members"]:
            problem = found["members"].get(member["name"], "not checked")
            if problem:
                problems.append(f"- {where}.{member['name']}: {problem}")
    passed = total - len(problems)
    text = f"{passed}/{total} API entries present and compatible."
    if problems:
        text += "\n" + "\n".join(problems)
    return Outcome(key, passed / total if total else 0.0, text)
