"""Keras-native training: compile's default loss and metrics are the trainer's units."""

import math
import os
import pathlib
import subprocess
import sys

import keras
import numpy as np
import pytest
from test_case import tiny_model

import pixel_zoo as pz


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


_FIT_UNDER_MIRRORED = """
import numpy as np, keras, tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from test_case import tiny_model
images = np.random.default_rng(0).integers(0, 2, (8, 4, 4, 1)).astype(np.uint8)
with tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]).scope():
    model = tiny_model("pixelcnn", (4, 4, 1), 2)
    model.compile(keras.optimizers.Adam(1e-3))
nats = -float(np.mean(model.log_prob(images)))
loss = model.fit(images, images, batch_size=8, epochs=1, verbose=0).history["loss"][0]
print(nats, loss, -float(np.mean(model.log_prob(images))))
"""


def test_fit_under_mirrored_strategy_reports_the_mean_nats_and_trains():
    # Logical CPUs must be set before TensorFlow starts: a process of its own.
    result = subprocess.run([sys.executable, "-c", _FIT_UNDER_MIRRORED], capture_output=True,
                            text=True, timeout=240, cwd=pathlib.Path(__file__).parents[1],
                            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    before, loss, after = map(float, result.stdout.split())
    assert loss == pytest.approx(before, rel=1e-5)  # 2 replicas x 4 images, one global mean
    assert after < before
