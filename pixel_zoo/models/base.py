"""The surface every pixel_zoo model shares: logits, distribution, log_prob, sample, complete."""

import keras
import tensorflow as tf
from keras import ops

from pixel_zoo import heads, sampling, validation


class AutoregressiveImageModel(keras.Model):
    """Base class of the model families: an image in, per-channel logits out.

    Subclasses create their layers in ``__init__``, build them from shapes in
    `build_network`, and map scaled inputs ``[B, H, W, C]`` in ``[-1, 1]`` to
    ``[B, H, W, C * num_levels]`` features in `compute_logits`. This class
    validates and scales the integer images, reshapes the logits to
    ``[B, H, W, C, num_levels]`` and turns them into a TFP distribution.

    Args:
      image_shape: ``(height, width, channels)``, channels 1 or 3.
      num_levels: values per channel, 2..256 (2 for binary data).
      num_classes: set for a class-conditional model, whose calls then take
        ``labels`` (int ``[B]``); None for an unconditional one.

    Example:
        >>> model = pz.models.build("pixelcnn", image_shape=(8, 8, 1), num_levels=2,
        ...                         num_layers=2, hidden_units=8)
        >>> images = model.sample(4, seed=(1, 2))           # uint8 (4, 8, 8, 1)
        >>> model.log_prob(images).shape                     # nats per image
        TensorShape([4])
    """

    def __init__(self, image_shape, num_levels, num_classes=None, **kwargs):
        super().__init__(**kwargs)
        self.image_shape, self.num_levels = validation.check_image_spec(
            image_shape, num_levels
        )
        if num_classes is not None and int(num_classes) < 2:
            raise ValueError(f"num_classes must be None or at least 2, got {num_classes}.")
        self.num_classes = None if num_classes is None else int(num_classes)
        self.color_channels = self.image_shape[-1]

    def build(self, input_shape=None):
        self.build_network((None, *self.image_shape))

    def build_network(self, input_shape):
        """Builds the family's layers for float inputs of ``input_shape``."""
        raise NotImplementedError

    def compute_logits(self, inputs, class_one_hot=None):
        """Scaled float ``[B, H, W, C]`` -> ``[B, H, W, C * num_levels]``.

        ``class_one_hot`` (``[B, num_classes]``) is given exactly when the
        model is class-conditional.
        """
        raise NotImplementedError

    def logits_from_checked(self, images, labels=None):
        """Logits ``[B, H, W, C, L]`` from int32 images (and labels) already checked."""
        scale = 2.0 / (self.num_levels - 1)
        inputs = ops.cast(images, self.compute_dtype) * scale - 1.0
        condition = {}
        if self.num_classes:
            condition["class_one_hot"] = ops.one_hot(labels, self.num_classes, dtype=inputs.dtype)
        features = self.compute_logits(inputs, **condition)
        return ops.reshape(features, (-1, *self.image_shape, self.num_levels))

    def call(self, images, labels=None):
        images, labels = self.check_inputs(images, labels)
        return self.logits_from_checked(images, labels)

    def check_inputs(self, images, labels=None):
        """Int32 ``images`` and ``labels`` after the checks of `validation`."""
        images = validation.check_images(images, self.image_shape, self.num_levels)
        if self.num_classes is None:
            if labels is not None:
                raise ValueError(
                    "labels were given to an unconditional model (built without num_classes)."
                )
            return images, None
        if labels is None:
            raise ValueError(
                f"this model is class-conditional: pass labels in [0, {self.num_classes})."
            )
        return images, validation.check_labels(labels, self.num_classes, images)

    def distribution(self, images, labels=None):
        """The model's distribution over whole images, conditioned on ``images``' context."""
        return heads.categorical(self(images, labels))

    def log_prob(self, images, labels=None):
        """Log-likelihood in nats of each image, ``[B]``."""
        images, labels = self.check_inputs(images, labels)
        return heads.categorical(self.logits_from_checked(images, labels)).log_prob(images)

    def sample(self, num, seed=(0, 0), temperature=1.0):
        """``num`` images (uint8 ``[num, H, W, C]``), the same for the same seed.

        Args:
          num: number of images.
          seed: an int or a pair of ints (stateless random ops).
          temperature: logits are divided by it; 1 samples the model itself.
        """
        num = int(num)
        if num < 1:
            raise ValueError(f"num must be a positive number of images, got {num}.")
        blank = tf.zeros((num, *self.image_shape), tf.int32)
        return self.fill(blank, 0, validation.as_seed(seed), temperature)

    def complete(self, images, known_rows, seed=(0, 0), temperature=1.0):
        """Keeps the rows above ``known_rows`` and samples the rest (uint8, like ``images``).

        Example:
            >>> completions = model.complete(digits, known_rows=14, seed=1)
        """
        images, _ = self.check_inputs(images)
        height, width, channels = self.image_shape
        if not 0 <= int(known_rows) <= height:
            raise ValueError(f"known_rows must be in [0, {height}], got {known_rows}.")
        first_position = int(known_rows) * width * channels
        return self.fill(images, first_position, validation.as_seed(seed), temperature)

    @tf.function(reduce_retracing=True)
    def fill(self, images, first_position, seed, temperature=1.0):
        """Samples positions ``first_position, ...`` of int32 ``images`` in one graph.

        The in-graph sampler behind `sample` and `complete`, and the one an
        exported SavedModel calls: arguments may be symbolic tensors, and
        nothing is checked here.

        Args:
          images: int32 ``[B, H, W, C]``; positions before ``first_position`` are kept.
          first_position: flat index in raster + channel order.
          seed: int64 ``[2]``.
          temperature: float scalar.

        Returns:
          uint8 ``[B, H, W, C]``.
        """
        filled = sampling.autoregressive_fill(
            self.logits_from_checked, images, first_position, seed, temperature
        )
        return tf.cast(filled, tf.uint8)

    def get_config(self):
        return {
            **super().get_config(),
            "image_shape": self.image_shape,
            "num_levels": self.num_levels,
            "num_classes": self.num_classes,
        }
