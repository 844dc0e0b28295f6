"""Out-of-distribution detection with likelihood ratios (Ren et al., NeurIPS 2019).

A density model's raw likelihood fails as an OOD score: a PixelCNN trained on
Fashion-MNIST gives MNIST digits *higher* likelihood, because their many black
pixels are easy to predict (Nalisnick et al., ICLR 2019). Ren et al. divide that
out: a *background* model of the same architecture, trained on inputs whose
sub-pixels were replaced by uniform noise with probability mu
(``trainers/train.py --perturb_rate``), learns the low-level statistics but not the
semantics, and ``log p_model(x) - log p_background(x)`` keeps the semantic part.
That log-likelihood ratio (LLR) is high in distribution; `LikelihoodRatio.score`
returns its negative, so that **higher means more likely out of distribution**, as
every score here does.

The ratio keeps the semantics and drops what the background also models, so it misses
inputs whose low-level statistics are foreign too: natural photos get a *lower* ratio
score than Fashion-MNIST images, while their raw NLL is far higher. The *percentile*
score flags both kinds: each of the two scores becomes its percentile among
in-distribution reference images (training images: `LikelihoodRatio.with_reference`;
zoo detectors store the quantiles), and the larger of the two is the score, in [0, 1].
0.999 means one of them is higher than on 99.9% of the reference images, so a threshold
``t`` flags at most about ``2 * (1 - t)`` of in-distribution inputs.

Example:
    >>> import pixel_zoo as pz
    >>> detector = pz.ood.LikelihoodRatio.from_zoo("pixelcnn_fashion_mnist")
    >>> fashion = pz.data.load_split("fashion_mnist", "test", data_dir).images
    >>> digits = pz.data.load_split("mnist", "test", data_dir).images
    >>> pz.ood.auroc(detector.score(fashion), detector.score(digits))     # 1: perfect
    >>> pz.ood.auroc(*(detector.scores(x)["nll"] for x in (fashion, digits)))  # raw NLL
    >>> pz.ood.auroc(*(detector.scores(x)["percentile"] for x in (fashion, digits)))

Reference: J. Ren, P. J. Liu, E. Fertig, J. Snoek, R. Poplin, M. A. DePristo,
J. V. Dillon, B. Lakshminarayanan, "Likelihood Ratios for Out-of-Distribution
Detection", NeurIPS 2019.
"""

import numpy as np
import tensorflow as tf

from pixel_zoo import data, metrics, zoo

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

    def scores(self, images, batch_size=256):
        """Every score of ``images`` (uint8 ``[N, H, W, C]``), as float64 numpy ``[N]`` arrays.

        Returns:
          ``{"likelihood_ratio": log p_bg - log p_model, "nll": -log p_model (nats),
          "bits_per_dim": the NLL per sub-pixel in bits, "log_prob", "background_log_prob"}``,
          and ``"percentile"`` (see the module's docstring) where the detector has a
          reference; those in `score_names` are OOD scores (higher = more likely OOD).
        """
        images = self._checked(images)
        parts = [self._log_probs(tf.constant(images[start:start + batch_size]))
                 for start in range(0, len(images), batch_size)]
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


def auroc(in_scores, out_scores):
    """Area under the ROC curve of telling ``out_scores`` (positives) from ``in_scores``.

    Exact: the probability that a random out-of-distribution score is higher than a
    random in-distribution one, ties counting a half (the Mann-Whitney U statistic over
    ``len(in) * len(out)``). 1: every OOD input scores higher; 0.5: chance; 0: reversed.

    Args:
      in_scores: 1-D scores of in-distribution inputs.
      out_scores: 1-D scores of out-of-distribution inputs.

    Raises:
      ValueError: an empty, non-1-D or non-finite score array.

    Example:
        >>> auroc([0.1, 0.2], [0.3, 0.2])
        0.875
    """
    in_scores, out_scores = _check_scores(in_scores, out_scores)
    ranks = _mid_ranks(np.concatenate([in_scores, out_scores]))
    out_ranks = ranks[len(in_scores):].sum()
    u_statistic = out_ranks - len(out_scores) * (len(out_scores) + 1) / 2.0
    return float(u_statistic / (len(in_scores) * len(out_scores)))


def roc_curve(in_scores, out_scores):
    """The ROC curve: false- and true-positive rates as the threshold falls, from (0, 0) to (1, 1).

    Tied scores form one step (a diagonal segment), so the trapezoid area under the
    curve equals `auroc`.

    Returns:
      ``(false_positive_rate, true_positive_rate)``, float64 numpy arrays of equal length.

    Example:
        >>> roc_curve([0.0, 1.0], [2.0])
        (array([0. , 0. , 0.5, 1. ]), array([0., 1., 1., 1.]))
    """
    in_scores, out_scores = _check_scores(in_scores, out_scores)
    thresholds = np.unique(np.concatenate([in_scores, out_scores]))[::-1]
    in_sorted, out_sorted = np.sort(in_scores), np.sort(out_scores)
    # Inputs scoring >= each threshold are flagged as OOD.
    false_positives = len(in_sorted) - np.searchsorted(in_sorted, thresholds, side="left")
    true_positives = len(out_sorted) - np.searchsorted(out_sorted, thresholds, side="left")
    fpr = np.concatenate([[0.0], false_positives / len(in_sorted)])
    tpr = np.concatenate([[0.0], true_positives / len(out_sorted)])
    return fpr, tpr


def evaluate(detector, in_images, out_sets, batch_size=256):
    """Scores in- and out-of-distribution images; AUROCs of every score for every out set.

    Args:
      detector: a `LikelihoodRatio`.
      in_images: uint8 in-distribution images ``[N, H, W, C]``.
      out_sets: ``{name: uint8 images}``, the out-of-distribution sets.

    Returns:
      ``{"scores": {"in": scores, name: scores, ...}, "auroc": {name: {score: AUROC}}}``,
      the scores as `LikelihoodRatio.scores` gives them.
    """
    scores = {"in": detector.scores(in_images, batch_size)}
    for name, images in out_sets.items():
        scores[name] = detector.scores(images, batch_size)
    aurocs = {name: {kind: auroc(scores["in"][kind], scores[name][kind])
                     for kind in detector.score_names}
              for name in out_sets}
    return {"scores": scores, "auroc": aurocs}


def load_images(spec, image_shape, num_levels, data_dir=None, num=None, seed=0):
    """Images named by ``spec``, made to fit a model of ``image_shape`` and ``num_levels``.

    ``spec`` is ``DATASET:SPLIT`` (any `pixel_zoo.data.load_split` name and split, e.g.
    ``fashion_mnist:test``, ``mnist:test``, ``cifar10_jpeg:valid``) or ``noise:uniform``
    (independent uniform levels). Dataset images of another shape are converted: RGB to
    gray (ITU-R 601 luma) or gray to RGB, resized with area averaging, and requantized
    to ``num_levels``.

    Args:
      spec: see above.
      image_shape: the model's ``(H, W, C)``.
      num_levels: the model's levels per sub-pixel.
      data_dir: local dataset folder (see `pixel_zoo.data.load_split`).
      num: keep the first ``num`` images (the noise set's size; default 10,000 for noise,
        else the whole split).
      seed: the noise's seed.

    Returns:
      uint8 ``[N, H, W, C]`` in ``[0, num_levels)``.

    Raises:
      ValueError: a malformed ``spec`` or an unknown noise kind; as `load_split` for data.

    Example:
        >>> load_images("cifar10_jpeg:valid", (28, 28, 1), 256, "/work/shared/data").shape
        (5000, 28, 28, 1)
    """
    name, separator, split = spec.rpartition(":")
    if not separator or not name or not split:
        raise ValueError(f"data {spec!r} must be DATASET:SPLIT (e.g. mnist:test) or "
                         "noise:uniform.")
    if num is not None and num < 1:
        raise ValueError(f"num must be a positive number of images, got {num}.")
    if name + separator == NOISE:
        if split != "uniform":
            raise ValueError(f"unknown noise {split!r}; the noise set is noise:uniform.")
        rng = np.random.default_rng(seed)
        return rng.integers(0, num_levels, (num or 10000, *image_shape)).astype(np.uint8)
    split_data = data.load_split(name, split, data_dir)
    images = split_data.images[:num]
    if images.shape[1:] == tuple(image_shape) and split_data.num_levels == num_levels:
        return images
    return _convert(images, split_data.num_levels, image_shape, num_levels)


def _convert(images, levels, image_shape, num_levels):
    """Images ``[N, h, w, c]`` of ``levels`` levels -> ``[N, *image_shape]`` of ``num_levels``."""
    height, width, channels = image_shape
    pixels = tf.cast(images, tf.float32) / (levels - 1)  # (N, h, w, c) in [0, 1]
    if pixels.shape[-1] == 3 and channels == 1:
        pixels = tf.image.rgb_to_grayscale(pixels)
    elif pixels.shape[-1] == 1 and channels == 3:
        pixels = tf.image.grayscale_to_rgb(pixels)
    pixels = tf.image.resize(pixels, (height, width), method="area")  # (N, H, W, C)
    return np.round(np.clip(pixels.numpy(), 0.0, 1.0) * (num_levels - 1)).astype(np.uint8)


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


def _check_scores(in_scores, out_scores):
    arrays = []
    for role, scores in (("in_scores", in_scores), ("out_scores", out_scores)):
        scores = np.asarray(scores, np.float64)
        if scores.ndim != 1 or not len(scores):
            raise ValueError(f"{role} must be a non-empty 1-D array, got shape {scores.shape}.")
        if not np.all(np.isfinite(scores)):
            raise ValueError(f"{role} has {np.sum(~np.isfinite(scores))} NaN or infinite "
                             "values.")
        arrays.append(scores)
    return arrays


def _mid_ranks(values):
    """1-based ranks of ``values``, tied values sharing the mean of their ranks."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    last = np.cumsum(counts)  # the highest rank of each distinct value
    return (last - (counts - 1) / 2.0)[inverse]
