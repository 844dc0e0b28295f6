"""A `MaskedConv2D`, one output pixel at a time, from a window of its cached input rows.

The mask hides every row below the current pixel, and the pixels right of it
in its own row, so the pixel's output needs only the ``kh // 2`` input rows
above it and the current row up to itself. The window keeps those rows,
zero-padded left and right like "same" padding. A 1x1 convolution needs no
window.

`CachedMaskedConv2D` receives its inputs pixel by pixel, as the layers inside
a network do. `CachedImageConv2D`, for a first layer, reads the image, whose
rows the generation loop holds: it receives the current row whole, and the
previous row once that is complete.

Example:
    >>> layer = pz.layers.MaskedConv2D(16, 3, color_channels=1)
    >>> layer.build((None, 8, 8, 4))
    >>> conv = CachedMaskedConv2D(layer, width=8)
    >>> window = conv.start_row(conv.initial_state(batch_size=2), row=0)
    >>> outputs, window = conv.step(window, tf.ones((2, 4)), row=0, column=0)
    >>> outputs.shape
    TensorShape([2, 16])
"""

import tensorflow as tf

from pixel_zoo.fast_sampling.cached_layer import CachedLayer, as_float32, dense


class CachedMaskedConv2D(CachedLayer):
    """Incremental `MaskedConv2D` with inputs given pixel by pixel.

    State: the window ``[rows, W + 2 * pad, B, F_in]``, rows above the
    current one first; unwritten entries are zeros or stale values that the
    mask multiplies by zero.

    Args:
      layer: a built `pixel_zoo.layers.MaskedConv2D`.
      width: width of the feature map.
    """

    def __init__(self, layer, width):
        kernel_height, self.kernel_width = layer.kernel_size
        self.rows = kernel_height // 2 + 1  # Rows above the pixel, and its own.
        self.pad = self.kernel_width // 2
        self.width = width
        self.in_features = layer.kernel.shape[2]
        kernel = as_float32(layer.kernel) * layer.mask  # (kh, kw, F_in, F_out)
        self.kernel = tf.reshape(kernel[: self.rows], (-1, layer.filters))  # (rows*kw*F_in, F_out)
        self.bias = None if layer.bias is None else as_float32(layer.bias)

    @property
    def pointwise(self):
        return self.rows == 1 and self.kernel_width == 1

    def apply(self, patches):
        """``[..., rows * kw * F_in]`` patches (``[..., F_in]`` pixels for 1x1) -> ``[..., F_out]``."""
        return dense(patches, self.kernel, self.bias)

    def initial_state(self, batch_size):
        if self.pointwise:
            return ()
        return tf.zeros((self.rows, self.width + 2 * self.pad, batch_size, self.in_features))

    def start_row(self, window, row):
        if self.pointwise or self.rows == 1:
            return window
        # The oldest row comes back as the new current row: its stale values are
        # either overwritten before they are read or multiplied by the mask's zeros.
        return tf.roll(window, shift=-1, axis=0)

    def step(self, window, inputs, row, column):
        if self.pointwise:
            return self.apply(inputs), window
        position = tf.reshape(tf.stack([self.rows - 1, column + self.pad]), (1, 2))
        window = tf.tensor_scatter_nd_update(window, position, inputs[None])
        return self.convolve(window, column), window

    def convolve(self, rows, column):
        """The output at ``column`` of ``rows`` ``[rows, W + 2 * pad, B, F_in]``: ``[B, F_out]``."""
        patch = tf.slice(rows, (0, column, 0, 0), (-1, self.kernel_width, -1, -1))  # (rows, kw, B, F)
        patch = tf.transpose(patch, (2, 0, 1, 3))
        return self.apply(tf.reshape(patch, (-1, self.kernel.shape[0])))  # (B, rows*kw*F_in)

    def padded(self, row_inputs):
        """``[W, B, F_in]`` -> ``[W + 2 * pad, B, F_in]`` with "same" padding's zeros."""
        return tf.pad(row_inputs, ((self.pad, self.pad), (0, 0), (0, 0)))


class CachedImageConv2D(CachedMaskedConv2D):
    """Incremental `MaskedConv2D` with inputs given a row at a time (the image).

    State: the rows above the current one, ``[rows - 1, W + 2 * pad, B, F_in]``.

    Args:
      layer: a built `pixel_zoo.layers.MaskedConv2D`.
      width: width of the image.
    """

    def initial_state(self, batch_size):
        return tf.zeros((self.rows - 1, self.width + 2 * self.pad, batch_size, self.in_features))

    def start_row(self, window, row, previous_row):
        """Shifts in ``previous_row`` ``[W, B, F_in]``, complete."""
        return tf.concat([window, self.padded(previous_row)[None]], axis=0)[1:]

    def step(self, window, current_row, row, column):
        """The output at ``column`` given ``current_row`` ``[W, B, F_in]`` as far as it is known."""
        rows = tf.concat([window, self.padded(current_row)[None]], axis=0)
        return self.convolve(rows, column), window
