import os

import numpy as np
import pytest
from PIL import Image

from pixel_zoo import data
from pixel_zoo.data import folder


@pytest.fixture
def class_folder(tmp_path, write_image):
    """25 RGB images in 3 class folders; image i (in sorted order) has pixel value i."""
    root = tmp_path / "imgs"
    counts = {"cat": 10, "ant": 8, "dog": 7}  # sorted class order: ant, cat, dog
    index = 0
    for name in sorted(counts):
        for j in range(counts[name]):
            write_image(root / name / f"{j:03d}.png", index)
            index += 1
    return root


def test_labels_from_folder_names_and_every_tenth_is_valid(class_folder):
    valid = data.load_split(f"folder:{class_folder}", "valid")
    train = data.load_split(f"folder:{class_folder}", "train")
    assert valid.class_names == ("ant", "cat", "dog") == train.class_names
    assert valid.images.shape == (3, 3, 4, 3) and valid.num_levels == 256
    np.testing.assert_array_equal(valid.images[:, 0, 0, 0], [0, 10, 20])
    np.testing.assert_array_equal(valid.labels, [0, 1, 2])  # ant 0-7, cat 8-17, dog 18-24
    assert len(train.images) == 22 and 10 not in train.images[:, 0, 0, 0]
    np.testing.assert_array_equal(train.labels, [0] * 7 + [1] * 9 + [2] * 6)


def test_split_is_stable_and_second_call_hits_cache(class_folder, cache_dir, monkeypatch):
    first = data.load_split(f"folder:{class_folder}", "train")
    assert len(os.listdir(cache_dir)) == 1

    def no_decoding(*args):
        raise AssertionError("decoded again despite the cache")

    monkeypatch.setattr(folder, "_decode_all", no_decoding)
    second = data.load_split(f"folder:{class_folder}", "train")
    np.testing.assert_array_equal(first.images, second.images)
    np.testing.assert_array_equal(first.labels, second.labels)


def test_changed_folder_is_decoded_again(class_folder, cache_dir, write_image):
    data.load_split(f"folder:{class_folder}", "valid")
    old_cache = os.listdir(cache_dir)
    write_image(class_folder / "dog" / "zzz.png", 99)
    train = data.load_split(f"folder:{class_folder}", "train")
    assert train.images[-1, 0, 0, 0] == 99 and len(train.images) == 23
    new_cache = os.listdir(cache_dir)
    assert len(new_cache) == 1 and new_cache != old_cache  # the stale entry is gone


def test_flat_folder_has_no_labels(tmp_path, write_image):
    for i in range(12):
        write_image(tmp_path / "flat" / f"{i:02d}.png", i, mode="L")
    (tmp_path / "flat" / ".DS_Store").write_bytes(b"hidden files are ignored")
    valid = data.load_split(f"folder:{tmp_path / 'flat'}", "valid")
    assert valid.labels is None and valid.class_names is None
    assert valid.images.shape == (2, 3, 4, 1)
    np.testing.assert_array_equal(valid.images[:, 0, 0, 0], [0, 10])


def test_jpeg_files(tmp_path, write_image):
    for i in range(3):
        write_image(tmp_path / "j" / "a" / f"{i}.jpg", 128, size=(8, 8))
    train = data.load_split(f"folder:{tmp_path / 'j'}", "train")
    assert train.images.shape == (2, 8, 8, 3)


def test_folder_errors(tmp_path, write_image):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no images in"):
        data.load_split(f"folder:{tmp_path / 'empty'}", "train")
    with pytest.raises(FileNotFoundError, match="no image folder"):
        data.load_split(f"folder:{tmp_path / 'absent'}", "train")
    with pytest.raises(ValueError, match="unknown split 'test'"):
        data.load_split(f"folder:{tmp_path / 'empty'}", "test")


def test_non_image_file_is_named(tmp_path, write_image):
    write_image(tmp_path / "f" / "a" / "0.png", 1)
    (tmp_path / "f" / "a" / "notes.txt").write_text("hi")
    with pytest.raises(ValueError, match=r"notes\.txt is not an image file"):
        data.load_split(f"folder:{tmp_path / 'f'}", "train")


def test_undecodable_image_is_named(tmp_path, write_image):
    write_image(tmp_path / "f" / "0.png", 1)
    (tmp_path / "f" / "1.png").write_text("not a png")
    with pytest.raises(ValueError, match=r"1\.png cannot be decoded"):
        data.load_split(f"folder:{tmp_path / 'f'}", "train")


def test_mixed_sizes_name_file_and_both_sizes(tmp_path, write_image):
    write_image(tmp_path / "f" / "a" / "0.png", 1, size=(4, 3))
    write_image(tmp_path / "f" / "b" / "1.png", 1, size=(5, 3))
    with pytest.raises(ValueError, match=r"mixed image sizes: .*b/1\.png is 5x3 but .*a/0\.png "
                                         r"is 4x3"):
        data.load_split(f"folder:{tmp_path / 'f'}", "train")


def test_mixed_modes_name_file(tmp_path, write_image):
    write_image(tmp_path / "f" / "0.png", 1, mode="L")
    write_image(tmp_path / "f" / "1.png", 1, mode="RGB")
    with pytest.raises(ValueError, match=r"mixed image modes: .*1\.png is RGB but .*0\.png is "
                                         r"grayscale"):
        data.load_split(f"folder:{tmp_path / 'f'}", "train")


def test_loose_files_beside_class_folders(tmp_path, write_image):
    write_image(tmp_path / "f" / "a" / "0.png", 1)
    write_image(tmp_path / "f" / "stray.png", 1)
    with pytest.raises(ValueError, match=r"mixes class folders with loose files, e.g. .*stray"):
        data.load_split(f"folder:{tmp_path / 'f'}", "train")


def test_unsupported_mode_is_named(tmp_path):
    (tmp_path / "f").mkdir()
    Image.new("RGBA", (2, 2)).save(tmp_path / "f" / "alpha.png")
    with pytest.raises(ValueError, match=r"alpha\.png has unsupported image mode 'RGBA'"):
        data.load_split(f"folder:{tmp_path / 'f'}", "train")
