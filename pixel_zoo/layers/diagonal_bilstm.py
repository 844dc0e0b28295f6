"""Diagonal BiLSTM (PixelRNN, section 3.2): two LSTMs along the image's diagonals."""

import keras
import tensorflow as tf
from keras import ops

from pixel_zoo.layers import lstm_gates, skew
from pixel_zoo.layers.diagonal_lstm_cell import DiagonalLSTMCell
from pixel_zoo.layers.masked_conv2d import MaskedConv2D


@keras.saving.register_keras_serializable(package="pixel_zoo")
class DiagonalBiLSTM(keras.layers.Layer):
    """Diagonal BiLSTM layer: a full causal receptive field in one layer.

    Each direction skews its input, runs a `DiagonalLSTMCell` column by column
    and unskews. The right-to-left direction runs on the mirrored map, so its
    state comes from the pixel to the *right*; its output is shifted down one
    row before the two are added, which leaves it only rows strictly above.

    Args:
      units: hidden units per pixel (``h`` in the paper).
      color_channels: channels of the modelled image (1 or 3).

    Call arguments:
      inputs: ``[B, H, W, F]``, causal features (position ``p`` sees only
        positions before ``p``).
      row_context: optional ``[B, H, W, F']`` features that may also see the
        current pixel, e.g. the image itself; read by the backward direction
        only. Without it no feature carries the last pixel of a row (every
        feature of that pixel is causal for it), so the first columns of the
        next row would miss it: the first layer of a model passes the image.

    Returns:
      ``[B, H, W, units]``.

    Example:
        >>> layer = DiagonalBiLSTM(8, color_channels=3)
        >>> layer(keras.ops.zeros((2, 6, 6, 12))).shape
        (2, 6, 6, 8)

    Reference: van den Oord et al., "Pixel Recurrent Neural Networks", 2016.
    """

    def __init__(self, units, color_channels=1, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.color_channels = color_channels
        self.forward_input_to_state = MaskedConv2D(
            lstm_gates.NUM_GATES * units,
            1,
            mask_type="B",
            color_channels=color_channels,
            out_blocks=lstm_gates.NUM_GATES,
            use_bias=False,
            name="forward_input_to_state",
        )
        # The backward output only ever reaches rows below, so its input needs
        # no colour mask and may include the whole current pixel.
        self.backward_input_to_state = keras.layers.Dense(
            lstm_gates.NUM_GATES * units, use_bias=False, name="backward_input_to_state"
        )
        self.forward_cell = DiagonalLSTMCell(units, name="forward_cell")
        self.backward_cell = DiagonalLSTMCell(units, name="backward_cell")

    def build(self, inputs_shape, row_context_shape=None):
        height = inputs_shape[1]
        self.forward_input_to_state.build(inputs_shape)
        context_features = row_context_shape[-1] if row_context_shape else 0
        self.backward_input_to_state.build((*inputs_shape[:-1], inputs_shape[-1] + context_features))
        for cell in (self.forward_cell, self.backward_cell):
            cell.build((None, height, lstm_gates.NUM_GATES * self.units))

    def _run_direction(self, inputs, input_to_state, cell):
        width = inputs.shape[2]
        input_gates = skew.skew(input_to_state(inputs))  # (B, H, W + H - 1, 4u)
        columns_first = ops.transpose(input_gates, (2, 0, 1, 3))  # (W + H - 1, B, H, 4u)
        zeros = ops.zeros_like(columns_first[0, ..., : self.units])  # (B, H, u)

        def step(states, column_gates):
            _, new_states = cell(column_gates, states)
            return new_states

        hidden, _ = tf.scan(step, columns_first, initializer=(zeros, zeros))
        return skew.unskew(ops.transpose(hidden, (1, 2, 0, 3)), width)  # (B, H, W, u)

    def call(self, inputs, row_context=None):
        forward = self._run_direction(inputs, self.forward_input_to_state, self.forward_cell)
        backward_inputs = (
            inputs if row_context is None else ops.concatenate([inputs, row_context], axis=-1)
        )
        backward = ops.flip(
            self._run_direction(
                ops.flip(backward_inputs, axis=2), self.backward_input_to_state,
                self.backward_cell,
            ),
            axis=2,
        )
        backward_from_above = ops.pad(backward[:, :-1], ((0, 0), (1, 0), (0, 0), (0, 0)))
        return forward + backward_from_above

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "color_channels": self.color_channels,
        }
