"""Why each known survivor survives: a reason per mutant id, shown in the report and the summary.

A mutant's id holds a hash of its mutated file, so an entry stops matching when the
reference's block changes (the survivor then shows as NOT EXPLAINED until someone
looks again). Each reason says whether the survivor is a grader weakness (and which
input would expose it) or a mutant the grader is right to accept.
"""
GRADER_WEAKNESS = "grader weakness"
ACCEPTED = "accepted by design"

REASONS = {
    "accumulation_informational": (ACCEPTED, (
        "gradients of a tensor used twice are combined wrongly (param.grad - g instead of + g): only 3.4 "
        "notices, and 3.4 is informational (0 points) because the handout's framework does not ask for "
        "accumulation (rubric)")),
    "another_shuffle": (ACCEPTED, (
        "fit indexes with the negated permutation: -order maps row k to row n-k (and 0 to 0), a bijection, "
        "so every epoch still visits every row once in a random order - just another shuffle. The witness "
        "compares fit's exact numbers, which follow the order; the grader rightly checks the batches, not "
        "the order")),
    "onehot_forward_without_fit": (ACCEPTED, (
        "forward() before fit() no longer fits on the data it is given (AttributeError instead): the "
        "base's convenience, not the handout's contract (fit() learns the labels; forward() encodes)")),
    "onehot_unseen_label": (ACCEPTED, (
        "a label fit() never saw raises IndexError (or encodes wrongly) instead of the reference's "
        "ValueError: behaviour outside the handout's contract, which never encodes unseen labels")),
    "amsgrad_optional": (ACCEPTED, (
        "fall2025's Adam with amsgrad=True (the largest second moment so far) is wrong: the course's given "
        "Adam.__init__ takes an amsgrad flag and only stores it, and the handout never asks for AMSGrad "
        "(docs/editions.md lists the signature alone), so a student may ignore the flag; the grader checks Adam "
        "with the default amsgrad=False only, the witness with amsgrad=True too")),
    "tape_accumulation_informational": (ACCEPTED, (
        "fall2025's tape.gradient combines the gradients of a tensor read by two layers wrongly (grads - g "
        "instead of + g): only 3.5 notices, and 3.5 is informational (0 points): the handout's tape (walk back "
        "from the target, one gradient per source) does not ask for tensors used twice, as in spring2026")),
    "tape_readers_miscounted": (ACCEPTED, (
        "without seen.add the tape's first pass counts a tensor's readers once per path to it, so the walk "
        "stops at a tensor that two layers read when a layer produced it; graphs without a tensor used twice "
        "(every scored gradient test, every Sequential model) are walked exactly as before. Tensors used twice "
        "are outside the handout's contract (3.5, informational, has its shared tensor straight after an input "
        "and so does not notice either); the witness sees it in its own two-branch graph with a layer in front")),
    # the course base (--base course)
    "weight_gradient_extra_rows": (ACCEPTED, (
        "get_weight_gradients tiles the input twice along the batch axis, (2B, in, out): the course's given "
        "compose multiplies local[b] by J[b] for b < B only, so dL/dw is exact; only the raw local gradient, "
        "which no caller reads past row B, has extra rows")),
    "upper_clip_above_one": (ACCEPTED, (
        "categorical cross-entropy clips y_pred to [eps, 1 + eps] (or [eps, 2]) instead of [eps, 1 - eps]: only "
        "predictions above 1 - eps change, and those are not probabilities (in float32 1 - 1e-12 is 1.0; at "
        "exactly 1.0 the loss moves by 1e-12). The witness feeds raw scores above 1, outside the loss's "
        "contract")),
    "cce_clip_optional_fall2025": (ACCEPTED, (
        "fall2025's categorical cross-entropy without its clip to [eps, 1 - eps]: the older fall terms' given "
        "CategoricalCrossEntropy had no epsilon (docs/editions.md), so the fall2025 grader accepts a loss that "
        "does not clip (Edition.CCE_MUST_CLIP = False) and checks it on probabilities away from 0; the witness "
        "feeds values below eps, where the two differ")),
    "clip_promotes_to_float64": (ACCEPTED, (
        "np.clip(eps, y_pred, 1 - eps) is min(max(eps, y_pred), 1 - eps), the same numbers; the Python float "
        "first makes the result float64, so the float32 gradients differ by float32 rounding (~1e-7), which "
        "the witness's float64 tolerance (1e-9) sees")),
}

# From the full campaign's survivors (python tools/mutation_campaign.py --out REPORT.json --jobs 2): id -> reason.
EXPLAINED = {
    'beras/core.py:228:arithmetic_swap:232c5518': 'accumulation_informational',
    'beras/model.py:61:sign_flip:a65302a5': 'another_shuffle',
    'beras/model.py:64:sign_flip:db8bcb45': 'another_shuffle',
    'beras/onehot.py:19:drop_statement:364f20cf': 'onehot_forward_without_fit',
    'beras/onehot.py:20:drop_statement:e88604f9': 'onehot_forward_without_fit',
    'beras/onehot.py:23:drop_statement:d270acaf': 'onehot_unseen_label',
    'beras/onehot.py:24:drop_statement:70266ce8': 'onehot_unseen_label',
    # fall2025 (python tools/mutation_campaign.py --edition fall2025 --out REPORT.json --jobs 1); its one-hot
    # encoder is spring2026's file, so the onehot.py entries above serve both editions
    'beras/gradient_tape.py:51:arithmetic_swap:8ee6dd04': 'tape_accumulation_informational',
    'beras/gradient_tape.py:36:drop_statement:6f2d4439': 'tape_readers_miscounted',
    'beras/model.py:58:sign_flip:ba3b93f3': 'another_shuffle',
    'beras/model.py:61:sign_flip:ab958bbd': 'another_shuffle',
    'beras/optimizers.py:61:drop_statement:5813e1d8': 'amsgrad_optional',
    'beras/optimizers.py:62:swap_statements:74aa30db': 'amsgrad_optional',
    'beras/optimizers.py:62:drop_statement:a5768666': 'amsgrad_optional',
    'beras/optimizers.py:62:sign_flip:000e64ad': 'amsgrad_optional',
    'beras/optimizers.py:62:function_twin:26f73acc': 'amsgrad_optional',
    'beras/optimizers.py:63:drop_statement:b2a5ce56': 'amsgrad_optional',
    'beras/optimizers.py:63:sign_flip:884be6cc': 'amsgrad_optional',
    # the course base (python tools/mutation_campaign.py --base course --out REPORT.json --jobs 1)
    'beras/layers.py:34:constant_off_by_one:918cc102': 'weight_gradient_extra_rows',
    'beras/losses.py:41:arithmetic_swap:68f4fb63': 'upper_clip_above_one',
    'beras/losses.py:41:constant_off_by_one:36fca76b': 'upper_clip_above_one',
    'beras/losses.py:49:arithmetic_swap:34611e28': 'upper_clip_above_one',
    'beras/losses.py:49:constant_off_by_one:21feccca': 'upper_clip_above_one',
    'beras/losses.py:49:swap_arguments:e0158d69': 'clip_promotes_to_float64',
    'beras/onehot.py:18:drop_statement:4cfa54fa': 'onehot_forward_without_fit',
    'beras/onehot.py:19:drop_statement:b662c2a3': 'onehot_forward_without_fit',
    # fall2025's course base (python tools/mutation_campaign.py --edition fall2025 --base course --out R.json
    # --jobs 2); its one-hot encoder's two entries are the course base's above
    'beras/layers.py:31:constant_off_by_one:719f687f': 'weight_gradient_extra_rows',
    'beras/losses.py:40:drop_statement:fc051938': 'cce_clip_optional_fall2025',
    'beras/losses.py:48:drop_statement:19af6668': 'cce_clip_optional_fall2025',
    'beras/losses.py:40:arithmetic_swap:c973b8d6': 'upper_clip_above_one',
    'beras/losses.py:40:constant_off_by_one:0d8d592f': 'upper_clip_above_one',
    'beras/losses.py:48:arithmetic_swap:01d5bf5e': 'upper_clip_above_one',
    'beras/losses.py:48:constant_off_by_one:0cd849f6': 'upper_clip_above_one',
    'beras/losses.py:48:swap_arguments:9625c7f8': 'clip_promotes_to_float64',
    'beras/model.py:62:sign_flip:6648ff99': 'another_shuffle',
    # the AMSGrad branch and the v_max it alone reads (lines 54-55: created on the first step)
    **{f'beras/optimizers.py:{mutant}': 'amsgrad_optional' for mutant in (
        '54:drop_statement:070f2094', '54:comparison_swap:66686dc7', '55:drop_statement:2e5a0d13',
        '55:constant_off_by_one:7803fe03', '63:drop_statement:e126d1ee', '64:swap_statements:2eb8e8bf',
        '64:drop_statement:ec97537a', '64:sign_flip:99fc1adc', '64:function_twin:30d63163',
        '65:drop_statement:326e6821', '65:sign_flip:db31ef2d', '65:arithmetic_swap:221539b1',
        '65:swap_operands:dadcf9a5', '65:missing_batch_factor:b219198d', '65:arithmetic_swap:3cfc1123',
        '65:swap_operands:a933fa71', '65:constant_off_by_one:d1fda3f2', '65:constant_off_by_one:17397fbf',
        '65:arithmetic_swap:e38eaa56', '65:swap_operands:947f07eb')},
}


def explanation(mutant_id):
    """(kind, reason) for a known survivor, or None."""
    key = EXPLAINED.get(mutant_id)
    return REASONS[key] if key else None
