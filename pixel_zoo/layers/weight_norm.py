"""Weight normalization with data-dependent init (Salimans & Kingma, 2016), as PixelCNN++ trains.

A weight-normalized layer keeps its kernel as a direction ``v`` and a scale
``g`` per output feature and convolves with ``g * v / ||v||``. Its
data-dependent init runs one batch through the new network, layer after layer,
and sets each ``g`` and bias so that the layer's outputs on that batch have
zero mean and unit variance per feature (`initialize_from_data`); the
openai/pixel-cnn and ``tfd.PixelCNN`` (``use_weight_norm=True,
use_data_init=True``) peers train so.

Example:
    >>> model = pz.models.build("pixelcnn_pp", (28, 28, 1), 2, preset="cpu_small",
    ...                         weight_norm=True)
    >>> initialize_from_data(model, images)   # uint8 [B, 28, 28, 1], before training

Reference: Salimans & Kingma, "Weight Normalization: A Simple Reparameterization
to Accelerate Training of Deep Neural Networks", NeurIPS 2016.
"""

from keras import ops

EPSILON = 1e-8


class WeightNormalized:
    """Mixin of a layer whose ``kernel`` (output features on ``output_axis``) is weight-normalized.

    The layer sets ``self.weight_norm`` and ``self.filters`` in ``__init__``,
    calls `add_scale` in ``build`` after its ``kernel``, convolves with
    ``normalized(direction())`` (a masked layer overrides `direction`) and adds
    its bias with `add_bias`.
    """

    output_axis = -1
    initializing = False  # Set by `initialize_from_data` for one call.

    def add_scale(self):
        """The scale ``g`` (ones: unit-norm kernels until the data-dependent init)."""
        self.scale = (self.add_weight(name="scale", shape=(self.filters,), initializer="ones")
                      if self.weight_norm else None)

    def direction(self):
        """The kernel that `normalized` scales: ``v`` (a masked layer masks it first)."""
        return self.kernel

    def normalized(self, kernel):
        """``g * kernel / ||kernel||``, the norm over every axis but the output features'."""
        if not self.weight_norm:
            return kernel
        shape = [1] * len(kernel.shape)
        shape[self.output_axis] = self.filters
        return kernel * ops.reshape(ops.cast(self.scale, kernel.dtype), shape) / _norm(
            kernel, self.output_axis)

    def feature_norms(self):
        """``||v||`` per output feature, ``[filters]``: what `normalized` divides by.

        Example:
            >>> conv = ShiftedConv2D(8, (2, 3), weight_norm=True)
            >>> conv.build((None, 5, 5, 4))
            >>> conv.feature_norms().shape
            (8,)
        """
        return ops.reshape(_norm(self.direction(), self.output_axis), (self.filters,))

    def zero_weights(self):
        """Zeroes the layer's outputs: its bias, and its scale (weight-normalized) or kernel.

        A weight-normalized layer keeps its direction ``v``, so that the first
        gradients reach it through the scale (a zero ``v`` has no direction).
        A residual block whose output layer is zeroed passes its input through
        (`pixel_zoo.training.deepening`).

        Example:
            >>> conv = ShiftedConv2D(8, (2, 3), weight_norm=True)
            >>> conv.build((None, 5, 5, 4))
            >>> conv.zero_weights()
            >>> float(keras.ops.max(keras.ops.abs(conv(keras.ops.ones((1, 5, 5, 4))))))
            0.0
        """
        for variable in (self.scale if self.weight_norm else self.kernel, self.bias):
            variable.assign(ops.zeros_like(variable))

    def add_bias(self, outputs):
        """``outputs + bias``; during the data-dependent init, first sets ``g`` and the bias
        so that the result has zero mean and unit variance per feature on this batch."""
        if self.initializing:
            mean, variance = ops.moments(ops.cast(outputs, "float32"), axes=[0, 1, 2])
            inverse_std = 1.0 / ops.sqrt(variance + EPSILON)
            self.scale.assign(self.scale * inverse_std)
            self.bias.assign(-mean * inverse_std)
            outputs = outputs * ops.cast(inverse_std, outputs.dtype)
        return outputs + ops.cast(self.bias, outputs.dtype)


def _norm(kernel, output_axis):
    """``||kernel||`` over every axis but ``output_axis`` (kept, as size-1 axes for the others)."""
    axes = [axis for axis in range(len(kernel.shape)) if axis != output_axis % len(kernel.shape)]
    return ops.sqrt(ops.sum(ops.square(kernel), axis=axes, keepdims=True) + EPSILON)


def weight_normalized_layers(model):
    """The layers of ``model`` (nested ones included) that are weight-normalized."""
    return [layer for layer in model._flatten_layers(include_self=False)
            if isinstance(layer, WeightNormalized) and layer.weight_norm]


def initialize_from_data(model, images, labels=None):
    """Data-dependent init of ``model``'s weight-normalized layers from one batch.

    Runs ``model`` eagerly on ``images`` (dropout off); each weight-normalized
    layer, as the batch reaches it, sets its scale and bias so that its outputs
    have zero mean and unit variance per feature. Call it once on a new model,
    before training (not on trained or restored weights).

    Args:
      model: an `AutoregressiveImageModel`.
      images: int ``[B, H, W, C]`` of the training data.
      labels: int ``[B]`` for a class-conditional model.

    Returns:
      The number of layers initialized (0: the model has no weight-normalized layer).

    Example:
        >>> initialize_from_data(model, next(iter(batches)))
        42
    """
    layers = weight_normalized_layers(model)
    if not layers:
        return 0
    images, labels = model.check_inputs(images, labels)
    for layer in layers:
        layer.initializing = True
    try:
        model.outputs_from_checked(images, labels)
    finally:
        for layer in layers:
            layer.initializing = False
    return len(layers)
