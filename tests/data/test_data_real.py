"""Tests on the shared real data ($PIXEL_ZOO_DATA); skipped when it is unset."""

import numpy as np

from pixel_zoo import data
from pixel_zoo.data import folder


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
    assert train.images.shape == (60000, 28, 28, 1) and test.images.shape == (10000, 28, 28, 1)
    assert train.num_levels == 256 and train.images.max() == 255
    assert train.labels.shape == (60000,) and set(np.unique(test.labels)) == set(range(10))
    assert list(train.labels[:5]) == [5, 0, 4, 1, 9]


def test_cifar10_jpeg_valid_split_is_decoded_once(real_data_dir, monkeypatch):
    valid = data.load_split("cifar10_jpeg", "valid", data_dir=real_data_dir)

    def no_decoding(*args):
        raise AssertionError("the images were decoded again instead of read from the cache")

    monkeypatch.setattr(folder, "_decode_all", no_decoding)
    train = data.load_split("cifar10_jpeg", "train", data_dir=real_data_dir)
    assert valid.images.shape == (5000, 32, 32, 3) and train.images.shape == (45000, 32, 32, 3)
    assert len(valid.class_names) == 10 and valid.class_names[0] == "airplane"
    assert np.bincount(valid.labels).tolist() == [500] * 10
