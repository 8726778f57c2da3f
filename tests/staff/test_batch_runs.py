"""Batch runs over a plain folder of submissions: resuming, a local Dask cluster, and when
the batch's exit status says the grader failed."""
import csv
import json

import pytest

from tests.staff.classroom import batch, comparable, single_run, two_submissions

pytestmark = pytest.mark.timeout(600)


def runs(out):
    return {p.parent.name: json.loads(p.read_text()) for p in sorted(out.glob("*/run.json"))}


def results(out, i):
    return json.loads((out / i / "results.json").read_text(encoding="utf-8"))


def test_resume_grades_only_what_changed(tmp_path):
    folder, out = two_submissions(tmp_path / "class"), tmp_path / "out"
    first = batch("--batch", folder, "--out", out, "--jobs", 2, "--quiet")
    assert first.returncode == 0, first.stderr[-2000:]
    before = runs(out)
    assert set(before) == {"alice", "bob"} and all(r["status"] == "graded" for r in before.values())

    again = batch("--batch", folder, "--out", out, "--jobs", 2, "--quiet")
    assert again.returncode == 0 and runs(out) == before                  # nothing graded again
    assert "0 graded now, 2 unchanged" in again.stderr

    with open(folder / "bob" / "beras" / "losses.py", "a", encoding="utf-8") as f:
        f.write("\n# a late edit\n")
    edited = batch("--batch", folder, "--out", out, "--jobs", 2, "--quiet")
    after = runs(out)
    assert after["alice"] == before["alice"]
    assert after["bob"]["started"] > before["bob"]["started"] and after["bob"]["key"] != before["bob"]["key"]
    assert "1 graded now, 1 unchanged" in edited.stderr

    forced = batch("--batch", folder, "--out", out, "--jobs", 2, "--quiet", "--regrade")
    assert "2 graded now" in forced.stderr
    assert all(runs(out)[i]["started"] > after[i]["started"] for i in ("alice", "bob"))


def test_a_local_dask_cluster_grades_as_a_single_run_does(tmp_path):
    from distributed import LocalCluster
    folder = two_submissions(tmp_path / "class")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        done = batch("--batch", folder, "--out", tmp_path / "dask", "--dask", cluster.scheduler_address, "--quiet")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Dask scheduler" in done.stderr
    for i in ("alice", "bob"):
        alone = single_run(folder / i, tmp_path / f"{i}.json")
        assert comparable(results(tmp_path / "dask", i)) == comparable(alone)
    with open(tmp_path / "dask" / "grades.csv", newline="") as f:
        table = {r["id"]: r for r in csv.DictReader(f)}
    assert float(table["alice"]["total"]) > float(table["bob"]["total"])


def test_a_run_the_grader_could_not_finish_makes_the_batch_fail_and_is_graded_next_time(tmp_path):
    folder, out = two_submissions(tmp_path / "class"), tmp_path / "out"
    stopped = batch("--batch", folder, "--out", out, "--jobs", 2, "--quiet", "--timeout", 0.5)
    assert stopped.returncode == 3, stopped.stderr[-2000:]
    assert all(r["status"] == "timed out" for r in runs(out).values())
    assert "the grader failed on: alice (timed out), bob (timed out)" in stopped.stderr
    with open(out / "grades.csv", newline="") as f:
        row = next(csv.DictReader(f))
    assert row["status"] == "timed out" and row["total"] == "" and row["2.1"] == ""   # no 0 that looks like a grade
    assert "timed out" in (out / "report.html").read_text().split("Where the grader failed")[1]

    graded = batch("--batch", folder, "--out", out, "--jobs", 2, "--quiet")
    assert graded.returncode == 0 and all(r["status"] == "graded" for r in runs(out).values())


def test_one_submission_is_not_a_folder_of_them(tmp_path):
    folder = two_submissions(tmp_path / "class")
    done = batch("--batch", folder / "alice", "--out", tmp_path / "out")
    assert done.returncode == 2 and "it is one submission" in done.stderr


def test_the_export_zip_as_downloaded_is_graded(tmp_path):
    import shutil
    from tests.staff.classroom import metadata_yaml
    export = tmp_path / "assignment_77_export"
    two_submissions(export)
    for name in ("alice", "bob"):
        (export / name).rename(export / ("submission_" + {"alice": "501", "bob": "502"}[name]))
    (export / "submission_metadata.yml").write_text(metadata_yaml({
        "submission_501": ([("Alice A", "1", "alice@uni.edu")], "2026-02-20 09:00:00 -05:00", 80.0),
        "submission_502": ([("Bob B", "2", "bob@uni.edu")], "2026-02-20 10:00:00 -05:00", 70.0)}))
    archive = shutil.make_archive(str(tmp_path / "export"), "zip", tmp_path, export.name)
    out = tmp_path / "out"
    done = batch("--batch", archive, "--out", out, "--jobs", 2, "--quiet")
    assert done.returncode == 0, done.stderr[-2000:]
    with open(out / "grades.csv", newline="") as f:
        table = {r["id"]: r for r in csv.DictReader(f)}
    assert table["501"]["names"] == "Alice A" and table["502"]["emails"] == "bob@uni.edu"
    assert (out / "export" / export.name / "submission_501" / "beras").is_dir()
    again = batch("--batch", archive, "--out", out, "--jobs", 2, "--quiet")
    assert "0 graded now, 2 unchanged" in again.stderr
