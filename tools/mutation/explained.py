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
    "kaiming_drawn_uniform": (GRADER_WEAKNESS, (
        "'kaiming' falls through to the uniform branch: a uniform draw with kaiming's std sqrt(2/fan_in). "
        "2.4 checks a 'normal' initializer by its mean and std only (accepting Keras' 2-sigma truncated "
        "normal), and a uniform with the right std passes. Exposed by the existing 300x200 draw: a "
        "uniform never exceeds sqrt(3) sigma = 1.73 sigma, while a normal (and a 2-sigma truncated normal) "
        "reaches past 1.9 sigma among 60000 draws; or its kurtosis (1.8 against 3). Fix: "
        "grader/checks/properties.py _initializer_problems (the lead's call: not in this helper's files)")),
    "trainable_first_parameter": (GRADER_WEAKNESS, (
        "Weighted.trainable reads only the first parameter (any over parameters[:1]). 2.2 freezes only "
        "the bias ('only the bias frozen'), where the first parameter still answers True. Exposed by a "
        "case freezing only the weights (layer.parameters[0].requires_grad = False; trainable must stay "
        "True because the bias still trains). Fix: grader/probes/components.py weighted() (the lead's)")),
    "leaf_check_first_input": (GRADER_WEAKNESS, (
        "Diffable.backward stops early when its FIRST input is a leaf (the shortcut 'every input is a "
        "leaf' reads only inputs[:1]), so a layer whose first input is a leaf and whose second comes from "
        "another layer never passes its gradient on. 3.3's two-input layer gets two non-leaf branches. "
        "Exposed by a graph join(x, Linear(x)) - the first input the raw batch, the second a layer's "
        "output - then loss.backward(): the Linear's .grad stays None. Fix: a case in "
        "grader/probes/gradients.py general_graph (the lead's)")),
    "accumulation_informational": (ACCEPTED, (
        "gradients of a tensor used twice are combined wrongly (param.grad - g instead of + g): only 3.4 "
        "notices, and 3.4 is informational (0 points) because the handout's framework does not ask for "
        "accumulation (rubric)")),
}

EXPLAINED = {
    # filled from the full campaign's survivors: {mutant id: reason key}
}


def explanation(mutant_id):
    """(kind, reason) for a known survivor, or None."""
    key = EXPLAINED.get(mutant_id)
    return REASONS[key] if key else None
