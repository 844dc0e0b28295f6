import numpy as np
import pytest

from pixel_zoo import data
from pixel_zoo.data import registry
from pixel_zoo.data.tfds_source import TfdsUnavailableError


def test_dataset_names():
    names = data.dataset_names()
    assert {"binarized_mnist", "mnist", "fashion_mnist", "cifar10_jpeg", "cifar10"} <= set(names)
    assert "npz:PATH" in names and "folder:PATH" in names


def test_unknown_dataset_lists_names():
    with pytest.raises(ValueError, match=r"unknown dataset 'no_such_dataset_xyz': not one of "
                                         r"binarized_mnist, mnist"):
        data.load_split("no_such_dataset_xyz", "train")


def test_unknown_split_lists_valid_splits(tmp_path):
    np.savez(tmp_path / "binarized_mnist.npz", train=np.zeros((2, 3, 3), np.uint8),
             valid=np.zeros((1, 3, 3), np.uint8))
    with pytest.raises(ValueError, match=r"unknown split 'validation'; valid splits: 'train', "
                                         r"'valid'$"):
        data.load_split("binarized_mnist", "validation", data_dir=str(tmp_path))
    with pytest.raises(ValueError, match="unknown split 'test'"):  # its test split is held out
        data.load_split("binarized_mnist", "test", data_dir=str(tmp_path))
    assert data.load_split("binarized_mnist", "valid", data_dir=str(tmp_path)).num_levels == 2


def test_missing_local_copy_and_no_tfds_gives_one_clear_error(tmp_path, monkeypatch):
    def unavailable(name, split, num_levels=256):
        raise TfdsUnavailableError("ConnectionError: no route to host")

    monkeypatch.setattr(registry, "load_tfds_split", unavailable)
    with pytest.raises(FileNotFoundError) as err:
        data.load_split("binarized_mnist", "train", data_dir=str(tmp_path))
    assert str(err.value) == (
        f"binarized_mnist: no {tmp_path}/binarized_mnist.npz and tensorflow-datasets could not "
        "load 'binarized_mnist' (no internet?): ConnectionError: no route to host")
    with pytest.raises(FileNotFoundError, match=r"mnist: no .*/mnist/\*-ubyte.gz and "
                                                "tensorflow-datasets could not load 'mnist'"):
        data.load_split("mnist", "train", data_dir=str(tmp_path))
    with pytest.raises(FileNotFoundError, match="cifar10: tensorflow-datasets could not load"):
        data.load_split("cifar10", "train")


def test_cifar10_jpeg_needs_its_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no image folder .*cifar10_jpeg/train"):
        data.load_split("cifar10_jpeg", "valid", data_dir=str(tmp_path))
    with pytest.raises(FileNotFoundError, match="needs data_dir"):
        data.load_split("cifar10_jpeg", "valid")
