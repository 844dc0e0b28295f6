"""Every family compresses tiny images to about their NLL in bits and decompresses them exactly."""

import numpy as np
import pytest
from test_case import tiny_model

import pixel_zoo as pz
from pixel_zoo.codec import file_format

FLUSH_BITS = 64  # The range coder's last two words.

# (family, image shape, levels, other hyperparameters): 1 and 3 channels, 2 to 256 levels,
# the softmax head and the logistic mixture head (PixelCNN++'s coupled one on RGB).
SETTINGS = [
    ("pixelcnn", (4, 4, 1), 2, {}),
    ("pixelcnn", (4, 5, 3), 256, {"logistic_mixtures": 2}),
    ("row_lstm", (5, 5, 3), 4, {}),
    ("diagonal_bilstm", (4, 5, 1), 256, {}),
    ("gated_pixelcnn", (5, 4, 3), 16, {}),
    ("pixelcnn_pp", (4, 4, 3), 256, {"logistic_mixtures": 2}),
    ("pixelcnn_pp", (5, 5, 1), 2, {}),
]


def nll_bits(model, images, labels=None):
    """The images' negative log-likelihood under ``model``, in bits, summed."""
    return float(-np.sum(model.log_prob(images, labels), dtype=np.float64) / np.log(2))


def payload_bits(data):
    return 8 * len(file_format.unpack(data)[1])


@pytest.mark.parametrize("name, image_shape, num_levels, hyperparameters", SETTINGS)
def test_round_trip_is_exact_and_costs_the_nll(name, image_shape, num_levels, hyperparameters):
    model = tiny_model(name, image_shape, num_levels, **hyperparameters)
    rng = np.random.default_rng(1)
    images = rng.integers(0, num_levels, (5, *image_shape)).astype(np.uint8)
    data = pz.codec.compress(model, images, batch_size=2)  # batches of 2, 2 and 1 (padded)
    decoded = pz.codec.decompress(data, model=model)
    assert decoded.dtype == np.uint8
    np.testing.assert_array_equal(decoded, images)
    nll = nll_bits(model, images)
    assert 0.99 * nll - 1 <= payload_bits(data) <= 1.01 * nll + FLUSH_BITS
    header = pz.codec.read_header(data)
    assert (header.count, header.batch_size, header.image_shape) == (5, 2, image_shape)


@pytest.mark.parametrize("name", ["gated_pixelcnn", "pixelcnn_pp"])
def test_labels_condition_the_code_and_come_back_in_the_header(name):
    model = tiny_model(name, (4, 4, 1), 2, num_classes=3)
    images = np.random.default_rng(2).integers(0, 2, (4, 4, 4, 1)).astype(np.uint8)
    labels = np.array([2, 0, 1, 2])
    data = pz.codec.compress(model, images, labels, batch_size=3)
    np.testing.assert_array_equal(pz.codec.decompress(data, model=model), images)
    np.testing.assert_array_equal(pz.codec.read_header(data).labels, labels)
    assert payload_bits(data) <= 1.01 * nll_bits(model, images, labels) + FLUSH_BITS
    other = pz.codec.compress(model, images, [0, 0, 0, 0], batch_size=3)
    assert file_format.unpack(other)[1] != file_format.unpack(data)[1]
    with pytest.raises(ValueError, match="class-conditional"):
        pz.codec.compress(model, images)


def test_one_image_and_a_batch_larger_than_the_images():
    model = tiny_model("row_lstm", (4, 4, 1), 2)
    image = np.eye(4, dtype=np.uint8)[None, :, :, None]
    data = pz.codec.compress(model, image)  # the default batch size, cut to the one image
    assert pz.codec.read_header(data).batch_size == 1
    np.testing.assert_array_equal(pz.codec.decompress(data, model=model), image)


def test_bad_images_are_refused_before_coding():
    model = tiny_model("pixelcnn", (4, 4, 1), 2)
    with pytest.raises(ValueError, match=r"must be in \[0, 2\)"):
        pz.codec.compress(model, np.full((1, 4, 4, 1), 2, np.uint8))
    with pytest.raises(ValueError, match="batch_size"):
        pz.codec.compress(model, np.zeros((1, 4, 4, 1), np.uint8), batch_size=0)


def test_a_confident_model_codes_its_samples_in_far_fewer_bits_than_a_uniform_code():
    # Random images cost a random tiny model about log2(levels) bits each, as a uniform
    # code would; its own samples, once its logits are sharpened, cost it far less.
    model = tiny_model("pixelcnn", (5, 5, 1), 16)
    kernel = model.logits_stack.logits.kernel
    kernel.assign(kernel * 400.0)
    images = np.asarray(model.sample(6, seed=2))
    nll = nll_bits(model, images)
    assert nll < 0.25 * images.size * np.log2(16)
    data = pz.codec.compress(model, images, batch_size=4)
    np.testing.assert_array_equal(pz.codec.decompress(data, model=model), images)
    assert 0.99 * nll - 1 <= payload_bits(data) <= 1.01 * nll + FLUSH_BITS
