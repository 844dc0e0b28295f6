"""Residual blocks of the PixelCNN and PixelRNN stacks (PixelRNN, section 3.5 and figure 5)."""

import keras
import tensorflow as tf
from keras import ops

from pixel_zoo.layers.cached import CachedLayer, dense, float32
from pixel_zoo.layers.diagonal_bilstm import DiagonalBiLSTM
from pixel_zoo.layers.masked_conv2d import MaskedConv2D
from pixel_zoo.layers.row_lstm import RowLSTM


@keras.saving.register_keras_serializable(package="pixel_zoo")
class PixelCNNBlock(CachedLayer, keras.layers.Layer):
    """ReLU, 1x1 (2h -> h), ReLU, masked 3x3 (h -> h), ReLU, 1x1 (h -> 2h), plus the input.

    All three convolutions use mask B, so colour groups stay causal. Dropout,
    when training, comes before the last convolution (where PixelCNN++ puts it
    in its blocks): it drops features, one position at a time, so it cannot
    carry information from one position to another. Its cached path
    (`pixel_zoo.layers.cached`) is its convolutions' own.

    Args:
      hidden_units: ``h``; the block's input and output have ``2h`` features.
      color_channels: channels of the modelled image (1 or 3).
      kernel_size: size of the masked middle convolution (3 in the paper).
      dropout: rate of the dropout before the last convolution.

    Call arguments:
      inputs: ``[B, H, W, 2h]``.
      training: whether dropout is on.

    Example:
        >>> block = PixelCNNBlock(8, color_channels=3)
        >>> block(keras.ops.zeros((2, 6, 6, 16))).shape
        (2, 6, 6, 16)
        >>> state = block.start_row(block.initial_state(2, 6, 6), row=0)
        >>> block.step(state, tf.ones((2, 16)), row=0, column=0)[0].shape
        TensorShape([2, 16])
    """

    def __init__(self, hidden_units, color_channels=1, kernel_size=3, dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = hidden_units
        self.color_channels = color_channels
        self.kernel_size = kernel_size
        self.dropout = float(dropout)
        self.convs = [
            MaskedConv2D(hidden_units, 1, color_channels=color_channels, name="reduce"),
            MaskedConv2D(hidden_units, kernel_size, color_channels=color_channels, name="masked"),
            MaskedConv2D(2 * hidden_units, 1, color_channels=color_channels, name="expand"),
        ]
        self.dropout_layer = keras.layers.Dropout(self.dropout)

    def build(self, input_shape):
        shape = input_shape
        for conv in self.convs:
            conv.build(shape)
            shape = conv.compute_output_shape(shape)

    def start_as_identity(self):
        """Zeroes the last convolution: the block passes its input through unchanged."""
        self.convs[-1].zero_weights()

    def call(self, inputs, training=False):
        reduce, masked, expand = self.convs
        hidden = ops.relu(masked(ops.relu(reduce(ops.relu(inputs)))))
        return inputs + expand(self.dropout_layer(hidden, training=training))

    def initial_state(self, batch_size, height, width):
        return tuple(conv.initial_state(batch_size, height, width) for conv in self.convs)

    def start_row(self, state, row):
        return tuple(conv.start_row(conv_state, row) for conv, conv_state in zip(self.convs, state))

    def step(self, state, inputs, row, column):
        outputs, new_state = inputs, []
        for conv, conv_state in zip(self.convs, state):
            outputs, conv_state = conv.step(conv_state, tf.nn.relu(outputs), row, column)
            new_state.append(conv_state)
        return inputs + outputs, tuple(new_state)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "hidden_units": self.hidden_units,
            "color_channels": self.color_channels,
            "kernel_size": self.kernel_size,
            "dropout": self.dropout,
        }


RECURRENT_LAYERS = {"row_lstm": RowLSTM, "diagonal_bilstm": DiagonalBiLSTM}


@keras.saving.register_keras_serializable(package="pixel_zoo")
class PixelRNNBlock(CachedLayer, keras.layers.Layer):
    """A recurrent layer (h units) and a masked 1x1 convolution back to 2h, plus the input.

    Its cached path (`pixel_zoo.layers.cached`) is the recurrent layer's, then
    the 1x1 convolution at the pixel.

    Args:
      recurrent_layer: "row_lstm" or "diagonal_bilstm".
      hidden_units: ``h``; the block's input and output have ``2h`` features.
      color_channels: channels of the modelled image (1 or 3).

    Call arguments:
      inputs: ``[B, H, W, 2h]``.
      row_context: optional, passed on to a `DiagonalBiLSTM` (see there).

    Example:
        >>> block = PixelRNNBlock("diagonal_bilstm", 8)
        >>> block(keras.ops.zeros((2, 6, 6, 16))).shape
        (2, 6, 6, 16)
        >>> state = block.start_row(block.initial_state(2, 6, 6), row=0)
        >>> block.step(state, tf.ones((2, 16)), row=0, column=0)[0].shape
        TensorShape([2, 16])
    """

    def __init__(self, recurrent_layer, hidden_units, color_channels=1, **kwargs):
        super().__init__(**kwargs)
        if recurrent_layer not in RECURRENT_LAYERS:
            raise ValueError(
                f"recurrent_layer must be one of {sorted(RECURRENT_LAYERS)}, "
                f"got {recurrent_layer!r}."
            )
        self.recurrent_layer = recurrent_layer
        self.hidden_units = hidden_units
        self.color_channels = color_channels
        self.recurrent = RECURRENT_LAYERS[recurrent_layer](
            hidden_units, color_channels=color_channels, name=recurrent_layer
        )
        self.expand = MaskedConv2D(
            2 * hidden_units, 1, color_channels=color_channels, name="expand"
        )

    def build(self, inputs_shape, row_context_shape=None):
        context_shape = {} if row_context_shape is None else {"row_context_shape": row_context_shape}
        self.recurrent.build(inputs_shape, **context_shape)
        self.expand.build(self.recurrent.compute_output_shape(inputs_shape))

    def start_as_identity(self):
        """Zeroes the output convolution: the block passes its input through unchanged."""
        self.expand.zero_weights()

    def call(self, inputs, row_context=None):
        context = {} if row_context is None else {"row_context": row_context}
        return inputs + self.expand(self.recurrent(inputs, **context))

    def initial_state(self, batch_size, height, width):
        return tuple(layer.initial_state(batch_size, height, width)
                     for layer in (self.recurrent, self.expand))

    def start_row(self, state, row, **context):
        recurrent_state, expand_state = state
        return self.recurrent.start_row(recurrent_state, row, **context), expand_state

    def step(self, state, inputs, row, column):
        recurrent_state, expand_state = state
        hidden, recurrent_state = self.recurrent.step(recurrent_state, inputs, row, column)
        outputs, expand_state = self.expand.step(expand_state, hidden, row, column)
        return inputs + outputs, (recurrent_state, expand_state)

    def compute_output_shape(self, inputs_shape, row_context_shape=None):
        return inputs_shape

    def get_config(self):
        return {
            **super().get_config(),
            "recurrent_layer": self.recurrent_layer,
            "hidden_units": self.hidden_units,
            "color_channels": self.color_channels,
        }


@keras.saving.register_keras_serializable(package="pixel_zoo")
class LogitsStack(keras.layers.Layer):
    """The output of every family: ReLU, masked 1x1, ReLU, masked 1x1 to the head's inputs.

    Args:
      output_units: width of the hidden 1x1 layer (1024 in the paper's CIFAR models).
      color_channels: channels of the modelled image.
      channel_outputs: outputs per channel: the head's ``units`` (for the papers'
        softmax, the values per channel: 2 for binary data, 256 for 8-bit).

    Call arguments:
      inputs: ``[B, H, W, F]``.

    Returns:
      ``[B, H, W, color_channels * channel_outputs]``, channel-major (R's first).

    Example:
        >>> stack = LogitsStack(32, color_channels=3, channel_outputs=256)
        >>> stack(keras.ops.zeros((2, 4, 4, 16))).shape
        (2, 4, 4, 768)
        >>> weights = stack.step_weights()   # once, for every pixel
        >>> stack.at_pixel(weights, tf.ones((2, 16)), channel=1).shape   # a pixel's green outputs
        TensorShape([2, 256])
    """

    def __init__(self, output_units, color_channels=1, channel_outputs=256, **kwargs):
        super().__init__(**kwargs)
        self.output_units = output_units
        self.color_channels = color_channels
        self.channel_outputs = channel_outputs
        self.hidden = MaskedConv2D(output_units, 1, color_channels=color_channels, name="hidden")
        # float32 even under mixed precision: float16 would quantize a mixture head's means
        # and log-scales (a bin of 8-bit data is 0.008 wide) before the head reads them.
        self.logits = MaskedConv2D(
            color_channels * channel_outputs, 1, color_channels=color_channels, name="logits",
            dtype="float32",
        )

    def build(self, input_shape):
        self.hidden.build(input_shape)
        self.logits.build(self.hidden.compute_output_shape(input_shape))

    def call(self, inputs):
        return self.logits(ops.relu(self.hidden(ops.relu(inputs))))

    def step_weights(self):
        """The float32 weights that `at_pixel` multiplies, prepared once.

        ``(hidden, kernel, bias)``: the hidden layer's `MaskedConv2D.step_weights`,
        and the last kernel ``[C, F, U]`` and bias ``[C, U]`` by channel.
        """
        shape = (self.color_channels, self.channel_outputs)
        kernel = tf.reshape(float32(self.logits.masked_kernel()), (-1, *shape))  # (F, C, U)
        return (self.hidden.step_weights(), tf.transpose(kernel, (1, 0, 2)),
                tf.reshape(float32(self.logits.bias), shape))

    def at_pixel(self, weights, features, channel):
        """The outputs ``[B, channel_outputs]`` of ``channel`` at a pixel, from ``features [B, F]``.

        ``weights`` are `step_weights`. Only that channel's columns of the last
        kernel are used: the sampler draws a pixel's channels one at a time.
        """
        hidden_weights, kernel, bias = weights
        hidden = tf.nn.relu(dense(tf.nn.relu(features), *hidden_weights))
        return dense(hidden, kernel[channel], bias[channel])

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.color_channels * self.channel_outputs)

    def get_config(self):
        return {
            **super().get_config(),
            "output_units": self.output_units,
            "color_channels": self.color_channels,
            "channel_outputs": self.channel_outputs,
        }
