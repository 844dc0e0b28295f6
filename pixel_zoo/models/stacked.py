"""The shape PixelCNN and PixelRNN share: a 7x7 mask-A convolution, residual blocks, logits."""

from pixel_zoo.fast_sampling.network import CachedNetwork
from pixel_zoo.layers import LogitsStack, MaskedConv2D
from pixel_zoo.layers.cached import CachedLayer
from pixel_zoo.models.base import AutoregressiveImageModel


class CachedStackedModel(CachedNetwork):
    """A `StackedModel` one pixel and channel at a time, from its layers' cached paths.

    The input convolution reads the image, whose rows the sampling loop holds;
    the blocks and the logits stack run at the pixel (`pixel_zoo.layers.cached`).

    Example:
        >>> network = CachedStackedModel(pz.models.build("pixelcnn", (8, 8, 1), 2))
        >>> state = network.start_row(network.initial_state(2), 0, tf.zeros((8, 2, 1), tf.int32))
        >>> logits, state = network.step(state, tf.zeros((8, 2, 1), tf.int32), 0, 0, 0)   # (2, 2)
    """

    @classmethod
    def supports(cls, model):
        """Whether every block has a cached path."""
        return all(isinstance(block, CachedLayer) for block in model.blocks)

    def initial_state(self, batch_size):
        height, width = self.model.image_shape[:2]
        return (
            self.model.input_conv.initial_state(batch_size, height, width),
            tuple(block.initial_state(batch_size, height, width) for block in self.model.blocks),
            self.model.logits_stack.step_weights(),
        )

    def start_row(self, state, row, previous_pixels):
        input_state, block_states, logits_weights = state
        inputs_above = self.scale_row_above(previous_pixels, row)  # (W, B, C)
        input_state = self.model.input_conv.start_row(input_state, row, inputs_above)
        block_states = tuple(
            block.start_row(block_state, row, **self.model.block_context(index, inputs_above))
            for index, (block, block_state) in enumerate(zip(self.model.blocks, block_states))
        )
        return input_state, block_states, logits_weights

    def step(self, state, pixels, row, column, channel):
        input_state, block_states, logits_weights = state
        features, input_state = self.model.input_conv.step(
            input_state, self.scale(pixels), row, column)
        new_block_states = []
        for block, block_state in zip(self.model.blocks, block_states):
            features, block_state = block.step(block_state, features, row, column)
            new_block_states.append(block_state)
        outputs = self.model.logits_stack.at_pixel(logits_weights, features, channel)
        state = (input_state, tuple(new_block_states), logits_weights)
        return self.model.head.logits(outputs), state


class StackedModel(AutoregressiveImageModel):
    """A mask-A input convolution to ``2h`` features, ``num_layers`` residual blocks, logits.

    Subclasses say which block to stack in `make_block`.

    Args:
      image_shape: ``(height, width, channels)``.
      num_levels: values per channel.
      num_layers: residual blocks.
      hidden_units: ``h``; the stack carries ``2h`` features.
      output_units: width of the hidden 1x1 output layer (default ``2h``).
    """

    cached_network = CachedStackedModel

    def __init__(
        self, image_shape, num_levels, num_layers, hidden_units, output_units=None, **kwargs
    ):
        super().__init__(image_shape, num_levels, **kwargs)
        if self.num_classes:
            raise ValueError(
                "class conditioning (num_classes) is supported by gated_pixelcnn and "
                "pixelcnn_pp only."
            )
        self.num_layers = num_layers
        self.hidden_units = hidden_units
        self.output_units = output_units or 2 * hidden_units
        self.input_conv = MaskedConv2D(
            2 * hidden_units, 7, mask_type="A", color_channels=self.color_channels,
            name="input_conv",
        )
        self.blocks = [self.make_block(f"block_{index}") for index in range(num_layers)]
        self.logits_stack = LogitsStack(
            self.output_units, color_channels=self.color_channels,
            channel_outputs=self.head.units, name="logits_stack",
        )
        self.build()

    def make_block(self, name):
        """A residual block from ``2h`` to ``2h`` features."""
        raise NotImplementedError

    def block_context(self, index, inputs):
        """Extra keyword arguments of block ``index``.

        Called with the model's scaled inputs when running, and with their
        shape when building (the arguments then become ``<name>_shape``).
        """
        return {}

    def build_network(self, input_shape):
        self.input_conv.build(input_shape)
        features_shape = self.input_conv.compute_output_shape(input_shape)
        for index, block in enumerate(self.blocks):
            context = self.block_context(index, input_shape)
            block.build(features_shape, **{f"{key}_shape": value for key, value in context.items()})
        self.logits_stack.build(features_shape)

    def compute_outputs(self, inputs, training=False):
        features = self.input_conv(inputs)
        for index, block in enumerate(self.blocks):
            # Keras passes `training` on to the blocks that take it (those with dropout).
            features = block(features, training=training, **self.block_context(index, inputs))
        return self.logits_stack(features)

    def get_config(self):
        return {
            **super().get_config(),
            "num_layers": self.num_layers,
            "hidden_units": self.hidden_units,
            "output_units": self.output_units,
        }
