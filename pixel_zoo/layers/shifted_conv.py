"""PixelCNN++'s shifted convolutions: outputs see the rows above, and the current row up to a point.

A "down" convolution centres its columns on the output pixel, so with the
invariant "a feature at row i depends on image rows < i" it keeps it (the
vertical stream, ``u``). A "down_right" convolution reads only columns up
to the output pixel, so it keeps "a feature at (i, j) depends on pixels
before (i, j) in raster order" (the horizontal stream, ``ul``). Both pad
with zero rows above instead of "same" padding, which also makes strided
(stride 2) and transposed versions line up for odd sizes: a strided one
maps ``H`` rows to ``ceil(H / 2)``, a transposed one maps them back to
``2 * ceil(H / 2)`` and is cropped to ``H``.

Every convolution also evaluates one row at a time given a cache of the
input rows above it (``cache``, keras-hub style), or one pixel given those
and the current row so far (``column``): the fast sampler's steps
(`pixel_zoo.models.pixel_cnn_pp_sampling`).

Example:
    >>> conv = ShiftedConv2D(8, (2, 3), shift="down")
    >>> conv(keras.ops.zeros((2, 5, 7, 4))).shape
    (2, 5, 7, 8)
    >>> conv = ShiftedConv2D(8, (2, 2), shift="down_right", strides=2)
    >>> conv(keras.ops.zeros((2, 5, 7, 4))).shape
    (2, 3, 4, 8)

Reference: Salimans et al., "PixelCNN++: Improving the PixelCNN with
Discretized Logistic Mixture Likelihood and Other Modifications", 2017.
"""

import keras
import numpy as np
from keras import ops

from pixel_zoo.layers.weight_norm import WeightNormalized

SHIFTS = ("down", "down_right")
CURRENT_ROW = ("all", "left", "none")


def concat_elu(features):
    """``elu([x, -x])``: PixelCNN++'s activation, ``[..., F]`` -> ``[..., 2F]``."""
    return ops.elu(ops.concatenate([features, -features], axis=-1))


def _column_padding(shift, kernel_width):
    """Zero columns left and right of the input, so output column j is centred or ends on j."""
    if shift == "down":
        if kernel_width % 2 == 0:
            raise ValueError(f"a 'down' kernel needs an odd width, got {kernel_width}.")
        return (kernel_width // 2, kernel_width // 2)
    return (kernel_width - 1, 0)


def _check_shift(shift):
    if shift not in SHIFTS:
        raise ValueError(f"shift must be one of {SHIFTS}, got {shift!r}.")


@keras.saving.register_keras_serializable(package="pixel_zoo")
class ShiftedConv2D(WeightNormalized, keras.layers.Layer):
    """A convolution reading rows ``i - kh + 1 .. i`` for output row ``i`` (zero rows above the top).

    Args:
      filters: output features.
      kernel_size: ``(kh, kw)``.
      shift: "down" (columns ``j - kw // 2 .. j + kw // 2``, ``kw`` odd) or
        "down_right" (columns ``j - kw + 1 .. j``).
      strides: 1, or 2 to halve the rows and columns (rounding up).
      current_row: what the kernel's last row (row ``i``) may read: "all" of
        its columns, only those "left" of column ``j`` (a first layer reading
        the image), or "none".
      weight_norm: weight-normalize the kernel (`pixel_zoo.layers.weight_norm`).

    Call arguments:
      inputs: ``[B, H, W, F]``.
      cache: None, or the ``kh - 1`` input rows above ``inputs``
        ``[B, kh - 1, W, F]``, which replace the zero rows: then ``inputs``
        may be a single row, and the call returns ``(outputs, new_cache)``,
        the ``kh - 1`` last rows of the cache and ``inputs``.
      column: None, or (with ``cache``) the input column (int scalar) whose
        output alone is computed, one pixel ``[B, 1, 1, filters]`` (for
        stride 2, the output at half that column). The cache is then
        ``(rows_above, current_row)``, ``[B, kh - 1, W, F]`` and the current
        row so far ``[B, 1, W, F]``, into which ``inputs`` (``[B, 1, 1, F]``,
        the column's input) is written, or which ``inputs`` replaces if it is
        a whole row. The call returns ``(outputs, new_cache)``, the cache with
        the column written. The kernel must not read columns right of
        ``column`` in the current row (only "down_right", or ``current_row``
        other than "all").

    Returns:
      ``[B, H', W', filters]`` (``H' = H`` for stride 1, ``ceil(H / 2)`` for 2).

    Example:
        >>> conv = ShiftedConv2D(8, (2, 3))
        >>> rows_above = keras.ops.zeros((2, 1, 7, 4))
        >>> row, cache = conv(keras.ops.ones((2, 1, 7, 4)), cache=rows_above)   # (2, 1, 7, 8)
        >>> conv = ShiftedConv2D(8, (2, 2), shift="down_right")
        >>> rows = (keras.ops.zeros((2, 1, 7, 4)), keras.ops.zeros((2, 1, 7, 4)))  # above, current
        >>> pixel, rows = conv(keras.ops.ones((2, 1, 1, 4)), cache=rows, column=3)   # (2, 1, 1, 8)
    """

    def __init__(self, filters, kernel_size, shift="down", strides=1, current_row="all",
                 weight_norm=False, **kwargs):
        super().__init__(**kwargs)
        _check_shift(shift)
        if current_row not in CURRENT_ROW:
            raise ValueError(f"current_row must be one of {CURRENT_ROW}, got {current_row!r}.")
        if strides not in (1, 2):
            raise ValueError(f"strides must be 1 or 2, got {strides}.")
        self.filters = int(filters)
        self.kernel_size = tuple(int(size) for size in kernel_size)
        self.shift = shift
        self.strides = strides
        self.current_row = current_row
        self.weight_norm = bool(weight_norm)
        self.columns = _column_padding(shift, self.kernel_size[1])

    def build(self, input_shape):
        kernel_height, kernel_width = self.kernel_size
        self.kernel = self.add_weight(
            name="kernel", shape=(kernel_height, kernel_width, input_shape[-1], self.filters),
            initializer="glorot_uniform",
        )
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros")
        self.add_scale()
        mask = np.ones(self.kernel_size, np.float32)
        if self.current_row == "none":
            mask[-1] = 0.0
        elif self.current_row == "left":
            mask[-1, self.columns[0]:] = 0.0
        self.mask = mask[:, :, None, None]

    def call(self, inputs, cache=None, column=None):
        if column is not None:
            return self._call_at_column(inputs, cache, column)
        rows_above = self.kernel_size[0] - 1
        if cache is None:
            padded = ops.pad(inputs, ((0, 0), (rows_above, 0), self.columns, (0, 0)))
        else:
            padded = ops.concatenate([ops.cast(cache, inputs.dtype), inputs], axis=1)
            padded = ops.pad(padded, ((0, 0), (0, 0), self.columns, (0, 0)))
        kernel = self.normalized(self.direction())
        outputs = self.add_bias(ops.conv(padded, kernel, strides=self.strides, padding="valid"))
        if cache is None:
            return outputs  # (B, H', W', filters)
        new_cache = padded[:, padded.shape[1] - rows_above:, self.columns[0]:]
        return outputs, new_cache[:, :, : inputs.shape[2]]

    def direction(self):
        """The kernel with the current row's hidden columns zeroed (`WeightNormalized`)."""
        kernel = self.kernel
        if self.current_row != "all":
            kernel = kernel * ops.cast(self.mask, kernel.dtype)
        return kernel

    def _call_at_column(self, inputs, cache, column):
        """The output at input ``column`` from ``cache``: the rows above, the current one so far."""
        if self.columns[1] and self.current_row == "all":
            raise ValueError(
                f"{self.name} reads columns right of the output in the current row: it has no "
                "output at one column before the row is complete."
            )
        above, current = (ops.cast(rows, inputs.dtype) for rows in cache)
        width = current.shape[2]
        if inputs.shape[2] == width:
            current = inputs  # A whole row.
        else:
            current = ops.slice_update(current, (0, 0, column, 0), inputs)
        # The kernel's columns; those outside the row read the zero padding.
        columns = column - self.columns[0] + ops.arange(self.kernel_size[1])
        inside = ops.cast((columns >= 0) & (columns < width), inputs.dtype)[:, None]

        def window(rows):
            return ops.take(rows, ops.clip(columns, 0, width - 1), axis=2) * inside

        window = ops.concatenate([window(above), window(current)], axis=1)  # (B, kh, kw, F)
        kernel = self.normalized(self.direction())
        outputs = self.add_bias(ops.conv(window, kernel, padding="valid"))
        return outputs, (above, current)  # (B, 1, 1, filters)

    def initial_cache(self, inputs):
        """The cache of a row with zero rows above it (the top of the image), for ``inputs``' shape."""
        shape = (ops.shape(inputs)[0], self.kernel_size[0] - 1, inputs.shape[2], inputs.shape[3])
        return ops.zeros(shape, inputs.dtype)

    def compute_output_shape(self, input_shape):
        batch, height, width, _ = input_shape
        if self.strides == 2:
            height, width = (height + 1) // 2, (width + 1) // 2
        return (batch, height, width, self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "shift": self.shift,
            "strides": self.strides,
            "current_row": self.current_row,
            "weight_norm": self.weight_norm,
        }


@keras.saving.register_keras_serializable(package="pixel_zoo")
class ShiftedConv2DTranspose(WeightNormalized, keras.layers.Layer):
    """Stride-2 transposed convolution that undoes a strided `ShiftedConv2D`'s halving.

    Input pixel ``(i, j)`` of the coarse map spreads to rows ``2i, 2i + 1``;
    its columns are ``2j - 1 .. 2j + 1`` ("down", kernel 2x3) or ``2j, 2j + 1``
    ("down_right", kernel 2x2), so a coarse feature reaches only pixels that
    come after everything it has read.

    Args:
      filters: output features.
      shift: "down" or "down_right".
      weight_norm: weight-normalize the kernel (`pixel_zoo.layers.weight_norm`).

    Call arguments:
      inputs: ``[B, H, W, F]``.
      output_size: ``(rows, columns)`` of the result, at most ``(2H, 2W)``;
        the output is cropped to it (an odd size drops the last row or column).

    Returns:
      ``[B, rows, columns, filters]``.

    Example:
        >>> up = ShiftedConv2DTranspose(8, shift="down_right")
        >>> up(keras.ops.zeros((2, 3, 4, 5)), output_size=(5, 7)).shape
        (2, 5, 7, 8)
    """

    output_axis = 2  # The kernel is (kh, kw, filters, F_in).

    def __init__(self, filters, shift="down", weight_norm=False, **kwargs):
        super().__init__(**kwargs)
        _check_shift(shift)
        self.filters = int(filters)
        self.shift = shift
        self.weight_norm = bool(weight_norm)
        self.kernel_size = (2, 3) if shift == "down" else (2, 2)

    def build(self, input_shape, output_size=None):
        self.kernel = self.add_weight(
            name="kernel", shape=(*self.kernel_size, self.filters, input_shape[-1]),
            initializer="glorot_uniform",
        )
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros")
        self.add_scale()

    def call(self, inputs, output_size):
        rows, columns = output_size
        outputs = ops.conv_transpose(inputs, self.normalized(self.direction()), strides=2,
                                     padding="valid")
        left = 1 if self.shift == "down" else 0
        return self.add_bias(outputs[:, :rows, left:left + columns])  # (B, rows, columns, filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "shift": self.shift,
                "weight_norm": self.weight_norm}
