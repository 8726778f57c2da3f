"""OUT/report.html: one self-contained page for staff (plots embedded as PNG).

Sections: the run (how many, failures of the grader, wall time); the score distribution;
each test's failure rate; the most common failure messages per test, with counts and an
example; the slowest submissions; where the grader failed; integrity flags.

Failure messages are grouped by their text with every number masked (the same mistake
with other values is one group); nothing is read out of them.
"""
from __future__ import annotations

import base64
import datetime as dt
import html
import io
import re
import statistics
from collections import Counter, defaultdict

from staff.records import GRADED

TOP_MESSAGES = 5
SLOWEST = 10
EXAMPLE_CHARS = 1500
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _esc(x) -> str:
    return html.escape(str(x), quote=True)


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt
    plt.close(figure)
    return f'<img alt="plot" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _whole_counts(ax):
    from matplotlib.ticker import MaxNLocator
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))


def score_plot(totals, max_points) -> str:
    plt = _pyplot()
    figure, ax = plt.subplots(figsize=(7, 3))
    ax.hist(totals, bins=20, range=(0, max_points or 1), color="#4C72B0", edgecolor="white")
    ax.set_xlabel("total score")
    ax.set_ylabel("submissions")
    _whole_counts(ax)
    ax.set_title("Score distribution")
    return _png(figure)


def failure_plot(rates) -> str:
    plt = _pyplot()
    labels = [number for number, _, _ in rates]
    figure, ax = plt.subplots(figsize=(7, 0.3 * len(rates) + 1))
    ax.barh(labels[::-1], [100 * rate for _, _, rate in rates][::-1], color="#C44E52")
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of graded submissions below full marks")
    ax.set_title("Failure rate per test")
    return _png(figure)


def time_plot(seconds) -> str:
    plt = _pyplot()
    figure, ax = plt.subplots(figsize=(7, 3))
    ax.hist(seconds, bins=20, color="#55A868", edgecolor="white")
    ax.set_xlabel("seconds per grading run")
    ax.set_ylabel("submissions")
    _whole_counts(ax)
    ax.set_title("Grading time")
    return _png(figure)


def failed(test: dict) -> bool:
    return test.get("status") != "passed"


def failure_rates(rubric, graded: dict) -> list[tuple[str, str, float]]:
    """[(number, name, share of graded submissions that failed it)] in rubric order."""
    rates = []
    for t in rubric.tests:
        outcomes = [failed(test) for r in graded.values() for test in r.get("tests", []) if test.get("number") == t.number]
        rates.append((t.number, t.name, sum(outcomes) / len(outcomes) if outcomes else 0.0))
    return rates


def message_group(text: str) -> str:
    return " ".join(_NUMBER.sub("#", text).split())[:400]


def common_messages(rubric, graded: dict) -> dict[str, list[tuple[int, str, str]]]:
    """{number: [(count, example submission id, example message)]}, most common first."""
    groups: dict[str, Counter] = defaultdict(Counter)
    examples: dict[tuple[str, str], tuple[str, str]] = {}
    for sid, results in sorted(graded.items()):
        for test in results.get("tests", []):
            if failed(test):
                key = message_group(test.get("output", ""))
                groups[test.get("number")][key] += 1
                examples.setdefault((test.get("number"), key), (sid, test.get("output", "")))
    out = {}
    for t in rubric.tests:
        top = groups.get(t.number, Counter()).most_common(TOP_MESSAGES)
        out[t.number] = [(count, *examples[(t.number, key)]) for key, count in top]
    return out


def _table(header, rows) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _names(submission) -> str:
    return "; ".join(p.name or p.email for p in submission.submitters)


def write_report(path, submissions, runs, results, rubric, flags, context) -> None:
    by_id = {s.id: s for s in submissions}
    graded = {i: r for i, r in results.items() if r and runs.get(i, {}).get("status") == GRADED}
    totals = [float(r.get("score", 0)) for r in graded.values()]
    seconds = [float(runs[i]["seconds"]) for i in graded if runs[i].get("seconds") is not None]
    faults = [runs[s.id] for s in submissions if s.id in runs and runs[s.id]["status"] != GRADED]
    rates = failure_rates(rubric, graded)
    parts = [f"<h1>Beras batch grading report</h1><p>{_esc(dt.datetime.now().isoformat(timespec='seconds'))}: "
             f"{len(submissions)} submissions from {_esc(context.get('folder', ''))}; {len(graded)} graded, "
             f"{len(faults)} where the grader failed. This run graded {context.get('graded_now', 0)} "
             f"(kept {context.get('kept', 0)} unchanged) in {context.get('wall_s', 0):.1f} s on "
             f"{_esc(context.get('dask') or str(context.get('jobs')) + ' local processes')}.</p>"]
    parts.append("<h2>Scores</h2>")
    if totals:
        parts.append(f"<p>mean {statistics.mean(totals):.2f}, median {statistics.median(totals):g}, "
                     f"min {min(totals):g}, max {max(totals):g} of {rubric.total_points:g}</p>")
        parts.append(score_plot(totals, rubric.total_points))
    parts.append("<h2>Failure rate per test</h2>" + failure_plot(rates))
    parts.append(_table(["test", "name", "points", "failed"],
                        [(n, name, f"{rubric.tests[i].points:g}", f"{rate:.0%}")
                         for i, (n, name, rate) in enumerate(rates)]))
    parts.append("<h2>Most common failure messages</h2>")
    messages = common_messages(rubric, graded)
    for t in rubric.tests:
        groups = messages[t.number]
        if groups:
            parts.append(f"<h3>{_esc(t.number)} {_esc(t.name)}</h3>")
            for count, sid, text in groups:
                parts.append(f"<details><summary>{count} submission{'s' if count > 1 else ''} "
                             f"(e.g. {_esc(sid)})</summary><pre>{_esc(text[:EXAMPLE_CHARS])}</pre></details>")
    parts.append("<h2>Slowest submissions</h2>")
    if seconds:
        parts.append(time_plot(seconds))
    slowest = sorted((r for r in runs.values() if r.get("seconds") is not None), key=lambda r: -r["seconds"])[:SLOWEST]
    parts.append(_table(["id", "names", "seconds", "status", "score"],
                        [(r["id"], _names(by_id[r["id"]]), f"{r['seconds']:.1f}", r["status"],
                          (results.get(r["id"]) or {}).get("score", "")) for r in slowest if r["id"] in by_id]))
    parts.append("<h2>Where the grader failed</h2>")
    parts.append(_table(["id", "status", "exit", "stderr (end)"],
                        [(r["id"], r["status"], r.get("exit"), (r.get("stderr") or "")[-400:]) for r in faults])
                 if faults else "<p>Nowhere.</p>")
    parts.append(_integrity_section(flags, by_id))
    page = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Beras batch report</title><style>"
            "body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:2px 6px;vertical-align:top}pre{white-space:pre-wrap;"
            "background:#f6f6f6;padding:6px}</style></head><body>" + "\n".join(parts) + "</body></html>")
    with open(path, "w", encoding="utf-8") as f:
        f.write(page)


def _integrity_section(flags, by_id) -> str:
    out = ["<h2>Integrity flags (staff only; report only, no score was changed)</h2>",
           "<p>Signals to look at, not findings: read the code before concluding anything.</p>",
           "<h3>Same wrong answers on the grader's inputs</h3>"]
    out.append(_table(["submission", "names", "submission", "names", "shared rare wrong cases", "tests"],
                      [(p["a"], _names(by_id[p["a"]]), p["b"], _names(by_id[p["b"]]), p["shared"], ", ".join(p["tests"]))
                       for p in flags.same_wrong_answers]) if flags.same_wrong_answers else "<p>None.</p>")
    out.append("<h3>Similar code (stencil subtracted)</h3>")
    out.append(_table(["submission", "names", "submission", "names", "similarity", "shared windows"],
                      [(p["a"], _names(by_id[p["a"]]), p["b"], _names(by_id[p["b"]]), f"{p['similarity']:.0%}", p["shared"])
                       for p in flags.similar_code]) if flags.similar_code else "<p>None.</p>")
    out.append("<h3>Close to the reference solution</h3>")
    out.append(_table(["submission", "names", "similarity", "shared windows"],
                      [(p["id"], _names(by_id[p["id"]]), f"{p['similarity']:.0%}", p["shared"])
                       for p in flags.near_reference]) if flags.near_reference else "<p>None.</p>")
    return "\n".join(out)
