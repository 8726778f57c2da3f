"""The stencil generator: `python -m assign [--check]`.

Like otter-grader's `otter assign` or nbgrader's generate_assignment, it cuts
the student version (submission_template/<edition>/) out of the reference
solution by its `# BEGIN SOLUTION` / `# END SOLUTION` / `# STENCIL:` markers.
"""
from .editions import EDITIONS, Edition
from .markers import MarkerError, cut

__all__ = ["EDITIONS", "Edition", "MarkerError", "cut"]
