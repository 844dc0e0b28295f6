import gzip
import struct

import numpy as np
import pytest

from pixel_zoo import data
from pixel_zoo.data.idx import read_idx


def _write_idx(path, array):
    """Writes ``array`` (uint8) as a gzipped IDX file, independently of the parser under test."""
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())
    return str(path)


def test_round_trip(tmp_path):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    np.testing.assert_array_equal(read_idx(_write_idx(tmp_path / "a-idx3-ubyte.gz", array)), array)


def test_bad_magic(tmp_path):
    path = tmp_path / "bad-ubyte.gz"
    with gzip.open(path, "wb") as f:
        f.write(b"\x12\x34\x08\x01" + struct.pack(">I", 1) + b"\x00")
    with pytest.raises(ValueError, match="bad magic number 12340801"):
        read_idx(str(path))


def test_truncated_data_and_bad_gzip(tmp_path):
    path = tmp_path / "short-ubyte.gz"
    with gzip.open(path, "wb") as f:
        f.write(bytes([0, 0, 8, 2]) + struct.pack(">2I", 3, 3) + b"\x00" * 5)
    with pytest.raises(ValueError, match=r"dimensions \(3, 3\) need 21 bytes, file has 17"):
        read_idx(str(path))
    (tmp_path / "plain-ubyte.gz").write_bytes(b"not gzip")
    with pytest.raises(ValueError, match="cannot read IDX file"):
        read_idx(str(tmp_path / "plain-ubyte.gz"))


def _write_mnist_copy(root, n_train=10_005, n_test=3):
    root.mkdir()
    rng = np.random.default_rng(0)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        _write_idx(root / f"{prefix}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 6, 7)))
        _write_idx(root / f"{prefix}-labels-idx1-ubyte.gz", np.arange(n) % 10)


def test_load_split_validates_on_the_last_10000_training_images_and_tests_on_t10k(tmp_path):
    _write_mnist_copy(tmp_path / "fashion_mnist")
    whole = read_idx(str(tmp_path / "fashion_mnist" / "train-images-idx3-ubyte.gz"))
    train = data.load_split("fashion_mnist", "train", data_dir=str(tmp_path))
    valid = data.load_split("fashion_mnist", "valid", data_dir=str(tmp_path))
    test = data.load_split("fashion_mnist", "test", data_dir=str(tmp_path))
    assert train.images.shape == (5, 6, 7, 1) and train.images.dtype == np.uint8
    assert train.num_levels == 256 and train.labels.dtype == np.int32
    np.testing.assert_array_equal(train.images[..., 0], whole[:5])
    np.testing.assert_array_equal(valid.images[..., 0], whole[5:])
    np.testing.assert_array_equal(valid.labels, np.arange(5, 10_005) % 10)
    np.testing.assert_array_equal(test.labels, [0, 1, 2])


def test_a_training_split_too_small_to_carve_validation_from_is_refused(tmp_path):
    _write_mnist_copy(tmp_path / "mnist", n_train=10_000)
    with pytest.raises(ValueError, match="too small to carve 10000 validation images"):
        data.load_split("mnist", "valid", data_dir=str(tmp_path))


def test_load_split_label_count_mismatch_and_missing_file(tmp_path):
    _write_mnist_copy(tmp_path / "mnist")
    _write_idx(tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz", np.zeros(2))
    with pytest.raises(ValueError, match="expected 3 labels"):
        data.load_split("mnist", "test", data_dir=str(tmp_path))
    (tmp_path / "mnist" / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="train-labels-idx1-ubyte.gz"):
        data.load_split("mnist", "train", data_dir=str(tmp_path))
