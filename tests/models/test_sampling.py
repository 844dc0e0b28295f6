"""The sampler draws from the model's own distribution, reproducibly."""

import numpy as np
import pytest
from test_case import MODEL_NAMES, all_images, tiny_model


def _sharpen(model, factor=3.0):
    """Scales every weight so the model's distribution is far from uniform."""
    for variable in model.weights:
        variable.assign(variable * factor)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_sample_frequencies_match_exp_log_prob(name):
    image_shape = (2, 2, 1)
    model = tiny_model(name, image_shape, num_levels=2)
    _sharpen(model)
    images = all_images(image_shape, 2)
    probabilities = np.exp(np.asarray(model.log_prob(images), np.float64))
    assert probabilities.max() > 1.5 / len(images), "the test model is too close to uniform"

    num_samples = 20_000
    samples = np.asarray(model.sample(num_samples, seed=(3, 4))).reshape(num_samples, -1)
    codes = samples @ (2 ** np.arange(4)[::-1])  # image index in all_images order
    frequencies = np.bincount(codes, minlength=len(images)) / num_samples
    # Binomial standard deviation is at most 0.0035 here: allow 4 of them.
    np.testing.assert_allclose(frequencies, probabilities, atol=0.015)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_same_seed_same_images_other_seed_other_images(name):
    model = tiny_model(name, (4, 4, 3), num_levels=4)
    first = np.asarray(model.sample(3, seed=(1, 2)))
    assert first.dtype == np.uint8 and first.shape == (3, 4, 4, 3)
    assert first.max() < 4
    np.testing.assert_array_equal(first, model.sample(3, seed=(1, 2)))
    assert not np.array_equal(first, model.sample(3, seed=(2, 1)))


def test_low_temperature_draws_likelier_less_varied_images():
    model = tiny_model("pixelcnn", (3, 3, 1), num_levels=4)
    _sharpen(model)
    samples = {t: model.sample(300, seed=5, temperature=t) for t in (0.1, 1.0)}
    log_probs = {t: float(np.mean(model.log_prob(x))) for t, x in samples.items()}
    distinct = {t: len(np.unique(np.asarray(x).reshape(300, -1), axis=0)) for t, x in samples.items()}
    assert log_probs[0.1] > log_probs[1.0] + 1.0
    assert distinct[0.1] < distinct[1.0]


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_complete_keeps_the_known_rows(name):
    model = tiny_model(name, (4, 4, 1), num_levels=4)
    images = np.random.default_rng(0).integers(0, 4, (5, 4, 4, 1)).astype(np.uint8)
    completed = np.asarray(model.complete(images, known_rows=2, seed=(7, 7)))
    np.testing.assert_array_equal(completed[:, :2], images[:, :2])
    assert not np.array_equal(completed[:, 2:], images[:, 2:])
