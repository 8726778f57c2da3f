"""Check outcomes -> Gradescope results.json (via gradescope-utils)."""
from .outcome import Outcome
from .gradescope import (DEFAULT_MISSING_REASON, OUTPUT_FORMAT, build_results, format_table,
                         write_results)
from .schema import ResultsError, validate_results

__all__ = ["Outcome", "DEFAULT_MISSING_REASON", "OUTPUT_FORMAT", "ResultsError",
           "build_results", "format_table", "validate_results", "write_results"]
