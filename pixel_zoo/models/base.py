"""The surface every pixel_zoo model shares: logits, distribution, log_prob, sample, complete."""

import functools
import logging

import keras
import tensorflow as tf
from keras import ops

from pixel_zoo import fast_sampling, heads, losses, sampling, validation

SAMPLING_METHODS = ("fast", "naive")


class _PerModelTracing(logging.Filter):
    """Drops TensorFlow's "N out of the last N calls ... triggered retracing" warning for `fill`.

    Each model traces its `fill` once per kind of call (``reduce_retracing``
    makes that one trace for every batch size), but TensorFlow counts the
    traces of every model together, so loading a few models warned of
    retracing where nothing was wasted.
    """

    def filter(self, record):
        message = record.getMessage()
        return not ("AutoregressiveImageModel.fill" in message and "retracing" in message)


tf.get_logger().addFilter(_PerModelTracing())


class AutoregressiveImageModel(keras.Model):
    """Base class of the model families: an image in, per-channel logits out.

    Subclasses create their layers in ``__init__``, build them from shapes in
    `build_network`, and map scaled inputs ``[B, H, W, C]`` in ``[-1, 1]`` to
    ``[B, H, W, C * head.units]`` outputs in `compute_outputs`. This class
    validates and scales the integer images, and its head (`pixel_zoo.heads`)
    turns the outputs (and, for a coupled head, the images' values at each
    pixel) into logits ``[B, H, W, C, num_levels]`` and a TFP distribution.
    A family with a fast sampler names its cached network class (a
    `pixel_zoo.fast_sampling.network.CachedNetwork`, beside the family's model) in
    ``cached_network``.

    Args:
      image_shape: ``(height, width, channels)``, channels 1 or 3.
      num_levels: values per channel, 2..256 (2 for binary data).
      num_classes: set for a class-conditional model, whose calls then take
        ``labels`` (int ``[B]``); None for an unconditional one.
      logistic_mixtures: 0 for the papers' free 256-way softmax per sub-pixel;
        ``K > 0`` for logits from a mixture of ``K`` discretized logistics
        (`pixel_zoo.heads.LogisticMixtureHead`), which learns far faster on
        8-bit images.

    Example:
        >>> model = pz.models.build("pixelcnn", image_shape=(8, 8, 1), num_levels=2,
        ...                         num_layers=2, hidden_units=8)
        >>> images = model.sample(4, seed=(1, 2))           # uint8 (4, 8, 8, 1)
        >>> model.log_prob(images).shape                     # nats per image
        TensorShape([4])
    """

    def __init__(self, image_shape, num_levels, num_classes=None, logistic_mixtures=0,
                 **kwargs):
        super().__init__(**kwargs)
        self.image_shape, self.num_levels = validation.check_image_spec(
            image_shape, num_levels
        )
        if num_classes is not None and int(num_classes) < 2:
            raise ValueError(f"num_classes must be None or at least 2, got {num_classes}.")
        self.num_classes = None if num_classes is None else int(num_classes)
        self.color_channels = self.image_shape[-1]
        self.logistic_mixtures = int(logistic_mixtures)
        self.head = self.make_head()

    # The family's `pixel_zoo.fast_sampling.network.CachedNetwork` class; None: naive sampling only.
    cached_network = None

    def make_head(self):
        """The output head (`pixel_zoo.heads`); one per sub-pixel unless a family couples channels."""
        return heads.make_head(self.num_levels, self.logistic_mixtures)

    def build(self, input_shape=None):
        self.build_network((None, *self.image_shape))
        # Made here, after the family's layers, so that summary() lists it last.
        self.head_logits = heads.HeadLogits(
            self.num_levels, self.logistic_mixtures, self.head.coupled_channels, name="logits")
        self.head_logits.build((None, *self.image_shape, self.head.units))

    def build_network(self, input_shape):
        """Builds the family's layers for float inputs of ``input_shape``."""
        raise NotImplementedError

    def compute_outputs(self, inputs, class_one_hot=None, training=False):
        """Scaled float ``[B, H, W, C]`` -> ``[B, H, W, C * head.units]``, channel-major.

        ``class_one_hot`` (``[B, num_classes]``) is given exactly when the
        model is class-conditional; ``training`` turns dropout on in the
        families that have it.
        """
        raise NotImplementedError

    def scale_images(self, images):
        """Integer values ``[0, num_levels)`` -> the network's inputs in ``[-1, 1]`` (compute dtype).

        Scaled in float32, then cast: in bfloat16 arithmetic ``2 / 255`` and the products
        round to another encoding of 8-bit images (up to 1.24 levels off, levels 254 and
        255 both 1.0), which weights trained under ``mixed_bfloat16`` adapt to and float32
        evaluation then does not give them (pixelcnn_pp_mnist_conditional after its bfloat16
        segments: 18 nats worse per image in float32 than in bfloat16, nearly all of it this).
        """
        scale = 2.0 / (self.num_levels - 1)
        return ops.cast(ops.cast(images, "float32") * scale - 1.0, self.compute_dtype)

    def outputs_from_checked(self, images, labels=None, training=False):
        """The head's inputs ``[B, H, W, C, units]`` from int32 images (and labels) checked."""
        inputs = self.scale_images(images)
        condition = {}
        if self.num_classes:
            condition["class_one_hot"] = ops.one_hot(labels, self.num_classes, dtype=inputs.dtype)
        outputs = self.compute_outputs(inputs, training=training, **condition)
        return ops.reshape(outputs, (-1, *self.image_shape, self.head.units))

    def logits_from_checked(self, images, labels=None):
        """Logits ``[B, H, W, C, L]`` from int32 images (and labels) already checked."""
        return self.head_logits(self.outputs_from_checked(images, labels), images)

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

    def compile(self, optimizer="adam", loss=None, metrics=None, **kwargs):
        """`keras.Model.compile` with the loss in nats per image, and nats and bits/dim metrics.

        ``model.fit(images, images)`` then reports the trainer's units
        (`pixel_zoo.losses`); a given ``loss`` or ``metrics`` replaces the default.
        Class-conditional models train with ``trainers/train.py``.

        Example:
            >>> model.compile(keras.optimizers.Adam(1e-3))
            >>> model.fit(images, images, batch_size=32, epochs=1)   # loss, nats, bits_per_dim
        """
        super().compile(
            optimizer=optimizer,
            loss=losses.NegativeLogLikelihood() if loss is None else loss,
            metrics=losses.default_metrics() if metrics is None else metrics,
            **kwargs,
        )

    def _symbolic_build(self, iterator=None, data_batch=None):
        # Keras 3.15's fit under a distribution strategy builds from the replicas' MEAN
        # batch (float32 for uint8 images; keras/src/backend/tensorflow/trainer.py,
        # `_maybe_symbolic_build`), which `check_images` refuses. Only its shapes and
        # dtypes are used, so it gets the images' integer dtype back; the training steps
        # themselves receive the uint8 batches.
        if data_batch is not None:
            data_batch = tf.nest.map_structure(_as_int32_if_float, data_batch)
        return super()._symbolic_build(iterator=iterator, data_batch=data_batch)

    def distribution(self, images, labels=None):
        """The model's distribution over whole images, conditioned on ``images``' context."""
        return heads.categorical(self(images, labels))

    def log_prob(self, images, labels=None, training=False):
        """Log-likelihood in nats of each image, ``[B]`` (``training``: with dropout, for the loss)."""
        images, labels = self.check_inputs(images, labels)
        return self.head.log_prob(self.outputs_from_checked(images, labels, training), images)

    def sample(self, num, seed=(0, 0), temperature=1.0, labels=None, method="fast"):
        """``num`` images (uint8 ``[num, H, W, C]``), the same for the same seed.

        Args:
          num: number of images.
          seed: an int or a pair of ints (stateless random ops).
          temperature: logits are divided by it (> 0 and finite); 1 samples the model
            itself, below 1 sharpens, above 1 flattens.
          labels: int ``[num]`` classes, for a class-conditional model only.
          method: "fast" (cached incremental generation, `pixel_zoo.fast_sampling`)
            or "naive" (one forward pass per position, `pixel_zoo.sampling`).
            Both draw the same images for a seed, up to float round-off in
            the logits; a family without a fast sampler uses the naive one.

        Example:
            >>> fast = model.sample(16, seed=(1, 2))
            >>> naive = model.sample(16, seed=(1, 2), method="naive")   # same images, slower
        """
        num = int(num)
        if num < 1:
            raise ValueError(f"num must be a positive number of images, got {num}.")
        blank, labels = self.check_inputs(tf.zeros((num, *self.image_shape), tf.int32), labels)
        return self._fill_checked(blank, tf.zeros_like(blank), seed, temperature, labels, method)

    def complete(self, images, known_rows=None, seed=(0, 0), temperature=1.0, labels=None,
                 method="fast", mask=None):
        """Keeps the known part of ``images`` and samples the rest (uint8, like ``images``).

        Give the known part as ``known_rows`` (the rows above it are kept: the
        occlusion completions of the PixelRNN paper) or as a pixel ``mask``.
        With a mask, each unknown pixel is drawn given every known or sampled
        position before it in raster order; known pixels after it cannot
        inform it (an autoregressive model has no such conditional).

        Args:
          images: uint8 or int ``[B, H, W, C]``; the unknown positions' values are ignored.
          known_rows: keep rows ``0 .. known_rows - 1``.
          mask: bool ``[H, W]``, ``[B, H, W]`` or ``[B, H, W, C]``: True keeps the pixel
            (or the sub-pixel), False samples it.
          Other arguments as in `sample`.

        Example:
            >>> bottom_half = model.complete(digits, known_rows=14, seed=1)
            >>> outside_box = np.ones((28, 28), bool); outside_box[8:20, 8:20] = False
            >>> in_painted = model.complete(digits, mask=outside_box, seed=1)
        """
        images, labels = self.check_inputs(images, labels)
        if (known_rows is None) == (mask is None):
            raise ValueError("give exactly one of known_rows and mask.")
        if mask is None:
            height, width, channels = self.image_shape
            if not 0 <= int(known_rows) <= height:
                raise ValueError(f"known_rows must be in [0, {height}], got {known_rows}.")
            known = sampling.known_before(images, int(known_rows) * width * channels)
        else:
            known = validation.check_mask(mask, images)
        return self._fill_checked(images, known, seed, temperature, labels, method)

    def _fill_checked(self, images, known, seed, temperature, labels, method):
        # Tensors, not Python numbers: one compiled `fill` serves every mask and temperature.
        return self.fill(
            images, known, validation.as_seed(seed), validation.check_temperature(temperature),
            labels, method,
        )

    # No AutoGraph: the samplers write their loops as tf.while_loop and tf.cond, and
    # converting every layer call they make only slows the trace (2.5x for pixelcnn_pp).
    @tf.function(reduce_retracing=True, jit_compile=True, autograph=False)
    def fill(self, images, known, seed, temperature=1.0, labels=None, method="fast"):
        """Samples the positions of int32 ``images`` that ``known`` does not mark, in one graph.

        The in-graph sampler behind `sample` and `complete`, and the one an
        exported SavedModel calls: arguments may be symbolic tensors, and
        nothing is checked here. It is compiled with XLA (``jit_compile``),
        which makes the fast sampler 2 to 12 times faster on a CPU; both
        methods then draw with XLA's categorical sampler, so a seed gives the
        same images with either, in every process. (TF Serving runs such a
        graph only with ``--xla_cpu_compilation_enabled``.)

        Args:
          images: int32 ``[B, H, W, C]``.
          known: int32 ``[B, H, W, C]``: 1 keeps the position's value, 0 samples it.
          seed: int64 ``[2]``.
          temperature: float scalar.
          labels: int32 ``[B]`` classes, for a class-conditional model only.
          method: "fast" or "naive", see `sample`.

        Returns:
          uint8 ``[B, H, W, C]``.
        """
        if method not in SAMPLING_METHODS:
            raise ValueError(f"method must be one of {SAMPLING_METHODS}, got {method!r}.")
        if method == "fast" and fast_sampling.supports(self):
            filled = fast_sampling.fill(self, images, known, seed, temperature, labels)
        else:
            filled = sampling.autoregressive_fill(
                functools.partial(self.logits_from_checked, labels=labels),
                images, known, seed, temperature,
            )
        return tf.cast(filled, tf.uint8)

    def get_config(self):
        return {
            **super().get_config(),
            "image_shape": self.image_shape,
            "num_levels": self.num_levels,
            "num_classes": self.num_classes,
            "logistic_mixtures": self.logistic_mixtures,
        }


def _as_int32_if_float(tensor):
    if tensor is None or not tensor.dtype.is_floating:
        return tensor
    return tf.cast(tensor, tf.int32)
