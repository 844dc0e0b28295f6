"""The output heads: the logistic mixture's bins are a proper categorical, stable at extremes."""

import numpy as np
import pytest
import tensorflow as tf

from pixel_zoo import heads


def _outputs(num_components, shape, scale=1.0, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(*shape, 3 * num_components)) * scale).astype(np.float32)


def _reference_bins(outputs, num_levels):
    """The mixture's bin probabilities in float64, straight from the logistic CDF."""
    weights, means, log_scales = np.split(outputs.astype(np.float64), 3, axis=-1)
    log_scales = np.clip(log_scales, heads.MIN_LOG_SCALE, heads.MAX_LOG_SCALE)
    half_bin = 1.0 / (num_levels - 1)
    centres = np.arange(num_levels) * 2 * half_bin - 1

    def cdf(edges):
        return 1 / (1 + np.exp(-(edges[..., None] - means[..., None, :]) /
                               np.exp(log_scales[..., None, :])))

    upper, lower = cdf(centres + half_bin), cdf(centres - half_bin)
    upper[..., -1, :], lower[..., 0, :] = 1.0, 0.0
    mixture = np.exp(weights) / np.exp(weights).sum(-1, keepdims=True)
    return ((upper - lower) * mixture[..., None, :]).sum(-1)


@pytest.mark.parametrize("num_levels", [2, 5, 256])
def test_mixture_bins_match_the_logistic_cdf(num_levels):
    head = heads.make_head(num_levels, logistic_mixtures=3)
    outputs = _outputs(3, (200,))
    probabilities = np.exp(head.logits(outputs).numpy())
    np.testing.assert_allclose(probabilities, _reference_bins(outputs, num_levels), atol=2e-6)


@pytest.mark.parametrize("scale", [1.0, 10.0, 100.0], ids=["usual", "wide", "extreme"])
@pytest.mark.parametrize("num_levels", [2, 256])
def test_mixture_bins_sum_to_one_with_finite_gradients(num_levels, scale):
    head = heads.make_head(num_levels, logistic_mixtures=4)
    outputs = tf.constant(_outputs(4, (3, 4, 4, 3), scale=scale))
    images = np.random.default_rng(1).integers(0, num_levels, (3, 4, 4, 3))
    with tf.GradientTape() as tape:
        tape.watch(outputs)
        logits = head.logits(outputs)
        log_prob = head.log_prob(outputs, images)
    np.testing.assert_allclose(np.exp(logits.numpy()).sum(-1), 1.0, atol=1e-5)
    assert np.isfinite(tape.gradient(log_prob, outputs).numpy()).all()


def test_mixture_log_prob_is_the_categorical_of_its_logits():
    head = heads.make_head(256, logistic_mixtures=5)
    outputs = _outputs(5, (4, 3, 3, 3), scale=2.0)
    images = np.random.default_rng(2).integers(0, 256, (4, 3, 3, 3))
    np.testing.assert_allclose(
        head.log_prob(outputs, images),
        heads.categorical(head.logits(outputs)).log_prob(images), rtol=1e-5, atol=1e-3,
    )


def test_softmax_head_passes_logits_through():
    head = heads.make_head(4)
    outputs = _outputs(1, (2, 4))[..., :4]
    assert head.units == 4
    np.testing.assert_array_equal(head.logits(outputs), outputs)


def test_mixture_needs_a_component():
    with pytest.raises(ValueError, match="logistic_mixtures must be >= 1"):
        heads.LogisticMixtureHead(256, 0)
