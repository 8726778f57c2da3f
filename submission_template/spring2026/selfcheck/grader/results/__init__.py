"""Check outcomes -> Gradescope results.json (written by gradescope-utils), always writable."""
from .gradescope import build_results
from .minimal import minimal_results
from .outcome import Outcome
from .results_file import ResultsFile, write_results
from .schema import ResultsError, validate_results

__all__ = ["Outcome", "ResultsError", "ResultsFile", "build_results", "minimal_results",
           "validate_results", "write_results"]
