"""The reference's answers: a value computed once, cached on disk, and refused when stale."""
from grader.editions import load_edition
from grader.runner import reference
from grader.sandbox.codec import decode

EDITION = load_edition("spring2026")


def _answers(log):
    return reference.reference_answers("spring2026", EDITION.checks(0), log.append)


def test_answers_are_computed_once_then_read_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(reference.CACHE_ENV, str(tmp_path))
    first_log, second_log = [], []
    first, _ = _answers(first_log)
    second, _ = _answers(second_log)
    assert any("running the reference" in line for line in first_log)
    assert second_log == []  # no reference worker the second time
    assert first.keys() == second.keys() and "behaviour.linear" in first
    stored = decode(next(tmp_path.glob("spring2026-*.answers")).read_bytes())
    assert stored["reference"] == reference.reference_digest("spring2026")


def test_a_cache_from_another_reference_is_recomputed(tmp_path, monkeypatch):
    monkeypatch.setenv(reference.CACHE_ENV, str(tmp_path))
    _answers([])
    monkeypatch.setattr(reference, "reference_digest", lambda edition: "a different reference")
    log = []
    _answers(log)
    assert any("running the reference" in line for line in log)


def test_other_inputs_have_other_answers():
    a = reference.answers_name("spring2026", [c for c in EDITION.checks(0) if c.uses_reference])
    b = reference.answers_name("spring2026", [c for c in EDITION.checks(1) if c.uses_reference])
    assert a != b


def test_without_the_reference_only_shipped_answers_are_used(tmp_path, monkeypatch):
    shipped = tmp_path / "answers"
    path = reference.write_shipped_answers(shipped, "spring2026", EDITION.checks(1))
    monkeypatch.setattr(reference, "SHIPPED_DIR", shipped)
    monkeypatch.setattr(reference, "reference_present", lambda edition: False)
    answers, _ = reference.reference_answers("spring2026", EDITION.checks(1))
    assert "gradients.layers" in answers
    path.unlink()
    try:
        reference.reference_answers("spring2026", EDITION.checks(1))
    except reference.ReferenceFailed as error:
        assert "python -m assign" in str(error)
    else:
        raise AssertionError("a kit without answers must be a grader fault")


def test_the_reference_earns_full_marks_on_other_input_seeds(tmp_path):
    # staff may change input_seed per term: no seed may draw inputs the reference cannot pass
    # (e.g. a deep random model whose softmax falls below the cross-entropy's clip)
    from tests.grader.submissions import grade_json, losers, make_submission, rubric_with
    root = make_submission(tmp_path)
    for seed in (1, 6, 7, 16, 23):
        results = grade_json(root, rubric_path=rubric_with(tmp_path, name=f"r{seed}.toml", input_seed=seed))
        assert losers(results) == set(), (seed, results["output"])
