"""Telling out-of-distribution scores from in-distribution ones: AUROC and the ROC curve.

Example:
    >>> auroc([0.1, 0.2], [0.3, 0.2])
    0.875
    >>> evaluate(detector, fashion, {"mnist:test": digits})["auroc"]["mnist:test"]["nll"]
"""

import numpy as np

from pixel_zoo.progress import ProgressBar


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

    On a terminal, a progress bar counts the images scored (`pixel_zoo.progress.ProgressBar`).

    Args:
      detector: a `LikelihoodRatio`.
      in_images: uint8 in-distribution images ``[N, H, W, C]``.
      out_sets: ``{name: uint8 images}``, the out-of-distribution sets.

    Returns:
      ``{"scores": {"in": scores, name: scores, ...}, "auroc": {name: {score: AUROC}}}``,
      the scores as `LikelihoodRatio.scores` gives them.
    """
    bar = ProgressBar(len(in_images) + sum(map(len, out_sets.values())), unit_name="image")
    scores = {"in": detector.scores(in_images, batch_size, bar.add)}
    for name, images in out_sets.items():
        scores[name] = detector.scores(images, batch_size, bar.add)
    aurocs = {name: {kind: auroc(scores["in"][kind], scores[name][kind])
                     for kind in detector.score_names}
              for name in out_sets}
    return {"scores": scores, "auroc": aurocs}


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
