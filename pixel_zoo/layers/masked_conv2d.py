"""Masked 2-D convolution: the causal building block of PixelCNN and PixelRNN."""

import keras
import tensorflow as tf
from keras import ops

from pixel_zoo.layers import masks
from pixel_zoo.layers.cached import CachedLayer, dense, float32


@keras.saving.register_keras_serializable(package="pixel_zoo")
class MaskedConv2D(CachedLayer, keras.layers.Layer):
    """Conv2D whose kernel cannot see the future in raster + RGB order.

    The mask (see `pixel_zoo.layers.masks`) multiplies the kernel in the
    forward pass, so the stored weights stay plain and the layer behaves the
    same under every `tf.distribute` strategy.

    Its cached path (`pixel_zoo.layers.cached`): the mask hides the rows below
    a pixel and the pixels right of it, so the pixel's output needs only the
    ``kh // 2`` input rows above it and its own row up to itself. The state is
    `step_weights` and that window, ``[kh // 2 + 1, W + kw - 1, B, F_in]``
    (rows above first), zero-padded left and right like "same" padding; a 1x1
    convolution has none. Inputs come pixel by pixel, or, for a first layer
    reading the image (which the sampling loop holds), as the whole current row.

    Args:
      filters: output features.
      kernel_size: int or ``(kh, kw)``, odd.
      mask_type: "A" for the first layer (reads the image), "B" afterwards.
      color_channels: channels of the modelled image (1 or 3); features are
        split into this many colour groups.
      out_blocks: the output is this many equal blocks, each split into
        colour groups (e.g. 4 for the gates of an LSTM).
      use_bias: whether to add a bias.
      kernel_initializer, bias_initializer: Keras initializers.

    Call arguments:
      inputs: float ``[B, H, W, in_features]``.

    Returns:
      ``[B, H, W, filters]``.

    Example:
        >>> layer = MaskedConv2D(16, 7, mask_type="A", color_channels=3)
        >>> layer(keras.ops.zeros((2, 8, 8, 3))).shape
        (2, 8, 8, 16)
        >>> state = layer.start_row(layer.initial_state(2, 8, 8), 0, tf.zeros((8, 2, 3)))
        >>> layer.step(state, tf.ones((8, 2, 3)), 0, 5)[0].shape   # the row so far, whole
        TensorShape([2, 16])

    Reference: van den Oord et al., "Pixel Recurrent Neural Networks", 2016.
    """

    def __init__(
        self,
        filters,
        kernel_size,
        mask_type="B",
        color_channels=1,
        out_blocks=1,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if mask_type not in masks.MASK_TYPES:
            raise ValueError(
                f"mask_type must be one of {masks.MASK_TYPES}, got {mask_type!r}."
            )
        self.filters = filters
        self.kernel_size = (
            (kernel_size, kernel_size)
            if isinstance(kernel_size, int)
            else tuple(kernel_size)
        )
        self.mask_type = mask_type
        self.color_channels = color_channels
        self.out_blocks = out_blocks
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)

    def build(self, input_shape):
        in_features = input_shape[-1]
        self.mask = masks.causal_kernel_mask(
            self.kernel_size,
            in_features,
            self.filters,
            self.color_channels,
            self.mask_type,
            self.out_blocks,
        )
        self.kernel = self.add_weight(
            name="kernel",
            shape=self.mask.shape,
            initializer=self.kernel_initializer,
        )
        self.bias = (
            self.add_weight(
                name="bias", shape=(self.filters,), initializer=self.bias_initializer
            )
            if self.use_bias
            else None
        )

    def zero_weights(self):
        """Sets the kernel and bias to zero, so the layer outputs zeros until trained.

        A residual block whose last convolution is zeroed passes its input through
        unchanged (`pixel_zoo.training.deepening` appends such blocks to a trained stack).
        """
        for variable in (self.kernel, self.bias):
            if variable is not None:
                variable.assign(ops.zeros_like(variable))

    def masked_kernel(self):
        """The kernel times the mask: what the layer convolves with."""
        return self.kernel * ops.cast(self.mask, self.kernel.dtype)

    def call(self, inputs):
        outputs = ops.conv(inputs, self.masked_kernel(), strides=1, padding="same")
        if self.bias is not None:
            outputs = outputs + self.bias
        return outputs

    def step_weights(self):
        """``(kernel,)`` or ``(kernel, bias)`` in float32, as a step multiplies them.

        ``kernel`` ``[rows * kw * F_in, filters]`` holds the masked kernel's
        rows that a pixel reads (those above it, and its own), flat.
        """
        rows = self.kernel_size[0] // 2 + 1
        kernel = tf.reshape(float32(self.masked_kernel())[:rows], (-1, self.filters))
        return (kernel,) if self.bias is None else (kernel, float32(self.bias))

    def initial_state(self, batch_size, height, width):
        if self.kernel_size == (1, 1):
            return self.step_weights(), ()
        kernel_height, kernel_width = self.kernel_size
        rows, in_features = kernel_height // 2 + 1, self.kernel.shape[2]
        window = tf.zeros((rows, width + kernel_width - 1, batch_size, in_features))
        return self.step_weights(), window

    def start_row(self, state, row, previous_row=None):
        """Caches for ``row``; ``previous_row`` ``[W, B, F_in]``, complete, for whole-row inputs.

        Steps given whole rows never write the window: the row above comes
        here, once it is complete.
        """
        weights, window = state
        if self.kernel_size[0] == 1:  # No rows above.
            return state
        if previous_row is not None:
            window = tf.concat([window[:-1], self._padded(previous_row)[None]], axis=0)
        # The oldest row comes back as the current one: its stale values are
        # either overwritten before they are read or multiplied by the mask's zeros.
        return weights, tf.roll(window, shift=-1, axis=0)

    def step(self, state, inputs, row, column):
        """The output at ``column`` of a pixel's ``inputs`` ``[B, F_in]``, or of the row so far."""
        weights, window = state
        if self.kernel_size == (1, 1):
            return dense(inputs, *weights), state
        if inputs.shape.rank == 3:  # The whole row [W, B, F_in], later pixels stale.
            rows = tf.concat([window[:-1], self._padded(inputs)[None]], axis=0)
            return self._convolve(weights, rows, column), state
        place = tf.reshape(tf.stack([self.kernel_size[0] // 2, column + self.kernel_size[1] // 2]),
                           (1, 2))
        window = tf.tensor_scatter_nd_update(window, place, inputs[None])
        return self._convolve(weights, window, column), (weights, window)

    def _convolve(self, weights, window, column):
        """The output ``[B, filters]`` at ``column`` of a window ``[rows, W + kw - 1, B, F_in]``."""
        rows, _, _, in_features = window.shape
        kernel_width = self.kernel_size[1]
        patch = tf.slice(window, (0, column, 0, 0), (-1, kernel_width, -1, -1))
        patch = tf.transpose(patch, (2, 0, 1, 3))  # (B, rows, kw, F_in)
        return dense(tf.reshape(patch, (-1, rows * kernel_width * in_features)), *weights)

    def _padded(self, row):
        """``[W, B, F_in]`` -> ``[W + kw - 1, B, F_in]`` with "same" padding's zeros."""
        pad = self.kernel_size[1] // 2
        return tf.pad(row, ((pad, pad), (0, 0), (0, 0)))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "mask_type": self.mask_type,
            "color_channels": self.color_channels,
            "out_blocks": self.out_blocks,
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }
