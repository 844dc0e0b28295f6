"""The gated layer of the Gated PixelCNN: a vertical and a horizontal stack without a blind spot."""

import keras
import tensorflow as tf
from keras import ops

from pixel_zoo.layers.cached import dense, float32
from pixel_zoo.layers.masked_conv2d import MaskedConv2D


def shift_down(inputs):
    """Moves a ``[B, H, W, F]`` map one row down (zeros in row 0), so row i sees rows < i."""
    return ops.pad(inputs, ((0, 0), (1, 0), (0, 0), (0, 0)))[:, :-1]


def gate(features):
    """``tanh(a) * sigmoid(b)`` for ``features = [a | b]`` split on the last axis."""
    values, gates = ops.split(features, 2, axis=-1)
    return ops.tanh(values) * ops.sigmoid(gates)


@keras.saving.register_keras_serializable(package="pixel_zoo")
class GatedPixelCNNBlock(keras.layers.Layer):
    """One gated layer: vertical stack, horizontal stack and the link between them.

    The vertical stack convolves ``kernel_size // 2 + 1`` rows (the current one
    and those above) across ``kernel_size`` columns, so at row ``i`` it sees
    rows ``<= i``; it reaches the horizontal stack only shifted down one row.
    The horizontal stack convolves the current row up to the current pixel
    (mask A in the first layer, B after, with the colour groups of
    `MaskedConv2D`). Both use gated activations, ``tanh(W_f x) * sigmoid(W_g x)``,
    with an optional per-class bias in every gate. The horizontal output has a
    residual connection (not in the first layer) and a skip output.

    Its cached path (states as in `pixel_zoo.layers.cached`): as the vertical
    stack reaches the horizontal one a row later, `start_row` computes it on
    the complete row above, block after block (each block's vertical output is
    the next one's input); each pixel's `step` runs the horizontal stack, the
    masked convolution's step plus the vertical stack's share.

    Args:
      hidden_units: features of each stack (``p`` in the paper).
      kernel_size: odd; 7 for the first layer, 3 after.
      first_layer: True for the layer that reads the image (mask A, no residual).
      color_channels: channels of the modelled image.
      num_classes: if set, a one-hot class adds a learned bias to every gate.

    Call arguments:
      vertical, horizontal: ``[B, H, W, F]`` (the scaled image for the first layer).
      class_one_hot: ``[B, num_classes]`` or None.

    Returns:
      ``(vertical, horizontal, skip)``, each ``[B, H, W, hidden_units]``.

    Example:
        >>> block = GatedPixelCNNBlock(8, 7, first_layer=True, color_channels=3)
        >>> image = keras.ops.zeros((2, 6, 6, 3))
        >>> [x.shape for x in block(image, image)]
        [(2, 6, 6, 8), (2, 6, 6, 8), (2, 6, 6, 8)]
        >>> state, vertical = block.start_row(block.initial_state(2, 6, 6), 0, tf.zeros((6, 2, 3)))
        >>> (horizontal, skip), state = block.step(state, tf.ones((6, 2, 3)), 0, 0)   # (2, 8) each

    Reference: van den Oord et al., "Conditional Image Generation with PixelCNN
    Decoders", 2016.
    """

    def __init__(
        self, hidden_units, kernel_size=3, first_layer=False, color_channels=1,
        num_classes=None, **kwargs,
    ):
        super().__init__(**kwargs)
        if kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd, got {kernel_size}.")
        self.hidden_units = hidden_units
        self.kernel_size = kernel_size
        self.first_layer = first_layer
        self.color_channels = color_channels
        self.num_classes = num_classes
        gate_features = 2 * hidden_units
        self.vertical_conv = keras.layers.Conv2D(
            gate_features, (kernel_size // 2 + 1, kernel_size), name="vertical_conv"
        )
        self.horizontal_conv = MaskedConv2D(
            gate_features, (1, kernel_size), mask_type="A" if first_layer else "B",
            color_channels=color_channels, out_blocks=2, name="horizontal_conv",
        )
        # Rows above are entirely in the past: no colour mask on this link.
        self.vertical_to_horizontal = keras.layers.Dense(gate_features, name="vertical_to_horizontal")
        self.horizontal_output = MaskedConv2D(
            hidden_units, 1, color_channels=color_channels, name="horizontal_output"
        )
        self.skip_output = MaskedConv2D(
            hidden_units, 1, color_channels=color_channels, name="skip_output"
        )
        self.class_biases = (
            [
                keras.layers.Dense(gate_features, use_bias=False, name=f"{stack}_class_bias")
                for stack in ("vertical", "horizontal")
            ]
            if num_classes
            else []
        )

    def build(self, vertical_shape, horizontal_shape, class_one_hot_shape=None):
        gate_shape = (*vertical_shape[:-1], 2 * self.hidden_units)
        batch, height, width, features = vertical_shape
        half = self.kernel_size // 2
        self.vertical_conv.build((batch, height + half, width + 2 * half, features))
        self.horizontal_conv.build(horizontal_shape)
        self.vertical_to_horizontal.build(gate_shape)
        gated_shape = (*horizontal_shape[:-1], self.hidden_units)
        self.horizontal_output.build(gated_shape)
        self.skip_output.build(gated_shape)
        for class_bias in self.class_biases:
            class_bias.build((None, self.num_classes))

    def _vertical_features(self, vertical):
        half = self.kernel_size // 2
        padded = ops.pad(vertical, ((0, 0), (half, 0), (half, half), (0, 0)))
        return self.vertical_conv(padded)  # (B, H, W, 2p): rows i - half .. i

    def start_as_identity(self):
        """Zeroes the horizontal and skip outputs: the block adds nothing to either.

        Its horizontal output is then its horizontal input (the residual connection)
        and its skip output zero, so a stack with the block appended computes what it
        did without it. The first layer has no residual connection.
        """
        if self.first_layer:
            raise ValueError("the first gated layer has no residual connection to pass through.")
        self.horizontal_output.zero_weights()
        self.skip_output.zero_weights()

    def call(self, vertical, horizontal, class_one_hot=None):
        vertical_features = self._vertical_features(vertical)
        horizontal_features = self.horizontal_conv(horizontal)
        if self.class_biases:
            vertical_bias, horizontal_bias = (
                class_bias(class_one_hot)[:, None, None, :] for class_bias in self.class_biases
            )
            vertical_features = vertical_features + vertical_bias
            horizontal_features = horizontal_features + horizontal_bias
        horizontal_features = horizontal_features + self.vertical_to_horizontal(
            shift_down(vertical_features)
        )
        gated = gate(horizontal_features)
        horizontal_out = self.horizontal_output(gated)
        if not self.first_layer:
            horizontal_out = horizontal + horizontal_out
        return gate(vertical_features), horizontal_out, self.skip_output(gated)

    def initial_state(self, batch_size, height, width, class_one_hot=None):
        """``(constants, vertical_window, link, horizontal_state)`` before the first row.

        ``constants``, prepared once: the states of the two 1x1 output
        convolutions and, for a class-conditional block, the class biases of
        the two stacks, ``[B, 2p]`` each, from float32 ``class_one_hot``
        ``[B, num_classes]``. Then the last ``k // 2 + 1`` rows of the vertical
        input ``[B, rows, W + k - 1, F]``, the vertical stack's share of this
        row's horizontal gates ``[W, B, 2p]``, and the horizontal convolution's state.
        """
        half = self.kernel_size // 2
        features = self.vertical_conv.kernel.shape[2]
        outputs = tuple(conv.initial_state(batch_size, height, width)
                        for conv in (self.horizontal_output, self.skip_output))
        class_biases = tuple(
            dense(class_one_hot, float32(class_bias.kernel)) for class_bias in self.class_biases)
        return (
            (outputs, class_biases),
            tf.zeros((batch_size, half + 1, width + 2 * half, features)),
            tf.zeros((width, batch_size, 2 * self.hidden_units)),
            self.horizontal_conv.initial_state(batch_size, height, width),
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
        constants, vertical_window, _, horizontal_state = state
        _, class_biases = constants
        half = self.kernel_size // 2
        above = tf.cast(row > 0, tf.float32)  # Row -1 is zero padding.
        new_row = tf.pad(
            tf.transpose(vertical_above * above, (1, 0, 2)), ((0, 0), (half, half), (0, 0))
        )  # (B, W + 2 half, F)
        vertical_window = tf.concat([vertical_window[:, 1:], new_row[:, None]], axis=1)
        features = tf.nn.conv2d(vertical_window, float32(self.vertical_conv.kernel), 1, "VALID")
        features = features[:, 0] + float32(self.vertical_conv.bias)
        features = tf.transpose(features, (1, 0, 2))  # (W, B, 2p)
        if class_biases:
            features = features + class_biases[0]
        link = dense(features * above, float32(self.vertical_to_horizontal.kernel),
                     float32(self.vertical_to_horizontal.bias))
        horizontal_state = self.horizontal_conv.start_row(
            horizontal_state, row, horizontal_above if self.first_layer else None)
        return (constants, vertical_window, link, horizontal_state), gate(features)

    def step(self, state, horizontal, row, column):
        """``((horizontal_output, skip), state)`` at pixel ``(row, column)``.

        ``horizontal`` is the block's horizontal input: the pixel's features
        ``[B, F]``, or for the first layer the image's current row ``[W, B, C]``.
        """
        constants, vertical_window, link, horizontal_state = state
        (output_state, skip_state), class_biases = constants
        features, horizontal_state = self.horizontal_conv.step(
            horizontal_state, horizontal, row, column)
        features = features + link[column]
        if class_biases:
            features = features + class_biases[1]
        gated = gate(features)  # (B, p)
        output, _ = self.horizontal_output.step(output_state, gated, row, column)
        if not self.first_layer:
            output = horizontal + output
        skip, _ = self.skip_output.step(skip_state, gated, row, column)
        return (output, skip), (constants, vertical_window, link, horizontal_state)

    def compute_output_shape(self, vertical_shape, horizontal_shape, class_one_hot_shape=None):
        shape = (*vertical_shape[:-1], self.hidden_units)
        return shape, shape, shape

    def get_config(self):
        return {
            **super().get_config(),
            "hidden_units": self.hidden_units,
            "kernel_size": self.kernel_size,
            "first_layer": self.first_layer,
            "color_channels": self.color_channels,
            "num_classes": self.num_classes,
        }
