"""An edition of the homework, as an object: everything the grader needs to know that differs
between editions lives on one subclass (design principle 7).

A subclass gives its facts (files, modules, API table, banned-import allow-list), its
check registry, and how its final score is obtained. Adding an edition is a module
here with one subclass, its rubric (grader/rubric/<name>.toml), its reference files
(reference/<name>/) and its stencil (python -m assign).
"""


class Edition:
    NAME = ""
    REQUIRED_FILES = ()           # relative to the submission root (the folder holding beras/)
    MODULES = ()                  # what must import, in order
    API = []                      # classes, methods, properties the grader calls (grader/probes/api.py)
    ALLOWED_BANNED_IMPORTS = {}   # {file: {(module, name)}}: the stencil's own given lines, served by shims
    FINAL_MARKER = "final.txt"    # matched case-insensitively at the submission root
    FINAL_FILES = ()              # submission files the final score's code runs (banned-library policy)
    GRADIENT_FILES = ()           # files every gradient computation runs besides the layers' (fall2025's tape)
    ADAPTER = None                # the probes' API adapter class (grader/probes/adapters/)
    # What the reference is made of, as a student's submission lays it out (and what the
    # stencil is cut from: python -m assign): ((source dir or file, destination), ...),
    # relative to the project root and the submission's root.
    REFERENCE_SOURCES = ()
    CCE_MUST_CLIP = True          # its cross-entropy must clip probabilities (older fall terms did not)

    def checks(self, seed=0):
        """The check registry: a list of grader.checks.registry.Check, one per probed rubric test,
        whose inputs are drawn from ``seed``."""
        raise NotImplementedError

    def final_outcome(self, root, settings, broken, log, budget_s, requested=False):
        """The Outcome of the rubric's final test (default: train the student's model here)."""
        from grader.runner.training import final_outcome
        return final_outcome(root, self, settings, broken, log, budget_s=budget_s, requested=requested)

    def __repr__(self):
        return f"<edition {self.NAME}>"
