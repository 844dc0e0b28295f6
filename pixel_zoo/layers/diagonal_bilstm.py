"""Diagonal BiLSTM (PixelRNN, section 3.2): two LSTMs along the image's diagonals."""

import keras
import tensorflow as tf
from keras import ops

from pixel_zoo.layers import lstm_gates, skew
from pixel_zoo.layers.cached import CachedLayer, dense, float32, write_column
from pixel_zoo.layers.diagonal_lstm_cell import DiagonalLSTMCell
from pixel_zoo.layers.masked_conv2d import MaskedConv2D


@keras.saving.register_keras_serializable(package="pixel_zoo")
class DiagonalBiLSTM(CachedLayer, keras.layers.Layer):
    """Diagonal BiLSTM layer: a full causal receptive field in one layer.

    Each direction skews its input, runs a `DiagonalLSTMCell` column by column
    and unskews. The right-to-left direction runs on the mirrored map, so its
    state comes from the pixel to the *right*; its output is shifted down one
    row before the two are added, which leaves it only rows strictly above.

    Its cached path (`pixel_zoo.layers.cached`): in image coordinates the
    left-to-right state at ``(i, j)`` comes from ``(i - 1, j)`` (above) and
    ``(i, j - 1)`` (left), so it steps pixel by pixel from the row above's
    states and the previous pixel's. The right-to-left direction reads
    ``(i - 1, j)`` and ``(i, j + 1)``; shifted down a row, it is needed at row
    ``i`` only for row ``i - 1``, complete when row ``i`` starts: `start_row`
    runs that whole row right to left. The skewed map's zero padding beside
    each row also runs the recurrence: a row's first pixel in either direction
    reads a padding state, a constant of the weights (`DiagonalLSTMCell.padding_states`).

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
        >>> state = layer.start_row(layer.initial_state(2, 6, 6), row=0)
        >>> layer.step(state, tf.ones((2, 12)), row=0, column=0)[0].shape
        TensorShape([2, 8])

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

    def initial_state(self, batch_size, height, width):
        """The state before row 0, a tuple of six.

        ``(weights, above_gates, forward_hidden, forward_cell, backward_inputs,
        backward_hidden)``: ``weights`` are prepared once: the forward input-to-state convolution's
        state, and per direction its cell's `DiagonalLSTMCell.step_weights` and
        `DiagonalLSTMCell.padding_states`. ``above_gates`` ``[W, B, 4u]`` is the
        row above's share of the forward gates; ``forward_hidden`` and
        ``forward_cell`` ``[W + 1, B, u]`` hold this row's forward states, entry
        0 the padding state left of the row; ``backward_inputs`` ``[W, B, F]``
        the layer's inputs along this row; ``backward_hidden`` ``[W, B, u]`` the
        right-to-left output of the row above.
        """
        weights = (
            self.forward_input_to_state.initial_state(batch_size, height, width),
            tuple((cell.step_weights(), cell.padding_states(height))
                  for cell in (self.forward_cell, self.backward_cell)),
        )
        states = tf.zeros((width + 1, batch_size, self.units))
        return (
            weights,
            tf.zeros((width, batch_size, lstm_gates.NUM_GATES * self.units)),
            states, states,
            tf.zeros((width, batch_size, self.forward_input_to_state.kernel.shape[2])),
            tf.zeros((width, batch_size, self.units)),  # The shifted-in zero row.
        )

    def start_row(self, state, row, row_context=None):
        """Caches for ``row``; ``row_context`` ``[W, B, F']``: the row above's, as in ``call``."""
        weights, _, forward_hidden, forward_cell, backward_inputs, backward_hidden = state
        _, ((forward_weights, forward_padding), backward) = weights
        edge_hidden, edge_cell = _padding_at(forward_padding, row, tf.shape(forward_hidden)[1])
        if row_context is not None:
            backward_inputs_above = tf.concat([backward_inputs, row_context], axis=-1)
        else:
            backward_inputs_above = backward_inputs
        backward_hidden = tf.cond(
            row > 0,
            lambda: self._backward_row(backward, backward_inputs_above, backward_hidden, row - 1),
            lambda: backward_hidden,
        )
        return (
            weights,
            self.forward_cell.above_gates(forward_weights, forward_hidden[1:]),
            write_column(forward_hidden, 0, edge_hidden),
            write_column(forward_cell, 0, edge_cell),
            backward_inputs,
            backward_hidden,
        )

    def _backward_row(self, direction, inputs, hidden_above, row):
        """Right-to-left hidden states ``[W, B, u]`` of complete ``row``."""
        weights, padding = direction
        gates = (dense(inputs, float32(self.backward_input_to_state.kernel))
                 + self.backward_cell.above_gates(weights, hidden_above))
        def step(states, column_gates):
            return self.backward_cell.side_step(weights, column_gates, states)

        initial = _padding_at(padding, row, tf.shape(inputs)[1])
        hidden, _ = tf.scan(step, gates, initializer=initial, reverse=True)
        return hidden

    def step(self, state, inputs, row, column):
        weights, above_gates, forward_hidden, forward_cell, backward_inputs, backward_hidden = state
        input_to_state, ((forward_weights, _), _) = weights
        input_gates, _ = self.forward_input_to_state.step(input_to_state, inputs, row, column)
        hidden, cell = self.forward_cell.side_step(
            forward_weights, input_gates + above_gates[column],
            (forward_hidden[column], forward_cell[column]))
        state = (
            weights,
            above_gates,
            write_column(forward_hidden, column + 1, hidden),
            write_column(forward_cell, column + 1, cell),
            write_column(backward_inputs, column, inputs),
            backward_hidden,
        )
        return hidden + backward_hidden[column], state

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "color_channels": self.color_channels,
        }


def _padding_at(padding, row, batch_size):
    """The padding states ``(hidden, cell)`` beside ``row``, each ``[B, u]``."""
    return tuple(tf.broadcast_to(states[row], (batch_size, states.shape[-1])) for states in padding)
