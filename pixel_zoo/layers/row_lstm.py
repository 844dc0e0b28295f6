"""Row LSTM (PixelRNN, section 3.1): an LSTM that runs down the image row by row."""

import keras
import tensorflow as tf
from keras import ops

from pixel_zoo.layers import lstm_gates
from pixel_zoo.layers.cached import CachedLayer, float32, write_column
from pixel_zoo.layers.masked_conv2d import MaskedConv2D


@keras.saving.register_keras_serializable(package="pixel_zoo")
class RowLSTMCell(keras.layers.Layer):
    """One row step: state-to-state 1-D convolution over the previous row.

    Args:
      units: hidden units per pixel.
      kernel_size: width of the state-to-state convolution (3 in the paper).

    Call arguments:
      input_gates: ``[B, W, 4 * units]``, the input-to-state term of this row.
      states: ``(hidden, cell)`` of the previous row, each ``[B, W, units]``.

    Returns:
      ``(hidden, (hidden, cell))`` of this row.

    Example:
        >>> cell = RowLSTMCell(4)
        >>> zeros = keras.ops.zeros((2, 5, 4))
        >>> hidden, _ = cell(keras.ops.zeros((2, 5, 16)), (zeros, zeros))
        >>> hidden.shape
        (2, 5, 4)
    """

    def __init__(self, units, kernel_size=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.kernel_size = kernel_size

    def build(self, input_gates_shape, states_shape=None):
        gate_features = lstm_gates.NUM_GATES * self.units
        self.state_kernel = self.add_weight(
            name="state_kernel", shape=(self.kernel_size, self.units, gate_features)
        )
        self.bias = self.add_weight(name="bias", shape=(gate_features,), initializer="zeros")

    def state_to_state(self, hidden):
        """The previous row's term of the gates, bias aside: ``[B, W, u]`` -> ``[B, W, 4u]``."""
        # Each position of the new row sees kernel_size neighbours of the row above.
        return ops.conv(hidden, ops.cast(self.state_kernel, hidden.dtype), padding="same")

    def call(self, input_gates, states):
        hidden, cell = states
        gates = input_gates + self.state_to_state(hidden) + self.bias
        hidden, cell = lstm_gates.lstm_update(gates, cell)
        return hidden, (hidden, cell)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "kernel_size": self.kernel_size}


@keras.saving.register_keras_serializable(package="pixel_zoo")
class RowLSTM(CachedLayer, keras.layers.Layer):
    """Row LSTM layer with a triangular causal receptive field.

    The input-to-state term is a masked ``1 x kernel_size`` convolution of the
    current row (mask B: pixels to the left, and the current pixel's earlier
    colour groups), computed for all rows at once; the recurrence then runs
    over rows, all pixels of a row in parallel.

    Its cached path (`pixel_zoo.layers.cached`): the state-to-state term of a
    row depends only on the row above, complete when the row starts, so
    `start_row` computes it for the whole row in one convolution; each pixel
    then adds its input-to-state term (the masked convolution's own step) and
    takes one LSTM step.

    Args:
      units: hidden units per pixel (``h`` in the paper).
      kernel_size: width of both convolutions (3 in the paper).
      color_channels: channels of the modelled image (1 or 3).

    Call arguments:
      inputs: ``[B, H, W, F]``.

    Returns:
      ``[B, H, W, units]``.

    Example:
        >>> layer = RowLSTM(8, color_channels=3)
        >>> layer(keras.ops.zeros((2, 6, 6, 12))).shape
        (2, 6, 6, 8)
        >>> state = layer.start_row(layer.initial_state(2, 6, 6), row=0)
        >>> layer.step(state, tf.ones((2, 12)), row=0, column=0)[0].shape
        TensorShape([2, 8])

    Reference: van den Oord et al., "Pixel Recurrent Neural Networks", 2016.
    """

    def __init__(self, units, kernel_size=3, color_channels=1, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.kernel_size = kernel_size
        self.color_channels = color_channels
        self.input_to_state = MaskedConv2D(
            lstm_gates.NUM_GATES * units,
            (1, kernel_size),
            mask_type="B",
            color_channels=color_channels,
            out_blocks=lstm_gates.NUM_GATES,
            use_bias=False,
            name="input_to_state",
        )
        self.cell = RowLSTMCell(units, kernel_size, name="cell")

    def build(self, input_shape):
        self.input_to_state.build(input_shape)
        width = input_shape[2]
        self.cell.build((None, width, lstm_gates.NUM_GATES * self.units))

    def call(self, inputs):
        input_gates = self.input_to_state(inputs)  # (B, H, W, 4u)
        rows_first = ops.transpose(input_gates, (1, 0, 2, 3))  # (H, B, W, 4u)
        zeros = ops.zeros_like(rows_first[0, ..., : self.units])  # (B, W, u)

        def step(states, row_gates):
            _, new_states = self.cell(row_gates, states)
            return new_states

        hidden, _ = tf.scan(step, rows_first, initializer=(zeros, zeros))  # (H, B, W, u)
        return ops.transpose(hidden, (1, 0, 2, 3))

    def initial_state(self, batch_size, height, width):
        """``(input_window, above_gates, cell_above, hidden_row, cell_row)``.

        ``above_gates`` ``[W, B, 4u]`` is the state-to-state term (plus bias)
        from the row above, ``cell_above`` that row's cell states, and the
        ``*_row`` buffers this row's states as far as it has been generated.
        """
        zeros = tf.zeros((width, batch_size, self.units))  # The states before row 0.
        return (
            self.input_to_state.initial_state(batch_size, height, width),
            tf.zeros((width, batch_size, lstm_gates.NUM_GATES * self.units)),
            zeros, zeros, zeros,
        )

    def start_row(self, state, row):
        input_window, _, _, hidden_row, cell_row = state
        hidden_above = tf.transpose(hidden_row, (1, 0, 2))  # (B, W, u)
        above_gates = self.cell.state_to_state(hidden_above) + float32(self.cell.bias)
        return (
            self.input_to_state.start_row(input_window, row),
            tf.transpose(above_gates, (1, 0, 2)),  # (W, B, 4u)
            cell_row, hidden_row, cell_row,
        )

    def step(self, state, inputs, row, column):
        input_window, above_gates, cell_above, hidden_row, cell_row = state
        input_gates, input_window = self.input_to_state.step(input_window, inputs, row, column)
        hidden, cell = lstm_gates.lstm_update(
            input_gates + above_gates[column], cell_above[column]
        )  # (B, u) each
        hidden_row = write_column(hidden_row, column, hidden)
        cell_row = write_column(cell_row, column, cell)
        return hidden, (input_window, above_gates, cell_above, hidden_row, cell_row)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "kernel_size": self.kernel_size,
            "color_channels": self.color_channels,
        }
