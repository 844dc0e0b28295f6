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


def _reference_rgb_log_prob(outputs, pixels, num_levels):
    """PixelCNN++'s pixel log-likelihood in float64 (openai/pixel-cnn's formula, exact bins).

    ``log sum_k pi_k p_k(r) p_k(g | r) p_k(b | r, g)``: one set of weights
    (the sum of the three sub-pixels' weight logits), G's mean moved by
    ``alpha x_R``, B's by ``beta x_R + gamma x_G``.
    """
    weights, means, log_scales, coefficients = np.split(outputs.astype(np.float64), 4, axis=-1)
    log_scales = np.clip(log_scales, heads.MIN_LOG_SCALE, heads.MAX_LOG_SCALE)  # [N, 3, K]
    x = pixels.astype(np.float64) * 2 / (num_levels - 1) - 1  # [N, 3]
    alpha, beta, gamma = np.tanh(coefficients).transpose(1, 0, 2)  # [N, K] each
    means = means.copy()
    means[:, 1] += alpha * x[:, :1]
    means[:, 2] += beta * x[:, :1] + gamma * x[:, 1:2]
    half_bin = 1.0 / (num_levels - 1)
    inverse_scales = np.exp(-log_scales)
    upper = inverse_scales * (x[..., None] + half_bin - means)  # [N, 3, K]
    lower = inverse_scales * (x[..., None] - half_bin - means)
    upper[pixels == num_levels - 1] = np.inf
    lower[pixels == 0] = -np.inf

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    # F(upper) - F(lower), on the right of the mean as (1 - F(lower)) - (1 - F(upper)).
    right = (upper + lower) > 0
    bins = np.where(right, sigmoid(-lower) - sigmoid(-upper), sigmoid(upper) - sigmoid(lower))
    log_pi = weights.sum(axis=1) - np.log(np.exp(weights.sum(axis=1)).sum(-1, keepdims=True))
    per_component = log_pi + np.log(bins).sum(axis=1)  # [N, K]
    top = per_component.max(-1, keepdims=True)
    return (top + np.log(np.exp(per_component - top).sum(-1, keepdims=True)))[:, 0]


@pytest.mark.parametrize("num_components", [1, 5])
def test_coupled_head_is_pixelcnn_pp_mixture_of_products(num_components):
    rng = np.random.default_rng(3)
    outputs = rng.normal(size=(2000, 3, 4 * num_components)).astype(np.float32)
    outputs[..., 2 * num_components:3 * num_components] -= 2.0  # log-scales around e^-2
    pixels = rng.integers(0, 256, (2000, 3))
    head = heads.make_head(256, num_components, coupled_channels=3)
    ours = head.log_prob(outputs[:, None, None], pixels[:, None, None]).numpy()  # one-pixel images
    np.testing.assert_allclose(ours, _reference_rgb_log_prob(outputs, pixels, 256), atol=2e-3)
    # The Categoricals of its logits give the same, so sampling draws from this likelihood.
    logits = head.logits(outputs, pixels)  # [N, 3, 256]
    by_channel = np.take_along_axis(logits.numpy(), pixels[..., None], axis=-1)[..., 0]
    np.testing.assert_allclose(by_channel.sum(-1), ours, atol=2e-3)


def test_coupled_head_probabilities_of_all_pixels_sum_to_one():
    num_levels = 6
    outputs = np.random.default_rng(4).normal(size=(3, 12)).astype(np.float32)  # K = 3
    grid = np.stack(np.meshgrid(*[np.arange(num_levels)] * 3, indexing="ij"), -1).reshape(-1, 3)
    head = heads.make_head(num_levels, 3, coupled_channels=3)
    every_pixel = np.broadcast_to(outputs, (len(grid), 1, 1, 3, 12))
    log_probs = head.log_prob(every_pixel, grid[:, None, None])
    np.testing.assert_allclose(np.exp(log_probs.numpy()).sum(), 1.0, atol=1e-5)
