"""Run a mutation campaign: generate, grade, tell equivalent mutants apart, classify.

Every mutant ends in exactly one list:
- killed      the real grader took points off in at least one scored test;
- equivalent  not killed, and the independent witness (equivalence.py) finds no input
              on which it behaves differently from the original;
- survived    not killed, although the witness shows it behaves differently.
Over-reach is reported beside them: a killed mutant that lost points in a test whose
code never runs the mutated file (the check registry's ``files``).
"""
import json
import random
import threading
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tools.mutation.equivalence import BaseFailsScenarios, Witness
from tools.mutation.generate import generate
from tools.mutation.grading import failed_informational, grade, lost_points
from tools.mutation.scope import files_by_number, names_by_number
from tools.mutation.submissions import lay_out_base, mutant_submission

FINAL_ONLY_FILES = ("assignment.py",)   # only the final training run (5.1) exercises these


class CampaignError(RuntimeError):
    """The campaign cannot give honest figures (e.g. the unmutated base does not get full marks)."""


@dataclass
class Options:
    edition: str = "spring2026"
    base: str = "reference"
    sample: int | None = None     # grade a random sample of this many mutants (None: all)
    seed: int = 0                 # the sample's seed
    jobs: int = 1
    rubric: str | None = None     # a rubric file for the grader (default: the edition's)
    final: bool = False           # also mutate files only the final run exercises, and run it for them
    grader_module: str = "grader"   # run as python -m <module>; tests pass a deliberately weakened one
    check_killed: bool = False    # run the witness on killed mutants too (finds over-strict verdicts)
    files: tuple = ()             # only mutants of these files (default: every file with blocks)
    operators: tuple = ()         # only these operators
    mnist_dir: str | None = None
    progress: str | None = None   # append each mutant's record here as it is done (JSON lines)
    reuse_grades: str | None = None   # an earlier run's progress file: its grades are reused, the witness reruns


def select(mutants, options):
    """The mutants this run grades: filtered by file and operator, then sampled with the seed."""
    chosen = [m for m in mutants
              if (options.final or m.file not in FINAL_ONLY_FILES)
              and (not options.files or m.file in options.files)
              and (not options.operators or m.operator in options.operators)]
    if options.sample is not None and options.sample < len(chosen):
        picked = sorted(random.Random(options.seed).sample(range(len(chosen)), options.sample))
        chosen = [chosen[i] for i in picked]
    return chosen


def run_campaign(options, log=print):
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mutation-campaign-") as tmp:
        tmp = Path(tmp)
        base_root, marker = lay_out_base(tmp / "base", options.base, options.edition)
        generated = generate(base_root, marker)
        mutants = select(generated, options)
        log(f"{len(generated)} mutants generated from the {options.base} base's {marker} blocks; grading "
            f"{len(mutants)} with {options.jobs} job(s)")
        judged, baseline_seconds = _baseline(base_root, tmp, options, log)
        scope = files_by_number(options.edition, options.rubric)
        witness = Witness(base_root, options.mnist_dir, options.edition)
        progress_lock = threading.Lock()
        reused = earlier_grades(options.reuse_grades) if options.reuse_grades else {}

        def one(item):
            index, mutant = item
            try:
                record = _run_one(mutant, index, base_root, tmp, options, judged, scope, witness,
                                  reused.get(mutant.id))
            except BaseFailsScenarios:
                raise
            except Exception as error:  # noqa: BLE001 - one mutant's trouble must not cost the whole campaign
                # Not killed and not shown equivalent: counted as a survivor, with the reason.
                record = {**mutant.record(), "lost": [], "informational_failed": [], "points_lost": 0,
                          "over_reach": [], "grade_seconds": 0, "grader_error": None, "final_run": False,
                          "witness": f"the campaign failed on this mutant: {type(error).__name__}: {error}",
                          "verdict": "survived"}
            log(f"[{index + 1}/{len(mutants)}] {record['verdict']:<10} {mutant.id}  {record['what']}")
            if options.progress:
                with progress_lock, open(options.progress, "a", encoding="utf-8") as f:
                    f.write(json.dumps(record) + "\n")
            return record

        try:
            with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
                records = list(pool.map(one, enumerate(mutants)))
        except BaseFailsScenarios as error:
            raise CampaignError(str(error)) from error
    return {"records": records, "generated": len(generated), "judged": sorted(judged, key=_number_key),
            "baseline_seconds": baseline_seconds, "seconds": time.monotonic() - started,
            "names": names_by_number(options.edition, options.rubric), "scope": scope}


def _number_key(number):
    return tuple(int(p) for p in number.split("."))


def _baseline(base_root, tmp, options, log):
    """The tests judged in this run: those the unmutated base passes in full (5.1 only with --final)."""
    started = time.monotonic()
    result = grade(base_root, tmp / "baseline.json", edition=options.edition, rubric=options.rubric,
                   final=options.final, grader_module=options.grader_module)
    if result.error:
        raise CampaignError(f"grading the unmutated base failed: {result.error}")
    final_key_numbers = {n for n, (key, _, _) in names_by_number(options.edition, options.rubric).items()
                         if key == "final.accuracy"}
    short = [n for n, (score, top) in result.scores.items() if score < top - 1e-9]
    unexpected = [n for n in short if n not in final_key_numbers or options.final]
    if unexpected:
        raise CampaignError(f"the unmutated {options.base} base loses points in {unexpected}: "
                            "its verdicts would count as kills; fix the grader or the base first")
    log(f"baseline: the unmutated base earns full marks ({time.monotonic() - started:.1f} s)")
    return {n for n in result.scores if n not in short}, time.monotonic() - started


GRADE_FIELDS = ("lost", "informational_failed", "points_lost", "over_reach", "grade_seconds", "grader_error",
                "final_run")


def earlier_grades(path):
    """{mutant id: the grader's part of its record} from an earlier run's progress file (JSON lines)."""
    grades = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if record.get("grade_seconds"):   # 0: the grading itself did not happen
                grades[record["id"]] = {k: record[k] for k in GRADE_FIELDS}
    return grades


def _run_one(mutant, index, base_root, tmp, options, judged, scope, witness, reused=None):
    folder = tmp / f"m{index:04d}"
    root = mutant_submission(base_root, mutant, folder / "submission")
    final = options.final and mutant.file in FINAL_ONLY_FILES
    try:
        if reused is not None:
            record = {**mutant.record(), **reused, "witness": None, "grades_reused": True}
            lost = record["lost"]
        else:
            result = grade(root, folder / "results.json", edition=options.edition, rubric=options.rubric,
                           final=final, grader_module=options.grader_module)
            tests = judged if final else {n for n in judged if n not in _final_numbers(options)}
            lost = lost_points(result, tests)
            record = {**mutant.record(), "lost": lost, "informational_failed": failed_informational(result, tests),
                      "points_lost": round(sum(top - score for n, (score, top) in result.scores.items()
                                               if n in lost), 4),
                      "over_reach": over_reach(mutant.file, lost, scope),
                      "grade_seconds": round(result.seconds, 2), "grader_error": result.error or None,
                      "final_run": final, "witness": None}
        if lost and not options.check_killed:
            record["verdict"] = "killed"
            return record
        difference = witness.difference(mutant, root)
        record["witness"] = difference or "no difference found"
        record["verdict"] = "killed" if lost else "survived" if difference else "equivalent"
        record["witness_equivalent"] = difference is None
        return record
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def over_reach(file, lost, scope):
    """The tests among ``lost`` whose code never runs ``file`` (scope: {number: files it runs})."""
    return [n for n in lost if file not in scope.get(n, set())]


def _final_numbers(options):
    return {n for n, (key, _, _) in names_by_number(options.edition, options.rubric).items()
            if key == "final.accuracy"}
