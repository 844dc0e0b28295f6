"""`perturb_images` / `perturb_dataset`: the background model's input perturbation."""

import numpy as np
import pytest
import tensorflow as tf

from pixel_zoo import data

IMAGES = np.random.default_rng(0).integers(0, 256, (64, 8, 8, 1)).astype(np.uint8)


def test_rate_zero_is_the_identity():
    perturbed = data.perturb_images(IMAGES, 0.0, 256, seed=[1, 2])
    np.testing.assert_array_equal(perturbed, IMAGES)
    dataset = tf.data.Dataset.from_tensor_slices(IMAGES).batch(16)
    assert data.perturb_dataset(dataset, 0.0, 256, seed=0) is dataset


def test_rate_one_replaces_every_value_by_a_uniform_level():
    zeros = np.zeros((400, 8, 8, 1), np.uint8)
    perturbed = data.perturb_images(zeros, 1.0, 4, seed=[1, 2]).numpy()
    assert perturbed.dtype == np.uint8 and perturbed.min() >= 0 and perturbed.max() < 4
    frequencies = np.bincount(perturbed.ravel(), minlength=4) / perturbed.size
    np.testing.assert_allclose(frequencies, 0.25, atol=0.01)  # 25,600 draws: sd 0.003


def test_a_rate_changes_that_share_of_the_values_within_range():
    perturbed = data.perturb_images(IMAGES, 0.3, 256, seed=[1, 2]).numpy()
    changed = np.mean(perturbed != IMAGES)
    assert changed == pytest.approx(0.3 * 255 / 256, abs=0.03)  # a draw may keep the value
    assert perturbed.max() <= 255
    np.testing.assert_array_equal(perturbed, data.perturb_images(IMAGES, 0.3, 256, [1, 2]))
    assert np.any(perturbed != data.perturb_images(IMAGES, 0.3, 256, [1, 3]).numpy())


def test_dataset_perturbs_images_not_labels_and_each_batch_differently():
    labels = np.arange(64, dtype=np.int32)
    same = np.repeat(IMAGES[:1], 64, axis=0)
    dataset = tf.data.Dataset.from_tensor_slices((same, labels)).batch(32)
    batches = list(data.perturb_dataset(dataset, 0.5, 256, seed=7))
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), labels)
    first, second = (b[0].numpy() for b in batches)
    assert np.any(first != same[:32]) and np.any(first != second)
    again = [b[0].numpy() for b in data.perturb_dataset(dataset, 0.5, 256, seed=7)]
    np.testing.assert_array_equal(again[0], first)


@pytest.mark.parametrize("rate, num_levels, message", [
    (-0.1, 256, "rate must be in"), (1.5, 256, "rate must be in"), (0.1, 1, "num_levels")])
def test_bad_settings_are_refused(rate, num_levels, message):
    with pytest.raises(ValueError, match=message):
        data.perturb_images(IMAGES, rate, num_levels, seed=[0, 0])
