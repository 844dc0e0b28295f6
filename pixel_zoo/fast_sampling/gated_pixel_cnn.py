"""A `GatedPixelCNN`, one pixel and channel at a time.

Example:
    >>> model = pz.models.build("gated_pixelcnn", (8, 8, 1), 2, num_classes=10)
    >>> network = CachedGatedPixelCNN(model, labels=tf.constant([3, 7]))
    >>> state = network.start_row(network.initial_state(batch_size=2), 0, row_above)
    >>> logits, state = network.step(state, row_pixels, 0, 0, 0)   # (2, 2)
"""

import tensorflow as tf

from pixel_zoo.fast_sampling.gated_block import CachedGatedPixelCNNBlock
from pixel_zoo.fast_sampling.network import CachedNetwork


class CachedGatedPixelCNN(CachedNetwork):
    """Incremental `GatedPixelCNN`: gated blocks, their skips plus the last horizontal output, logits.

    Args:
      model: a `pixel_zoo.models.GatedPixelCNN`.
      labels: int32 ``[B]`` classes if the model is class-conditional.
    """

    def __init__(self, model, labels=None):
        super().__init__(model, labels)
        class_one_hot = (
            tf.one_hot(labels, model.num_classes, dtype=tf.float32) if model.num_classes else None
        )
        self.blocks = [
            CachedGatedPixelCNNBlock(block, model.image_shape, class_one_hot)
            for block in model.blocks
        ]

    def initial_state(self, batch_size):
        block_states = tuple(block.initial_state(batch_size) for block in self.blocks)
        return block_states, self.model.logits_stack.step_weights()

    def start_row(self, state, row, previous_pixels):
        block_states, logits_weights = state
        image_above = self.scale_row_above(previous_pixels, row)  # (W, B, C)
        vertical, new_block_states = image_above, []
        for block, block_state in zip(self.blocks, block_states):
            block_state, vertical = block.start_row(block_state, row, vertical, image_above)
            new_block_states.append(block_state)
        return tuple(new_block_states), logits_weights

    def step(self, state, pixels, row, column, channel):
        block_states, logits_weights = state
        horizontal, skips, new_block_states = self.scale(pixels), 0.0, []
        for block, block_state in zip(self.blocks, block_states):
            (horizontal, skip), block_state = block.step(block_state, horizontal, row, column)
            skips += skip
            new_block_states.append(block_state)
        outputs = self.model.logits_stack.at_pixel(logits_weights, skips + horizontal, channel)
        return self.model.head.logits(outputs), (tuple(new_block_states), logits_weights)
