"""Why each known survivor survives: a reason per mutant id, shown in the report and the summary.

A mutant's id holds a hash of its mutated file, so an entry stops matching when the
reference's block changes (the survivor then shows as NOT EXPLAINED until someone
looks again). Each reason says whether the survivor is a grader weakness (and which
input would expose it) or a mutant the grader is right to accept.
"""
GRADER_WEAKNESS = "grader weakness"
ACCEPTED = "accepted by design"

REASONS = {
    "optional_initializers": (ACCEPTED, (
        "the 'xavier uniform' and 'kaiming uniform' branches of Linear._initialize_weight are optional: "
        "2.4 lists them as 'not scored: optional' (grader/checks/properties.py SCORED_INITIALIZERS: zero, "
        "normal, xavier, kaiming), so a wrong bound, a normal draw or a NameError there costs nothing")),
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
        "reference's convenience, not the handout's contract (fit() learns the labels; forward() encodes)")),
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
}

# From the full campaign's survivors (python tools/mutation_campaign.py --out REPORT.json --jobs 2): id -> reason.
EXPLAINED = {
    'beras/core.py:228:arithmetic_swap:232c5518': 'accumulation_informational',
    'beras/layers.py:56:drop_statement:88f5262c': 'optional_initializers',
    'beras/layers.py:57:swap_statements:3dc0b5eb': 'optional_initializers',
    'beras/layers.py:60:swap_statements:f5f4c259': 'optional_initializers',
    'beras/layers.py:56:comparison_swap:21443b56': 'optional_initializers',
    'beras/layers.py:57:drop_statement:57763b4d': 'optional_initializers',
    'beras/layers.py:57:arithmetic_swap:17e41631': 'optional_initializers',
    'beras/layers.py:57:swap_operands:4569e99e': 'optional_initializers',
    'beras/layers.py:57:missing_batch_factor:d568995f': 'optional_initializers',
    'beras/layers.py:57:constant_off_by_one:87761f7f': 'optional_initializers',
    'beras/layers.py:57:constant_off_by_one:c5fafc90': 'optional_initializers',
    'beras/layers.py:58:drop_statement:2afc140d': 'optional_initializers',
    'beras/layers.py:58:swap_arguments:40a549fc': 'optional_initializers',
    'beras/layers.py:58:function_twin:f903d76b': 'optional_initializers',
    'beras/layers.py:58:sign_flip:5805a0a1': 'optional_initializers',
    'beras/layers.py:60:drop_statement:74d53137': 'optional_initializers',
    'beras/layers.py:60:arithmetic_swap:2e23e499': 'optional_initializers',
    'beras/layers.py:60:swap_operands:a8e0f875': 'optional_initializers',
    'beras/layers.py:60:missing_batch_factor:7706ceb8': 'optional_initializers',
    'beras/layers.py:60:constant_off_by_one:3fd32fa2': 'optional_initializers',
    'beras/layers.py:60:constant_off_by_one:2c4cff2e': 'optional_initializers',
    'beras/layers.py:61:drop_statement:0624a517': 'optional_initializers',
    'beras/layers.py:61:swap_arguments:e5ec145c': 'optional_initializers',
    'beras/layers.py:61:function_twin:95ee88a5': 'optional_initializers',
    'beras/layers.py:61:sign_flip:f360c46b': 'optional_initializers',
    'beras/model.py:60:sign_flip:0c6e2fd2': 'another_shuffle',
    'beras/model.py:63:sign_flip:d38475c8': 'another_shuffle',
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
}


def explanation(mutant_id):
    """(kind, reason) for a known survivor, or None."""
    key = EXPLAINED.get(mutant_id)
    return REASONS[key] if key else None
