"""Which sources make up each edition's stencil.

An edition maps to a list of (source folder, destination inside the stencil),
both relative to the project root. Every file under a source folder is copied
(``__pycache__`` and compiled files are skipped); ``.py`` files are cut by
their solution markers (see ``assign.markers``).
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Edition:
    name: str
    sources: tuple      # ((source dir, destination dir inside the stencil), ...)
    output: str         # where the stencil goes, relative to the project root


EDITIONS = {
    "spring2026": Edition(
        name="spring2026",
        sources=(("beras", "beras"), ("reference/spring2026", ".")),
        output="submission_template/spring2026",
    ),
    # fall2025 keeps its whole reference (its own Keras-flavoured beras/ included) in one
    # folder: the top-level beras/ is spring2026's library.
    "fall2025": Edition(
        name="fall2025",
        sources=(("reference/fall2025", "."),),
        output="submission_template/fall2025",
    ),
}
