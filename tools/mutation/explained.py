"""Why each known survivor survives: a reason per mutant id, shown in the report and the summary.

A mutant's id holds a hash of its mutated file, so an entry stops matching when the
reference's block changes (the survivor then shows as NOT EXPLAINED until someone
looks again). Each reason says whether it is a grader weakness (and what input would
expose it) or a mutant the grader is right to accept.
"""
GRADER_WEAKNESS = "grader weakness"
ACCEPTED = "accepted by design"

EXPLAINED = {
}


def explanation(mutant_id):
    """(kind, reason) for a known survivor, or None."""
    return EXPLAINED.get(mutant_id)
