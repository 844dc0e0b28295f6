"""A `RowLSTM` layer, one pixel at a time.

The state-to-state term of a row depends only on the row above, which is
complete when the row starts: `start_row` computes it for the whole row in one
convolution. Each pixel then adds its input-to-state term (a masked ``1 x k``
convolution of the current row, `CachedMaskedConv2D`) and takes one LSTM step.

Example:
    >>> lstm = CachedRowLSTM(model.blocks[0].recurrent, model.image_shape)
    >>> state = lstm.start_row(lstm.initial_state(batch_size=2), row=0)
    >>> hidden, state = lstm.step(state, features, row=0, column=0)   # (2, units)
"""

import tensorflow as tf

from pixel_zoo.fast_sampling.cached_layer import CachedLayer, as_float32, write_column
from pixel_zoo.fast_sampling.masked_conv2d import CachedMaskedConv2D
from pixel_zoo.layers import lstm_gates


class CachedRowLSTM(CachedLayer):
    """Incremental `RowLSTM`.

    State: ``(input_window, above_gates, cell_above, hidden_row, cell_row)``;
    ``above_gates`` ``[W, B, 4u]`` is the state-to-state term (plus bias) from
    the row above, ``cell_above`` that row's cell states, and the ``*_row``
    buffers this row's states as far as it has been generated.

    Args:
      layer: a built `pixel_zoo.layers.RowLSTM`.
      image_shape: ``(height, width, channels)`` of the model.
    """

    def __init__(self, layer, image_shape):
        self.width = image_shape[1]
        self.units = layer.units
        self.input_to_state = CachedMaskedConv2D(layer.input_to_state, self.width)
        self.state_kernel = as_float32(layer.cell.state_kernel)  # (k, u, 4u)
        self.bias = as_float32(layer.cell.bias)

    def initial_state(self, batch_size):
        zeros = tf.zeros((self.width, batch_size, self.units))  # The states before row 0.
        return (
            self.input_to_state.initial_state(batch_size),
            tf.zeros((self.width, batch_size, lstm_gates.NUM_GATES * self.units)),
            zeros, zeros, zeros,
        )

    def start_row(self, state, row):
        input_window, _, _, hidden_row, cell_row = state
        hidden_above = tf.transpose(hidden_row, (1, 0, 2))  # (B, W, u)
        above_gates = tf.nn.conv1d(hidden_above, self.state_kernel, 1, "SAME") + self.bias
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
