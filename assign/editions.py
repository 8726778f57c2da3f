"""Which sources make up each edition's stencil, and what a student hands in besides its files.

An edition's sources are the reference's (its grader Edition's REFERENCE_SOURCES, the one
place the grader lays its reference out by): a list of (source, destination inside the
stencil), both relative to the project root. Every file under a source folder is copied
(``__pycache__`` and compiled files are skipped); ``.py`` files are cut by their solution
markers (see ``assign.markers``).
"""
from dataclasses import dataclass

from grader.editions import load_edition


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
        sources=load_edition("spring2026").REFERENCE_SOURCES,
        output="submission_template/spring2026",
        hand_in=HandIn(marker="FINAL.txt"),
    ),
    # fall2025 keeps its own Keras-flavoured library in reference/fall2025/beras: the
    # top-level beras/ is spring2026's.
    "fall2025": Edition(
        name="fall2025",
        sources=load_edition("fall2025").REFERENCE_SOURCES,
        output="submission_template/fall2025",
        hand_in=HandIn(predictions="predictions.npy",
                       train=("assignment.py", "--no-visualize", "--predictions", "predictions.npy"),
                       epochs_option="--epochs"),
    ),
}
