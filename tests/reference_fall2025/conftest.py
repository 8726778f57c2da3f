"""The fall2025 reference library, importable beside spring2026's top-level beras/.

reference/fall2025/beras uses only relative imports inside the package, so it is
loaded under the name `beras_fall2025` (the name `beras` is spring2026's here).
"""
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "reference" / "fall2025"
PACKAGE = "beras_fall2025"


def load_fall2025():
    if PACKAGE not in sys.modules:
        init = REFERENCE / "beras" / "__init__.py"
        # The one-hot encoder and the metric are spring2026's own files (REFERENCE_SOURCES).
        spec = importlib.util.spec_from_file_location(
            PACKAGE, init, submodule_search_locations=[str(init.parent), str(ROOT / "beras")])
        module = importlib.util.module_from_spec(spec)
        sys.modules[PACKAGE] = module
        spec.loader.exec_module(module)
    return sys.modules[PACKAGE]


@pytest.fixture(scope="session")
def beras():
    return load_fall2025()


@pytest.fixture(autouse=True)
def no_tape_left_active():
    """A failing test must not leave a tape installed for the next one."""
    yield
    if PACKAGE in sys.modules:
        sys.modules[PACKAGE].Diffable.gradient_tape = None


@pytest.fixture
def rng():
    return np.random.default_rng(2025)


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: end-to-end training on real MNIST (a few seconds)")
