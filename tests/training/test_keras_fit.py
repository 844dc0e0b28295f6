"""Keras-native training: compile's default loss and metrics are the trainer's units."""

import math

import keras
import numpy as np
import pytest

import pixel_zoo as pz
from test_case import tiny_model


@pytest.mark.parametrize("image_shape, num_levels, mixtures", [
    ((4, 4, 1), 2, 0),
    ((3, 3, 3), 256, 2),  # the logistic-mixture head
])
def test_fit_reports_mean_nats_per_image_and_bits_per_dim(image_shape, num_levels, mixtures):
    model = tiny_model("pixelcnn", image_shape, num_levels, logistic_mixtures=mixtures)
    images = np.random.default_rng(0).integers(0, num_levels, (8, *image_shape)).astype(np.uint8)
    nats = -float(np.mean(model.log_prob(images)))
    model.compile(keras.optimizers.Adam(1e-3))
    history = model.fit(images, images, batch_size=8, epochs=1, verbose=0).history
    # One batch: the loss is computed before the batch's update.
    assert history["loss"][0] == pytest.approx(nats, rel=1e-5)
    assert history["nats"][0] == pytest.approx(nats, rel=1e-5)
    bits = nats / (math.prod(image_shape) * math.log(2.0))
    assert history["bits_per_dim"][0] == pytest.approx(bits, rel=1e-5)
    assert np.mean(model.log_prob(images)) != pytest.approx(-nats)  # it trained


def test_the_loss_is_the_negative_log_prob_of_each_image():
    model = tiny_model("row_lstm", (4, 4, 1), 2)
    images = np.random.default_rng(1).integers(0, 2, (5, 4, 4, 1)).astype(np.uint8)
    per_image = pz.losses.nats_per_image(images, model(images))
    np.testing.assert_allclose(per_image, -np.asarray(model.log_prob(images)), rtol=1e-6)
    loss = pz.losses.NegativeLogLikelihood()(images, model(images))
    assert float(loss) == pytest.approx(float(np.mean(per_image)), rel=1e-6)


def test_summary_ends_with_the_true_output_shape():
    model = tiny_model("pixelcnn", (5, 5, 3), 256, logistic_mixtures=2)
    lines = []
    model.summary(print_fn=lambda line, **kwargs: lines.append(line))
    layer_rows = [line for line in lines if "(None," in line]
    assert "(None, 5, 5, 3, 256)" in layer_rows[-1]
    assert model(np.zeros((1, 5, 5, 3), np.uint8)).shape == (1, 5, 5, 3, 256)
