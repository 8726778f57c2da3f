"""python -m grader.shims SCRIPT [ARGS]: run a script with the stand-ins importable."""
import runpy
import sys
from pathlib import Path

from grader.shims import SHIMS_DIR

if len(sys.argv) < 2:
    sys.exit("usage: python -m grader.shims SCRIPT [ARGS...]")
script = Path(sys.argv[1]).resolve()
sys.argv = sys.argv[1:]
sys.path[:0] = [str(SHIMS_DIR), str(script.parent)]
runpy.run_path(str(script), run_name="__main__")
