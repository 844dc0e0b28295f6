import numpy as np
import pytest

from pixel_zoo.data import ImageData


def _images(n=3, value=0):
    return np.full((n, 4, 5, 1), value, np.uint8)


def test_valid_data_and_image_shape():
    d = ImageData(_images(), np.arange(3, dtype=np.int32), num_levels=2,
                  class_names=("a", "b", "c"))
    assert d.image_shape == (4, 5, 1)
    with pytest.raises(AttributeError):
        d.num_levels = 256  # frozen


@pytest.mark.parametrize("kwargs, message", [
    ({"images": np.zeros((3, 4, 5, 1), np.float32)}, "np.uint8"),
    ({"images": np.zeros((3, 4, 5), np.uint8)}, "rank 4"),
    ({"images": np.zeros((0, 4, 5, 1), np.uint8)}, "empty"),
    ({"images": _images(value=2), "num_levels": 2}, "not < num_levels=2"),
    ({"images": _images(), "num_levels": 257}, "num_levels"),
    ({"images": _images(), "labels": np.zeros(2, np.int32)}, "length 2 but there are 3"),
    ({"images": _images(), "labels": np.zeros(3, np.int64)}, "int32"),
    ({"images": _images(), "labels": np.full(3, -1, np.int32)}, "negative"),
    ({"images": _images(), "labels": np.full(3, 2, np.int32), "class_names": ("a", "b")},
     "only 2 class_names"),
    ({"images": _images(), "class_names": ("a",)}, "labels is None"),
    ({"images": _images(), "labels": np.zeros(3, np.int32), "class_names": ["a"]}, "tuple of str"),
])
def test_validation_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ImageData(**kwargs)
