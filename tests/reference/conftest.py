import numpy as np
import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: end-to-end training on real MNIST (a few seconds)")


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
