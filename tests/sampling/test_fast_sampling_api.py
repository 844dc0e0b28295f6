"""How models choose between the fast and the naive sampler."""

import keras
import numpy as np
import pytest
from test_case import tiny_model

import pixel_zoo as pz
from pixel_zoo import fast_sampling, sampling
from pixel_zoo.models import PixelCNN


@pytest.mark.parametrize("name", pz.models.model_names())
def test_every_family_has_a_fast_sampler(name):
    assert fast_sampling.supports(tiny_model(name, (3, 3, 1), num_levels=2))


def test_fill_uses_the_fast_sampler_by_default(monkeypatch):
    # The export calls fill(images, known, seed, temperature) in its graphs.
    def naive_sampler(*args, **kwargs):
        raise AssertionError("the naive sampler ran")

    monkeypatch.setattr(sampling, "autoregressive_fill", naive_sampler)
    model = tiny_model("row_lstm", (3, 3, 1), num_levels=2)
    blank = np.zeros((2, 3, 3, 1), np.int32)
    images = model.fill(blank, blank, np.array([1, 2], np.int64), 1.0)
    assert images.shape == (2, 3, 3, 1)


def test_unknown_method_is_an_error():
    model = tiny_model("pixelcnn", (3, 3, 1), num_levels=2)
    with pytest.raises(ValueError, match="method must be one of"):
        model.sample(1, method="fastest")


class _IdentityBlock(keras.layers.Layer):
    """A residual block the fast sampler does not know."""

    def call(self, inputs):
        return inputs


class _PixelCNNWithIdentityBlocks(PixelCNN):
    def make_block(self, name):
        return _IdentityBlock(name=name)


def test_a_model_without_a_fast_sampler_is_sampled_naively(monkeypatch):
    # Its default ("fast") must fall back to the naive sampler: the fast one never runs.
    # (That fast and naive draw the same images is tested in test_fast_sampling.py.)
    def fast_sampler(*args, **kwargs):
        raise AssertionError("the fast sampler ran")

    model = _PixelCNNWithIdentityBlocks((3, 3, 1), num_levels=2, num_layers=1, hidden_units=4)
    assert not fast_sampling.supports(model)
    naive = model.sample(3, seed=1, method="naive")
    monkeypatch.setattr(fast_sampling, "fill", fast_sampler)
    np.testing.assert_array_equal(model.sample(3, seed=1, method="fast"), naive)
