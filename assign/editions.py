"""Which sources make up each edition's stencil, and what a student hands in besides its files.

An edition's sources are the reference's (grader.submission.REFERENCE_SOURCES, the one
table the grader lays its reference out by): a list of (source, destination inside the
stencil), both relative to the project root. Every file under a source folder is copied
(``__pycache__`` and compiled files are skipped); ``.py`` files are cut by their solution
markers (see ``assign.markers``).
"""
from dataclasses import dataclass

from grader.submission import REFERENCE_SOURCES


@dataclass(frozen=True)
class HandIn:
    """What a student adds to its finished homework folder when it submits (assign.submission)."""
    marker: str = ""            # an empty file that asks for the graded training run (spring2026)
    predictions: str = ""       # the model's test-set outputs, written by training (fall2025)
    train: tuple = ()           # `python ARGS` in the folder that trains and writes `predictions`
    epochs_option: str = ""     # the training command's option for the number of epochs


@dataclass(frozen=True)
class Edition:
    name: str
    sources: tuple      # ((source dir or file, destination inside the stencil), ...)
    output: str         # where the stencil goes, relative to the project root
    hand_in: HandIn = HandIn()


EDITIONS = {
    "spring2026": Edition(
        name="spring2026",
        sources=REFERENCE_SOURCES["spring2026"],
        output="submission_template/spring2026",
        hand_in=HandIn(marker="FINAL.txt"),
    ),
    # fall2025 keeps its own Keras-flavoured library in reference/fall2025/beras: the
    # top-level beras/ is spring2026's.
    "fall2025": Edition(
        name="fall2025",
        sources=REFERENCE_SOURCES["fall2025"],
        output="submission_template/fall2025",
        hand_in=HandIn(predictions="predictions.npy",
                       train=("assignment.py", "--no-visualize", "--predictions", "predictions.npy"),
                       epochs_option="--epochs"),
    ),
}
