import numpy as np
import pytest

from pixel_zoo import data


def test_npz_with_labels_and_channel_axis(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, train=np.full((4, 5, 6), 200, np.uint8), train_labels=np.arange(4),
             valid=np.zeros((2, 5, 6), np.uint8))
    train = data.load_split(f"npz:{path}", "train")
    assert train.images.shape == (4, 5, 6, 1) and train.num_levels == 256
    assert train.labels.dtype == np.int32 and list(train.labels) == [0, 1, 2, 3]
    valid = data.load_split(f"npz:{path}", "valid")
    assert valid.labels is None and valid.images.shape == (2, 5, 6, 1)
    with pytest.raises(ValueError, match="unknown split 'test'"):  # it has a real 'valid'
        data.load_split(f"npz:{path}", "test")


def test_npz_binary_levels_and_test_fallback(tmp_path):
    path = tmp_path / "b.npz"
    np.savez(path, train=np.ones((3, 2, 2, 3), np.int64), test=np.zeros((1, 2, 2, 3), bool))
    train = data.load_split(f"npz:{path}", "train")
    assert train.num_levels == 2 and train.images.dtype == np.uint8
    assert train.image_shape == (2, 2, 3)
    for split in ("valid", "test"):
        assert data.load_split(f"npz:{path}", split).images.shape == (1, 2, 2, 3)


def test_npz_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no file"):
        data.load_split(f"npz:{tmp_path / 'missing.npz'}", "train")
    path = tmp_path / "e.npz"
    np.savez(path, train=np.full((2, 3, 3), 0.5, np.float32))
    with pytest.raises(ValueError, match="integer array"):
        data.load_split(f"npz:{path}", "train")
    with pytest.raises(ValueError, match=r"no array 'valid' or 'test'; it has \['train'\]"):
        data.load_split(f"npz:{path}", "valid")
