"""The residual blocks and the logits stack of `pixel_zoo.layers.residual_blocks`, one pixel at a time.

Example:
    >>> block = CachedPixelCNNBlock(model.blocks[0], model.image_shape)
    >>> state = block.start_row(block.initial_state(batch_size=2), row=0)
    >>> features, state = block.step(state, features, row=0, column=0)   # (2, 2h)
"""

import tensorflow as tf

from pixel_zoo.fast_sampling.cached_layer import CachedSequence, as_float32, dense
from pixel_zoo.fast_sampling.diagonal_bilstm import CachedDiagonalBiLSTM
from pixel_zoo.fast_sampling.masked_conv2d import CachedMaskedConv2D
from pixel_zoo.fast_sampling.row_lstm import CachedRowLSTM
from pixel_zoo.layers import DiagonalBiLSTM, RowLSTM

RECURRENT_LAYERS = {RowLSTM: CachedRowLSTM, DiagonalBiLSTM: CachedDiagonalBiLSTM}


class CachedPixelCNNBlock(CachedSequence):
    """Incremental `PixelCNNBlock`: its three masked convolutions, each after a ReLU.

    Args:
      block: a built `pixel_zoo.layers.PixelCNNBlock`.
      image_shape: ``(height, width, channels)`` of the model.
    """

    def __init__(self, block, image_shape):
        self.children = [CachedMaskedConv2D(conv, image_shape[1]) for conv in block.convs]

    def step(self, state, inputs, row, column):
        outputs, new_state = inputs, []
        for conv, conv_state in zip(self.children, state):
            outputs, conv_state = conv.step(conv_state, tf.nn.relu(outputs), row, column)
            new_state.append(conv_state)
        return inputs + outputs, tuple(new_state)


class CachedPixelRNNBlock(CachedSequence):
    """Incremental `PixelRNNBlock`: the recurrent layer, then a masked 1x1 back to ``2h``.

    Args:
      block: a built `pixel_zoo.layers.PixelRNNBlock`.
      image_shape: ``(height, width, channels)`` of the model.
    """

    def __init__(self, block, image_shape):
        recurrent = RECURRENT_LAYERS[type(block.recurrent)](block.recurrent, image_shape)
        self.children = [recurrent, CachedMaskedConv2D(block.expand, image_shape[1])]

    def start_row(self, state, row, **context):
        recurrent, expand = self.children
        return recurrent.start_row(state[0], row, **context), expand.start_row(state[1], row)

    def step(self, state, inputs, row, column):
        recurrent, expand = self.children
        hidden, recurrent_state = recurrent.step(state[0], inputs, row, column)
        outputs, expand_state = expand.step(state[1], hidden, row, column)
        return inputs + outputs, (recurrent_state, expand_state)


class CachedLogitsStack:
    """`LogitsStack` and the head at one pixel: ReLU, masked 1x1, ReLU, masked 1x1, logits.

    Only the requested channel's columns of the last kernel are used: a pixel's
    channels are drawn one at a time.

    Args:
      stack: a built `pixel_zoo.layers.LogitsStack`.
      head: the model's head (`pixel_zoo.heads`), which turns the stack's
        outputs into logits.
    """

    def __init__(self, stack, head):
        self.hidden = CachedMaskedConv2D(stack.hidden, width=1)
        self.head = head
        channels, units = stack.color_channels, stack.channel_outputs
        kernel = as_float32(stack.logits.kernel) * stack.logits.mask  # (1, 1, F, C * U)
        self.kernel = tf.transpose(tf.reshape(kernel, (-1, channels, units)), (1, 0, 2))  # (C, F, U)
        self.bias = tf.reshape(as_float32(stack.logits.bias), (channels, units))  # (C, U)

    def __call__(self, features, channel):
        """Logits ``[B, L]`` of ``channel`` from the pixel's ``features`` ``[B, F]``."""
        hidden = tf.nn.relu(self.hidden.apply(tf.nn.relu(features)))
        return self.head.logits(dense(hidden, self.kernel[channel], self.bias[channel]))
