"""A file the decoder cannot turn back into its images is refused with a CodecError that says why."""

import numpy as np
import pytest
from test_case import register_tiny, tiny_model

import pixel_zoo as pz
from pixel_zoo.codec import CodecError, coder, file_format
from pixel_zoo.zoo import registry


@pytest.fixture(scope="module")
def model():
    return tiny_model("pixelcnn", (4, 4, 1), 2)


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).integers(0, 2, (3, 4, 4, 1)).astype(np.uint8)


@pytest.fixture(scope="module")
def data(model, images):
    return pz.codec.compress(model, images, batch_size=2)


def test_codec_errors_are_value_errors():
    assert issubclass(CodecError, ValueError)  # the pixel-zoo command's one-line errors


def test_every_corrupted_byte_is_refused_before_decoding(data, model, monkeypatch):
    monkeypatch.setattr(coder, "coding_graph", None)  # decoding would fail with a TypeError
    for index in range(len(data)):
        corrupted = bytearray(data)
        corrupted[index] ^= 0x10
        with pytest.raises(CodecError, match="not a pixel_zoo|format version|truncated|too long"
                                             "|corrupted"):
            pz.codec.decompress(bytes(corrupted), model=model)


def test_a_corrupted_payload_byte_names_the_crc(data, model):
    corrupted = bytearray(data)
    corrupted[-6] ^= 0x01
    with pytest.raises(CodecError, match="corrupted: the file's CRC-32"):
        pz.codec.decompress(bytes(corrupted), model=model)


def test_every_truncation_and_an_extra_byte_are_refused(data, model):
    for length in range(len(data)):
        with pytest.raises(CodecError, match="not a pixel_zoo|truncated"):
            pz.codec.decompress(data[:length], model=model)
    with pytest.raises(CodecError, match=f"too long: the file has {len(data) + 1} bytes"):
        pz.codec.decompress(data + b"\0", model=model)


def test_the_format_version_is_checked_first(data):
    newer = file_format.MAGIC + bytes([file_format.VERSION + 1]) + b"anything at all"
    with pytest.raises(CodecError, match=f"format version {file_format.VERSION + 1}; this "
                                         f"pixel_zoo reads version {file_format.VERSION}"):
        pz.codec.read_header(newer)
    with pytest.raises(CodecError, match="not a pixel_zoo compressed file"):
        pz.codec.read_header(b"GIF89a" + data[6:])


def test_another_model_is_refused(data, model, images):
    other = tiny_model("pixelcnn", (4, 4, 1), 2, seed=1)  # the same architecture, other weights
    with pytest.raises(CodecError, match=rf"compressed with '{model.name}' \(digest [0-9a-f]{{8}}"
                                         r"\); the model given is .* other weights"):
        pz.codec.decompress(data, model=other)


def test_a_model_of_ones_own_is_needed_and_known_by_its_weights(data, model, images, tmp_path):
    with pytest.raises(CodecError, match="which is no zoo entry .* pass that model as model="):
        pz.codec.decompress(data)
    # Rebuilt under another name, from the weights saved: the weights make it the same model.
    rebuilt = pz.models.build("pixelcnn", (4, 4, 1), 2, num_layers=2, hidden_units=6,
                              name="rebuilt")
    model.save_weights(tmp_path / "mine.weights.h5")
    rebuilt.load_weights(tmp_path / "mine.weights.h5")
    np.testing.assert_array_equal(pz.codec.decompress(data, model=rebuilt), images)


def test_a_zoo_entry_is_loaded_by_name_and_another_version_refused(images, tmp_path,
                                                                   monkeypatch):
    monkeypatch.setattr(registry, "_REGISTERED", {})
    for seed in (0, 1):  # version 1 compresses; version 2 (other weights) is installed later
        register_tiny(tmp_path, "codec_tiny", "row_lstm", (4, 4, 1), seed=seed)
        if seed == 0:
            data = pz.codec.compress(pz.zoo.load("codec_tiny"), images)
            assert pz.codec.read_header(data).model_name == "codec_tiny"
            np.testing.assert_array_equal(pz.codec.decompress(data), images)
    with pytest.raises(CodecError, match="compressed with 'codec_tiny' .*; the zoo's entry of "
                                         "that name is 'codec_tiny' .* other weights"):
        pz.codec.decompress(data)


def test_other_probabilities_in_the_decoder_are_caught_by_the_checksum(data, model,
                                                                        monkeypatch):
    # As if the decoder ran on a machine whose floating point differs from the encoder's.
    exact = coder.probabilities
    noise = np.random.default_rng(3)

    def perturbed(logits):
        return exact(logits + noise.normal(0.0, 2.0, logits.shape).astype(np.float32))

    monkeypatch.setattr(coder, "probabilities", perturbed)
    with pytest.raises(CodecError, match="decoded pixels' sha256 differs .* no images"):
        pz.codec.decompress(data, model=model)


def test_non_finite_logits_are_refused():
    with pytest.raises(CodecError, match="logits are not finite"):
        coder.probabilities(np.array([[0.0, np.nan]], np.float32))
