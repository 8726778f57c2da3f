"""The staff-edited rubric (TOML, one file per edition) and its loader."""
from .load import (BANNED_POLICIES, DEFAULT_SETTINGS, OUTPUT_FORMATS, VISIBILITIES, Rubric,
                   RubricError, RubricTest, default_rubric_path, load_rubric, parse_rubric)

__all__ = ["BANNED_POLICIES", "DEFAULT_SETTINGS", "OUTPUT_FORMATS", "VISIBILITIES", "Rubric",
           "RubricError", "RubricTest", "default_rubric_path", "load_rubric", "parse_rubric"]
