"""The mutation campaign (tools/mutation_campaign.py) generates real mutants and reports honestly.

The fast tests look at generation and at the equivalence witness on known cases,
for each edition (the witness drives each edition's own API: spring2026's
loss.backward(), fall2025's GradientTape). The campaign tests run the real command
on a fixed sample (--sample 12 --seed 0) against the real grader and against a
deliberately weakened one (every tolerance opened wide: tests/tools/weak_grader.py
plus a rubric with wide gradient tolerances); the weakened grader must score a lower
kill rate. A fixed fall2025 sample runs too.
"""
import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bases import build_base
from tests.grader.submissions import rubric_with
from tools.mutation.blocks import MARKERS, blocks_of
from tools.mutation.campaign import over_reach
from tools.mutation.equivalence import BaseFailsScenarios, Witness, groups_for
from tools.mutation.scope import files_by_number
from tools.mutation.generate import generate

ROOT = Path(__file__).resolve().parents[2]
CAMPAIGN = ROOT / "tools" / "mutation_campaign.py"
RECORD_FIELDS = {"id", "file", "line", "operator", "family", "what", "diff", "lost", "over_reach", "verdict"}
pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def reference_mutants(tmp_path_factory):
    root = build_base(tmp_path_factory.mktemp("base") / "submission", "reference")
    return root, generate(root, MARKERS["reference"])


# ------------------------------------------------------------------ generation

def _changed_lines(mutant, original):
    """Line numbers of the original file that the mutant's diff removes or replaces."""
    before, after = original.splitlines(), mutant.text.splitlines()
    import difflib
    lines = set()
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
        if tag != "equal":
            lines.update(range(i1 + 1, max(i2, i1 + 1) + 1))
    return lines


def test_every_mutant_compiles_and_changes_only_solution_lines(reference_mutants):
    root, mutants = reference_mutants
    assert len(mutants) > 300
    for mutant in mutants:
        original = (root / mutant.file).read_text(encoding="utf-8")
        inside = {n for b in blocks_of(original, "SOLUTION") for n in range(b.first, b.last + 1)}
        compile(mutant.text, mutant.file, "exec")
        assert ast.dump(ast.parse(mutant.text)) != ast.dump(ast.parse(original)), mutant.id
        assert _changed_lines(mutant, original) <= inside, (mutant.id, mutant.diff)
    assert len({(m.file, m.text) for m in mutants}) == len(mutants), "duplicate mutants"


@pytest.mark.parametrize("file, old, new, operator", [
    # classic student bugs the operators must produce (same as hand-written mutants in tests/grader)
    ("beras/optimizers.py", "(np.sqrt(v) + self.epsilon)", "np.sqrt(v + self.epsilon)", "eps_inside_sqrt"),
    ("beras/activations.py", "x.max(axis=-1, keepdims=True)", "x.max(axis=-1)", "keepdims_dropped"),
    ("beras/activations.py", "slope[x < 0] = self.alpha", "slope[x <= 0] = self.alpha", "comparison_swap"),
    ("beras/layers.py", "return [self.w]", "return [self.w.T]", "transpose"),
    ("beras/layers.py", "x[:, :, None]", "x[:, None, :]", "transpose"),
    ("beras/losses.py", "-y_true / clipped / batch", "-y_true / clipped", "missing_batch_factor"),
    ("beras/optimizers.py", "p -= self.learning_rate * g", "p = p - self.learning_rate * g", "inplace_to_rebinding"),
    ("beras/model.py", "if not training:", "if not True:", "training_flag_ignored"),
    ("beras/optimizers.py", "update = np.sqrt(v) + epsilon", "update = np.sqrt(v + epsilon)", "eps_inside_sqrt"),
    ("beras/core.py", "return any(p.requires_grad for p in self.parameters)",
     "return all(p.requires_grad for p in self.parameters)", "function_twin"),
])
def test_classic_bugs_are_among_the_mutants(reference_mutants, file, old, new, operator):
    root, mutants = reference_mutants
    text = (root / file).read_text(encoding="utf-8")
    assert text.count(old) == 1
    wanted = ast.dump(ast.parse(text.replace(old, new)))
    found = [m for m in mutants if m.file == file and ast.dump(ast.parse(m.text)) == wanted]
    assert found and found[0].operator == operator, [m.id for m in found]


def test_mutant_ids_are_stable(reference_mutants, tmp_path):
    _, mutants = reference_mutants
    again = generate(build_base(tmp_path / "again", "reference"), MARKERS["reference"])
    assert [m.id for m in again] == [m.id for m in mutants]


def test_course_base_blocks_are_mutated_too(tmp_path):
    root = build_base(tmp_path / "course", "course")
    mutants = generate(root, MARKERS["course"])
    files = {m.file for m in mutants}
    assert {"beras/layers.py", "beras/optimizers.py", "beras/model.py", "preprocess.py"} <= files
    assert len(mutants) > 200


def test_over_reach_is_a_lost_test_that_does_not_run_the_file():
    scope = files_by_number("spring2026")
    assert "beras/layers.py" in scope["2.3"] and "beras/layers.py" not in scope["2.6"]
    assert over_reach("beras/layers.py", ["2.3", "2.6", "3.1"], scope) == ["2.6"]
    assert over_reach("beras/core.py", ["2.1", "2.7", "3.2"], scope) == []     # every test runs core.py
    assert over_reach("preprocess.py", ["2.11", "2.10"], scope) == ["2.10"]


# ------------------------------------------------------------------ the equivalence witness

@pytest.fixture(scope="module")
def witness(reference_mutants):
    """One witness for the module: the original's traces are computed once."""
    return Witness(reference_mutants[0])


def _witness_verdict(reference_mutants, witness, tmp_path, file, old, new):
    root = reference_mutants[0]
    from tools.mutation.generate import Mutant
    from tools.mutation.submissions import mutant_submission
    text = (root / file).read_text(encoding="utf-8")
    assert text.count(old) == 1
    mutant = Mutant("test", file, 0, "manual", "generic", "", "", "", text=text.replace(old, new))
    submission = mutant_submission(root, mutant, tmp_path / "mutant")
    return witness.difference(mutant, submission)


@pytest.mark.parametrize("file, old, new", [
    # the same numbers by another route
    ("beras/model.py", "sizes.append(stop - start)", "sizes.append(start - stop)"),  # np.average: weights' sign cancels
    ("beras/activations.py", "        if self.alpha == 0:\n            return np.maximum(x, 0)", "        pass"),
])
def test_witness_finds_no_difference_for_an_equivalent_rewrite(reference_mutants, witness, tmp_path, file, old, new):
    assert _witness_verdict(reference_mutants, witness, tmp_path, file, old, new) is None


@pytest.mark.parametrize("file, old, new", [
    ("beras/activations.py", "s = np.asarray(self.outputs[0])\n        return [s * (1.0 - s)]",
     "s = np.asarray(self.inputs[0])\n        return [s * (1.0 - s)]"),
    ("beras/optimizers.py", "step_size = self.learning_rate * v_correction ** 0.5 / m_correction",
     "step_size = self.learning_rate / m_correction"),   # v's bias correction dropped
    ("beras/onehot.py", "return self.labels[np.argmax(np.asarray(data), axis=-1)]",
     "return np.argmax(np.asarray(data), axis=-1)"),
    ("preprocess.py", "        flat /= 255.0\n", ""),
])
def test_witness_tells_a_real_bug_apart(reference_mutants, witness, tmp_path, file, old, new):
    assert _witness_verdict(reference_mutants, witness, tmp_path, file, old, new) is not None


# ------------------------------------------------------------------ the fall2025 witness

@pytest.fixture(scope="module")
def fall_base(tmp_path_factory):
    return build_base(tmp_path_factory.mktemp("fall") / "submission", "reference", "fall2025")


@pytest.fixture(scope="module")
def fall_witness(fall_base):
    return Witness(fall_base, edition="fall2025")


@pytest.mark.parametrize("file, old, new", [
    # the optional uniform draw crashes (UnboundLocalError): one of the fall2025 sample's mutants
    ("beras/layers.py", "            limit = np.sqrt(3.0 / fan_avg)\n            w = np.random.uniform(-limit, limit, shape)",
     "            w = np.random.uniform(-limit, limit, shape)\n            limit = np.sqrt(3.0 / fan_avg)"),
    # the tape's first pass queues a tensor once per reader: a shared tensor's producer is never reached
    ("beras/gradient_tape.py", "                    seen.add(id(inp))\n", ""),
    ("beras/gradient_tape.py", "grads[id(t)] = g if id(t) not in grads else grads[id(t)] + g", "grads[id(t)] = g"),
    ("beras/losses.py", "-y_true / clipped / batch", "-y_true / clipped"),
    ("beras/optimizers.py", "            p -= self.learning_rate * g", "            p = p - self.learning_rate * g"),
    ("beras/model.py", "self.optimizer.apply_gradients(trainable, tape.gradient(loss, trainable))",
     "self.optimizer.apply_gradients(trainable, tape.gradient(loss, trainable[::-1]))"),
    ("beras/core.py", "return [w for w in self.weights if w.trainable]", "return list(self.weights)"),
    # Adam's amsgrad branch (a flag of the course's given signature): the witness drives it too
    ("beras/optimizers.py", "np.maximum(self.v_max[i], self.v[i])", "np.minimum(self.v_max[i], self.v[i])"),
])
def test_fall2025_witness_tells_a_real_bug_apart(fall_base, fall_witness, tmp_path, file, old, new):
    assert _witness_verdict((fall_base,), fall_witness, tmp_path, file, old, new) is not None


@pytest.mark.parametrize("file, old, new", [
    # uniform(high, low) draws from the same interval
    ("beras/layers.py", "            limit = np.sqrt(3.0 / fan_avg)\n            w = np.random.uniform(-limit, limit, shape)",
     "            limit = np.sqrt(3.0 / fan_avg)\n            w = np.random.uniform(limit, -limit, shape)"),
    # two independent statements in another order
    ("beras/gradient_tape.py", "            weight_grads = layer.compose_weight_gradients(upstream)\n"
     "            input_grads = layer.compose_input_gradients(upstream)",
     "            input_grads = layer.compose_input_gradients(upstream)\n"
     "            weight_grads = layer.compose_weight_gradients(upstream)"),
    # the gradient with respect to the labels: as in spring2026, nothing reads it (the grader accepts a loss
    # returning [dL/dy_pred] alone), so the witness compares dL/dy_pred only, through the tape too
    ("beras/losses.py", "-np.log(clipped) / batch", "-np.log(clipped) * batch"),
])
def test_fall2025_witness_finds_no_difference_for_an_equivalent_rewrite(fall_base, fall_witness, tmp_path, file,
                                                                        old, new):
    assert _witness_verdict((fall_base,), fall_witness, tmp_path, file, old, new) is None


def test_the_tape_has_its_own_scenarios_in_fall2025_only():
    assert "tape" in groups_for("beras/gradient_tape.py", "fall2025")
    assert {"model", "graph", "linear"} <= set(groups_for("beras/gradient_tape.py", "fall2025"))
    assert groups_for("beras/gradient_tape.py", "spring2026") == ()
    assert "tape" not in groups_for("beras/layers.py", "spring2026")


def test_the_witness_refuses_a_base_that_fails_its_scenarios(fall_base):
    # spring2026's scenarios (Linear, loss.backward()) on a fall2025 library: every mutant would "agree"
    # with the base by failing the same way; the witness must refuse rather than call them equivalent.
    with pytest.raises(BaseFailsScenarios):
        Witness(fall_base, edition="spring2026").original(groups_for("beras/layers.py", "spring2026"))


# ------------------------------------------------------------------ the campaign, end to end

def run_campaign(tmp_path, name, *extra):
    out = tmp_path / f"{name}.json"
    done = subprocess.run([sys.executable, str(CAMPAIGN), "--out", str(out), "--sample", "12", "--seed", "0",
                           "--jobs", "2", *extra], cwd=tmp_path, capture_output=True, text=True, timeout=280)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8")), done.stdout


@pytest.fixture(scope="module")
def campaigns(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("campaign")
    real = run_campaign(tmp, "real", "--rubric", str(rubric_with(tmp, name="test_rubric.toml")))
    wide = rubric_with(tmp, name="wide_rubric.toml", gradcheck_rtol=1e30, gradcheck_warn=1e30)
    weak = run_campaign(tmp, "weak", "--rubric", str(wide), "--grader-module", "tests.tools.weak_grader")
    return real, weak


def test_report_structure_and_partition(campaigns):
    (report, stdout), _ = campaigns
    counts = report["counts"]
    assert counts["mutants"] == len(report["mutants"]) == 12
    assert counts["killed"] + counts["survived"] + counts["equivalent"] == counts["mutants"]
    for verdict in ("killed", "survived", "equivalent"):
        assert len(report[verdict]) == counts[verdict]
        assert all(r["verdict"] == verdict for r in report[verdict])
    ids = [r["id"] for v in ("killed", "survived", "equivalent") for r in report[v]]
    assert sorted(ids) == sorted(r["id"] for r in report["mutants"])
    for record in report["mutants"]:
        assert RECORD_FIELDS <= set(record), record.keys()
        assert record["diff"].startswith(f"--- a/{record['file']}")
        assert bool(record["lost"]) == (record["verdict"] == "killed")
        assert set(record["over_reach"]) <= set(record["lost"])
    assert report["over_reach"] == [r for r in report["mutants"] if r["over_reach"]]
    assert "5.1" not in report["judged_tests"]       # the final run is not requested
    assert report["seconds"]["total"] > 0
    rate = report["kill_rate"]
    killed, survived = counts["killed"], counts["survived"]
    assert rate["overall"] == round(killed / (killed + survived), 4)
    assert {"2.3", "2.9", "3.1"} <= set(rate["per_test"])
    for row in rate["per_test"].values():
        assert 0 <= row["killed"] <= row["in_scope"]
    assert "kill rate" in stdout and "per rubric test" in stdout


def test_sampled_mutants_are_killed_without_over_reach(campaigns):
    (report, _), _ = campaigns
    assert report["counts"]["over_reach"] == 0, report["over_reach"]
    assert report["counts"]["survived"] <= 1, [(r["id"], r["witness"]) for r in report["survived"]]


def test_a_weakened_grader_lowers_the_kill_rate(campaigns):
    (real, _), (weak, weak_stdout) = campaigns
    assert [r["id"] for r in weak["mutants"]] == [r["id"] for r in real["mutants"]]   # the same sample
    assert weak["kill_rate"]["overall"] < real["kill_rate"]["overall"]
    assert weak["counts"]["survived"] > real["counts"]["survived"]
    for number, row in real["kill_rate"]["per_test"].items():
        assert weak["kill_rate"]["per_test"][number]["killed"] <= row["killed"], number
    assert "tests.tools.weak_grader" in weak_stdout


def test_campaign_on_the_course_base(tmp_path):
    # The course-faithful base (tests/bases): its BEGIN STUDENT blocks are mutated, its verdicts classified alike.
    out = tmp_path / "course.json"
    done = subprocess.run([sys.executable, str(CAMPAIGN), "--out", str(out), "--base", "course", "--sample", "6",
                           "--seed", "1", "--jobs", "2", "--rubric", str(rubric_with(tmp_path))],
                          cwd=tmp_path, capture_output=True, text=True, timeout=280)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    counts = report["counts"]
    assert report["base"] == "course" and counts["mutants"] == 6
    assert counts["killed"] + counts["survived"] + counts["equivalent"] == 6
    assert counts["over_reach"] == 0, report["over_reach"]
    assert counts["killed"] >= 4, [(r["id"], r["verdict"], r["witness"]) for r in report["mutants"]]


def test_fall2025_campaign_sample(tmp_path):
    # A fixed fall2025 sample on the real grader: the witness drives the Keras-flavoured API, so the
    # survivor and the equivalent mutants it holds are judged on what they do, not on a crash shared with
    # the base (before the witness knew fall2025, both were called "equivalent").
    out = tmp_path / "fall.json"
    done = subprocess.run([sys.executable, str(CAMPAIGN), "--out", str(out), "--edition", "fall2025", "--sample", "12",
                           "--seed", "0", "--jobs", "2"], cwd=tmp_path, capture_output=True, text=True, timeout=280)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    counts = report["counts"]
    assert report["edition"] == "fall2025" and counts["mutants"] == 12
    assert counts["killed"] + counts["survived"] + counts["equivalent"] == 12
    assert counts["over_reach"] == 0, report["over_reach"]
    assert counts["survived_unexplained"] == 0, [(r["id"], r["witness"]) for r in report["survived"]]
    verdicts = {r["id"].rsplit(":", 1)[0]: r["verdict"] for r in report["mutants"]}
    assert verdicts["beras/layers.py:56:swap_statements"] != "equivalent"
    assert counts["killed"] >= 7, [(r["id"], r["verdict"], r["witness"]) for r in report["mutants"]]
