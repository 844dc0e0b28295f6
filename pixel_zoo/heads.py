"""The output heads: what a network's per-channel outputs mean, and the TFP distribution they give.

Every model's distribution is a `tfd.Categorical` over the ``num_levels``
values of each sub-pixel, built from logits in plain code (`tfp.layers`
needs Keras 2). A head says how the network's ``units`` outputs per
sub-pixel become those logits:

- `CategoricalHead` (the papers' head): the outputs are the ``num_levels``
  logits themselves, a free softmax.
- `LogisticMixtureHead`: the outputs are the weights, means and log-scales of
  ``K`` logistic distributions, and the logits are the log-probabilities of
  the ``num_levels`` bins of their mixture (the discretized logistic mixture
  of PixelCNN++, Salimans et al. 2017), so near values get near
  probabilities from the first step. The Categorical is the same kind of
  distribution, with ``3 K`` instead of 256 outputs per sub-pixel, and the
  training loss needs only the observed bin.
- `CoupledLogisticMixtureHead` (RGB, PixelCNN++'s likelihood): one mixture
  over the pixel of products of its three channels, the means of G and B
  moving linearly with the pixel's own R (and G) values. G's and B's
  conditionals read those values (``images``) as well as the outputs. Only for networks
  whose outputs at a pixel ignore the whole pixel (`pixel_zoo.models.PixelCNNPP`).

Example:
    >>> head = make_head(num_levels=256, logistic_mixtures=5)
    >>> head.units
    15
    >>> outputs = tf.zeros((2, 4, 4, 3, head.units))         # [B, H, W, C, units]
    >>> head.logits(outputs).shape                             # [B, H, W, C, 256]
    TensorShape([2, 4, 4, 3, 256])
    >>> head.log_prob(outputs, tf.zeros((2, 4, 4, 3), tf.int32)).shape
    TensorShape([2])
"""

import functools
import math

import keras
import tensorflow as tf

# Log-scales are kept in this range: narrower than a thousandth of a bin is
# a point mass already, and wider than ~150 times the data's range is flat.
MIN_LOG_SCALE, MAX_LOG_SCALE = -7.0, 5.0


@functools.cache
def _tfp():
    """TensorFlow Probability, imported at its first use: sampling never needs it, and
    importing it adds seconds to every cold start of the command line."""
    import tensorflow_probability as tfp  # pylint: disable=import-outside-toplevel

    return tfp


def categorical(logits):
    """``tfd.Independent(Categorical)`` over ``[H, W, C]`` from ``[B, H, W, C, L]`` logits."""
    tfd = _tfp().distributions
    return tfd.Independent(
        tfd.Categorical(logits=tf.cast(logits, tf.float32)), reinterpreted_batch_ndims=3
    )


def make_head(num_levels, logistic_mixtures=0, coupled_channels=1):
    """`LogisticMixtureHead` with ``logistic_mixtures`` components, or `CategoricalHead` for 0.

    ``coupled_channels=3`` makes the mixture a `CoupledLogisticMixtureHead`.
    """
    if logistic_mixtures and coupled_channels == 3:
        return CoupledLogisticMixtureHead(num_levels, logistic_mixtures)
    if logistic_mixtures:
        return LogisticMixtureHead(num_levels, logistic_mixtures)
    return CategoricalHead(num_levels)


@keras.saving.register_keras_serializable(package="pixel_zoo")
class HeadLogits(keras.layers.Layer):
    """A model's last layer: the head's inputs ``[B, H, W, C, units]`` -> logits ``[B, H, W, C, L]``.

    It has no weights. As a layer it puts the head into the model's Keras
    graph, so ``model.summary()`` ends with the model's true output shape; it
    computes in float32 (under mixed precision too).

    Args:
      num_levels: values per sub-pixel (``L``).
      logistic_mixtures, coupled_channels: as in `make_head`; a coupled head's logits
        also read the int ``images`` passed to `call`.

    Example:
        >>> layer = HeadLogits(num_levels=256, logistic_mixtures=5)
        >>> layer(tf.zeros((2, 4, 4, 3, 15))).shape
        TensorShape([2, 4, 4, 3, 256])
    """

    def __init__(self, num_levels, logistic_mixtures=0, coupled_channels=1, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.num_levels, self.logistic_mixtures = int(num_levels), int(logistic_mixtures)
        self.coupled_channels = int(coupled_channels)
        self.head = make_head(self.num_levels, self.logistic_mixtures, self.coupled_channels)

    def call(self, outputs, images=None):
        return self.head.logits(outputs, images)  # (B, H, W, C, L)

    def compute_output_shape(self, input_shape, images_shape=None):
        return (*input_shape[:-1], self.num_levels)

    def get_config(self):
        return {**super().get_config(), "num_levels": self.num_levels,
                "logistic_mixtures": self.logistic_mixtures,
                "coupled_channels": self.coupled_channels}


class CategoricalHead:
    """The outputs are the logits: ``units = num_levels`` per sub-pixel."""

    coupled_channels = 1  # a sub-pixel's logits read no other sub-pixel's value

    def __init__(self, num_levels):
        self.num_levels = num_levels
        self.units = num_levels

    def logits(self, outputs, images=None):
        """``[..., units]`` -> logits ``[..., num_levels]`` (float32); ``images`` are not needed."""
        return tf.cast(outputs, tf.float32)

    def log_prob(self, outputs, images):
        """Nats of int ``images`` ``[B, H, W, C]`` under ``outputs`` ``[B, H, W, C, units]``."""
        return categorical(self.logits(outputs)).log_prob(images)


class LogisticMixtureHead:
    """A mixture of ``K`` logistics discretized to ``num_levels`` bins: ``units = 3 K``.

    Level ``k`` is the bin of width ``2 / (num_levels - 1)`` centred on
    ``2 k / (num_levels - 1) - 1``, and the end bins reach to infinity, so
    the bins' probabilities sum to one exactly; each is computed in log
    space from the logistic CDFs, without the small-bin approximation of
    PixelCNN++, so `log_prob` equals the Categorical of `logits` to float
    round-off.

    Args:
      num_levels: values per sub-pixel.
      num_components: ``K``; the outputs are ``K`` mixture logits, then ``K``
        means, then ``K`` log-scales.
    """

    coupled_channels = 1

    def __init__(self, num_levels, num_components):
        if int(num_components) < 1:
            raise ValueError(f"logistic_mixtures must be >= 1, got {num_components}.")
        self.num_levels = num_levels
        self.num_components = int(num_components)
        self.units = 3 * self.num_components

    def logits(self, outputs, images=None):
        """``[..., 3K]`` -> the bins' log-probabilities ``[..., num_levels]`` (float32).

        ``images`` are not needed (every sub-pixel has its own outputs).
        """
        levels = tf.range(self.num_levels)
        outputs = tf.cast(outputs, tf.float32)[..., None, :]  # [..., 1, 3K]
        return self._bin_log_probs(outputs, levels)

    def log_prob(self, outputs, images):
        """Nats of int ``images`` ``[B, H, W, C]`` under ``outputs`` ``[B, H, W, C, 3K]``."""
        per_subpixel = self._bin_log_probs(tf.cast(outputs, tf.float32), images)
        return tf.reduce_sum(per_subpixel, axis=(1, 2, 3))

    def _bin_log_probs(self, outputs, levels):
        """Log-probability of the bins ``levels`` (int, broadcast with ``outputs[..., 0]``)."""
        weights, means, log_scales = tf.split(outputs, 3, axis=-1)  # [..., K] each
        return tf.reduce_logsumexp(
            tf.nn.log_softmax(weights) + self._component_log_probs(means, log_scales, levels),
            axis=-1,
        )

    def _component_log_probs(self, means, log_scales, levels):
        """Each component's log-probability ``[..., K]`` of the bins ``levels`` (int, ``[...]``)."""
        log_scales = tf.clip_by_value(log_scales, MIN_LOG_SCALE, MAX_LOG_SCALE)
        half_bin = 1.0 / (self.num_levels - 1)
        centres = tf.cast(levels, tf.float32)[..., None] * (2 * half_bin) - 1.0  # [..., 1]
        inverse_scales = tf.exp(-log_scales)
        upper = inverse_scales * (centres - means + half_bin)
        lower = inverse_scales * (centres - means - half_bin)
        first = centres < -1.0 + half_bin
        last = centres > 1.0 - half_bin
        # log(sigmoid(upper) - sigmoid(lower)), from the side of the bin's tail
        # (sigmoid(-x) = 1 - sigmoid(x)), where the difference does not cancel.
        right_side = (upper + lower) > 0
        big = tf.where(right_side, -lower, upper)
        small = tf.where(right_side, -upper, lower)
        # End bins: the one CDF term; a big - small of 0 there is never read.
        small = tf.where(first | last, -math.inf, small)
        log_big = tf.math.log_sigmoid(tf.where(first, upper, tf.where(last, -lower, big)))
        return log_big + _tfp().math.log1mexp(tf.math.log_sigmoid(small) - log_big)


class CoupledLogisticMixtureHead(LogisticMixtureHead):
    """PixelCNN++'s RGB mixture: a mixture over ``K`` components of products of the three channels.

    With the pixel's values ``r, g, b``, the pixel's probability is PixelCNN++'s
    (Salimans et al. 2017; openai/pixel-cnn ``discretized_mix_logistic_loss``)::

        p(r, g, b) = sum_k pi_k p_k(r) p_k(g | r) p_k(b | r, g)

    where each ``p_k`` is a discretized logistic: R's with mean ``mu_R,k``,
    G's with mean ``mu_G,k + alpha_k x_R``, B's with mean
    ``mu_B,k + beta_k x_R + gamma_k x_G`` (``x_R``, ``x_G`` the pixel's values
    scaled to ``[-1, 1]``). The model is still a Categorical per sub-pixel in
    raster + RGB order: R's is the mixture under the prior weights ``pi_k``;
    G's is the mixture under the posterior weights given R,
    ``pi_k p_k(r) / sum_j pi_j p_j(r)``, and B's under those given R and G.
    The product of the three conditionals is the sum above exactly.

    Each sub-pixel has ``units = 4 K`` outputs: ``K`` weight logits, ``K``
    means, ``K`` log-scales and ``K`` coefficients (``alpha, beta, gamma =
    tanh`` of the R, G and B sub-pixels' coefficients). The pixel's one set of
    weight logits ``log pi_k`` is the sum of its three sub-pixels' weight
    logits. The logits of a sub-pixel depend only on the pixel's earlier
    sub-pixels, so with outputs that ignore the current pixel the model keeps
    raster + RGB order.

    Args:
      num_levels: values per sub-pixel.
      num_components: ``K``.

    Example:
        >>> head = CoupledLogisticMixtureHead(256, 5)
        >>> outputs = tf.zeros((2, 4, 4, 3, head.units))         # [B, H, W, 3, 20]
        >>> head.logits(outputs, tf.zeros((2, 4, 4, 3), tf.int32)).shape
        TensorShape([2, 4, 4, 3, 256])
    """

    coupled_channels = 3

    def __init__(self, num_levels, num_components):
        super().__init__(num_levels, num_components)
        self.units = 4 * self.num_components

    def logits(self, outputs, images=None):
        """Logits ``[..., 3, L]`` from ``[..., 3, 4K]`` outputs and the int ``images`` ``[..., 3]``.

        A sub-pixel's logits read only the values of the pixel's earlier sub-pixels.
        """
        if images is None:
            raise ValueError("the coupled mixture head needs the images' values for its logits.")
        return super().logits(self._conditionals(outputs, images))

    def log_prob(self, outputs, images):
        """Nats of int ``images`` ``[B, H, W, 3]``: the sum over pixels of PixelCNN++'s
        ``log sum_k pi_k p_k(r) p_k(g | r) p_k(b | r, g)``, each bin computed once."""
        prior, means, log_scales = self._coupled(outputs, images)
        observed = self._component_log_probs(means, log_scales, images)  # [B, H, W, 3, K]
        per_pixel = tf.reduce_logsumexp(
            tf.nn.log_softmax(prior) + tf.reduce_sum(observed, axis=-2), axis=-1
        )  # [B, H, W]
        return tf.reduce_sum(per_pixel, axis=(1, 2))

    def _conditionals(self, outputs, images):
        """Each sub-pixel's mixture ``[..., 3, 3K]`` given its pixel's earlier values."""
        prior, means, log_scales = self._coupled(outputs, images)
        # log pi_k, then the posterior's unnormalized log-weights given R, then given R and G.
        observed = self._component_log_probs(means, log_scales, images)  # [..., 3, K]
        red_given, green_given, _ = tf.unstack(observed, axis=-2)  # log p_k(r), log p_k(g | r)
        posterior = tf.stack(
            [prior, prior + red_given, prior + red_given + green_given], axis=-2
        )  # [..., 3, K]
        return tf.concat([posterior, means, log_scales], axis=-1)  # [..., 3, 3K]

    def _coupled(self, outputs, images):
        """The pixel's weight logits ``[..., K]``, and its channels' means (G's and B's moved
        by the pixel's R and G) and log-scales, ``[..., 3, K]`` each."""
        weights, means, log_scales, coefficients = tf.split(
            tf.cast(outputs, tf.float32), 4, axis=-1
        )  # [..., 3, K] each
        values = tf.cast(images, tf.float32)[..., None] * (2.0 / (self.num_levels - 1)) - 1.0
        red, green, _ = tf.unstack(values, axis=-2)  # [..., 1] each
        alpha, beta, gamma = tf.unstack(tf.tanh(coefficients), axis=-2)  # [..., K] each
        mean_red, mean_green, mean_blue = tf.unstack(means, axis=-2)
        means = tf.stack(
            [mean_red, mean_green + alpha * red, mean_blue + beta * red + gamma * green], axis=-2
        )
        return tf.reduce_sum(weights, axis=-2), means, log_scales
