"""The output head: a TFP distribution over whole images, built from logits.

Kept out of Keras layers on purpose: `tfp.layers` needs Keras 2, while
building a distribution from a tensor in plain code works with any Keras.

Example:
    >>> dist = categorical(tf.zeros((2, 4, 4, 1, 2)))   # 2 images, 4x4x1, binary
    >>> dist.log_prob(tf.zeros((2, 4, 4, 1), tf.int32)).shape
    TensorShape([2])
"""

import tensorflow as tf
import tensorflow_probability as tfp

tfd = tfp.distributions


def categorical(logits):
    """``tfd.Independent(Categorical)`` over ``[H, W, C]`` from ``[B, H, W, C, L]`` logits."""
    return tfd.Independent(
        tfd.Categorical(logits=tf.cast(logits, tf.float32)), reinterpreted_batch_ndims=3
    )
