"""Verdicts on both bases: our reference and a submission on the course's own given code.

Real submissions run on the course's given code (docs/editions.md), which is looser
than ours: it does not wrap forward's result in a Tensor, composes gradients with
per-sample loops, averages metrics unweighted, returns defaultdicts. A correct
submission on either base earns every point but the final run's, and each classic
bug - written once, as a method redefined through the public API and appended to
the file, so that it applies to either base - loses points in exactly the tests
named after the broken part, on both bases alike.
"""
import pytest

from tests.grader.submissions import (BASES, assert_complete, by_number, grade_json, losers, make_submission,
                                      rubric_with, summary)

GRADIENTS = {"3.1", "3.2", "3.3"}
pytestmark = pytest.mark.timeout(180)


def bug(id, file, code, lose):
    return pytest.param({file: code}, set(lose), id=id)


BUGS = [
    bug("cce_gradient_missing_1_over_batch", "beras/losses.py", """
        def _cce_gradient(self):
            y_pred, y_true = self.inputs[0], self.inputs[1]
            clipped = np.clip(y_pred, self.epsilon, 1 - self.epsilon)
            return [-y_true / clipped, np.zeros_like(y_true)]
        CategoricalCrossEntropy.get_input_gradients = _cce_gradient
        """, {"2.6", "2.10"} | GRADIENTS),
    bug("mse_gradient_missing_1_over_batch", "beras/losses.py", """
        def _mse_gradient(self):
            y_pred, y_true = self.inputs[0], self.inputs[1]
            return [2 * (y_pred - y_true) / y_pred.shape[-1], np.zeros_like(y_true)]
        MeanSquaredError.get_input_gradients = _mse_gradient
        """, {"2.6", "3.1", "3.2"}),
    bug("basic_optimizer_rebinds_list_entries", "beras/optimizers.py", """
        def _rebinding_step(self):
            for i, p in enumerate(self.parameters):
                if p.grad is not None and p.requires_grad:
                    self.parameters[i] = p - self.learning_rate * p.grad
        BasicOptimizer.step = _rebinding_step
        """, {"2.9", "2.10"}),
    bug("basic_optimizer_treats_the_list_as_one_array", "beras/optimizers.py", """
        def _one_array_step(self):
            self.parameters -= self.learning_rate * np.array([p.grad for p in self.parameters], dtype=object)
        BasicOptimizer.step = _one_array_step
        """, {"2.9", "2.10"}),
    bug("rmsprop_sqrt_of_v_plus_eps", "beras/optimizers.py", """
        def _rmsprop_step(self):
            self._state = getattr(self, "_state", {})
            for i, p in enumerate(self.parameters):
                if p.grad is None or not p.requires_grad:
                    continue
                v = self.beta * self._state.get(i, 0) + (1 - self.beta) * np.square(p.grad)
                self._state[i] = v
                p -= self.learning_rate / np.sqrt(v + self.epsilon) * p.grad
        RMSProp.step = _rmsprop_step
        """, {"2.9"}),
    bug("adam_t_stuck_at_1_after_the_first_step", "beras/optimizers.py", """
        def _adam_step(self):
            self._state = getattr(self, "_state", {})
            t = 1
            for i, p in enumerate(self.parameters):
                if p.grad is None or not p.requires_grad:
                    continue
                m, v = self._state.get(i, (0, 0))
                m = self.beta_1 * m + (1 - self.beta_1) * p.grad
                v = self.beta_2 * v + (1 - self.beta_2) * np.square(p.grad)
                self._state[i] = (m, v)
                m_hat, v_hat = m / (1 - self.beta_1 ** t), v / (1 - self.beta_2 ** t)
                p -= self.learning_rate * m_hat / (np.sqrt(v_hat) + self.epsilon)
        Adam.step = _adam_step
        """, {"2.9"}),
    bug("biases_initialized_randomly", "beras/layers.py", """
        def _random_bias_init(initializer, input_size, output_size):
            return np.random.normal(size=(input_size, output_size)) * (initializer != "zero"), \\
                np.random.normal(size=(output_size,))
        Linear._initialize_weight = staticmethod(_random_bias_init)
        """, {"2.3", "2.4"}),
    bug("softmax_subtracts_the_global_max", "beras/activations.py", """
        def _global_max_softmax(self, x):
            e = np.exp(x - np.max(x))
            return e / np.sum(e, axis=-1, keepdims=True)
        Softmax.forward = _global_max_softmax
        """, {"2.5"}),
    bug("softmax_jacobian_of_the_wrong_shape", "beras/activations.py", """
        def _elementwise_softmax_gradient(self):
            s = self.outputs[0]
            return [s * (1 - s)]
        Softmax.get_input_gradients = _elementwise_softmax_gradient
        """, {"2.5", "2.10"} | GRADIENTS),
    bug("batch_step_training_false_still_updates", "beras/model.py", """
        def _always_training_step(self, x, y, training=True):
            self.optimizer.zero_grad()
            predictions = self.forward(x)
            loss = self.compiled_loss(predictions, y)
            acc = self.compiled_acc(predictions, y)
            loss.backward()
            self.optimizer.step()
            stats = {"loss": float(loss), "acc": float(acc)}
            return stats if training else (stats, predictions)
        Sequential.batch_step = _always_training_step
        """, {"2.10"}),
    bug("fit_drops_the_last_partial_batch", "beras/model.py", """
        def _fit_full_batches_only(self, x, y, epochs, batch_size, wandb_run=None):
            history = {"loss": [], "acc": []}
            for _ in range(epochs):
                for start in range(0, len(x) - batch_size + 1, batch_size):
                    stats = self.batch_step(x[start:start + batch_size], y[start:start + batch_size])
                history["loss"].append(stats["loss"])
                history["acc"].append(stats["acc"])
            return history
        Model.fit = _fit_full_batches_only
        """, {"2.10"}),
    # Unweighted averaging is right (the given update_metric_dict's convention): only the
    # predictions are wrong here, and they must cost points on their own.
    bug("evaluate_returns_only_the_last_batch_predictions", "beras/model.py", """
        def _evaluate_last_batch(self, x, y, batch_size, wandb_run=None):
            stats, predictions = {}, None
            for start in range(0, len(x), batch_size):
                batch, predictions = self.batch_step(x[start:start + batch_size], y[start:start + batch_size],
                                                     training=False)
                for key, value in batch.items():
                    stats.setdefault(key, []).append(value)
            return {key: float(np.mean(values)) for key, values in stats.items()}, predictions
        Model.evaluate = _evaluate_last_batch
        """, {"2.10"}),
    bug("backward_passes_g_instead_of_a_list", "beras/core.py", """
        def _backward_without_list(self, grad=None):
            for p, g in zip(self.parameters, self.compose_weight_gradients(grad)):
                if p.requires_grad:
                    p.grad = g
            for inp, g in zip(self.inputs, self.compose_input_gradients(grad)):
                inp.backward(g)
        Diffable.backward = _backward_without_list
        """, {"2.10"} | GRADIENTS),
    # Not bugs: printing while training, and the handout's other accepted conventions.
    bug("debug_prints_everywhere", "beras/layers.py", """
        _quiet_forward = Linear.forward
        def _chatty_forward(self, x):
            print("Linear forward", np.shape(x), "w", np.shape(self.w))
            return _quiet_forward(self, x)
        Linear.forward = _chatty_forward
        """, set()),
]


@pytest.mark.parametrize("base", BASES)
def test_a_correct_submission_gets_every_point_but_the_final_run(tmp_path, base):
    results = grade_json(make_submission(tmp_path, base=base))
    assert_complete(results)
    assert losers(results) == set(), summary(results)


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("overrides, lose", BUGS)
def test_one_bug_loses_exactly_the_tests_named_after_it(tmp_path, base, overrides, lose):
    results = grade_json(make_submission(tmp_path, base=base, overrides=overrides))
    assert_complete(results)
    assert losers(results) == lose, summary(results)


def _output(tmp_path, base, bug_id, number):
    overrides = next(p.values[0] for p in BUGS if p.id == bug_id)
    return by_number(grade_json(make_submission(tmp_path, base=base, overrides=overrides)))[number]["output"]


@pytest.mark.parametrize("base", BASES)
def test_optimizer_steps_are_checked_one_by_one(tmp_path, base):
    output = _output(tmp_path, base, "adam_t_stuck_at_1_after_the_first_step", "2.9")
    # t = 1 is right for the first step only: the later steps fail, the first does not
    assert "after step 2" in output and "after step 4" in output
    assert "after step 1" not in output, output


@pytest.mark.parametrize("base", BASES)
def test_hints_fire_only_for_the_recognised_mistake(tmp_path, base):
    rmsprop = _output(tmp_path / "rmsprop", base, "rmsprop_sqrt_of_v_plus_eps", "2.9")
    assert "sqrt(v + eps)" in rmsprop and "in place" not in rmsprop
    rebind = _output(tmp_path / "rebind", base, "basic_optimizer_rebinds_list_entries", "2.9")
    assert "sqrt" not in rebind
    # our Tensor keeps .grad on the rebound copies, so the values just never change; the
    # course's drops it, so the second step raises: either way, the mistake is named
    assert "in place" in rebind or "_rebinding_step" in rebind, rebind
    softmax = _output(tmp_path / "softmax", base, "softmax_subtracts_the_global_max", "2.5")
    assert "each row's own max" in softmax and "diag(s)" not in softmax
    assert "analytic gradient" not in softmax  # a NaN forward is not called a gradient problem


@pytest.mark.parametrize("base", BASES)
def test_an_error_in_given_compose_code_names_the_students_method(tmp_path, base):
    output = _output(tmp_path, base, "softmax_jacobian_of_the_wrong_shape", "2.5")
    assert "Softmax.get_input_gradients() returned" in output, output


@pytest.mark.parametrize("base", BASES)
def test_backward_without_a_list_is_named(tmp_path, base):
    output = _output(tmp_path, base, "backward_passes_g_instead_of_a_list", "3.2")
    assert "inp.backward([g])" in output, output


@pytest.mark.parametrize("base", BASES)
def test_hint_detail_is_the_rubrics_choice(tmp_path, base):
    root = make_submission(tmp_path, base=base, overrides=next(p.values[0] for p in BUGS
                                                               if p.id == "rmsprop_sqrt_of_v_plus_eps"))
    concept = by_number(grade_json(root, rubric_path=rubric_with(tmp_path, hint_detail="concept")))["2.9"]
    assert "sqrt(v + eps)" in concept["output"] and "w -= lr" not in concept["output"]
    none = by_number(grade_json(root, rubric_path=rubric_with(tmp_path, hint_detail="none")))["2.9"]
    assert "hint:" not in none["output"]


# ------------------------------------------------------------------ banned libraries, as the handout says

SCRATCH = {"my_scratch.py": "import tensorflow as tf\nimport numpy as np\n\nprint(tf.__version__)\n",
           "test_compare_tf.py": "import torch\n\ndef test_same():\n    assert torch.ones(1).item() == 1\n",
           "tests/test_against_keras.py": "from keras import layers\n"}


@pytest.mark.parametrize("base", BASES)
def test_scratch_and_testing_files_with_banned_imports_cost_nothing(tmp_path, base):
    results = grade_json(make_submission(tmp_path, base=base, extra_files=SCRATCH))
    assert_complete(results)
    assert losers(results) == set(), summary(results)
    banned = by_number(results)["4.1"]
    assert banned["status"] == "passed", banned["output"]
    for file in SCRATCH:
        assert f"{file}:1" in banned["output"], banned["output"]  # listed, costing nothing
    assert "would have earned" not in str(results)


@pytest.mark.parametrize("base", BASES)
def test_a_helper_imported_by_layers_costs_the_layer_tests_only(tmp_path, base):
    results = grade_json(make_submission(
        tmp_path, base=base, extra_files={"beras/torch_helpers.py": "import torch\n"},
        overrides={"beras/layers.py": "from beras import torch_helpers  # noqa\n"}))
    assert_complete(results)
    assert losers(results) == {"2.2", "2.3", "2.4", "2.10", "3.1", "3.2", "3.3"}, summary(results)
    assert "beras/torch_helpers.py" in by_number(results)["2.3"]["output"]


# ------------------------------------------------------------------ another edition

FALL_STYLE = {"beras/gradient_tape.py": "class GradientTape:\n    def gradient(self, target, sources):\n"
                                        "        return []\n",
              "beras/dense.py": "class Dense:\n    pass\n\n\nclass SequentialModel:\n    pass\n"}


@pytest.mark.parametrize("base", BASES)
def test_a_submission_of_the_other_edition_is_told_so(tmp_path, base):
    root = make_submission(tmp_path, base=base, extra_files=FALL_STYLE, remove=["beras/layers.py"])
    results = grade_json(root)
    assert_complete(results)
    assert "fall2025 edition" in results["output"] and "spring2026 edition" in results["output"], results["output"]
    assert "fall2025" not in grade_json(make_submission(tmp_path / "plain", base=base))["output"]


@pytest.mark.timeout(400)
@pytest.mark.parametrize("base", BASES)
def test_the_final_run_trains_a_correct_submission_on_either_base(tmp_path, base):
    # fit gets Tensors of the submission's own class: the course's given __call__ converts nothing
    rubric = rubric_with(tmp_path, final_epochs=1, final_time_budget_s=300)
    results = grade_json(make_submission(tmp_path, base=base, final=True), rubric_path=rubric)
    final = by_number(results)["5.1"]
    assert final["score"] == final["max_score"], final["output"]
