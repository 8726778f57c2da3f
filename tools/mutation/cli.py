"""python tools/mutation_campaign.py --out REPORT.json [--edition E] [--base B] [--sample N] [--jobs N] [--seed S]
[--rubric FILE] [--final] [--file F ...] [--operator O ...] [--check-killed] [--grader-module M]"""
import argparse
import sys

from grader.data.mnist import mnist_dir
from grader.editions import EDITIONS
from tools.mutation.campaign import CampaignError, Options, run_campaign
from tools.mutation.operators import FAMILY
from tools.mutation.report import build_report, rebuild_report, summary, write_report
from tools.mutation.submissions import BASES


def parser():
    p = argparse.ArgumentParser(
        prog="mutation_campaign",
        description="Measure the grader's verdicts: grade every single-edit mutant of the student-written "
                    "blocks with the real grader, tell equivalent mutants apart by randomized differential "
                    "testing, and report kill rates and over-reach.")
    p.add_argument("--out", required=True, metavar="REPORT.json", help="where the JSON report is written")
    p.add_argument("--summarize", metavar="EARLIER.json",
                   help="run nothing: rebuild an earlier report (explanations of survivors, rates, summary) "
                        "into --out and print its summary")
    p.add_argument("--edition", default="spring2026", choices=EDITIONS)
    p.add_argument("--base", default="reference", choices=BASES,
                   help="which correct submission is mutated (tests/bases): the reference's BEGIN SOLUTION "
                        "blocks or the course-faithful base's BEGIN STUDENT blocks")
    p.add_argument("--sample", type=int, metavar="N", help="grade a random sample of N mutants")
    p.add_argument("--seed", type=int, default=0, help="the sample's seed (default 0)")
    p.add_argument("--jobs", type=int, default=1, help="mutants graded at once (default 1)")
    p.add_argument("--rubric", metavar="FILE", help="rubric for the grader (default: the edition's own)")
    p.add_argument("--final", action="store_true",
                   help="also mutate assignment.py, graded by the final training run (slow: ~30 s each)")
    p.add_argument("--file", dest="files", action="append", default=[], metavar="F",
                   help="only mutants of this submission file (repeatable), e.g. beras/losses.py")
    p.add_argument("--operator", dest="operators", action="append", default=[], choices=sorted(set(FAMILY)),
                   metavar="O", help=f"only this operator (repeatable): {', '.join(sorted(set(FAMILY)))}")
    p.add_argument("--check-killed", action="store_true",
                   help="run the equivalence witness on killed mutants too (a killed equivalent mutant "
                        "would be a verdict against correct code)")
    p.add_argument("--reuse-grades", metavar="PROGRESS.jsonl",
                   help="reuse the grader's verdicts recorded in an earlier run's progress file (REPORT.json."
                        "progress.jsonl; same grader, rubric and base): only the witness runs again. For "
                        "resuming an interrupted campaign, or after changing the witness")
    p.add_argument("--grader-module", default="grader",
                   help="run the grader as python -m MODULE (default grader); the campaign's own tests pass "
                        "a deliberately weakened grader here")
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    options = Options(edition=args.edition, base=args.base, sample=args.sample, seed=args.seed, jobs=args.jobs,
                      rubric=args.rubric, final=args.final, grader_module=args.grader_module,
                      check_killed=args.check_killed, files=tuple(args.files), operators=tuple(args.operators),
                      mnist_dir=str(mnist_dir()), progress=f"{args.out}.progress.jsonl",
                      reuse_grades=args.reuse_grades)
    if args.summarize:
        report = rebuild_report(args.summarize)
    else:
        try:
            run = run_campaign(options, log=lambda line: print(line, file=sys.stderr, flush=True))
        except CampaignError as error:
            print(f"mutation_campaign: {error}", file=sys.stderr)
            return 3
        report = build_report(run, options)
    write_report(report, args.out)
    print(summary(report))
    print(f"\nreport: {args.out}")
    return 0
