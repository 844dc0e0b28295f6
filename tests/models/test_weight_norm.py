"""Weight normalization with data-dependent init (PixelCNN++): what the init sets, and a model
that stays causal, exact to sample and savable."""

import keras
import numpy as np
import pytest
from keras import ops
from test_case import position_influence, tiny_model

from pixel_zoo.layers.weight_norm import initialize_from_data, weight_normalized_layers


def _initialized_model(image_shape, **hyperparameters):
    """A tiny weight-normalized PixelCNN++ after its data-dependent init, and the init batch."""
    model = tiny_model("pixelcnn_pp", image_shape, num_levels=4, weight_norm=True,
                       **hyperparameters)
    images = np.random.default_rng(0).integers(0, 4, (16, *image_shape)).astype(np.uint8)
    layers = weight_normalized_layers(model)
    assert layers and initialize_from_data(model, images) == len(layers)
    return model, images


def test_data_init_gives_the_first_layer_zero_mean_unit_variance_features():
    model, images = _initialized_model((6, 6, 1))
    inputs = model.scale_images(images)
    features = np.asarray(model.u_input(ops.concatenate([inputs, ops.ones_like(inputs)], -1)))
    np.testing.assert_allclose(features.mean(axis=(0, 1, 2)), 0.0, atol=1e-4)
    np.testing.assert_allclose(features.std(axis=(0, 1, 2)), 1.0, atol=1e-3)
    assert not np.allclose(model.u_input.scale, 1.0)


def test_the_kernel_is_a_direction_only():
    model, images = _initialized_model((4, 4, 1))
    before = np.asarray(model.log_prob(images))
    for layer in weight_normalized_layers(model):
        layer.kernel.assign(3.0 * layer.kernel)
    np.testing.assert_allclose(model.log_prob(images), before, rtol=1e-5)


def test_a_model_without_weight_norm_is_left_alone():
    model = tiny_model("pixelcnn_pp", (4, 4, 1), num_levels=4)
    weights = [np.asarray(weight) for weight in model.weights]
    assert initialize_from_data(model, np.zeros((2, 4, 4, 1), np.uint8)) == 0
    for before, after in zip(weights, model.weights):
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize("image_shape", [(5, 5, 1), (4, 4, 3)], ids=str)
def test_weight_normalized_model_is_causal_and_has_no_blind_spot(image_shape):
    mixture = {"logistic_mixtures": 2} if image_shape[-1] == 3 else {}
    model, _ = _initialized_model(image_shape, hidden_units=8, **mixture)
    image = np.random.default_rng(1).integers(0, 4, image_shape).astype(np.uint8)
    # Unit-variance features make logits of ~10, whose batch-order round-off reaches 1e-6;
    # a real dependence moves them by ~0.1.
    influence = position_influence(model, image, tolerance=1e-4)
    leaks = np.argwhere(influence & np.tril(np.ones_like(influence)).astype(bool))
    assert leaks.size == 0, f"position p leaks into prediction q for (p, q) = {leaks[:5]}"
    unused = [p for p in range(len(influence) - 1) if not influence[p, p + 1:].any()]
    assert not unused, f"positions {unused} inform no later prediction"


def test_fast_and_naive_samplers_agree_and_the_keras_file_round_trips(tmp_path):
    model, images = _initialized_model((3, 4, 3), logistic_mixtures=2)
    fast = np.asarray(model.sample(4, seed=(1, 2)))
    np.testing.assert_array_equal(fast, model.sample(4, seed=(1, 2), method="naive"))
    model.save(tmp_path / "weight_norm.keras")
    loaded = keras.saving.load_model(tmp_path / "weight_norm.keras")
    assert loaded.get_config()["weight_norm"] is True
    np.testing.assert_array_equal(loaded.log_prob(images), model.log_prob(images))
