"""A `DiagonalBiLSTM` layer, one pixel at a time.

In image coordinates the left-to-right direction's state at ``(i, j)`` comes
from ``(i - 1, j)`` (the pixel above) and ``(i, j - 1)`` (left), so it steps
pixel by pixel from the row above's states and the previous pixel's. The
right-to-left direction reads ``(i - 1, j)`` and ``(i, j + 1)``; its output is
shifted down a row, so row ``i`` needs it only for row ``i - 1``, which is
complete when row ``i`` starts: `start_row` runs that whole row right to left.

The skewed map's zero padding left of each row (right of it, for the
right-to-left direction) also runs the recurrence, on zero inputs: the first
pixel of row ``i`` reads the padding state at ``(i, -1)``, a constant of the
weights (`edge_states`).

Example:
    >>> lstm = CachedDiagonalBiLSTM(model.blocks[0].recurrent, model.image_shape)
    >>> state = lstm.start_row(lstm.initial_state(batch_size=2), row=0)
    >>> hidden, state = lstm.step(state, features, row=0, column=0)   # (2, units)
"""

import tensorflow as tf

from pixel_zoo.fast_sampling.cached_layer import CachedLayer, as_float32, dense, write_column
from pixel_zoo.fast_sampling.masked_conv2d import CachedMaskedConv2D
from pixel_zoo.layers import lstm_gates


def edge_states(cell, height):
    """``(hidden, cell)``, each ``[H, units]``: the states at ``(i, -1)`` of the skewed map.

    The padding left of row ``i`` (skewed columns ``< i``) sees only zero
    input gates and other padding, so running the cell over the first
    ``H - 1`` columns of any skewed map gives its states exactly; ``(i, -1)``
    is row ``i`` of column ``i - 1``. Row 0 has no padding: its first pixel
    starts from the zero initial state.

    Args:
      cell: a built `pixel_zoo.layers.DiagonalLSTMCell`.
      height: image height.
    """
    units = cell.units
    first = tf.zeros((1, units))
    if height == 1:
        return first, first
    dtype = cell.compute_dtype  # The cell's own call runs the recurrence, as in the model.
    zero_gates = tf.zeros((height - 1, 1, height, lstm_gates.NUM_GATES * units), dtype)
    zeros = tf.zeros((1, height, units), dtype)
    hidden, cell_states = tf.scan(
        lambda states, gates: cell(gates, states)[1], zero_gates, initializer=(zeros, zeros)
    )  # (H - 1, 1, H, u) each: the states after each column.
    diagonal = [[column, 0, column + 1] for column in range(height - 1)]
    return tuple(
        tf.concat([first, tf.cast(tf.gather_nd(states, diagonal), tf.float32)], axis=0)
        for states in (hidden, cell_states)
    )


class _Direction:
    """One direction's weights: the state kernel split by neighbour, bias, edge states."""

    def __init__(self, cell, height):
        state_kernel = as_float32(cell.state_kernel)  # (2u, 4u): [above; side] neighbours.
        self.above_kernel, self.side_kernel = tf.split(state_kernel, 2, axis=0)
        self.bias = as_float32(cell.bias)
        self.edge_hidden, self.edge_cell = edge_states(cell, height)

    def edge(self, row, batch_size):
        """The padding states ``(hidden, cell)`` beside ``row``, each ``[B, u]``."""
        return tuple(
            tf.broadcast_to(states[row], (batch_size, states.shape[-1]))
            for states in (self.edge_hidden, self.edge_cell)
        )

    def above_gates(self, hidden_above):
        """The row above's share of the gates, plus the bias: ``[W, B, u]`` -> ``[W, B, 4u]``."""
        return dense(hidden_above, self.above_kernel, self.bias)

    def lstm_step(self, gates, side_states):
        """``(hidden, cell)`` from the gates so far and the side neighbour's states."""
        side_hidden, side_cell = side_states
        return lstm_gates.lstm_update(gates + dense(side_hidden, self.side_kernel), side_cell)


class CachedDiagonalBiLSTM(CachedLayer):
    """Incremental `DiagonalBiLSTM`.

    State: ``(above_gates, forward_hidden, forward_cell, backward_inputs,
    backward_hidden)``. ``above_gates`` ``[W, B, 4u]`` is the row above's
    share of the forward gates; ``forward_hidden`` and ``forward_cell``
    ``[W + 1, B, u]`` hold this row's forward states, entry 0 the padding
    state left of the row; ``backward_inputs`` ``[W, B, F]`` the layer's
    inputs along this row; ``backward_hidden`` ``[W, B, u]`` the right-to-left
    output of the row above.

    Args:
      layer: a built `pixel_zoo.layers.DiagonalBiLSTM`.
      image_shape: ``(height, width, channels)`` of the model.

    Context of `start_row`: ``row_context`` ``[W, B, F']``, the previous row of
    the layer's ``row_context`` (the scaled image, for the first layer).
    """

    def __init__(self, layer, image_shape):
        height, self.width = image_shape[:2]
        self.units = layer.units
        self.forward_input_to_state = CachedMaskedConv2D(layer.forward_input_to_state, self.width)
        self.backward_kernel = as_float32(layer.backward_input_to_state.kernel)  # (F + F', 4u)
        self.in_features = self.forward_input_to_state.in_features
        self.forward = _Direction(layer.forward_cell, height)
        self.backward = _Direction(layer.backward_cell, height)

    def initial_state(self, batch_size):
        states = tf.zeros((self.width + 1, batch_size, self.units))
        return (
            tf.zeros((self.width, batch_size, lstm_gates.NUM_GATES * self.units)),
            states, states,
            tf.zeros((self.width, batch_size, self.in_features)),
            tf.zeros((self.width, batch_size, self.units)),  # The shifted-in zero row.
        )

    def start_row(self, state, row, row_context=None):
        _, forward_hidden, forward_cell, backward_inputs, backward_hidden = state
        batch_size = tf.shape(forward_hidden)[1]
        above_gates = self.forward.above_gates(forward_hidden[1:])
        edge_hidden, edge_cell = self.forward.edge(row, batch_size)
        if row_context is not None:
            backward_inputs_above = tf.concat([backward_inputs, row_context], axis=-1)
        else:
            backward_inputs_above = backward_inputs
        backward_hidden = tf.cond(
            row > 0,
            lambda: self._backward_row(backward_inputs_above, backward_hidden, row - 1),
            lambda: backward_hidden,
        )
        return (
            above_gates,
            write_column(forward_hidden, 0, edge_hidden),
            write_column(forward_cell, 0, edge_cell),
            backward_inputs,
            backward_hidden,
        )

    def _backward_row(self, inputs, hidden_above, row):
        """Right-to-left hidden states ``[W, B, u]`` of complete ``row``."""
        gates = dense(inputs, self.backward_kernel) + self.backward.above_gates(hidden_above)

        def step(states, column_gates):
            return self.backward.lstm_step(column_gates, states)

        edge = self.backward.edge(row, tf.shape(inputs)[1])
        hidden, _ = tf.scan(step, gates, initializer=edge, reverse=True)
        return hidden

    def step(self, state, inputs, row, column):
        above_gates, forward_hidden, forward_cell, backward_inputs, backward_hidden = state
        gates = self.forward_input_to_state.apply(inputs) + above_gates[column]
        hidden, cell = self.forward.lstm_step(gates, (forward_hidden[column], forward_cell[column]))
        state = (
            above_gates,
            write_column(forward_hidden, column + 1, hidden),
            write_column(forward_cell, column + 1, cell),
            write_column(backward_inputs, column, inputs),
            backward_hidden,
        )
        return hidden + backward_hidden[column], state
