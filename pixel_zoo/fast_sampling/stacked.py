"""A `StackedModel` (PixelCNN, Row LSTM, Diagonal BiLSTM PixelRNN), one pixel and channel at a time.

Example:
    >>> network = CachedStackedModel(pz.models.build("pixelcnn", (8, 8, 1), 2))
    >>> state = network.initial_state(batch_size=2)
    >>> state = network.start_row(state, 0, tf.zeros((8, 2, 1), tf.int32))
    >>> logits, state = network.step(state, tf.zeros((8, 2, 1), tf.int32), 0, 0, 0)   # (2, 2)
"""

from pixel_zoo.fast_sampling.masked_conv2d import CachedImageConv2D
from pixel_zoo.fast_sampling.network import CachedNetwork
from pixel_zoo.fast_sampling.residual_blocks import (
    RECURRENT_LAYERS, CachedLogitsStack, CachedPixelCNNBlock, CachedPixelRNNBlock,
)
from pixel_zoo.layers import PixelCNNBlock, PixelRNNBlock

BLOCKS = {PixelCNNBlock: CachedPixelCNNBlock, PixelRNNBlock: CachedPixelRNNBlock}


class CachedStackedModel(CachedNetwork):
    """Incremental `StackedModel`: input convolution, residual blocks, logits stack.

    Args:
      model: a `pixel_zoo.models.stacked.StackedModel` that `supports` accepts.
      labels: unused (stacked models are unconditional).
    """

    def __init__(self, model, labels=None):
        super().__init__(model, labels)
        width = model.image_shape[1]
        self.input_conv = CachedImageConv2D(model.input_conv, width)
        self.blocks = [BLOCKS[type(block)](block, model.image_shape) for block in model.blocks]
        self.logits_stack = CachedLogitsStack(model.logits_stack, model.head)

    @classmethod
    def supports(cls, model):
        """Whether every block has a cached version."""
        return all(
            type(block) in BLOCKS
            and (type(block) is not PixelRNNBlock or type(block.recurrent) in RECURRENT_LAYERS)
            for block in model.blocks
        )

    def initial_state(self, batch_size):
        return (
            self.input_conv.initial_state(batch_size),
            tuple(block.initial_state(batch_size) for block in self.blocks),
        )

    def start_row(self, state, row, previous_pixels):
        input_window, block_states = state
        previous_inputs = self.scale_row_above(previous_pixels, row)  # (W, B, C)
        input_window = self.input_conv.start_row(input_window, row, previous_inputs)
        block_states = tuple(
            block.start_row(block_state, row, **self.model.block_context(index, previous_inputs))
            for index, (block, block_state) in enumerate(zip(self.blocks, block_states))
        )
        return input_window, block_states

    def step(self, state, pixels, row, column, channel):
        input_window, block_states = state
        features, input_window = self.input_conv.step(
            input_window, self.scale(pixels), row, column
        )
        new_block_states = []
        for block, block_state in zip(self.blocks, block_states):
            features, block_state = block.step(block_state, features, row, column)
            new_block_states.append(block_state)
        logits = self.logits_stack(features, channel)
        return logits, (input_window, tuple(new_block_states))
