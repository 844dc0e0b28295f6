"""A compressed file against what it should cost (the model's NLL) and against generic codecs.

``pixel-zoo compress ... --report`` prints `lines`; ``bench/codec.py`` keeps `compare`'s
figures for docs/codec.md.

Example:
    >>> figures = compare(model, digits, None, pz.codec.compress(model, digits))
    >>> print("\\n".join(lines(figures)))
    200 images of 28x28x1, 2 levels          bits/image   bits/dim   / model NLL
    model NLL (log_prob)                         117.20     0.1495         1.000
    ...
"""

import math

import numpy as np

from pixel_zoo import data, evaluation
from pixel_zoo.codec import baselines, file_format


def nll_bits(model, images, labels=None):
    """The NLL of each image under ``model`` in bits, float64 ``[N]`` (its full forward pass).

    Example:
        >>> nll_bits(model, digits).mean()
        118.2
    """
    split = data.ImageData(np.asarray(images, np.uint8),
                           None if labels is None else np.asarray(labels, np.int32),
                           model.num_levels)
    return evaluation.per_image_nll(model, split) / math.log(2)


def compare(model, images, labels, compressed):
    """Bits per image of ``compressed`` (`compress`'s bytes of ``images``) and its rivals.

    Returns:
      ``{"images": N, "image_shape": ..., "num_levels": ..., "nll": bits,
      "file": bits, "payload": bits, "codecs": {codec: bits}}``, each per image.

    Example:
        >>> compare(model, digits, None, pz.codec.compress(model, digits))["payload"]
        118.6
    """
    count = len(images)
    payload = file_format.unpack(compressed)[1]
    return {
        "images": count, "image_shape": tuple(model.image_shape),
        "num_levels": model.num_levels,
        "nll": float(np.mean(nll_bits(model, images, labels))),
        "file": 8 * len(compressed) / count, "payload": 8 * len(payload) / count,
        "codecs": {name: 8 * size / count
                   for name, size in baselines.sizes(images, model.num_levels).items()},
    }


def lines(figures):
    """`compare`'s figures as a text table: bits per image, bits per dimension, against the NLL.

    Example: see the module docstring.
    """
    dims, nll = math.prod(figures["image_shape"]), figures["nll"]
    shape = "x".join(map(str, figures["image_shape"]))
    rows = [("model NLL (log_prob)", nll), ("this file", figures["file"]),
            ("  its payload (no header)", figures["payload"]), *figures["codecs"].items()]
    title = f"{figures['images']} images of {shape}, {figures['num_levels']} levels"
    return [f"{title:36s} {'bits/image':>12s} {'bits/dim':>10s} {'/ model NLL':>12s}"] + [
        f"{name:36s} {bits:12.2f} {bits / dims:10.4f} {bits / nll:12.3f}" for name, bits in rows]
