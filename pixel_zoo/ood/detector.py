"""`LikelihoodRatio`: a model and its background score images; higher = more likely OOD.

See `pixel_zoo.ood` for the method. The percentile score ranks each score among
in-distribution reference images by quantiles the detector keeps.

Example:
    >>> detector = LikelihoodRatio(model, background).with_reference(train_images)
    >>> detector.scores(images)["percentile"]     # [N] in [0, 1]
"""

import numpy as np
import tensorflow as tf

from pixel_zoo import metrics, zoo

# The scores `LikelihoodRatio.scores` returns (with "percentile" where the detector has a
# reference, `LikelihoodRatio.score_names`); higher = more likely out of distribution.
SCORES = ("likelihood_ratio", "nll", "bits_per_dim")
PERCENTILE = "percentile"
# The scores whose in-distribution percentiles the percentile score combines.
REFERENCE_SCORES = ("likelihood_ratio", "nll")
# Quantiles kept of each reference score: levels 0, 1/1000, ..., 1.
NUM_QUANTILES = 1001
NOISE = "noise:"


class LikelihoodRatio:
    """Scores images by ``log p_background(x) - log p_model(x)``: higher = more likely OOD.

    Args:
      model: the in-distribution model, a built unconditional
        `pz.models.AutoregressiveImageModel`.
      background: a model of the same ``image_shape`` and ``num_levels`` trained on
        perturbed inputs (``trainers/train.py --perturb_rate``).
      reference: ``{score: quantiles}`` for each of `REFERENCE_SCORES`, the increasing
        quantiles at evenly spaced levels from 0 to 1 of that score on in-distribution
        reference images, for the percentile score; None: no percentile score (see
        `with_reference`).

    Example:
        >>> detector = LikelihoodRatio(model, background)
        >>> detector.score(images)                 # float [B]: -(log p_model - log p_bg)
        >>> detector.scores(images)["nll"]         # the raw likelihood's score beside it
        >>> detector.with_reference(train_images).scores(images)["percentile"]
    """

    def __init__(self, model, background, reference=None):
        for role, network in (("model", model), ("background", background)):
            if getattr(network, "num_classes", None) is not None:
                raise ValueError(f"the {role} is class-conditional; use unconditional models.")
        if (tuple(model.image_shape), model.num_levels) != (
                tuple(background.image_shape), background.num_levels):
            raise ValueError(
                f"model and background must score the same images: the model takes "
                f"{model.image_shape} with {model.num_levels} levels, the background "
                f"{background.image_shape} with {background.num_levels}.")
        self.model, self.background = model, background
        self.reference = None if reference is None else _checked_reference(reference)
        self.image_shape, self.num_levels = tuple(model.image_shape), model.num_levels
        self._log_probs = tf.function(self.log_probs_graph, reduce_retracing=True)

    @property
    def score_names(self):
        """The OOD scores `scores` returns: `SCORES`, and "percentile" with a reference."""
        return SCORES + ((PERCENTILE,) if self.reference is not None else ())

    def with_reference(self, images, batch_size=256):
        """This detector with a percentile score, its reference measured on ``images``.

        Args:
          images: uint8 in-distribution images ``[N, H, W, C]``, e.g. part of the
            training split (not the images the detector is then tested on).

        Example:
            >>> train = pz.data.load_split("fashion_mnist", "train", data_dir).images
            >>> detector = detector.with_reference(train[:10000])
            >>> detector.reference["nll"][500]           # the reference images' median NLL
        """
        scores = self.scores(images, batch_size)
        levels = np.linspace(0.0, 1.0, NUM_QUANTILES)
        return LikelihoodRatio(self.model, self.background, {
            kind: np.quantile(scores[kind], levels) for kind in REFERENCE_SCORES})

    def percentile_graph(self, log_probs):
        """The percentile score, float64 ``[B]``, of `log_probs_graph`'s ``{"log_prob",
        "background_log_prob"}``.

        Runs in a graph too (the exported ``ood_score`` signature calls it). The two
        scores are formed in float64, as `scores` forms them.
        """
        log_prob = tf.cast(log_probs["log_prob"], tf.float64)  # (B,)
        scores = {"likelihood_ratio": tf.cast(log_probs["background_log_prob"], tf.float64)
                                      - log_prob,
                  "nll": -log_prob}
        return tf.reduce_max(tf.stack([_interpolated_level(scores[kind], self.reference[kind])
                                       for kind in REFERENCE_SCORES]), axis=0)

    @classmethod
    def from_zoo(cls, name):
        """The detector of a zoo entry and the background model its card names.

        Example:
            >>> LikelihoodRatio.from_zoo("pixelcnn_fashion_mnist")
        """
        entry = zoo.get(name)
        if not entry.background:
            raise ValueError(f"{name} has no background model in its card: it is no OOD "
                             "detector (see trainers.publishing.publish_detector).")
        return cls(zoo.load(name), zoo.load(entry.background),
                   entry.ood.get("reference", {}).get("quantiles"))

    def log_probs_graph(self, images):
        """Both log-likelihoods, in nats: ``{"log_prob", "background_log_prob"}``, each ``[B]``.

        Runs in a graph too (the exported ``ood_score`` signature calls it).
        """
        return {"log_prob": self.model.log_prob(images),  # (B,)
                "background_log_prob": self.background.log_prob(images)}  # (B,)

    def scores(self, images, batch_size=256, progress=None):
        """Every score of ``images`` (uint8 ``[N, H, W, C]``), as float64 numpy ``[N]`` arrays.

        ``progress``, if given, is called with the number of images of each batch scored (a
        `pixel_zoo.progress.ProgressBar`'s ``add``, say).

        Returns:
          ``{"likelihood_ratio": log p_bg - log p_model, "nll": -log p_model (nats),
          "bits_per_dim": the NLL per sub-pixel in bits, "log_prob", "background_log_prob"}``,
          and ``"percentile"`` (see the module's docstring) where the detector has a
          reference; those in `score_names` are OOD scores (higher = more likely OOD).
        """
        images = self._checked(images)
        parts = []
        for start in range(0, len(images), batch_size):
            batch = images[start:start + batch_size]
            parts.append(self._log_probs(tf.constant(batch)))
            if progress is not None:
                progress(len(batch))
        log_prob = np.concatenate([p["log_prob"].numpy() for p in parts]).astype(np.float64)
        background = np.concatenate(
            [p["background_log_prob"].numpy() for p in parts]).astype(np.float64)
        scores = {
            "likelihood_ratio": background - log_prob,
            "nll": -log_prob,
            "bits_per_dim": np.asarray(metrics.bits_per_dim(log_prob, self.image_shape),
                                       np.float64),
            "log_prob": log_prob,
            "background_log_prob": background,
        }
        if self.reference is not None:
            scores[PERCENTILE] = self.percentile_graph(scores).numpy()  # from the log-probs
        return scores

    def score(self, images, batch_size=256):
        """The likelihood-ratio score, ``log p_background - log p_model``, float64 ``[N]``."""
        return self.scores(images, batch_size)["likelihood_ratio"]

    def _checked(self, images):
        images = np.asarray(images)
        if images.ndim != 4 or images.shape[1:] != self.image_shape:
            raise ValueError(f"images must be [N, {', '.join(map(str, self.image_shape))}], "
                             f"got shape {images.shape}.")
        if not np.issubdtype(images.dtype, np.integer):
            raise ValueError(f"images must be integers in [0, {self.num_levels}), got dtype "
                             f"{images.dtype}.")
        if len(images) == 0:
            raise ValueError("images is empty: nothing to score.")
        if images.min() < 0 or images.max() >= self.num_levels:
            raise ValueError(f"image values must be in [0, {self.num_levels}), got values in "
                             f"[{images.min()}, {images.max()}].")
        return images.astype(np.uint8)



def _checked_reference(reference):
    """``{score: quantiles}`` as float64 numpy arrays, or a ValueError naming the problem."""
    if not isinstance(reference, dict) or sorted(reference) != sorted(REFERENCE_SCORES):
        raise ValueError(f"reference must map {', '.join(REFERENCE_SCORES)} to quantiles, got "
                         f"{sorted(reference) if isinstance(reference, dict) else reference!r}.")
    checked = {}
    for kind in REFERENCE_SCORES:
        quantiles = np.asarray(reference[kind], np.float64)
        if (quantiles.ndim != 1 or len(quantiles) < 2 or not np.all(np.isfinite(quantiles))
                or np.any(np.diff(quantiles) < 0)):
            raise ValueError(f"reference[{kind!r}] must be at least 2 finite, non-decreasing "
                             f"quantiles, got {quantiles.shape[0] if quantiles.ndim else 0} "
                             f"values (shape {quantiles.shape}).")
        checked[kind] = quantiles
    return checked


def _interpolated_level(values, quantiles):
    """The level in [0, 1] at which ``values`` [B] fall among ``quantiles`` (levels evenly
    spaced from 0 to 1), linearly interpolated; 0 below the lowest, 1 above the highest.

    A value equal to a run of equal quantiles gets the middle of the run's levels (ties
    count a half, as in `auroc`): the mean of the levels seen from below and from above.
    """
    last = len(quantiles) - 1
    quantiles = tf.constant(quantiles, tf.float64)

    def level(side):
        above = tf.searchsorted(quantiles, values, side=side)  # (B,) in [0, last + 1]
        lower = tf.clip_by_value(above - 1, 0, last - 1)
        low, high = tf.gather(quantiles, lower), tf.gather(quantiles, lower + 1)
        fraction = tf.clip_by_value(tf.math.divide_no_nan(values - low, high - low), 0.0, 1.0)
        # On a flat top segment, a value level with it lies above it seen from above.
        beyond = values > high if side == "left" else values >= high
        fraction = tf.where((high == low) & beyond, tf.ones_like(fraction), fraction)
        return (tf.cast(lower, tf.float64) + fraction) / last

    return (level("left") + level("right")) / 2.0

