"""Check outcomes -> Gradescope results.json (via gradescope-utils), always writable."""
from .outcome import Outcome
from .gradescope import (DEFAULT_MISSING_REASON, OUTPUT_FORMAT, build_results, format_table,
                         write_results)
from .minimal import minimal_results
from .results_file import ResultsFile
from .schema import ResultsError, validate_results

__all__ = ["Outcome", "DEFAULT_MISSING_REASON", "OUTPUT_FORMAT", "ResultsError", "ResultsFile",
           "build_results", "format_table", "minimal_results", "validate_results", "write_results"]
