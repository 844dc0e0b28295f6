"""The fast sampler computes the model's own logits and draws the naive sampler's images."""

import functools

import keras
import numpy as np
import pytest
import tensorflow as tf
from test_case import MODEL_NAMES, tiny_model

from pixel_zoo import fast_sampling, sampling

SHAPES = [(4, 5, 1), (3, 4, 3)]


def _randomize(model):
    """Random weights, biases included: zero biases would hide edge cases.

    (With zero biases the Diagonal BiLSTM's padding states are zero, for one.)
    PixelCNN++'s residual blocks of unbounded ELUs take 0.5-scale weights to
    logits of 1e9, where float32 round-off exceeds any tolerance: it gets 0.1.
    """
    rng = np.random.default_rng(0)
    scale = 0.1 if model.name == "pixelcnn_pp" else 0.5
    for variable in model.weights:
        variable.assign(scale * rng.normal(size=variable.shape))
    return model


@functools.cache  # Shared by the tests, with the samplers it has compiled.
def _random_model(name, image_shape, **hyperparameters):
    """A tiny model with random weights."""
    return _randomize(tiny_model(name, image_shape, num_levels=4, **hyperparameters))


def _random_images(image_shape, num=5, seed=1):
    return np.random.default_rng(seed).integers(0, 4, (num, *image_shape)).astype(np.uint8)


def _step_by_step_logits(model, images, labels=None):
    """Logits ``[B, H, W, C, L]`` of the cached network, fed ``images`` one position at a time.

    Each step is given the whole true row, later pixels included: the
    network must not look at them.
    """
    network = fast_sampling.cached_network(model, labels)
    batch_size, height, width, channels = images.shape
    rows = tf.transpose(tf.constant(images, tf.int32), (1, 2, 0, 3))  # (H, W, B, C)
    logits = np.zeros((*images.shape, model.num_levels), np.float32)
    state = network.initial_state(batch_size)
    for row in range(height):
        state = network.start_row(state, row, rows[row - 1] if row else tf.zeros_like(rows[0]))
        for column in range(width):
            for channel in range(channels):
                step_logits, state = network.step(state, rows[row], row, column, channel)
                logits[:, row, column, channel] = step_logits
    return logits


@pytest.mark.parametrize("logistic_mixtures", [0, 2], ids=["softmax", "mixture"])
@pytest.mark.parametrize("image_shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", MODEL_NAMES)
def test_each_step_computes_the_forward_pass_logits(name, image_shape, logistic_mixtures):
    model = _random_model(name, image_shape, logistic_mixtures=logistic_mixtures)
    images = _random_images(image_shape)
    np.testing.assert_allclose(
        _step_by_step_logits(model, images), model(images), rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize(
    "hyperparameters", [{"num_hierarchies": 3}, {"weight_norm": True}], ids=str)
def test_pixelcnn_pp_steps_compute_the_forward_pass_logits(hyperparameters):
    # Three resolutions of 5x7, 3x4 and 2x2: a pixel of the coarsest is computed at
    # image pixels (4r, 4c) and read by the 16 it covers, the last row and column cropped.
    model = _random_model("pixelcnn_pp", (5, 7, 1), **hyperparameters)
    images = _random_images((5, 7, 1))
    np.testing.assert_allclose(
        _step_by_step_logits(model, images), model(images), rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize("logistic_mixtures", [0, 2], ids=["softmax", "mixture"])
@pytest.mark.parametrize("image_shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", MODEL_NAMES)
def test_fast_and_naive_samplers_draw_the_same_images(name, image_shape, logistic_mixtures):
    model = _random_model(name, image_shape, logistic_mixtures=logistic_mixtures)
    drawn = []
    for temperature in (1.0, 0.5, 4.0):
        fast = np.asarray(model.sample(5, seed=(1, 2), temperature=temperature))
        naive = model.sample(5, seed=(1, 2), temperature=temperature, method="naive")
        np.testing.assert_array_equal(fast, naive)
        drawn.append(fast)
    # A random mixture head can put all its mass on one level; a high temperature cannot.
    assert len(np.unique(drawn)) > 1


@pytest.mark.parametrize("image_shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", MODEL_NAMES)
def test_fast_completion_keeps_what_is_known_and_matches_naive(name, image_shape):
    # The softmax model of the sampler test, with the samplers it compiled for 5 images.
    model = _random_model(name, image_shape, logistic_mixtures=0)
    images = _random_images(image_shape)
    _, width, channels = image_shape
    # From the second pixel of row 1; for RGB, from its green channel.
    first_position = (width + 1) * channels + (channels > 1)
    images = tf.constant(images, tf.int32)
    arguments = (
        images, sampling.known_before(images, first_position), tf.constant([7, 7], tf.int64),
        tf.constant(0.8),
    )
    fast = np.asarray(model.fill(*arguments))
    np.testing.assert_array_equal(fast, model.fill(*arguments, method="naive"))
    flat, given = fast.reshape(len(images), -1), np.reshape(images, (len(images), -1))
    np.testing.assert_array_equal(flat[:, :first_position], given[:, :first_position])
    assert not np.array_equal(flat[:, first_position:], given[:, first_position:])


@pytest.mark.parametrize("image_shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", MODEL_NAMES)
def test_fast_in_painting_keeps_the_mask_and_matches_naive(name, image_shape):
    model = _random_model(name, image_shape, logistic_mixtures=0)
    images = _random_images(image_shape)
    mask = np.random.default_rng(3).random((len(images), *image_shape[:2])) < 0.5
    fast = np.asarray(model.complete(images, mask=mask, seed=(7, 8)))
    np.testing.assert_array_equal(fast, model.complete(images, mask=mask, seed=(7, 8),
                                                       method="naive"))
    np.testing.assert_array_equal(fast[mask], images[mask])
    assert not np.array_equal(fast[~mask], images[~mask])


@pytest.mark.parametrize("name", ["gated_pixelcnn", "pixelcnn_pp"])
def test_class_conditional(name):
    model = _random_model(name, (4, 4, 1), num_classes=3)
    labels = np.array([0, 1, 2, 2, 1], np.int32)
    images = _random_images((4, 4, 1))
    np.testing.assert_allclose(
        _step_by_step_logits(model, images, tf.constant(labels)), model(images, labels),
        rtol=1e-5, atol=1e-5,
    )
    fast = np.asarray(model.sample(5, seed=4, labels=labels))
    np.testing.assert_array_equal(fast, model.sample(5, seed=4, labels=labels, method="naive"))
    assert not np.array_equal(fast, model.sample(5, seed=4, labels=labels[::-1]))


def test_mixed_precision_model_is_sampled_in_float32():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = _randomize(tiny_model("diagonal_bilstm", (3, 4, 3), num_levels=4))
    finally:
        keras.mixed_precision.set_global_policy("float32")
    images = _random_images((3, 4, 3))
    logits = np.asarray(model(images), np.float32)
    # The model computes in float16, the fast sampler in float32.
    np.testing.assert_allclose(_step_by_step_logits(model, images), logits, atol=0.05)
    samples = np.asarray(model.sample(2, seed=1))
    assert samples.dtype == np.uint8 and samples.max() < 4


def test_mixed_precision_head_inputs_are_float32_and_the_samplers_agree():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = _randomize(tiny_model("pixelcnn", (2, 2, 3), num_levels=256,
                                      logistic_mixtures=2))
    finally:
        keras.mixed_precision.set_global_policy("float32")
    images = _random_images((2, 2, 3))
    # float16 would quantize the mixture's means to ~1e-3, an eighth of a bin of 8-bit data.
    assert model.outputs_from_checked(tf.constant(images, tf.int32)).dtype == tf.float32
    fast = np.asarray(model.sample(5, seed=(1, 2)))
    np.testing.assert_array_equal(fast, model.sample(5, seed=(1, 2), method="naive"))
