#!/usr/bin/env bash
# Build the zip staff upload to Gradescope: setup.sh and run_autograder at its root,
# the grader, the reference, the rubric, and MNIST (from ../shared/data/mnist or $BERAS_MNIST_DIR).
#   bash tools/make_gradescope_zip.sh [--edition spring2026|fall2025] [OUT.zip]
# The zip grades the edition it was built for (its EDITION file; default spring2026).
# Every rubric in the zip is validated first (python -m grader.rubric): a bad one would
# grade every student wrongly, so it is refused with the validator's message and no zip is written.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
edition=spring2026
if [ "${1:-}" = "--edition" ]; then edition="${2:?--edition needs a name}"; shift 2; fi
case "$edition" in spring2026|fall2025) ;; *) echo "make_gradescope_zip: unknown edition $edition" >&2; exit 2 ;; esac
out="$(realpath -m "${1:-$here/beras_autograder_$edition.zip}")"
mnist="${BERAS_MNIST_DIR:-$here/../shared/data/mnist}"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cd "$here"

python=""
for candidate in "$here/.venv/bin/python" python3.11 python3.12 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    python="$candidate"; break
  fi
done
if [ -z "$python" ]; then
  echo "make_gradescope_zip: Python >= 3.11 is needed to check the rubric (run: bash setup.sh)" >&2
  exit 1
fi

git ls-files -z -- setup.sh run_autograder requirements.txt grader beras reference \
  | xargs -0 -I{} cp --parents {} "$stage"/

# The rubrics exactly as they will be packed, checked by the grader's own validator.
rubrics=("$stage"/grader/rubric/*.toml)
if [ ! -e "${rubrics[0]}" ]; then
  echo "make_gradescope_zip: no rubric (grader/rubric/*.toml) to pack" >&2
  exit 1
fi
for rubric in "${rubrics[@]}"; do
  if ! message="$(cd "$stage" && "$python" -m grader.rubric "grader/rubric/$(basename "$rubric")" 2>&1 >/dev/null)"; then
    echo "make_gradescope_zip: refusing to build: grader/rubric/$(basename "$rubric") is invalid." >&2
    echo "$message" >&2
    exit 1
  fi
done

printf '%s\n' "$edition" > "$stage/EDITION"
mkdir -p "$stage/data/mnist"
cp "$mnist"/*.gz "$stage/data/mnist/"
rm -f "$out"
(cd "$stage" && "$python" -m zipfile -c "$out" setup.sh run_autograder requirements.txt EDITION grader beras reference data)
echo "wrote $out (edition $edition)"
