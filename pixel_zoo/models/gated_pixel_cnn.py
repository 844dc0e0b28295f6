"""Gated PixelCNN: two stacks without the blind spot, gated units, optional class conditioning."""

import keras
import tensorflow as tf

from pixel_zoo.fast_sampling.network import CachedNetwork
from pixel_zoo.layers import GatedPixelCNNBlock, LogitsStack
from pixel_zoo.models.base import AutoregressiveImageModel


class CachedGatedPixelCNN(CachedNetwork):
    """A `GatedPixelCNN` one pixel and channel at a time, from its blocks' cached paths.

    Each row starts with the vertical stacks of every block on the row above;
    each pixel runs the horizontal stacks, and the logits stack on their skips
    plus the last horizontal output (see `GatedPixelCNNBlock`).

    Example:
        >>> model = pz.models.build("gated_pixelcnn", (8, 8, 1), 2, num_classes=10)
        >>> network = CachedGatedPixelCNN(model, labels=tf.constant([3, 7]))
        >>> state = network.start_row(network.initial_state(2), 0, tf.zeros((8, 2, 1), tf.int32))
        >>> logits, state = network.step(state, tf.zeros((8, 2, 1), tf.int32), 0, 0, 0)   # (2, 2)
    """

    def initial_state(self, batch_size):
        model = self.model
        class_one_hot = (
            tf.one_hot(self.labels, model.num_classes, dtype=tf.float32) if model.num_classes
            else None
        )
        block_states = tuple(
            block.initial_state(batch_size, *model.image_shape[:2], class_one_hot)
            for block in model.blocks
        )
        return block_states, model.logits_stack.step_weights()

    def start_row(self, state, row, previous_pixels):
        block_states, logits_weights = state
        image_above = self.scale_row_above(previous_pixels, row)  # (W, B, C)
        vertical, new_block_states = image_above, []
        for block, block_state in zip(self.model.blocks, block_states):
            block_state, vertical = block.start_row(block_state, row, vertical, image_above)
            new_block_states.append(block_state)
        return tuple(new_block_states), logits_weights

    def step(self, state, pixels, row, column, channel):
        block_states, logits_weights = state
        horizontal, skips, new_block_states = self.scale(pixels), 0.0, []
        for block, block_state in zip(self.model.blocks, block_states):
            (horizontal, skip), block_state = block.step(block_state, horizontal, row, column)
            skips += skip
            new_block_states.append(block_state)
        outputs = self.model.logits_stack.at_pixel(logits_weights, skips + horizontal, channel)
        return self.model.head.logits(outputs), (tuple(new_block_states), logits_weights)


@keras.saving.register_keras_serializable(package="pixel_zoo")
class GatedPixelCNN(AutoregressiveImageModel):
    """A 7x7 gated first layer, ``num_layers - 1`` gated 3x3 layers, skip connections, logits.

    The logits stack reads the sum of every layer's skip output and the last
    horizontal output.

    Args:
      image_shape: ``(height, width, channels)``.
      num_levels: values per channel.
      num_layers: gated layers, the first included (15 in the paper's experiments).
      hidden_units: features per stack (``p``).
      output_units: width of the hidden 1x1 output layer (default ``2p``).
      num_classes: if set, the model is class-conditional: every call takes
        ``labels`` (int ``[B]`` in ``[0, num_classes)``).

    Example:
        >>> model = GatedPixelCNN((28, 28, 1), 256, num_layers=5, hidden_units=32, num_classes=10)
        >>> lp = model.log_prob(digits, labels=digit_labels)
        >>> sevens = model.sample(4, seed=1, labels=[7, 7, 7, 7])

    Reference: van den Oord et al., "Conditional Image Generation with PixelCNN
    Decoders", 2016.
    """

    cached_network = CachedGatedPixelCNN

    def __init__(
        self, image_shape, num_levels, num_layers=15, hidden_units=32, output_units=None,
        num_classes=None, **kwargs,
    ):
        super().__init__(image_shape, num_levels, num_classes=num_classes, **kwargs)
        self.num_layers = num_layers
        self.hidden_units = hidden_units
        self.output_units = output_units or 2 * hidden_units
        self.blocks = [
            GatedPixelCNNBlock(
                hidden_units, kernel_size=7 if index == 0 else 3, first_layer=index == 0,
                color_channels=self.color_channels, num_classes=num_classes,
                name=f"gated_{index}",
            )
            for index in range(num_layers)
        ]
        self.logits_stack = LogitsStack(
            self.output_units, color_channels=self.color_channels,
            channel_outputs=self.head.units, name="logits_stack",
        )
        self.build()

    def build_network(self, input_shape):
        class_shape = (None, self.num_classes) if self.num_classes else None
        vertical_shape = horizontal_shape = input_shape
        for block in self.blocks:
            block.build(vertical_shape, horizontal_shape, class_shape)
            vertical_shape, horizontal_shape, _ = block.compute_output_shape(
                vertical_shape, horizontal_shape
            )
        self.logits_stack.build(horizontal_shape)

    def compute_outputs(self, inputs, class_one_hot=None, training=False):
        vertical = horizontal = inputs
        skips = 0.0
        for block in self.blocks:
            vertical, horizontal, skip = block(vertical, horizontal, class_one_hot)
            skips = skips + skip
        # The last vertical output has no reader: the stack ends in the horizontal one.
        return self.logits_stack(skips + horizontal)

    def get_config(self):
        return {
            **super().get_config(),
            "num_layers": self.num_layers,
            "hidden_units": self.hidden_units,
            "output_units": self.output_units,
        }
