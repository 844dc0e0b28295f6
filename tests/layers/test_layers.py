"""Masks, skewing and layer configs."""

import keras
import numpy as np
import pytest

from pixel_zoo import layers
from pixel_zoo.layers import masks, skew
from pixel_zoo.layers.shifted_conv import ShiftedConv2D


def test_mask_a_hides_the_current_channel_and_b_shows_it():
    mask_a = masks.causal_kernel_mask((3, 3), 3, 3, color_channels=3, mask_type="A")
    mask_b = masks.causal_kernel_mask((3, 3), 3, 3, color_channels=3, mask_type="B")
    np.testing.assert_array_equal(mask_a[1, 1], np.triu(np.ones((3, 3)), k=1))
    np.testing.assert_array_equal(mask_b[1, 1], np.triu(np.ones((3, 3))))
    for mask in (mask_a, mask_b):
        assert mask[0].all() and mask[1, 0].all()  # Above and left: always.
        assert not mask[1, 2].any() and not mask[2].any()  # Right and below: never.


def test_channel_groups_split_features_contiguously():
    assert masks.channel_groups(7, 3).tolist() == [0, 0, 0, 1, 1, 2, 2]
    assert masks.channel_groups(6, 3, blocks=2).tolist() == [0, 1, 2, 0, 1, 2]
    with pytest.raises(ValueError, match="colour groups"):
        masks.channel_groups(2, 3)


def test_skew_shifts_each_row_and_unskew_inverts_it():
    inputs = np.arange(2 * 3 * 4 * 2, dtype=np.float32).reshape(2, 3, 4, 2)
    skewed = np.asarray(skew.skew(inputs))
    assert skewed.shape == (2, 3, 6, 2)
    for row in range(3):
        np.testing.assert_array_equal(skewed[:, row, row : row + 4], inputs[:, row])
        assert not skewed[:, row, :row].any() and not skewed[:, row, row + 4 :].any()
    np.testing.assert_array_equal(skew.unskew(skewed, 4), inputs)


LAYERS = [
    (layers.MaskedConv2D(6, 3, mask_type="A", color_channels=3), (2, 5, 5, 3)),
    (layers.MaskedConv2D(8, (1, 3), color_channels=1, out_blocks=4), (2, 5, 5, 4)),
    (layers.RowLSTM(6, color_channels=3), (2, 4, 5, 6)),
    (layers.DiagonalBiLSTM(6, color_channels=3), (2, 4, 5, 6)),
    (layers.PixelCNNBlock(6, color_channels=3), (2, 4, 4, 12)),
    (layers.PixelRNNBlock("row_lstm", 6), (2, 4, 4, 12)),
    (layers.LogitsStack(9, color_channels=3, channel_outputs=4), (2, 4, 4, 12)),
]


@pytest.mark.parametrize("layer, input_shape", LAYERS, ids=lambda x: type(x).__name__)
def test_layer_config_round_trip_reproduces_the_outputs(layer, input_shape):
    inputs = np.random.default_rng(0).normal(size=input_shape).astype(np.float32)
    outputs = layer(inputs)
    assert outputs.shape == layer.compute_output_shape(input_shape)
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert clone.get_config() == layer.get_config()
    clone(inputs)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone(inputs), outputs, rtol=1e-6)


def test_cells_config_round_trip():
    for cell in (layers.RowLSTMCell(4, kernel_size=5), layers.DiagonalLSTMCell(4)):
        clone = type(cell).from_config(cell.get_config())
        assert clone.get_config() == cell.get_config()


def test_masked_conv_rejects_unknown_mask():
    with pytest.raises(ValueError, match="mask_type"):
        layers.MaskedConv2D(4, 3, mask_type="C")


def test_gated_block_config_round_trip():
    block = layers.GatedPixelCNNBlock(6, 7, first_layer=True, color_channels=3, num_classes=4)
    image = np.random.default_rng(0).normal(size=(2, 5, 5, 3)).astype(np.float32)
    one_hot = np.eye(4, dtype=np.float32)[[1, 3]]
    outputs = block(image, image, one_hot)
    clone = layers.GatedPixelCNNBlock.from_config(block.get_config())
    clone(image, image, one_hot)
    clone.set_weights(block.get_weights())
    for got, want in zip(clone(image, image, one_hot), outputs):
        np.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.parametrize("shift, current_row", [("down_right", "all"), ("down", "none"),
                                                ("down", "left")])
def test_shifted_conv_at_one_column_equals_the_whole_image(shift, current_row):
    conv = ShiftedConv2D(3, (2, 3), shift=shift, current_row=current_row)
    images = keras.random.normal((2, 3, 5, 4), seed=1)
    expected = keras.ops.convert_to_numpy(conv(images))
    rows = (images[:, :1], keras.ops.zeros_like(images[:, 1:2]))  # Above row 1, row 1 so far.
    for column in range(5):
        pixel, rows = conv(images[:, 1:2, column:column + 1], cache=rows, column=column)
        np.testing.assert_allclose(pixel[:, 0, 0], expected[:, 1, column], atol=1e-5)


def test_shifted_conv_refuses_one_column_when_it_reads_columns_to_the_right():
    conv = ShiftedConv2D(3, (2, 3), shift="down", name="centred")
    rows = (keras.ops.zeros((1, 1, 5, 4)), keras.ops.zeros((1, 1, 5, 4)))
    with pytest.raises(ValueError, match="centred reads columns right of the output"):
        conv(keras.ops.ones((1, 1, 1, 4)), cache=rows, column=2)
