"""Tests on the shared real data ($PIXEL_ZOO_DATA); skipped when it is unset."""

import os

import numpy as np
import pytest

from pixel_zoo import data
from pixel_zoo.data import folder
from pixel_zoo.data.idx import read_idx


def test_binarized_mnist(real_data_dir):
    train = data.load_split("binarized_mnist", "train", data_dir=real_data_dir)
    valid = data.load_split("binarized_mnist", "valid", data_dir=real_data_dir)
    assert train.images.shape == (50000, 28, 28, 1) and valid.images.shape == (10000, 28, 28, 1)
    assert train.num_levels == 2 and train.labels is None
    assert set(np.unique(train.images)) == {0, 1}
    assert abs(train.images.mean() - 0.1306) < 1e-3


def test_mnist(real_data_dir):
    train = data.load_split("mnist", "train", data_dir=real_data_dir)
    test = data.load_split("mnist", "test", data_dir=real_data_dir)
    assert train.images.shape == (50000, 28, 28, 1) and test.images.shape == (10000, 28, 28, 1)
    assert train.num_levels == 256 and train.images.max() == 255
    assert train.labels.shape == (50000,) and set(np.unique(test.labels)) == set(range(10))
    assert list(train.labels[:5]) == [5, 0, 4, 1, 9]


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_validation_is_the_last_training_images_and_test_is_exactly_t10k(real_data_dir, name):
    folder_path = os.path.join(real_data_dir, name)
    files = {prefix: read_idx(os.path.join(folder_path, f"{prefix}-images-idx3-ubyte.gz"))
             for prefix in ("train", "t10k")}
    splits = {split: data.load_split(name, split, data_dir=real_data_dir).images[..., 0]
              for split in ("train", "valid", "test")}
    np.testing.assert_array_equal(splits["train"], files["train"][:50000])
    np.testing.assert_array_equal(splits["valid"], files["train"][50000:])
    np.testing.assert_array_equal(splits["test"], files["t10k"])
    # No validation or training image is, pixel for pixel, a t10k image.
    test_images = {image.tobytes() for image in splits["test"]}
    for split in ("train", "valid"):
        assert not test_images & {image.tobytes() for image in splits[split]}, split


def test_cifar10_jpeg_valid_split_is_decoded_once(real_data_dir, monkeypatch):
    valid = data.load_split("cifar10_jpeg", "valid", data_dir=real_data_dir)

    def no_decoding(*args):
        raise AssertionError("the images were decoded again instead of read from the cache")

    monkeypatch.setattr(folder, "_decode_all", no_decoding)
    train = data.load_split("cifar10_jpeg", "train", data_dir=real_data_dir)
    assert valid.images.shape == (5000, 32, 32, 3) and train.images.shape == (45000, 32, 32, 3)
    assert len(valid.class_names) == 10 and valid.class_names[0] == "airplane"
    assert np.bincount(valid.labels).tolist() == [500] * 10
