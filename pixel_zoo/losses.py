"""Keras losses and metrics in the project's units, so ``model.fit`` reports what the trainer does.

A model's call returns logits ``[B, H, W, C, L]`` (for the logistic-mixture head, the log
probabilities of the bins), so the loss needs only the images and those logits:
``-log p(image)`` in nats, one value per image, which Keras averages over the batch.
`AutoregressiveImageModel.compile` uses these by default.

Example:
    >>> model = pz.models.build("pixelcnn", (28, 28, 1), num_levels=2, num_layers=2)
    >>> model.compile(optimizer="adam")             # NegativeLogLikelihood, nats, bits/dim
    >>> model.fit(images, images, batch_size=32)    # loss: mean nats per image
"""

import math

import keras
import tensorflow as tf

from pixel_zoo import heads


def nats_per_image(images, logits):
    """``-log p(images)`` in nats, ``[B]``, from int ``images`` ``[B, H, W, C]`` and logits."""
    return -heads.categorical(logits).log_prob(tf.cast(images, tf.int32))


def bits_per_dim_per_image(images, logits):
    """`nats_per_image` in bits per sub-pixel, ``[B]``."""
    num_dims = math.prod(images.shape[1:])
    return nats_per_image(images, logits) / (num_dims * math.log(2.0))


@keras.saving.register_keras_serializable(package="pixel_zoo")
class NegativeLogLikelihood(keras.losses.Loss):
    """``-log p(image)`` in nats per image, from a pixel_zoo model's logits.

    ``y_true`` is the integer images the model was given (``model.fit(x, x)``),
    ``y_pred`` the model's logits ``[B, H, W, C, L]``.

    Example:
        >>> loss = NegativeLogLikelihood()
        >>> loss(images, model(images))        # == -mean(model.log_prob(images))
    """

    def __init__(self, name="nll_nats", reduction="sum_over_batch_size", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return nats_per_image(y_true, y_pred)  # (B,)


class _PerImageMean(keras.metrics.MeanMetricWrapper):
    """The mean over images of ``per_image(images, logits)``; subclasses name the function."""

    per_image = None
    default_name = None

    def __init__(self, name=None, dtype=None):
        super().__init__(fn=type(self).per_image, name=name or self.default_name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


@keras.saving.register_keras_serializable(package="pixel_zoo")
class Nats(_PerImageMean):
    """Mean negative log-likelihood in nats per image (the trainer's ``nats``)."""

    per_image, default_name = staticmethod(nats_per_image), "nats"


@keras.saving.register_keras_serializable(package="pixel_zoo")
class BitsPerDim(_PerImageMean):
    """Mean negative log-likelihood in bits per sub-pixel (the trainer's ``bits_per_dim``)."""

    per_image, default_name = staticmethod(bits_per_dim_per_image), "bits_per_dim"


def default_metrics():
    """The metrics `AutoregressiveImageModel.compile` adds: `Nats` and `BitsPerDim`."""
    return [Nats(), BitsPerDim()]
