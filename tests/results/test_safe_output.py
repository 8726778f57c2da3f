"""results.json can always be written: safe text, capped messages, Markdown, the minimal file,
and the pre-written file with its disk reserve (on a real, full file system)."""
import json
import os
import re

import pytest

from grader.results import Outcome, build_results, write_results
from grader.results.markdown import to_markdown
from grader.results.minimal import UNFINISHED, minimal_results
from grader.results.results_file import ResultsFile
from grader.results.text import bounded_text, safe_text
from grader.rubric import load_rubric, parse_rubric
from tests.results.disk import fill, free_bytes, small_disk
from tests.results.schema import validate_results

RUBRIC = load_rubric()
LATIN1_NAME = os.fsdecode(b"caf\xe9")          # how Python names a folder whose name is latin-1 bytes


def strict_load(path):
    """Read results.json as Gradescope does: strict UTF-8, strict JSON."""
    return json.loads(path.read_bytes().decode("utf-8", errors="strict"))


# ------------------------------------------------------------------ safe text

def test_hostile_strings_really_cannot_be_written_as_utf8():
    for text in ("\ud800", LATIN1_NAME):
        with pytest.raises(UnicodeEncodeError):
            json.dumps(text, ensure_ascii=False).encode("utf-8")


def test_safe_text_escapes_what_utf8_cannot_carry():
    assert safe_text("bad \ud800 end") == "bad \\ud800 end"
    assert safe_text(LATIN1_NAME) == "caf\\xe9"
    assert safe_text("a\x00b") == "a\\x00b"
    assert safe_text("café 😀 ∑") == "café 😀 ∑"           # real Unicode is left alone


def test_results_with_a_lone_surrogate_and_a_latin1_name_are_written(tmp_path):
    results = build_results(RUBRIC, [Outcome("behaviour.linear", 0.0, 'raised ValueError: \ud800'),
                                     Outcome("api", 1.0, f"read {LATIN1_NAME}/beras")],
                            execution_time=1, output=f"submission in {LATIN1_NAME}",
                            extra_data={"submission_root": LATIN1_NAME, LATIN1_NAME: ["\udfff"]})
    path = write_results(results, tmp_path / "results.json")
    data = strict_load(path)
    validate_results(data)
    tests = {t["number"]: t for t in data["tests"]}
    assert tests["2.3"]["output"] == "raised ValueError: \\ud800"
    assert tests["1.1"]["output"] == "read caf\\xe9/beras"
    assert data["extra_data"]["submission_root"] == "caf\\xe9"
    assert data["extra_data"]["caf\\xe9"] == ["\\udfff"]
    assert "submission in caf\\xe9" in data["output"]


def test_write_results_makes_hand_built_results_safe_too(tmp_path):
    results = minimal_results(RUBRIC, "x")
    results["output"] = "\ud800"
    assert strict_load(write_results(results, tmp_path / "r.json"))["output"] == "\\ud800"


def test_long_messages_are_capped_keeping_start_and_end():
    text = "first line\n" + "x" * 500_000 + "\nlast line"
    results = build_results(RUBRIC, [Outcome("behaviour.linear", 0.0, text)], execution_time=0,
                            output="top " * 100_000)
    out = {t["number"]: t for t in results["tests"]}["2.3"]["output"]
    assert len(out) < 21_000 and out.startswith("first line") and out.endswith("last line")
    assert "characters cut" in out
    assert len(results["output"]) < 21_000
    assert bounded_text("short", 100) == "short"


# ------------------------------------------------------------------ markdown

SOFTMAX_MESSAGE = """14/15 cases match the reference.
- Softmax() [float64, large and row-dependent values]:
    result['forward']: values differ (max abs error nan)
        expected array shape (3, 3) dtype float64 [0.0900306, 0.244728]
        got      array shape (3, 3) dtype float64 [0.0900306, nan]
    hint: softmax must subtract each row's own max
- ReLU, batch 1: OK
- Sigmoid, batch 1: OK"""


def test_markdown_has_a_heading_per_case_code_blocks_and_hints():
    md = to_markdown(SOFTMAX_MESSAGE)
    assert md.startswith("14/15 cases match the reference.")
    assert "#### Softmax() \\[float64, large and row-dependent values\\]" in md
    block = md.split("```text\n", 1)[1].split("\n```", 1)[0]
    assert block.splitlines() == ["result['forward']: values differ (max abs error nan)",
                                  "    expected array shape (3, 3) dtype float64 [0.0900306, 0.244728]",
                                  "    got      array shape (3, 3) dtype float64 [0.0900306, nan]"]
    assert "> **Hint:** softmax must subtract each row's own max" in md
    assert "- ReLU, batch 1: OK\n- Sigmoid, batch 1: OK" in md


def test_markdown_escapes_student_text_and_cannot_be_broken_out_of():
    md = to_markdown('raised ValueError: <img src=x onerror=alert(1)> [link](http://x) **bold**\n'
                     '- case:\n    got ```` fence ````\n# not a heading')
    assert re.search(r"(?<!\\)[<>]", md) is None and "\\<img" in md   # no unescaped HTML
    assert "\\[link\\]" in md and "\\*\\*bold\\*\\*" in md
    assert "`````text\n" in md                          # a fence longer than the backticks inside
    assert "\n\\# not a heading" in md


def test_md_output_format_renders_every_message():
    rubric = parse_rubric({"settings": {"output_format": "md"},
                           "tests": {"x": {"name": "X", "number": "1", "points": 2, "visibility": "visible"},
                                     "y": {"name": "Y", "number": "2", "points": 2, "visibility": "visible"}}})
    results = build_results(rubric, [Outcome("x", 14 / 15, SOFTMAX_MESSAGE)], execution_time=0)
    validate_results(results)
    tests = {t["number"]: t for t in results["tests"]}
    assert tests["1"]["output"] == to_markdown(SOFTMAX_MESSAGE)
    assert tests["2"]["output_format"] == "md" and results["output_format"] == "md"


def test_text_output_format_keeps_messages_verbatim():
    results = build_results(RUBRIC, [Outcome("behaviour.linear", 0.5, SOFTMAX_MESSAGE)], execution_time=0)
    assert {t["number"]: t for t in results["tests"]}["2.3"]["output"] == SOFTMAX_MESSAGE


# ------------------------------------------------------------------ minimal results

def test_minimal_results_list_every_test_at_zero_of_its_max():
    results = minimal_results(RUBRIC, UNFINISHED, execution_time=float("inf"))
    validate_results(results)
    assert [(t["number"], t["max_score"], t["score"]) for t in results["tests"]] == \
        [(t.number, t.points, 0.0) for t in RUBRIC]
    assert all(t["output"] == UNFINISHED for t in results["tests"])
    assert results["score"] == 0 and results["execution_time"] == 0.0


def test_minimal_results_without_a_rubric():
    results = minimal_results(None, "the rubric is invalid")
    validate_results(results)
    assert results["tests"] == [] and results["output"] == "the rubric is invalid"


# ------------------------------------------------------------------ the results file

def test_prewrite_then_commit_replaces_the_file_and_leaves_nothing_else(tmp_path):
    out = ResultsFile(tmp_path / "results" / "results.json")
    out.prewrite(minimal_results(RUBRIC, UNFINISHED))
    assert strict_load(out.path)["output"] == UNFINISHED
    assert len(os.listdir(out.path.parent)) == 2                    # results.json and the reserve
    final = build_results(RUBRIC, [Outcome("api", 1.0, "all there")], execution_time=3)
    out.commit(final)
    assert strict_load(out.path) == json.loads(json.dumps(final))
    assert os.listdir(out.path.parent) == ["results.json"]
    assert oct(out.path.stat().st_mode & 0o777) == "0o600"


def test_commit_on_a_full_disk_uses_the_reserve():
    final = build_results(RUBRIC, [Outcome("api", 1.0, "all there"),
                                   Outcome("behaviour.linear", 0.25, "x" * 15_000)], execution_time=3)
    with small_disk(8) as disk:
        out = ResultsFile(disk / "results" / "results.json")
        out.prewrite(minimal_results(RUBRIC, UNFINISHED))
        fill(disk)                                     # e.g. a student's process, still writing
        assert free_bytes(disk) < 4096
        with pytest.raises(OSError):                   # an ordinary write fails now...
            write_results(final, disk / "results" / "other.json")
        out.commit(final)                              # ...the reserved blocks do not
        assert strict_load(out.path) == json.loads(json.dumps(final))


def test_a_failed_commit_leaves_the_prewritten_file():
    final = build_results(RUBRIC, [Outcome("api", 1.0, "all there")], execution_time=3)
    with small_disk(8) as disk:
        out = ResultsFile(disk / "results.json", reserve_bytes=0)   # no reserve to fall back on
        out.prewrite(minimal_results(RUBRIC, UNFINISHED))
        fill(disk)
        with pytest.raises(OSError):
            out.commit(final)
        data = strict_load(out.path)
        validate_results(data)
        assert data["output"] == UNFINISHED
        assert [n for n in os.listdir(disk) if not n.startswith("filler")] == ["results.json"]
