"""The skewing trick of the Diagonal BiLSTM (PixelRNN, section 3.2).

`skew` shifts row ``i`` of a map ``i`` positions to the right, so that the
diagonals of the image become columns; `unskew` undoes it. Both are a pad
and a reshape, no gather.

Example:
    >>> x = keras.ops.reshape(keras.ops.arange(6.0), (1, 2, 3, 1))
    >>> keras.ops.squeeze(skew(x)).tolist()
    [[0.0, 1.0, 2.0, 0.0], [0.0, 3.0, 4.0, 5.0]]
    >>> bool(keras.ops.all(unskew(skew(x), 3) == x))
    True
"""

from keras import ops


def skew(inputs):
    """``[B, H, W, F]`` -> ``[B, H, W + H - 1, F]``, row ``i`` shifted right by ``i``."""
    _, height, width, features = inputs.shape
    # Pad each row with H zeros, flatten, drop the last H entries, and re-fold
    # with rows one shorter: row i's start moves i positions to the right.
    padded = ops.pad(inputs, ((0, 0), (0, 0), (0, height), (0, 0)))
    flat = ops.reshape(padded, (-1, height * (width + height), features))
    flat = flat[:, : height * (width + height - 1)]
    return ops.reshape(flat, (-1, height, width + height - 1, features))


def unskew(inputs, width):
    """``[B, H, W + H - 1, F]`` -> ``[B, H, W, F]``, the inverse of `skew`."""
    _, height, skewed_width, features = inputs.shape
    # Original pixel (i, j) sits at flat index i * (S + 1) + j of the skewed
    # map flattened row by row: pad H entries and re-fold with rows one longer.
    flat = ops.reshape(inputs, (-1, height * skewed_width, features))
    flat = ops.pad(flat, ((0, 0), (0, height), (0, 0)))
    rows = ops.reshape(flat, (-1, height, skewed_width + 1, features))
    return rows[:, :, :width]
