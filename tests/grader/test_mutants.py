"""One classic student bug at a time: exactly the tests that should notice it lose points.

Each mutant is the reference submission with ONE bug, next to the set of
rubric test numbers that must lose points (5.1, the final training run, is
not requested and is ignored). Every other scored test must keep full marks,
so a check that over-reaches is caught as surely as one that misses.
"""
import pytest

from tests.grader.submissions import by_number, grade_json, line_of, losers, make_submission, summary

L, A, LO, O, M, C, P = ("beras/layers.py", "beras/activations.py", "beras/losses.py", "beras/optimizers.py",
                        "beras/model.py", "beras/core.py", "preprocess.py")
GRADIENTS = {"3.1", "3.2", "3.3"}
pytestmark = pytest.mark.timeout(120)


def mutant(id, patches, lose, marks=(), **extra):
    if isinstance(patches, tuple):
        patches = [patches]
    return pytest.param(patches, set(lose), extra, id=id, marks=marks)


MUTANTS = [
    # ---------------------------------------------------------------- Linear
    mutant("linear_forward_missing_bias",
           (L, "return x @ self.w + self.b", "return x @ self.w"),
           {"2.3", "2.10"} | GRADIENTS),
    mutant("linear_weight_gradient_transposed",
           (L, "return [x[:, :, None], np.ones", "return [x[:, None, :], np.ones"),
           {"2.3", "2.10"} | GRADIENTS),
    mutant("linear_weight_gradient_missing",
           (L, "return [x[:, :, None], np.ones((x.shape[0], 1), dtype=x.dtype)]", "return []"),
           {"2.3", "2.10"} | GRADIENTS),
    mutant("linear_input_gradient_transposed",
           (L, "return [self.w]", "return [self.w.T]"),
           {"2.3", "2.10"} | GRADIENTS),
    mutant("bias_initialized_randomly",
           (L, "b = np.zeros(output_size)", "b = np.random.normal(0.0, 1.0, output_size)"),
           {"2.3", "2.4"}),
    mutant("xavier_std_uses_fan_in_only",
           (L, "np.sqrt(1.0 / fan_avg)", "np.sqrt(1.0 / input_size)"),
           {"2.4"}),
    # ---------------------------------------------------------------- losses
    mutant("cce_gradient_missing_1_over_batch",
           (LO, "[-y_true / clipped / batch,", "[-y_true / clipped,"),
           {"2.6", "2.10"} | GRADIENTS),
    mutant("mse_gradient_missing_1_over_batch",
           (LO, "/ y_pred.size", "/ y_pred.shape[-1]"),
           {"2.6", "3.1", "3.2"}),
    mutant("cce_without_clipping",
           (LO, "return np.clip(np.asarray(y_pred), self.epsilon, 1 - self.epsilon)",
            "return np.asarray(y_pred)"),
           {"2.6"}),
    # ---------------------------------------------------------------- activations
    mutant("softmax_subtracts_global_max",
           (A, "x.max(axis=-1, keepdims=True)", "x.max()"),
           {"2.5"}),
    mutant("softmax_jacobian_only_diagonal",
           (A, "jacobian = -s[:, :, None] * s[:, None, :]", "jacobian = np.zeros(s.shape + s.shape[-1:])"),
           {"2.5", "2.10"} | GRADIENTS),
    mutant("leaky_relu_gradient_alpha_at_zero",
           (A, "slope[x < 0] = self.alpha", "slope[x <= 0] = self.alpha"),
           {"2.5"}),
    mutant("leaky_relu_gradient_one_at_zero",
           (A, "slope = (x > 0).astype(x.dtype)", "slope = (x >= 0).astype(x.dtype)"),
           {"2.5"}),
    mutant("sigmoid_gradient_from_input_not_output",
           (A, "s = np.asarray(self.outputs[0])\n        return [s * (1.0 - s)]",
            "s = np.asarray(self.inputs[0])\n        return [s * (1.0 - s)]"),
           {"2.5"} | GRADIENTS),
    mutant("softmax_jacobian_wrong_shape_crashes_compose",
           (A, "        return [jacobian]\n", "        return [s * (1.0 - s)]\n"),
           {"2.5", "2.10"} | GRADIENTS),
    # ---------------------------------------------------------------- optimizers
    mutant("rmsprop_sqrt_of_v_plus_eps",
           (O, "(np.sqrt(v) + self.epsilon)", "np.sqrt(v + self.epsilon)"),
           {"2.9"}),
    mutant("adam_without_bias_correction",
           [(O, "step_size = self.learning_rate * v_correction ** 0.5 / m_correction",
             "step_size = self.learning_rate"),
            (O, "epsilon = self.epsilon * v_correction ** 0.5", "epsilon = self.epsilon")],
           {"2.9"}),
    mutant("adam_t_incremented_per_parameter",
           [(O, "        self.t += 1\n        # m and v", "        # m and v"),
            (O, "        m_correction = (1 - self.beta_1 ** self.t) / (1 - self.beta_1)\n"
                "        v_correction = (1 - self.beta_2 ** self.t) / (1 - self.beta_2)\n"
                "        step_size = self.learning_rate * v_correction ** 0.5 / m_correction\n"
                "        epsilon = self.epsilon * v_correction ** 0.5\n"
                "        for i, p, g in self._updatable():\n",
             "        for i, p, g in self._updatable():\n            self.t += 1\n"
             "            m_correction = (1 - self.beta_1 ** self.t) / (1 - self.beta_1)\n"
             "            v_correction = (1 - self.beta_2 ** self.t) / (1 - self.beta_2)\n"
             "            step_size = self.learning_rate * v_correction ** 0.5 / m_correction\n"
             "            epsilon = self.epsilon * v_correction ** 0.5\n")],
           {"2.9"}),
    mutant("basic_optimizer_rebinds_list_entries",
           (O, "        for _, p, g in self._updatable():\n            p -= self.learning_rate * g",
            "        for i, p, g in self._updatable():\n"
            "            self.parameters[i] = p - self.learning_rate * g"),
           {"2.9", "2.10"}),
    mutant("basic_optimizer_updates_frozen_parameters",
           (O, "        for _, p, g in self._updatable():\n            p -= self.learning_rate * g",
            "        for p in self.parameters:\n            if p.grad is not None:\n"
            "                p -= self.learning_rate * np.asarray(p.grad)"),
           {"2.9"}),
    # ---------------------------------------------------------------- model
    mutant("batch_step_training_false_still_updates",
           (M, "        if not training:\n            return stats, predictions\n"
               "        loss.backward()\n        self.optimizer.step()\n",
            "        loss.backward()\n        self.optimizer.step()\n"
            "        if not training:\n            return stats, predictions\n"),
           {"2.10"}),
    mutant("fit_drops_last_partial_batch",
           (M, "spans = _batches(n, batch_size)", "spans = _batches(n - n % batch_size, batch_size)"),
           {"2.10"}),
    mutant("evaluate_returns_last_batch_predictions",
           (M, "return averages, np.concatenate(predictions)", "return averages, predictions[-1]"),
           {"2.10"}),
    mutant("model_parameters_only_first_layer",
           (M, "return [p for layer in self.layers for p in layer.parameters]",
            "return list(self.layers[0].parameters)"),
           {"2.10"}),
    mutant("sequential_forward_bypasses_layer_call",
           (M, "x = layer(x)", "x = layer.forward(x)"),
           {"2.10", "3.2"}),
    # ---------------------------------------------------------------- metrics, one-hot
    mutant("onehot_inverse_returns_indices",
           ("beras/onehot.py", "return self.labels[np.argmax(np.asarray(data), axis=-1)]",
            "return np.argmax(np.asarray(data), axis=-1)"),
           {"2.8"}),
    mutant("accuracy_argmax_over_wrong_axis",
           ("beras/metrics.py", "np.argmax(probs, axis=-1) == np.argmax(labels, axis=-1)",
            "np.argmax(probs, axis=0) == np.argmax(labels, axis=0)"),
           {"2.7", "2.10"}),
    # ---------------------------------------------------------------- core
    # Tensor.no_grad is given code (not a TODO of the stencil): the grader scores only what
    # students write, so breaking it costs nothing.
    mutant("no_grad_does_not_restore_given_code",
           (C, "        finally:\n            Tensor.requires_grad = previous\n",
            "        finally:\n            pass\n"),
           set()),
    mutant("trainable_setter_does_nothing",
           (C, "            p.requires_grad = value\n", "            pass\n"),
           {"2.2"}),
    mutant("trainable_getter_uses_all",
           (C, "return any(p.requires_grad for p in self.parameters)",
            "return all(p.requires_grad for p in self.parameters)"),
           {"2.2"}),
    mutant("backward_does_not_propagate_to_inputs",
           (C, "        for inp, g in zip(self.inputs, self.compose_input_gradients(grad)):\n"
               "            inp.backward([g])\n", ""),
           {"2.10"} | GRADIENTS),
    mutant("backward_overwrites_grad",
           (C, "param.grad = g if param.grad is None else param.grad + g", "param.grad = g"),
           set(), informational_fails="3.4"),
    # ---------------------------------------------------------------- preprocess
    mutant("preprocess_not_scaled",
           (P, "        flat /= 255.0\n", ""),
           {"2.11"}),
    mutant("preprocess_shuffles_order",
           (P, "    return inputs(train_x), Tensor(train_y.astype(np.int64)),",
            "    order = np.random.permutation(len(train_x))\n"
            "    train_x, train_y = train_x[order], train_y[order]\n"
            "    return inputs(train_x), Tensor(train_y.astype(np.int64)),"),
           {"2.11"}),
    mutant("preprocess_labels_one_hot",
           (P, "Tensor(train_y.astype(np.int64)), inputs(test_x), Tensor(test_y.astype(np.int64))",
            "Tensor(np.eye(10)[train_y]), inputs(test_x), Tensor(np.eye(10)[test_y])"),
           {"2.11"}),
    # ---------------------------------------------------------------- accepted variants (no loss)
    mutant("bias_stored_as_row_vector",
           (L, "b = np.zeros(output_size)", "b = np.zeros((1, output_size))"),
           set()),
    mutant("loss_returns_only_the_y_pred_gradient",
           (LO, "        return [-y_true / clipped / batch, -np.log(clipped) / batch]\n",
            "        return [-y_true / clipped / batch]\n"),
           set()),
    # ---------------------------------------------------------------- blind spots
    mutant("batch_step_never_zeroes_grads",
           (M, "        self.optimizer.zero_grad()\n        predictions = self.forward(x)",
            "        predictions = self.forward(x)"),
           {"2.10"}),
]


MUTANTS_BY_ID = {m.id: m.values[0][0] for m in MUTANTS if len(m.values[0]) == 1}


@pytest.mark.parametrize("patches, lose, extra", MUTANTS)
def test_mutant_loses_exactly_the_expected_tests(tmp_path, patches, lose, extra):
    results = grade_json(make_submission(tmp_path, patches=patches))
    assert losers(results) == lose, summary(results)
    tests = by_number(results)
    for number in lose:
        assert tests[number]["status"] == "failed"
    if "informational_fails" in extra:
        informational = tests[extra["informational_fails"]]
        assert informational["max_score"] == 0 and informational["status"] == "failed", summary(results)
        assert results["score"] == sum(t["max_score"] for t in results["tests"] if t["number"] != "5.1")


# -------------------------------------------------------------------- messages teach

def test_missing_batch_factor_message_names_the_class_and_the_factor(tmp_path):
    results = grade_json(make_submission(tmp_path, patches=[MUTANTS_BY_ID["cce_gradient_missing_1_over_batch"]]))
    tests = by_number(results)
    losses = tests["2.6"]["output"]
    assert "CategoricalCrossEntropy, batch 6" in losses
    assert "factor of 6" in losses and "1/batch" in losses
    assert "MeanSquaredError" not in losses  # only failing cases are listed
    gradients = tests["3.1"]["output"]
    assert "CategoricalCrossEntropy, batch 4: WRONG" in gradients and "factor of 4" in gradients


def test_exception_message_names_the_students_file_and_line(tmp_path):
    root = make_submission(tmp_path, patches=[MUTANTS_BY_ID["linear_weight_gradient_transposed"]])
    line = line_of(root, "beras/core.py", "return (local * upstream).sum(axis=0)")
    output = by_number(grade_json(root))["2.3"]["output"]
    assert "compose_weight_gradients [float64, bias (out,), batch 5]" in output and "raised ValueError" in output
    assert f"at beras/core.py:{line} in _sum_over_batch()" in output
    # raised in given code: the message names the student's method whose output caused it
    assert "your Linear.get_weight_gradients() returned (shapes [[5, 1, 4], [5, 1]])" in output


def test_exception_in_students_own_method_names_that_method(tmp_path):
    root = make_submission(tmp_path, patches=[
        ("beras/activations.py", "        s = np.asarray(self.outputs[0])\n        return [s * (1.0 - s)]",
         "        s = np.asarray(self.outputs[0])\n        return [s * (1.0 - s.T)]")])
    line = line_of(root, "beras/activations.py", "return [s * (1.0 - s.T)]")
    tests = by_number(grade_json(root))
    assert f"at beras/activations.py:{line} in get_input_gradients(): return [s * (1.0 - s.T)]" \
        in tests["2.5"]["output"]
    assert "Sigmoid() [float64]" in tests["2.5"]["output"]


def test_softmax_jacobian_message_gives_the_formula(tmp_path):
    output = by_number(grade_json(make_submission(
        tmp_path, patches=[MUTANTS_BY_ID["softmax_jacobian_only_diagonal"]])))["2.5"]["output"]
    assert "Softmax() [float64]" in output and "diag(s) - s s^T" in output
    assert "LeakyReLU" not in output and "Sigmoid" not in output


def test_optimizer_rebinding_message_hints_in_place_update(tmp_path):
    output = by_number(grade_json(make_submission(
        tmp_path, patches=[MUTANTS_BY_ID["basic_optimizer_rebinds_list_entries"]])))["2.9"]["output"]
    assert "BasicOptimizer() over 4 steps" in output and "in place" in output
    assert "RMSProp" not in output and "Adam" not in output


def test_not_todo_message_for_untouched_method(tmp_path):
    root = make_submission(tmp_path, patches=[
        ("beras/metrics.py", "        hits = np.argmax(probs, axis=-1) == np.argmax(labels, axis=-1)\n"
                             "        return float(np.mean(hits))\n",
         "        raise NotImplementedError\n")])
    results = grade_json(root)
    output = by_number(results)["2.7"]["output"]
    assert by_number(results)["2.7"]["score"] == 0
    assert "NotImplementedError" in output and "TODO" in output and "beras/metrics.py" in output
