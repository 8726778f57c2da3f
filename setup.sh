#!/usr/bin/env bash
# Set up a machine to run the Beras grader. Idempotent.
#
#   bash setup.sh            developer machine / CI: a virtualenv in ./.venv
#   (Gradescope runs it as root from /autograder/source when the image is built:
#    installs Python 3.11 beside the system python3, a venv in /autograder/venv,
#    and MNIST in /autograder/data/mnist)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

on_gradescope() { [ -d /autograder ] && [ "$here" = "/autograder/source" ]; }

find_python() {
  for candidate in python3.11 python3.12 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

if on_gradescope; then
  venv=/autograder/venv
  if ! find_python >/dev/null; then
    # Ubuntu 22.04's python3 is 3.10 and the harness uses it: install 3.11 beside it.
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3.11 python3.11-venv
  fi
else
  venv="$here/.venv"
fi
python="$(find_python)" || { echo "setup.sh: Python >= 3.11 is required" >&2; exit 1; }

if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements.txt"
if ! on_gradescope && [ -f "$here/requirements-staff.txt" ]; then
  # Staff tools (batch grading of a whole class, Dask, the report): TAs and CI, not Gradescope's image.
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements-staff.txt"
fi

if [ "$(id -u)" = 0 ] && ! command -v bwrap >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  # bubblewrap (130 kB): pid, network and mount namespaces for the workers where the kernel
  # allows them (grader/sandbox/confine.py detects it and reports what was in force).
  # Optional: without it the workers keep Landlock and the uid drop.
  { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends bubblewrap >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null 2>&1 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends bubblewrap >/dev/null 2>&1; }; } ||
    echo "setup.sh: bubblewrap could not be installed; workers run without namespaces" >&2
fi

if [ "$(id -u)" = 0 ]; then
  # Student code runs under an unprivileged sandbox uid, which must be able to start
  # this interpreter when there is no mount namespace (bubblewrap): let others
  # traverse (not list) the folders above it.
  real_prefix="$("$venv/bin/python" -c 'import sys; print(sys.base_prefix)')"
  dir="$real_prefix"
  while [ "$dir" != "/" ]; do
    chmod o+x "$dir" 2>/dev/null || true
    dir="$(dirname "$dir")"
  done
fi

if on_gradescope; then
  data=/autograder/data/mnist
  mkdir -p "$data"
  if [ -d "$here/data/mnist" ]; then
    cp -n "$here"/data/mnist/*.gz "$data"/
  fi
  chmod 755 /autograder/data "$data"
  chmod 644 "$data"/*.gz 2>/dev/null || true
  # Student code runs as nobody and must never read the test labels (final training run).
  chmod 600 "$data/t10k-labels-idx1-ubyte.gz"
  "$venv/bin/python" -c "import sys; sys.path.insert(0, '$here'); from grader.data import mnist; [mnist.load(n, '$data') for n in mnist.FILES]" \
    || { echo "setup.sh: MNIST is missing from $data; build the zip with tools/make_gradescope_zip.sh" >&2; exit 1; }
  # MNIST decoded once into .npy arrays that workers memory-map (grader/data/mnist.py prepare;
  # never the test labels). Only a speed-up: without them each worker decodes the .gz files.
  mkdir -p "$data/prepared" && chmod 755 "$data/prepared"
  "$venv/bin/python" -c "import sys; sys.path.insert(0, '$here'); from grader.data import mnist; mnist.prepare(source='$data', target='$data/prepared'); print('setup.sh: MNIST prepared')" \
    || echo "setup.sh: could not prepare MNIST's arrays in $data/prepared (workers decode the .gz files)" >&2
  # The reference's answers to the rubric's inputs, computed once here instead of in every
  # submission's run (grader/runner/reference.py reads them back). Only a speed-up: a
  # failure here costs nothing but time, so it never stops the image build.
  (cd "$here" && BERAS_MNIST_DIR="$data" "$venv/bin/python" -c "
from grader.editions import load_edition
from grader.rubric.load import load_rubric
from grader.runner.reference import reference_answers
edition = load_edition()   # the edition the zip was built for
reference_answers(edition.NAME, edition.checks(load_rubric(edition=edition.NAME).settings['input_seed']))
print('setup.sh: reference answers cached')") || echo "setup.sh: could not cache the reference's answers (each run will compute them)" >&2
fi
echo "setup.sh: ready ($("$venv/bin/python" --version) in $venv)"
