"""Tensor, Weighted, CategoricalAccuracy and OneHotEncoder."""
import numpy as np
import pytest

from beras.activations import ReLU
from beras.core import Tensor
from beras.layers import Linear
from beras.onehot import OneHotEncoder


def test_construction_from_list_and_array():
    t = Tensor([[1, 2], [3, 4]])
    assert isinstance(t, np.ndarray) and isinstance(t, Tensor)
    assert t.shape == (2, 2) and t.tolist() == [[1, 2], [3, 4]]
    a = np.arange(6.0).reshape(2, 3)
    u = Tensor(a, name="u")
    assert np.shares_memory(u, a) and u.dtype == a.dtype and u.name == "u"


def test_existing_tensor_passes_through():
    t = Tensor(np.zeros(3))
    assert Tensor(t) is t


def test_per_object_attributes():
    t = Tensor(np.zeros(2), name="t")
    assert t.requires_grad is True and t.grad is None and t.name == "t"
    assert t.get_name() == "t"
    assert t.to("cuda") is t
    assert t.backward() is None                   # a leaf: nothing happens
    assert t.backward([np.ones(2)]) is None
    t.requires_grad = False
    assert Tensor.requires_grad is True           # the class switch is separate


def test_array_finalize_copies_attributes():
    t = Tensor(np.arange(6.0), name="src")
    t.requires_grad = False
    t.grad = np.ones(6)
    marker = lambda grad=None: None   # noqa: E731
    t.backward = marker
    for derived in (t[1:4], t.reshape(2, 3), t.view(Tensor)):
        assert isinstance(derived, Tensor)
        assert derived.name == "src" and derived.requires_grad is False
        assert derived.grad is t.grad and derived.backward is marker


def test_assign_in_place():
    base = np.zeros(3)
    t = Tensor(base)
    t.assign([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(base, [1, 2, 3])
    t.assign(7.0)
    np.testing.assert_array_equal(t, [7, 7, 7])


def test_no_grad_flips_and_restores():
    assert Tensor.requires_grad is True
    with Tensor.no_grad():
        assert Tensor.requires_grad is False
        layer = ReLU()
        out = layer(np.array([[1.0, -1.0]]))
        assert out.backward != layer.backward     # no graph recorded
    assert Tensor.requires_grad is True
    out = layer(np.array([[1.0, -1.0]]))
    assert out.backward == layer.backward


def test_no_grad_restores_after_exception():
    with pytest.raises(RuntimeError):
        with Tensor.no_grad():
            raise RuntimeError("inside")
    assert Tensor.requires_grad is True


def test_no_grad_nested():
    with Tensor.no_grad():
        with Tensor.no_grad():
            pass
        assert Tensor.requires_grad is False
    assert Tensor.requires_grad is True


def test_weighted_trainable():
    layer = Linear(3, 2)
    w, b = layer.parameters
    assert w is layer.w and b is layer.b
    assert layer.trainable is True
    assert layer.trainable_variables == [w, b] or list(layer.trainable_variables) == [w, b]
    assert list(layer.non_trainable_variables) == []

    w.requires_grad = False
    assert layer.trainable is True
    assert [v is b for v in layer.trainable_variables] == [True]
    assert [v is w for v in layer.non_trainable_variables] == [True]

    layer.trainable = False
    assert layer.trainable is False
    assert not w.requires_grad and not b.requires_grad
    assert list(layer.trainable_variables) == []
    assert len(layer.non_trainable_variables) == 2

    layer.trainable = True
    assert w.requires_grad and b.requires_grad


def test_layers_without_parameters():
    layer = ReLU()
    assert list(layer.parameters) == [] and layer.trainable is False
    assert layer.to("cpu") is layer


def test_onehot_round_trip_non_contiguous():
    labels = np.array([3, 7, 3, 9])
    enc = OneHotEncoder()
    enc.fit(labels)
    out = np.asarray(enc(labels))
    np.testing.assert_array_equal(out, [[1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1]])
    np.testing.assert_array_equal(enc.inverse(out), labels)
    np.testing.assert_array_equal(enc.inverse(enc(np.array([9, 9, 7]))), [9, 9, 7])


@pytest.mark.parametrize("unseen", [5, 0, 10])
def test_onehot_unseen_label_raises(unseen):
    enc = OneHotEncoder()
    enc.fit(np.array([3, 7, 3, 9]))
    with pytest.raises((ValueError, KeyError, IndexError)):
        enc(np.array([3, unseen]))


def test_onehot_mnist_digits():
    enc = OneHotEncoder()
    enc.fit(np.arange(10))
    y = np.array([5, 0, 4, 1, 9])
    out = np.asarray(enc(y))
    assert out.shape == (5, 10)
    np.testing.assert_array_equal(out.argmax(axis=1), y)
    np.testing.assert_array_equal(out.sum(axis=1), 1)
