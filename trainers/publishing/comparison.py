"""Whether new weights beat an entry's by more than noise: a paired comparison per image.

Two models scored on the same validation images differ image by image much
less than the images differ from each other, so the mean of the per-image
differences has a far smaller standard error than either mean. Publishing
replaces an entry only where the 95% interval of that mean excludes zero.

Example:
    >>> improvement = paired_improvement(previous_nll=[90.1, 80.3, 85.0],
    ...                                  new_nll=[89.9, 80.0, 84.9])
    >>> improvement["mean_nats"], is_better(improvement)
    (0.2, True)
"""

import numpy as np

# The two-sided 95% quantile of the normal distribution.
Z_95 = 1.959963984540054


def paired_improvement(previous_nll, new_nll):
    """The mean of ``previous - new`` NLL per image (nats; > 0: the new model is better).

    Args:
      previous_nll, new_nll: ``[N]`` per-image NLLs of two models on the same images, in
        the same order (N >= 2).

    Returns:
      ``{"mean_nats", "interval95_nats": [low, high], "num_images"}``, the interval
      the mean plus or minus 1.96 standard errors of the differences.

    Raises:
      ValueError: the two arrays differ in length or hold fewer than two images.
    """
    previous = np.asarray(previous_nll, np.float64)
    new = np.asarray(new_nll, np.float64)
    if previous.shape != new.shape or previous.ndim != 1 or len(previous) < 2:
        raise ValueError(f"a paired comparison needs two [N] arrays of the same N >= 2, got "
                         f"shapes {previous.shape} and {new.shape}")
    differences = previous - new
    mean = float(differences.mean())
    half_width = Z_95 * float(differences.std(ddof=1)) / np.sqrt(len(differences))
    return {"mean_nats": round(mean, 4),
            "interval95_nats": [round(mean - half_width, 4), round(mean + half_width, 4)],
            "num_images": len(differences)}


def is_better(improvement):
    """Whether the interval of `paired_improvement` lies wholly above zero."""
    return improvement["interval95_nats"][0] > 0
