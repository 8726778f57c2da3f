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
        "reference's convenience, not the handout's contract (fit() learns the labels; forward() encodes)")),
    "onehot_unseen_label": (ACCEPTED, (
        "a label fit() never saw raises IndexError (or encodes wrongly) instead of the reference's "
        "ValueError: behaviour outside the handout's contract, which never encodes unseen labels")),
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
}


def explanation(mutant_id):
    """(kind, reason) for a known survivor, or None."""
    key = EXPLAINED.get(mutant_id)
    return REASONS[key] if key else None
