"""Masked 2-D convolution: the causal building block of PixelCNN and PixelRNN."""

import keras
from keras import ops

from pixel_zoo.layers import masks


@keras.saving.register_keras_serializable(package="pixel_zoo")
class MaskedConv2D(keras.layers.Layer):
    """Conv2D whose kernel cannot see the future in raster + RGB order.

    The mask (see `pixel_zoo.layers.masks`) multiplies the kernel in the
    forward pass, so the stored weights stay plain and the layer behaves the
    same under every `tf.distribute` strategy.

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

    def call(self, inputs):
        kernel = self.kernel * ops.cast(self.mask, self.kernel.dtype)
        outputs = ops.conv(inputs, kernel, strides=1, padding="same")
        if self.bias is not None:
            outputs = outputs + self.bias
        return outputs

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
