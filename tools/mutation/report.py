"""The campaign's report: a JSON object, and a summary for people.

Keys: mutants / equivalent / killed / survived / over_reach (one record per mutant:
id, file, line, operator, family, what, diff, lost - the rubric tests it cost points
in -, over_reach, witness - the first difference the independent scenarios found),
kill_rate (overall and per rubric test), counts, seconds, and how the run was made.
"""
import json
from collections import Counter

from tools.mutation.explained import ACCEPTED, GRADER_WEAKNESS, explanation

VERDICTS = ("killed", "equivalent", "survived")


def build_report(run, options):
    records = run["records"]
    for record in records:
        known = explanation(record["id"]) if record["verdict"] == "survived" else None
        record["explanation_kind"], record["explanation"] = known if known else (None, None)
    by_verdict = {v: [r for r in records if r["verdict"] == v] for v in VERDICTS}
    counted = by_verdict["killed"] + by_verdict["survived"]
    accepted = [r for r in by_verdict["survived"] if r["explanation_kind"] == ACCEPTED]
    over_reach = [r for r in records if r["over_reach"]]
    return {
        "edition": options.edition, "base": options.base, "rubric": options.rubric or "(the edition's)",
        "grader_module": options.grader_module, "sample": options.sample, "seed": options.seed,
        "jobs": options.jobs, "final": options.final,
        "generated": run["generated"],
        "judged_tests": run["judged"],
        "counts": {"mutants": len(records), **{v: len(by_verdict[v]) for v in VERDICTS},
                   "survived_grader_weakness": sum(1 for r in by_verdict["survived"]
                                                   if r["explanation_kind"] == GRADER_WEAKNESS),
                   "survived_accepted_by_design": len(accepted),
                   "survived_unexplained": sum(1 for r in by_verdict["survived"] if not r["explanation"]),
                   "over_reach": len(over_reach),
                   "grader_errors": sum(1 for r in records if r.get("grader_error")),
                   "grades_reused": sum(1 for r in records if r.get("grades_reused"))},
        "kill_rate": {"overall": _rate(len(by_verdict["killed"]), len(counted)),
                      # survivors the grader is right to accept (optional parts, informational tests) left out
                      "excluding_accepted_by_design": _rate(len(by_verdict["killed"]), len(counted) - len(accepted)),
                      "per_test": _per_test(counted, run)},
        "by_file": _breakdown(records, "file"),
        "by_operator": _breakdown(records, "operator"),
        "seconds": {"total": round(run["seconds"], 1), "baseline": round(run["baseline_seconds"], 1),
                    "grading_mean": _mean(r["grade_seconds"] for r in records)},
        "mutants": records,
        **by_verdict,
        "over_reach": over_reach,
    }


def _rate(hits, total):
    return round(hits / total, 4) if total else None


def _mean(values):
    values = list(values)
    return round(sum(values) / len(values), 2) if values else None


def _per_test(counted, run):
    """For each scored, judged test: of the non-equivalent mutants in files it runs, how many it took points from."""
    table = {}
    for number in run["judged"]:
        key, name, points = run["names"][number]
        if points <= 0:
            continue
        in_scope = [r for r in counted if r["file"] in run["scope"].get(number, set())]
        caught = [r for r in in_scope if number in r["lost"]]
        alone = [r for r in caught if r["lost"] == [number]]
        table[number] = {"key": key, "name": name, "in_scope": len(in_scope), "killed": len(caught),
                         "rate": _rate(len(caught), len(in_scope)), "only_killer": len(alone)}
    return table


def _breakdown(records, field):
    table = {}
    for value, count in sorted(Counter(r[field] for r in records).items()):
        mine = [r for r in records if r[field] == value]
        verdicts = Counter(r["verdict"] for r in mine)
        table[value] = {"mutants": count, **{v: verdicts.get(v, 0) for v in VERDICTS},
                        "kill_rate": _rate(verdicts.get("killed", 0),
                                           verdicts.get("killed", 0) + verdicts.get("survived", 0))}
    return table


def rebuild_report(path):
    """An earlier report rebuilt from its records (explanations as they stand now); nothing is run again."""
    from tools.mutation.campaign import Options
    from tools.mutation.scope import files_by_number, names_by_number
    with open(path, encoding="utf-8") as f:
        old = json.load(f)
    rubric = None if old["rubric"] == "(the edition's)" else old["rubric"]
    options = Options(edition=old["edition"], base=old["base"], sample=old["sample"], seed=old["seed"],
                      jobs=old["jobs"], rubric=rubric, final=old["final"], grader_module=old["grader_module"])
    run = {"records": old["mutants"], "generated": old["generated"], "judged": old["judged_tests"],
           "baseline_seconds": old["seconds"]["baseline"], "seconds": old["seconds"]["total"],
           "names": names_by_number(old["edition"], rubric), "scope": files_by_number(old["edition"], rubric)}
    return build_report(run, options)


def write_report(report, path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1, sort_keys=False)
        f.write("\n")


def summary(report):
    """A readable account: the figures, the per-test table, every survivor and over-reach."""
    c, rate = report["counts"], report["kill_rate"]
    pct = lambda r: "n/a" if r is None else f"{100 * r:.1f} %"   # noqa: E731
    lines = [f"Mutation campaign: edition {report['edition']}, base {report['base']}, rubric {report['rubric']}"
             + (f", grader module {report['grader_module']}" if report["grader_module"] != "grader" else ""),
             f"  {report['generated']} mutants generated, {c['mutants']} graded"
             + (f" (random sample, seed {report['seed']})" if report["sample"] else ""),
             f"  killed {c['killed']}, equivalent {c['equivalent']}, survived {c['survived']}, "
             f"over-reach {c['over_reach']}, grader errors {c['grader_errors']}",
             f"  survivors: {c['survived_grader_weakness']} grader weaknesses, {c['survived_accepted_by_design']} "
             f"accepted by design, {c['survived_unexplained']} not explained yet",
             f"  kill rate (killed / non-equivalent): {pct(rate['overall'])}; leaving out survivors accepted by "
             f"design: {pct(rate['excluding_accepted_by_design'])}",
             f"  wall time {report['seconds']['total']:.0f} s (mean {report['seconds']['grading_mean']} s "
             f"per grading)", "",
             "  per rubric test: killed / non-equivalent mutants in the files it runs, and how many it alone killed:"]
    for number, row in rate["per_test"].items():
        lines.append(f"    {number:>5} {row['killed']:>4}/{row['in_scope']:<4} {pct(row['rate']):>8} "
                     f"{row['only_killer']:>4} alone  {row['name']}")
    lines += ["", "  per file:"]
    for file, row in report["by_file"].items():
        lines.append(f"    {file:<24} {row['mutants']:>4} mutants, killed {row['killed']}, equivalent "
                     f"{row['equivalent']}, survived {row['survived']}  ({pct(row['kill_rate'])})")
    if report["survived"]:
        lines += ["", "  survivors (the witness tells them apart; the grader gave full marks):"]
        for r in report["survived"]:
            informational = (f"\n      failed only informational test(s) {', '.join(r['informational_failed'])}"
                             if r.get("informational_failed") else "")
            why = (f"{r['explanation_kind']}: {r['explanation']}" if r.get("explanation")
                   else "NOT EXPLAINED YET (tools/mutation/explained.py)")
            lines.append(f"    {r['id']}\n      {r['what']}\n      witness: {r['witness'][:300]}{informational}"
                         f"\n      why: {why}")
    if report["over_reach"]:
        lines += ["", "  over-reach (points lost in a test that does not run the mutated file):"]
        for r in report["over_reach"]:
            lines.append(f"    {r['id']}: {r['what']} -> {', '.join(r['over_reach'])}")
    errors = [r for r in report["mutants"] if r.get("grader_error")]
    if errors:
        lines += ["", "  grader errors:"] + [f"    {r['id']}: {r['grader_error'][:200]}" for r in errors]
    return "\n".join(lines)
