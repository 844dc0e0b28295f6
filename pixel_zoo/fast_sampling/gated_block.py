"""A `GatedPixelCNNBlock`, its vertical stack a row at a time and its horizontal stack a pixel at a time.

The vertical stack at row ``i`` reads rows ``<= i`` across the whole width and
reaches the horizontal stack only shifted down one row, so it can wait until
row ``i`` is complete: `start_row` computes the row above, for every block in
turn (each block's vertical output is the next one's input). Each pixel then
runs the horizontal stack: a masked ``1 x k`` convolution of the current row
plus the vertical stack's share from the row above.

Example:
    >>> block = CachedGatedPixelCNNBlock(model.blocks[1], model.image_shape)
    >>> state = block.initial_state(batch_size=2)
    >>> state, vertical = block.start_row(state, 0, vertical_row_above)   # (W, 2, p)
    >>> (horizontal, skip), state = block.step(state, horizontal, 0, 0)   # (2, p) each
"""

import tensorflow as tf

from pixel_zoo.fast_sampling.cached_layer import as_float32, dense
from pixel_zoo.fast_sampling.masked_conv2d import CachedImageConv2D, CachedMaskedConv2D
from pixel_zoo.layers.gated_block import gate


class CachedGatedPixelCNNBlock:
    """Incremental `GatedPixelCNNBlock`.

    State: ``(vertical_window, vertical_to_horizontal, horizontal_window)``:
    the last ``k // 2 + 1`` rows of the vertical input ``[B, rows, W + k - 1, F]``,
    the vertical stack's share of this row's horizontal gates ``[W, B, 2p]``,
    and the horizontal convolution's window.

    Args:
      block: a built `pixel_zoo.layers.GatedPixelCNNBlock`.
      image_shape: ``(height, width, channels)`` of the model.
      class_one_hot: float32 ``[B, num_classes]`` for a class-conditional block.
    """

    def __init__(self, block, image_shape, class_one_hot=None):
        self.width = image_shape[1]
        self.first_layer = block.first_layer
        self.rows = block.kernel_size // 2 + 1
        self.pad = block.kernel_size // 2
        self.vertical_kernel = as_float32(block.vertical_conv.kernel)  # (rows, k, F, 2p)
        self.vertical_bias = as_float32(block.vertical_conv.bias)
        self.link_kernel = as_float32(block.vertical_to_horizontal.kernel)  # (2p, 2p)
        self.link_bias = as_float32(block.vertical_to_horizontal.bias)
        # The first layer reads the image, whose current row the loop gives whole.
        horizontal_conv = CachedImageConv2D if block.first_layer else CachedMaskedConv2D
        self.horizontal_conv = horizontal_conv(block.horizontal_conv, self.width)
        self.horizontal_output = CachedMaskedConv2D(block.horizontal_output, self.width)
        self.skip_output = CachedMaskedConv2D(block.skip_output, self.width)
        self.vertical_class_bias, self.horizontal_class_bias = (
            (dense(class_one_hot, as_float32(class_bias.kernel)) for class_bias in block.class_biases)
            if block.class_biases
            else (0.0, 0.0)
        )  # (B, 2p) each

    def initial_state(self, batch_size):
        vertical_features = self.vertical_kernel.shape[2]
        return (
            tf.zeros((batch_size, self.rows, self.width + 2 * self.pad, vertical_features)),
            tf.zeros((self.width, batch_size, self.link_kernel.shape[1])),
            self.horizontal_conv.initial_state(batch_size),
        )

    def start_row(self, state, row, vertical_above, horizontal_above=None):
        """Runs the vertical stack on the row above ``row``.

        Args:
          state: the block's state.
          row: the row about to start.
          vertical_above: ``[W, B, F]``, the block's vertical input at ``row - 1``.
          horizontal_above: ``[W, B, F]``, the first layer's horizontal input
            (the image) at ``row - 1``; unused by later layers.

        Returns:
          ``(state, vertical_output)``: the block's vertical output at ``row - 1``,
          ``[W, B, p]``, the next block's ``vertical_above``.
        """
        vertical_window, _, horizontal_window = state
        above = tf.cast(row > 0, tf.float32)  # Row -1 is zero padding.
        new_row = tf.pad(
            tf.transpose(vertical_above * above, (1, 0, 2)), ((0, 0), (self.pad, self.pad), (0, 0))
        )  # (B, W + 2 pad, F)
        vertical_window = tf.concat([vertical_window[:, 1:], new_row[:, None]], axis=1)
        features = tf.nn.conv2d(vertical_window, self.vertical_kernel, 1, "VALID")[:, 0]
        features = tf.transpose(features + self.vertical_bias, (1, 0, 2))  # (W, B, 2p)
        features = features + self.vertical_class_bias
        link = dense(features * above, self.link_kernel, self.link_bias)
        if self.first_layer:
            horizontal_window = self.horizontal_conv.start_row(horizontal_window, row, horizontal_above)
        else:
            horizontal_window = self.horizontal_conv.start_row(horizontal_window, row)
        vertical_output = gate(features)
        return (vertical_window, link, horizontal_window), vertical_output

    def step(self, state, horizontal, row, column):
        """``((horizontal_output, skip), state)`` at pixel ``(row, column)``.

        ``horizontal`` is the block's horizontal input: the pixel's features
        ``[B, F]``, or for the first layer the image's current row ``[W, B, C]``.
        """
        vertical_window, link, horizontal_window = state
        features, horizontal_window = self.horizontal_conv.step(
            horizontal_window, horizontal, row, column
        )
        gated = gate(features + link[column] + self.horizontal_class_bias)  # (B, p)
        output = self.horizontal_output.apply(gated)
        if not self.first_layer:
            output = horizontal + output
        return (output, self.skip_output.apply(gated)), (vertical_window, link, horizontal_window)
