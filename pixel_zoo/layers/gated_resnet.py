"""PixelCNN++'s gated residual block, on one stream of shifted convolutions."""

import keras
from keras import ops

from pixel_zoo.layers.shifted_conv import ShiftedConv2D, concat_elu

KERNEL_SIZES = {"down": (2, 3), "down_right": (2, 2)}


@keras.saving.register_keras_serializable(package="pixel_zoo")
class GatedResidualBlock(keras.layers.Layer):
    """``x + a * sigmoid(b)``, ``[a | b] = conv(dropout(concat_elu(conv(concat_elu(x)) + dense(concat_elu(aux)))))``.

    Both convolutions are `ShiftedConv2D` of the block's stream ("down": 2x3,
    "down_right": 2x2), so the block keeps its stream's causal invariant; the
    optional ``aux`` input (the other stream, or a skip connection of the
    U-net) enters through a 1x1 layer at the same pixel, and a class-conditional
    block adds a learned per-class bias before the gate.

    Args:
      filters: features in and out.
      shift: "down" (vertical stream) or "down_right" (horizontal stream).
      aux: whether calls take an ``aux`` input.
      dropout: rate of the dropout after the first convolution.
      num_classes: if set, calls take ``class_one_hot``.
      weight_norm: weight-normalize the convolutions and the ``aux`` layer
        (`pixel_zoo.layers.weight_norm`; the ``aux`` layer is then a 1x1 `ShiftedConv2D`).

    Call arguments:
      inputs: ``[B, H, W, filters]``.
      aux: ``[B, H, W, F_aux]`` or None.
      class_one_hot: ``[B, num_classes]`` or None.
      training: whether dropout is on.
      cache: None, or the two convolutions' caches (see `ShiftedConv2D`); then
        the call returns ``(outputs, new_cache)``.
      column: None, or (with ``cache``) the one column computed (see `ShiftedConv2D`).

    Returns:
      ``[B, H, W, filters]``.

    Example:
        >>> block = GatedResidualBlock(8, "down_right", aux=True)
        >>> block(keras.ops.zeros((2, 5, 5, 8)), aux=keras.ops.zeros((2, 5, 5, 8))).shape
        (2, 5, 5, 8)

    Reference: Salimans et al., "PixelCNN++", 2017 (the openai/pixel-cnn ``gated_resnet``).
    """

    def __init__(self, filters, shift="down", aux=False, dropout=0.0, num_classes=None,
                 weight_norm=False, **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.shift = shift
        self.aux = bool(aux)
        self.dropout = float(dropout)
        self.num_classes = num_classes
        self.weight_norm = bool(weight_norm)
        kernel_size = KERNEL_SIZES[shift]
        self.conv_in = ShiftedConv2D(self.filters, kernel_size, shift,
                                     weight_norm=self.weight_norm, name="conv_in")
        self.aux_dense = None
        if self.aux:
            self.aux_dense = (
                ShiftedConv2D(self.filters, (1, 1), weight_norm=True, name="aux_dense")
                if self.weight_norm else keras.layers.Dense(self.filters, name="aux_dense")
            )
        self.dropout_layer = keras.layers.Dropout(self.dropout)
        self.conv_out = ShiftedConv2D(2 * self.filters, kernel_size, shift,
                                      weight_norm=self.weight_norm, name="conv_out")
        self.class_bias = (
            keras.layers.Dense(2 * self.filters, use_bias=False, name="class_bias")
            if num_classes else None
        )

    def build(self, input_shape, aux_shape=None, class_one_hot_shape=None):
        doubled = (*input_shape[:-1], 2 * self.filters)
        self.conv_in.build(doubled)
        if self.aux_dense is not None:
            self.aux_dense.build((*aux_shape[:-1], 2 * aux_shape[-1]))
        self.conv_out.build(doubled)
        if self.class_bias is not None:
            self.class_bias.build((None, self.num_classes))

    def start_as_identity(self):
        """Zeroes the output convolution and the class biases: the block returns its input.

        ``a = 0``, so ``x + a * sigmoid(b) = x`` whatever ``aux`` is, in whole
        maps and in cached steps; `pixel_zoo.training.deepening` inserts such
        blocks into a trained U-net.

        Example:
            >>> block = GatedResidualBlock(8, "down_right", aux=True)
            >>> block.build((None, 5, 5, 8), (None, 5, 5, 8))
            >>> block.start_as_identity()   # block(x, aux=anything) == x
        """
        self.conv_out.zero_weights()
        if self.class_bias is not None:
            self.class_bias.kernel.assign(ops.zeros_like(self.class_bias.kernel))

    def call(self, inputs, aux=None, class_one_hot=None, training=None, cache=None, column=None):
        cache_in, cache_out = (None, None) if cache is None else cache
        hidden = self.conv_in(concat_elu(inputs), cache=cache_in, column=column)
        if cache is not None:
            hidden, cache_in = hidden
        if self.aux_dense is not None:
            hidden = hidden + self.aux_dense(concat_elu(aux))
        hidden = self.dropout_layer(concat_elu(hidden), training=training)  # (B, H, W, 2F)
        features = self.conv_out(hidden, cache=cache_out, column=column)
        if cache is not None:
            features, cache_out = features
        if self.class_bias is not None:
            features = features + self.class_bias(class_one_hot)[:, None, None, :]
        values, gates = ops.split(features, 2, axis=-1)
        outputs = inputs + values * ops.sigmoid(gates)
        return outputs if cache is None else (outputs, (cache_in, cache_out))

    def initial_cache(self, inputs):
        """The caches of a row with zero rows above it (the top of the image), for ``inputs``' shape."""
        row = ops.zeros((ops.shape(inputs)[0], 1, inputs.shape[2], 2 * self.filters), inputs.dtype)
        return (row, row)

    def compute_output_shape(self, input_shape, aux_shape=None, class_one_hot_shape=None):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "shift": self.shift,
            "aux": self.aux,
            "dropout": self.dropout,
            "num_classes": self.num_classes,
            "weight_norm": self.weight_norm,
        }
