"""The LSTM update shared by the Row LSTM and Diagonal LSTM cells."""

from keras import ops

NUM_GATES = 4  # Input, forget, output and candidate: the blocks of a gate map.


def lstm_update(gates, cell_state):
    """One LSTM step from pre-activation gates.

    Args:
      gates: ``[..., 4 * units]``: input, forget, output, candidate blocks.
      cell_state: ``[..., units]``.

    Returns:
      ``(hidden, cell_state)``, both ``[..., units]``.

    Example:
        >>> hidden, cell = lstm_update(ops.zeros((2, 8)), ops.zeros((2, 2)))
    """
    input_gate, forget_gate, output_gate, candidate = ops.split(gates, NUM_GATES, axis=-1)
    cell_state = (
        ops.sigmoid(forget_gate) * cell_state
        + ops.sigmoid(input_gate) * ops.tanh(candidate)
    )
    hidden = ops.sigmoid(output_gate) * ops.tanh(cell_state)
    return hidden, cell_state
