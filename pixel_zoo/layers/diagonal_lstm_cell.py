"""The Diagonal BiLSTM's cell (PixelRNN, section 3.2): one step along a skewed map's columns."""

import keras
from keras import ops

from pixel_zoo.layers import lstm_gates


@keras.saving.register_keras_serializable(package="pixel_zoo")
class DiagonalLSTMCell(keras.layers.Layer):
    """One diagonal step: a 2x1 state-to-state convolution over the previous column.

    In the skewed map, position ``i`` of a column sees positions ``i - 1`` and
    ``i`` of the previous column: the pixels above and to the left of it in
    the unskewed image.

    Args:
      units: hidden units per pixel.

    Call arguments:
      input_gates: ``[B, H, 4 * units]``, the input-to-state term of this column.
      states: ``(hidden, cell)`` of the previous column, each ``[B, H, units]``.

    Returns:
      ``(hidden, (hidden, cell))`` of this column.

    Example:
        >>> cell = DiagonalLSTMCell(4)
        >>> zeros = keras.ops.zeros((2, 5, 4))
        >>> hidden, _ = cell(keras.ops.zeros((2, 5, 16)), (zeros, zeros))
        >>> hidden.shape
        (2, 5, 4)
    """

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_gates_shape, states_shape=None):
        gate_features = lstm_gates.NUM_GATES * self.units
        self.state_kernel = self.add_weight(
            name="state_kernel", shape=(2 * self.units, gate_features)
        )
        self.bias = self.add_weight(name="bias", shape=(gate_features,), initializer="zeros")

    def call(self, input_gates, states):
        hidden, cell = states
        hidden_above = ops.pad(hidden[:, :-1], ((0, 0), (1, 0), (0, 0)))
        neighbours = ops.concatenate([hidden_above, hidden], axis=-1)  # (B, H, 2u)
        gates = input_gates + ops.matmul(neighbours, self.state_kernel) + self.bias
        hidden, cell = lstm_gates.lstm_update(gates, cell)
        return hidden, (hidden, cell)

    def get_config(self):
        return {**super().get_config(), "units": self.units}
