"""Likelihood units: nats per image and bits per dimension.

Example:
    >>> float(bits_per_dim(-np.log(2.0) * 784, (28, 28, 1)))
    1.0
"""

import math

import numpy as np
import tensorflow as tf


def bits_per_dim(log_prob, image_shape):
    """Negative log-likelihood in bits per sub-pixel from ``log_prob`` in nats per image."""
    num_dims = int(np.prod(image_shape))
    return -tf.convert_to_tensor(log_prob, tf.float32) / (num_dims * math.log(2.0))

