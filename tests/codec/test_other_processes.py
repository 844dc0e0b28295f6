"""A file decodes in another process (its own trace of the graph, other threads), and zoo data."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from test_case import tiny_model

import pixel_zoo as pz

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DECODE = """
    import sys
    import numpy as np
    sys.path.insert(0, "tests")
    from test_case import tiny_model
    import pixel_zoo as pz

    model = tiny_model("pixelcnn_pp", (4, 4, 3), 256, logistic_mixtures=2)
    with open(sys.argv[1], "rb") as file:
        np.save(sys.argv[2], pz.codec.decompress(file.read(), model=model))
"""


def test_another_process_with_other_threads_decodes_the_images(tmp_path):
    model = tiny_model("pixelcnn_pp", (4, 4, 3), 256, logistic_mixtures=2)
    images = np.random.default_rng(4).integers(0, 256, (3, 4, 4, 3)).astype(np.uint8)
    (tmp_path / "rgb.pzc").write_bytes(pz.codec.compress(model, images, batch_size=2))
    environment = {**os.environ, "TF_NUM_INTRAOP_THREADS": "2", "TF_NUM_INTEROP_THREADS": "2",
                   "PYTHONPATH": ROOT}
    subprocess.run([sys.executable, "-c", textwrap.dedent(DECODE), str(tmp_path / "rgb.pzc"),
                    str(tmp_path / "decoded.npy")], cwd=ROOT, env=environment, check=True,
                   capture_output=True, timeout=300)
    np.testing.assert_array_equal(np.load(tmp_path / "decoded.npy"), images)


@pytest.mark.skipif(not os.environ.get("PIXEL_ZOO_DATA"), reason="PIXEL_ZOO_DATA is not set: "
                    "coding validation digits needs the shared data folder (e.g. "
                    "PIXEL_ZOO_DATA=/work/shared/data)")
def test_a_zoo_entry_codes_validation_digits_at_their_nll():
    digits, _ = pz.images.dataset_images("binarized_mnist:valid", (28, 28, 1), 2,
                                         os.environ["PIXEL_ZOO_DATA"], num=12)
    model = pz.zoo.load("row_lstm_binarized_mnist")
    data = pz.codec.compress(model, digits, batch_size=8)
    np.testing.assert_array_equal(pz.codec.decompress(data), digits)
    nll_bits = float(-np.sum(model.log_prob(digits), dtype=np.float64) / np.log(2))
    payload_bits = 8 * len(pz.codec.file_format.unpack(data)[1])
    assert nll_bits - 1 <= payload_bits <= 1.01 * nll_bits + 64
