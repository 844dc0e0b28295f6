"""The .pzc header: written and read back, labels of up to 65,536 classes, no TensorFlow."""

import subprocess
import sys

import numpy as np
import pytest

from pixel_zoo.codec import CodecError, file_format


def header(**changes):
    fields = {"model_name": "mine", "model_digest": bytes(range(32)), "image_shape": (28, 28, 1),
              "num_levels": 2, "count": 3, "batch_size": 2, "num_classes": 0, "labels": None,
              "pixels_sha256": bytes(range(32, 64))}
    return file_format.Header(**{**fields, **changes})


@pytest.mark.parametrize("classes", [0, 10, 300])
def test_header_and_payload_come_back(classes):
    labels = np.array([1, 0, classes - 1]) if classes else None
    written = header(num_classes=classes, labels=labels, model_name="ünïcode")
    data = file_format.pack(written, b"\1\2\3\4")
    assert file_format.unpack(data) == (written, b"\1\2\3\4")
    label_bytes = 3 * (2 if classes > 256 else 1) if classes else 0
    assert len(data) == 95 + len("ünïcode".encode()) + label_bytes + 4  # 95: the fixed fields


def test_a_header_that_makes_no_sense_is_refused():
    with pytest.raises(CodecError, match="invalid header: 1 levels"):
        file_format.unpack(file_format.pack(header(num_levels=1), b""))
    with pytest.raises(CodecError, match="labels beyond its 3 classes"):
        file_format.unpack(file_format.pack(header(num_classes=3, labels=np.array([0, 3, 1])),
                                            b""))
    with pytest.raises(ValueError, match="at most 255 bytes"):
        file_format.pack(header(model_name="x" * 256), b"")


def test_reading_a_header_imports_no_tensorflow():
    data = file_format.pack(header(), b"")
    code = ("import sys; import pixel_zoo as pz; "
            f"print(pz.codec.read_header({data!r}).count, 'tensorflow' in sys.modules)")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout
    assert output.split() == ["3", "False"]
