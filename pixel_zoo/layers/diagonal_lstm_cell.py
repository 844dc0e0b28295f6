"""The Diagonal BiLSTM's cell (PixelRNN, section 3.2): one step along a skewed map's columns."""

import keras
import tensorflow as tf
from keras import ops

from pixel_zoo.layers import lstm_gates
from pixel_zoo.layers.cached import dense, float32


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
        >>> [states.shape for states in cell.padding_states(height=5)]   # (hidden, cell)
        [TensorShape([5, 4]), TensorShape([5, 4])]
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

    # The cached path of `DiagonalBiLSTM`: the state kernel split by neighbour,
    # the row above's share computed once per row and the side neighbour's per pixel.

    def step_weights(self):
        """``(above_kernel, side_kernel, bias)`` in float32: the state kernel split by neighbour."""
        above_kernel, side_kernel = tf.split(float32(self.state_kernel), 2, axis=0)  # (u, 4u) each
        return above_kernel, side_kernel, float32(self.bias)

    @staticmethod
    def above_gates(weights, hidden_above):
        """The pixels above's share of the gates, plus the bias: ``[..., u]`` -> ``[..., 4u]``.

        ``weights`` are `step_weights`.
        """
        above_kernel, _, bias = weights
        return dense(hidden_above, above_kernel, bias)

    @staticmethod
    def side_step(weights, gates, side_states):
        """``(hidden, cell)`` from the gates so far and the side neighbour's ``(hidden, cell)``."""
        side_hidden, side_cell = side_states
        return lstm_gates.lstm_update(gates + dense(side_hidden, weights[1]), side_cell)

    def padding_states(self, height):
        """``(hidden, cell)``, each ``[H, units]``: the states at ``(i, -1)`` of a skewed map.

        The padding left of row ``i`` (skewed columns ``< i``) sees only zero
        input gates and other padding, so running the cell over the first
        ``H - 1`` columns of any skewed map gives its states exactly; ``(i, -1)``
        is row ``i`` of column ``i - 1``. Row 0 has no padding: its first pixel
        starts from the zero initial state.
        """
        first = tf.zeros((1, self.units))
        if height == 1:
            return first, first
        dtype = self.compute_dtype  # The cell's own call runs the recurrence, as in the model.
        zero_gates = tf.zeros((height - 1, 1, height, lstm_gates.NUM_GATES * self.units), dtype)
        zeros = tf.zeros((1, height, self.units), dtype)
        hidden, cell = tf.scan(
            lambda states, gates: self(gates, states)[1], zero_gates, initializer=(zeros, zeros)
        )  # (H - 1, 1, H, u) each: the states after each column.
        diagonal = [[column, 0, column + 1] for column in range(height - 1)]
        return tuple(
            tf.concat([first, float32(tf.gather_nd(states, diagonal))], axis=0)
            for states in (hidden, cell)
        )

    def get_config(self):
        return {**super().get_config(), "units": self.units}
