import textwrap

import pytest

from grader.rubric import RubricError, VISIBILITIES, load_rubric

EXPECTED_KEYS = [
    "api",
    "behaviour.tensor", "behaviour.weighted", "behaviour.linear", "behaviour.initializers",
    "behaviour.activations", "behaviour.losses", "behaviour.metrics", "behaviour.onehot",
    "behaviour.optimizers", "behaviour.model", "behaviour.preprocess",
    "gradients.layers", "gradients.models", "gradients.general_graph", "gradients.accumulation",
    "banned", "final.accuracy",
]


def test_the_check_registry_and_the_rubric_have_the_same_tests():
    # every probed check has a rubric entry and vice versa (the static scan and the final
    # run are scored by grade() itself)
    from grader.editions import EDITIONS, load_edition
    for name in EDITIONS:
        registry = [c.key for c in load_edition(name).checks()]
        rubric = [k for k in load_rubric(edition=name).keys if k not in ("banned", "final.accuracy")]
        assert registry == rubric, (name, registry, rubric)


def test_default_rubric_loads_and_totals_100():
    r = load_rubric()
    assert r.total_points == 100
    assert r.keys == EXPECTED_KEYS
    assert len(set(r.keys)) == len(r.keys)
    assert len({t.number for t in r.tests}) == len(r.tests)
    assert [t.order for t in r.tests] == list(range(len(r.tests)))
    assert all(t.visibility in VISIBILITIES for t in r.tests)


def test_default_rubric_specifics():
    r = load_rubric(edition="spring2026")
    assert r.test("gradients.accumulation").points == 0
    assert r.test("banned").points == 0
    assert r.test("gradients.general_graph").visibility == "after_due_date"
    assert r.test("final.accuracy").points == 20
    assert r.test("behaviour.model").number == "2.10"
    assert r.settings["banned_library"] == "zero_affected"
    assert r.settings["final_zero_accuracy"] < r.settings["final_full_accuracy"]
    with pytest.raises(KeyError):
        r.test("nope")


GOOD = """
[settings]
total_visibility = "visible"

[tests."a"]
name = "A"
number = "1.1"
points = 3
visibility = "visible"

[tests."b"]
name = "B"
number = "1.2"
points = 0
visibility = "hidden"
"""


def _write(tmp_path, text):
    p = tmp_path / "rubric.toml"
    p.write_text(textwrap.dedent(text))
    return p


def test_small_rubric_loads(tmp_path):
    r = load_rubric(_write(tmp_path, GOOD))
    assert r.keys == ["a", "b"] and r.total_points == 3
    assert r.settings["gradcheck_rtol"] == 1e-5      # defaults filled in


@pytest.mark.parametrize("old,new,needle", [
    ('visibility = "hidden"', 'visibility = "secret"', "'b'"),
    ("points = 3", "points = -1", "'a'"),
    ('number = "1.2"', 'number = "1.1"', "'b'"),
    ('number = "1.2"', 'number = "1.0"', "'b'"),          # out of order
    ('number = "1.2"', "number = 1.2", "'b'"),            # not a string
    ('name = "A"\n', "", "'a'"),                          # missing field
    ('name = "B"', 'name = "B"\nweight = 3', "'weight'"),  # unknown field
    ('total_visibility = "visible"', 'total_visibility = "visible"\nbogus = 1', "'bogus'"),
    ('total_visibility = "visible"', 'total_visibility = "everyone"', "'total_visibility'"),
    ('total_visibility = "visible"', 'banned_library = "ignore"', "'banned_library'"),
    ('total_visibility = "visible"', 'gradcheck_rtol = 1e-2\ngradcheck_warn = 1e-3', "'gradcheck_warn'"),
    ("points = 3", 'points = "3"', "'a'"),
])
def test_bad_rubrics_raise_naming_key(tmp_path, old, new, needle):
    assert old in GOOD
    p = _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(RubricError) as e:
        load_rubric(p)
    assert needle in str(e.value)
    assert str(p) in str(e.value)


def test_duplicate_key_is_rubric_error(tmp_path):
    p = _write(tmp_path, GOOD + '\n[tests."a"]\nname = "again"\nnumber = "2.1"\npoints = 1\nvisibility = "visible"\n')
    with pytest.raises(RubricError) as e:
        load_rubric(p)
    assert str(p) in str(e.value)


def test_missing_file_and_no_tests(tmp_path):
    with pytest.raises(RubricError):
        load_rubric(tmp_path / "absent.toml")
    with pytest.raises(RubricError):
        load_rubric(edition="fall1999")
    with pytest.raises(RubricError):
        load_rubric(_write(tmp_path, "[settings]\n"))


def test_a_setting_of_another_edition_is_refused_not_ignored(tmp_path):
    # predictions.npy review settings are read by fall2025 only: spring2026 would ignore them silently
    p = _write(tmp_path, GOOD.replace('total_visibility = "visible"',
                                      'total_visibility = "visible"\npredictions_accuracy_margin = 0.1', 1))
    with pytest.raises(RubricError) as e:
        load_rubric(p, edition="spring2026")
    assert "'predictions_accuracy_margin'" in str(e.value) and "fall2025" in str(e.value), e.value
    assert load_rubric(p, edition="fall2025").settings["predictions_accuracy_margin"] == 0.1
