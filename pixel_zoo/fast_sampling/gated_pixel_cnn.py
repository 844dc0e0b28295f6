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
from pixel_zoo.fast_sampling.residual_blocks import CachedLogitsStack


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
        self.logits_stack = CachedLogitsStack(model.logits_stack, model.head)

    def initial_state(self, batch_size):
        return tuple(block.initial_state(batch_size) for block in self.blocks)

    def start_row(self, state, row, previous_pixels):
        image_above = self.scale_row_above(previous_pixels, row)  # (W, B, C)
        vertical, new_state = image_above, []
        for block, block_state in zip(self.blocks, state):
            block_state, vertical = block.start_row(block_state, row, vertical, image_above)
            new_state.append(block_state)
        return tuple(new_state)

    def step(self, state, pixels, row, column, channel):
        horizontal, skips, new_state = self.scale(pixels), 0.0, []
        for block, block_state in zip(self.blocks, state):
            (horizontal, skip), block_state = block.step(block_state, horizontal, row, column)
            skips += skip
            new_state.append(block_state)
        return self.logits_stack(skips + horizontal, channel), tuple(new_state)
