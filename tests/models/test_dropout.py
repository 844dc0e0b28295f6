"""Dropout in the residual blocks (pixelcnn, pixelcnn_pp): on only in training, and saved."""

import keras
import numpy as np
import pytest
from test_case import tiny_model

import pixel_zoo as pz

FAMILIES_WITH_DROPOUT = ["pixelcnn", "pixelcnn_pp"]


def _images():
    return np.random.default_rng(0).integers(0, 2, (3, 4, 4, 1)).astype(np.uint8)


@pytest.mark.parametrize("name", FAMILIES_WITH_DROPOUT)
def test_dropout_is_on_only_in_training(name):
    model = tiny_model(name, (4, 4, 1), num_levels=2, num_layers=1, dropout=0.5)
    images = _images()
    np.testing.assert_array_equal(model.log_prob(images), model.log_prob(images))
    assert not np.allclose(model.log_prob(images, training=True), model.log_prob(images))


@pytest.mark.parametrize("name", FAMILIES_WITH_DROPOUT)
def test_dropout_survives_the_keras_config_and_leaves_evaluation_alone(name):
    model = tiny_model(name, (4, 4, 1), num_levels=2, num_layers=1, dropout=0.5)
    rebuilt = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(model))
    assert rebuilt.dropout == 0.5
    # Same weights without dropout: the same densities outside training.
    plain = tiny_model(name, (4, 4, 1), num_levels=2, num_layers=1, dropout=0.0)
    plain.set_weights(model.get_weights())
    np.testing.assert_array_equal(plain.log_prob(_images()), model.log_prob(_images()))


@pytest.mark.parametrize("name", FAMILIES_WITH_DROPOUT)
def test_a_rate_out_of_range_is_refused(name):
    with pytest.raises(ValueError, match=r"dropout must be in \[0, 1\), got 1.0"):
        pz.models.build(name, (4, 4, 1), 2, dropout=1.0)


def test_families_without_dropout_refuse_it():
    with pytest.raises(ValueError, match="dropout"):
        pz.models.build("row_lstm", (4, 4, 1), 2, dropout=0.1)
