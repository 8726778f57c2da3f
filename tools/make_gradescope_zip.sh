#!/usr/bin/env bash
# Build the zip staff upload to Gradescope: setup.sh and run_autograder at its root,
# the grader, the reference, the rubric, and MNIST (from ../shared/data/mnist or $BERAS_MNIST_DIR).
#   bash tools/make_gradescope_zip.sh [OUT.zip]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$(realpath -m "${1:-$here/beras_autograder.zip}")"
mnist="${BERAS_MNIST_DIR:-$here/../shared/data/mnist}"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cd "$here"
git ls-files -z -- setup.sh run_autograder requirements.txt grader beras reference \
  | xargs -0 -I{} cp --parents {} "$stage"/
mkdir -p "$stage/data/mnist"
cp "$mnist"/*.gz "$stage/data/mnist/"
rm -f "$out"
(cd "$stage" && python3 -m zipfile -c "$out" setup.sh run_autograder requirements.txt grader beras reference data)
echo "wrote $out"
