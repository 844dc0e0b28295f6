"""PixelCNN++: any image size, no blind spot, the coupled head, presets."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from test_case import receptive_field, tiny_model

import pixel_zoo as pz
from pixel_zoo import heads


@pytest.mark.parametrize("image_shape", [(1, 2, 1), (5, 5, 1), (7, 7, 3), (28, 28, 1)], ids=str)
def test_odd_and_tiny_images_line_up_through_every_resolution(image_shape):
    model = tiny_model("pixelcnn_pp", image_shape, num_levels=4, num_layers=1, hidden_units=4,
                       num_hierarchies=3, logistic_mixtures=2)
    images = np.random.default_rng(0).integers(0, 4, (2, *image_shape)).astype(np.uint8)
    assert model(images).shape == (2, *image_shape, 4)
    assert np.all(np.isfinite(model.log_prob(images)))


@pytest.mark.parametrize("image_shape", [(5, 5, 1), (6, 3, 1)], ids=str)
def test_every_earlier_position_informs_the_prediction(image_shape):
    # Two resolutions, so that the coarse path's reach is part of the test.
    model = tiny_model("pixelcnn_pp", image_shape, num_levels=4, num_layers=1, hidden_units=8,
                       num_hierarchies=2)
    influence = receptive_field(model, image_shape)
    strictly_later = np.triu(np.ones_like(influence), k=1).astype(bool)
    blind = np.argwhere(strictly_later & ~influence)
    assert blind.size == 0, f"(p, q) pairs outside the receptive field: {blind[:5]}"


def test_coupled_head_moves_green_and_blue_means_with_the_pixels_red_and_green():
    head = heads.make_head(256, 2, coupled_channels=3)
    assert isinstance(head, heads.CoupledLogisticMixtureHead) and head.units == 8
    # Coefficients atanh(0.5): mean_G = 0.5 x_R, mean_B = 0.5 x_R + 0.5 x_G; narrow logistics.
    outputs = np.zeros((1, 3, 8), np.float32)
    outputs[:, :, 4:6] = -5.0  # Log-scales.
    outputs[:, :, 6:] = np.arctanh(0.5)
    pixel = np.array([[255, 0, 0]], np.int32)  # x_R = 1, x_G = -1.
    modes = np.argmax(head.logits(outputs, pixel), axis=-1)[0]
    np.testing.assert_allclose(modes * 2 / 255 - 1, [0.0, 0.5, 0.0], atol=0.01)
    with pytest.raises(ValueError, match="needs the images"):
        head.logits(outputs)


def test_grayscale_and_softmax_models_keep_the_plain_heads():
    assert type(tiny_model("pixelcnn_pp", (3, 3, 1), 4, logistic_mixtures=2).head) is (
        heads.LogisticMixtureHead
    )
    assert type(tiny_model("pixelcnn_pp", (3, 3, 3), 4).head) is heads.CategoricalHead


def test_no_resolutions_are_refused():
    with pytest.raises(ValueError, match="must be positive"):
        pz.models.build("pixelcnn_pp", (4, 4, 1), 2, num_hierarchies=0)


def test_peer_size_preset_has_about_the_peers_parameters():
    model = pz.models.build("pixelcnn_pp", (28, 28, 1), 2, preset="peer_size")
    assert 0.95 * 625_000 < model.count_params() < 1.05 * 625_000
    assert model.head.num_components == 5


def test_head_inputs_are_float32_under_mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = tiny_model("pixelcnn_pp", (2, 2, 3), num_levels=256, logistic_mixtures=2)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    images = tf.zeros((1, 2, 2, 3), tf.int32)
    assert model.outputs_from_checked(images).dtype == tf.float32


def test_build_under_a_bfloat16_policy_computes_close_to_float32():
    mixed = pz.models.build("pixelcnn_pp", (5, 5, 1), 2, preset="cpu_small",
                            dtype_policy="mixed_bfloat16")
    assert keras.mixed_precision.global_policy().name == "float32"
    assert {layer.dtype_policy.name for layer in mixed._flatten_layers()} == {
        "mixed_bfloat16", "float32"}  # The output layer stays float32.
    exact = pz.models.build("pixelcnn_pp", (5, 5, 1), 2, preset="cpu_small")
    exact.set_weights(mixed.get_weights())
    images = np.random.default_rng(0).integers(0, 2, (4, 5, 5, 1)).astype(np.uint8)
    np.testing.assert_allclose(mixed.log_prob(images), exact.log_prob(images), rtol=0.02)


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_inputs_under_mixed_precision_are_the_float32_inputs_rounded(policy):
    mixed = pz.models.build("pixelcnn_pp", (2, 2, 1), 256, num_layers=1, hidden_units=4,
                            num_hierarchies=1, dtype_policy=policy)
    exact = pz.models.build("pixelcnn_pp", (2, 2, 1), 256, num_layers=1, hidden_units=4,
                            num_hierarchies=1)
    levels = tf.range(256)
    inputs = mixed.scale_images(levels)
    assert inputs.dtype == mixed.compute_dtype
    # The float32 inputs, rounded: every level keeps its own input (bfloat16 arithmetic
    # gave 254 and 255 both 1.0).
    np.testing.assert_array_equal(inputs, tf.cast(exact.scale_images(levels), inputs.dtype))
    assert len(np.unique(np.asarray(tf.cast(inputs, tf.float32)))) == 256
