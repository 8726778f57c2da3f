"""A whole class from a Gradescope export folder: results, CSV, report and integrity flags.

The export holds real submissions on both bases: correct (reference and course code, one of
them a group), one with a bug, a planted copy of it (renamed, commented), the untouched
stencil, one that does not parse, and one that kills its own worker with exit status 3 at
import. Submissions built on the same base share that base's code, so the flags rightly
pair them too; the two correct ones on different bases are independent work. One batch run with --jobs 2 grades them all; each results.json must equal what a
single ./run_autograder run writes.
"""
import base64
import csv
import json
import re

import pytest

from tests.grader.submissions import RUBRIC, make_submission
from tests.staff.classroom import (BROKEN_LAYERS, CCE_BUG, HOSTILE_IMPORT, batch, comparable, metadata_yaml,
                                   planted_copy, single_run, stencil_submission)

pytestmark = pytest.mark.timeout(600)
PEOPLE = {
    "1001": ([("Ada Lovelace", "11", "ada@uni.edu")], 98.0),
    "1002": ([("Grace Hopper", "12", "grace@uni.edu"), ("Alan Turing", "13", "alan@uni.edu")], 80.0),
    "1003": ([("Edsger Dijkstra", "14", "edsger@uni.edu")], 70.5),
    "1004": ([("Barbara Liskov", "15", "barbara@uni.edu")], 70.5),
    "1005": ([("Donald Knuth", "16", "don@uni.edu")], 0.0),
    "1006": ([("Linus T", "17", "linus@uni.edu")], 0.0),
    "1007": ([("Mallory", "18", "mallory@uni.edu")], 0.0),
}


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """(export folder, OUT, the batch's completed process)."""
    tmp = tmp_path_factory.mktemp("class")
    export = tmp / "export"
    export.mkdir()
    make_submission(export, name="submission_1001", base="reference")
    make_submission(export, name="submission_1002", base="course")
    make_submission(export, name="submission_1003", base="course", overrides=CCE_BUG)
    planted_copy(export / "submission_1003", export / "submission_1004")
    stencil_submission(export / "submission_1005")
    make_submission(export, name="submission_1006", patches=BROKEN_LAYERS)
    make_submission(export, name="submission_1007", patches=HOSTILE_IMPORT)
    (export / "submission_metadata.yml").write_text(metadata_yaml(
        {f"submission_{i}": (people, f"2026-02-2{n} 10:00:00.000000000 -05:00", score)
         for n, (i, (people, score)) in enumerate(PEOPLE.items())}), encoding="utf-8")
    out = tmp / "out"
    done = batch("--batch", export, "--out", out, "--jobs", 2)
    return export, out, done


def results_of(out, i):
    return json.loads((out / i / "results.json").read_text(encoding="utf-8"))


def rows(out):
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_every_submission_is_graded_and_the_batch_succeeds(export):
    _, out, done = export
    assert done.returncode == 0, done.stderr[-3000:]
    for i in PEOPLE:
        run = json.loads((out / i / "run.json").read_text())
        assert run["status"] == "graded" and run["exit"] == 0, run
        assert results_of(out, i)["tests"], i


@pytest.mark.parametrize("i", ["1003", "1006", "1007"])
def test_each_results_json_equals_a_single_run(export, tmp_path, i):
    folder, out, _ = export
    alone = single_run(folder / f"submission_{i}", tmp_path / "alone.json")
    assert comparable(results_of(out, i)) == comparable(alone)


def test_the_csv_has_one_row_per_submission_and_a_column_per_test(export):
    _, out, _ = export
    table = rows(out)
    header = list(table[0])
    numbers = [t.number for t in RUBRIC.tests]
    assert header[header.index("max") + 1: header.index("max") + 1 + len(numbers)] == numbers
    assert {"id", "names", "emails", "total", "status", "integrity"} <= set(header)
    assert [r["id"] for r in table] == sorted(PEOPLE)
    by_id = {r["id"]: r for r in table}
    assert by_id["1002"]["names"] == "Grace Hopper; Alan Turing"
    assert by_id["1002"]["emails"] == "grace@uni.edu; alan@uni.edu"
    assert by_id["1001"]["gradescope_score"] == "98.0"
    for i, row in by_id.items():
        results = results_of(out, i)
        assert float(row["total"]) == results["score"]
        for test in results["tests"]:
            assert float(row[test["number"]]) == test["score"], (i, test["number"])


def test_the_scores_tell_the_submissions_apart(export):
    _, out, _ = export
    total = {r["id"]: float(r["total"]) for r in rows(out)}
    assert total["1001"] == total["1002"] > total["1003"] == total["1004"] > total["1005"]
    assert total["1006"] < total["1003"] and total["1007"] < total["1003"]


def test_the_report_has_its_plots_and_sections(export):
    _, out, _ = export
    page = (out / "report.html").read_text(encoding="utf-8")
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) >= 3
    assert all(base64.b64decode(image)[:8] == b"\x89PNG\r\n\x1a\n" for image in images)
    for heading in ("Score distribution", "Failure rate per test", "Most common failure messages",
                    "Slowest submissions", "Integrity flags"):
        assert heading.split()[0] in page
    losses = page.split("<h3>2.6 ")[1].split("<h3>")[0]
    assert "2 submissions (e.g. 1003)" in losses, losses[:500]   # the bug and its copy
    slowest = page.split("Slowest submissions")[1]
    assert all(i in slowest for i in PEOPLE)


def test_the_flags_find_the_planted_copy_and_not_independent_work(export):
    _, out, _ = export
    flags = json.loads((out / "integrity.json").read_text())
    code_pairs = {(p["a"], p["b"]) for p in flags["similar_code"]}
    answer_pairs = {(p["a"], p["b"]) for p in flags["same_wrong_answers"]}
    assert ("1003", "1004") in code_pairs
    assert ("1003", "1004") in answer_pairs
    assert ("1001", "1002") not in code_pairs | answer_pairs          # correct on two independent bases
    assert not any("1005" in pair for pair in code_pairs)              # the stencil alone is nobody's work
    near = {p["id"] for p in flags["near_reference"]}
    assert "1001" in near and "1002" not in near and "1003" not in near
    by_id = {r["id"]: r for r in rows(out)}
    assert "1004" in by_id["1003"]["integrity"] and "1002" not in by_id["1001"]["integrity"]
    assert "1004" in (out / "report.html").read_text(encoding="utf-8").split("Integrity flags")[1]
