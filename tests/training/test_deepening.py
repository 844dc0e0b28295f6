"""Deepening: a model with more blocks starts from a trained one, computing its distribution."""

import numpy as np
import pytest
import tensorflow as tf

import pixel_zoo as pz
from pixel_zoo.training import deepening

SHAPE = (4, 4, 3)


def build(family, num_layers, hidden_units=4):
    return pz.models.build(family, SHAPE, 4, num_layers=num_layers, hidden_units=hidden_units)


@pytest.mark.parametrize("family", ["pixelcnn", "gated_pixelcnn", "row_lstm", "diagonal_bilstm"])
def test_extra_blocks_start_as_identities_and_then_learn(family):
    trained = build(family, 2)
    rng = np.random.default_rng(0)
    for variable in trained.weights:  # Non-zero biases too, so nothing passes by luck.
        variable.assign(rng.normal(0.0, 0.3, variable.shape).astype(np.float32))
    deeper = build(family, 4)

    assert deepening.copy_weights(deeper, trained) == 2

    images = rng.integers(0, 4, (3, *SHAPE)).astype(np.uint8)
    np.testing.assert_allclose(deeper.log_prob(images), trained.log_prob(images), rtol=1e-5)
    new_weights = [v for v in deeper.trainable_weights if v.path.split("/")[1] in
                   {block.name for block in deeper.blocks[2:]}]
    with tf.GradientTape() as tape:
        loss = -tf.reduce_mean(deeper.log_prob(images))
    gradients = tape.gradient(loss, new_weights)
    # The zeroed output convolutions get gradients, so training grows the new blocks.
    assert max(float(tf.reduce_max(tf.abs(g))) for g in gradients if g is not None) > 0


def test_the_same_depth_copies_every_weight():
    trained, model = build("pixelcnn", 2), build("pixelcnn", 2)
    assert deepening.copy_weights(model, trained) == 0
    for copied, source in zip(model.get_weights(), trained.get_weights()):
        np.testing.assert_array_equal(copied, source)


def test_other_hyperparameters_fewer_blocks_and_other_families_are_refused():
    trained = build("pixelcnn", 2)
    with pytest.raises(ValueError, match=r"do not fit .*input_conv/kernel \(7, 7, 3, 8\) -> "
                                         r"\(7, 7, 3, 10\)"):
        deepening.copy_weights(build("pixelcnn", 2, hidden_units=5), trained)
    with pytest.raises(ValueError, match=r"block_1/.* -> none"):
        deepening.copy_weights(build("pixelcnn", 1), trained)
    with pytest.raises(ValueError, match="a PixelCNN cannot start a PixelRNN"):
        deepening.copy_weights(build("row_lstm", 2), trained)
