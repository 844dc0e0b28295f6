"""The interface of a whole model's cached network, which the generation loop drives.

A network computes one position's logits at a time from caches of earlier
positions (see `pixel_zoo.fast_sampling.loop`):

- ``initial_state(batch_size)``: the caches before the first row;
- ``start_row(state, row, previous_pixels)``: caches for ``row``, given the
  complete row above, int32 ``[W, B, C]`` (anything for row 0);
- ``step(state, pixels, row, column, channel)``: ``(logits [B, L], state)`` of
  position ``(row, column, channel)``, given the current row so far, int32
  ``[W, B, C]``: pixels before ``column`` complete, channels of ``column``
  before ``channel`` set, later entries stale (the masks hide them).

Example:
    >>> network = fast_sampling.cached_network(model)   # a CachedNetwork
    >>> state = network.initial_state(batch_size=2)
    >>> state = network.start_row(state, 0, tf.zeros((W, 2, C), tf.int32))
    >>> logits, state = network.step(state, row_pixels, 0, 0, 0)   # (2, num_levels)
"""

import tensorflow as tf


class CachedNetwork:
    """Base class of the cached networks of model families.

    Args:
      model: a built `pixel_zoo.models.AutoregressiveImageModel` of the family.
      labels: int32 ``[B]`` classes for a class-conditional model, else None.
    """

    def __init__(self, model, labels=None):
        self.model = model
        self.labels = labels

    @classmethod
    def supports(cls, model):
        """Whether this network can mirror ``model`` (an instance of the family's class)."""
        return True

    def scale(self, pixels):
        """Int32 pixel values -> the model's inputs in ``[-1, 1]``, float32."""
        return tf.cast(self.model.scale_images(pixels), tf.float32)

    def scale_row_above(self, previous_pixels, row):
        """`scale` of the row above ``row``; zeros above row 0 (the convolutions' padding)."""
        return self.scale(previous_pixels) * tf.cast(row > 0, tf.float32)

    def initial_state(self, batch_size):
        raise NotImplementedError

    def start_row(self, state, row, previous_pixels):
        raise NotImplementedError

    def step(self, state, pixels, row, column, channel):
        raise NotImplementedError
