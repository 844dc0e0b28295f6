"""Helpers of the OOD tests: synthetic 4x4 training-like images and a tiny training loop."""

import keras
import numpy as np
import tensorflow as tf

import pixel_zoo as pz

IMAGE_SHAPE, NUM_LEVELS = (4, 4, 1), 8


def training_like(num, seed=0):
    """In-distribution images: a random level in [2, 8) on the left half, 0 on the right."""
    levels = np.random.default_rng(seed).integers(2, NUM_LEVELS, (num, 1, 1, 1))
    images = np.zeros((num, *IMAGE_SHAPE), np.uint8)
    images[:, :, :2] = levels
    return images


def fit(model, images, perturb_rate=0.0, steps=100, seed=0):
    """Adam steps on batches of ``images``, perturbed as ``--perturb_rate`` perturbs them."""
    optimizer = keras.optimizers.Adam(1e-2)

    @tf.function
    def step(batch, index):
        batch = pz.data.perturb_images(batch, perturb_rate, NUM_LEVELS, tf.stack([seed, index]))
        with tf.GradientTape() as tape:
            loss = -tf.reduce_mean(model.log_prob(batch))
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables),
                                      model.trainable_variables))

    rng = np.random.default_rng(seed)
    for index in range(steps):
        step(tf.constant(images[rng.integers(0, len(images), 32)]), tf.constant(index, tf.int64))
    return model
