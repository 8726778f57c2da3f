"""The final training run (FINAL.txt): train the student's model, score test accuracy."""
from grader.results.outcome import Outcome
from grader.submission import has_final_marker

KEY = "final.accuracy"


def final_outcome(root, edition, settings, broken, log):
    if not has_final_marker(root, edition.FINAL_MARKER):
        return Outcome(KEY, 0.0, "Not requested. Add an empty file named FINAL.txt next to assignment.py "
                                 "when you want the grader to train your get_model() on MNIST and score "
                                 "its test accuracy (this takes a few minutes).")
    return Outcome(KEY, 0.0, "Training runs are not available in this version of the grader.")
