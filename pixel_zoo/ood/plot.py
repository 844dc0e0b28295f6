"""The OOD figure: score histograms of in- and out-of-distribution data, and ROC curves.

Drawn with PIL (`pixel_zoo.plot_panels`). One row per score (the likelihood ratio, the
raw NLL, and the percentile score where the detector has a reference): its histograms on
the left, its ROC curves on the right, one colour per data set.

Example:
    >>> result = pz.ood.evaluate(detector, fashion, {"mnist:test": digits})
    >>> plot(result, "fashion_mnist:test", "ood.png")
"""

import os

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pixel_zoo import plot_panels
from pixel_zoo.ood import roc
from pixel_zoo.ood.detector import PERCENTILE
from pixel_zoo.plot_panels import COLOURS, MARGIN, PANEL

TITLES = {"likelihood_ratio": "likelihood ratio: log p_bg - log p_model",
          "nll": "raw NLL (nats): -log p_model", "bits_per_dim": "bits/dim",
          PERCENTILE: "percentile among training images, max of both"}


def plot(result, in_name, path, scores=None, bins=50):
    """Writes the figure of an `pixel_zoo.ood.evaluate` result to a PNG file; returns ``path``.

    Args:
      result: `pixel_zoo.ood.evaluate`'s dict.
      in_name: the in-distribution data's name, for the legend.
      path: the PNG to write (folders are created).
      scores: the scores to draw, one row each; None: every score with an AUROC in
        ``result`` but bits/dim (it ranks images as the NLL does).
      bins: histogram bins.
    """
    if scores is None:
        scores = [kind for kind in next(iter(result["auroc"].values()))
                  if kind != "bits_per_dim"]
    names = list(result["scores"])  # "in" first, then the out sets
    labels = [in_name + " (in)"] + names[1:]
    figure = Image.new("RGB", (2 * PANEL[0], len(scores) * PANEL[1] + 24), "white")
    draw = ImageDraw.Draw(figure)
    font = ImageFont.load_default()
    for row, kind in enumerate(scores):
        top = row * PANEL[1]
        values = [result["scores"][name][kind] for name in names]
        _histograms(draw, font, (0, top), values, labels, TITLES[kind], bins)
        curves = [roc.roc_curve(values[0], out) for out in values[1:]]
        legend = [f"{label}: AUROC {result['auroc'][name][kind]:.3f}"
                  for label, name in zip(labels[1:], names[1:])]
        _roc(draw, font, (PANEL[0], top), curves, legend, f"ROC, {TITLES[kind]}")
    draw.text((MARGIN[0], len(scores) * PANEL[1] + 6),
              "higher score = more likely out of distribution", fill="black", font=font)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    figure.save(path, format="PNG")
    return path


def _histograms(draw, font, origin, values, labels, title, bins):
    """Overlaid step histograms (densities) of ``values``, shared bins over 0.5-99.5%."""
    pooled = np.concatenate(values)
    low, high = np.percentile(pooled, [0.5, 99.5])
    high = high if high > low else low + 1.0
    edges = np.linspace(low, high, bins + 1)
    densities = [np.histogram(np.clip(v, low, high), edges)[0] / len(v) for v in values]
    box = plot_panels.axes(draw, font, origin, title, (low, high),
                           (0.0, max(d.max() for d in densities)))
    for index, (density, label) in enumerate(zip(densities, labels)):
        colour = COLOURS[index % len(COLOURS)]
        points = []
        for bin_index, height in enumerate(density):
            points += [(edges[bin_index], height), (edges[bin_index + 1], height)]
        draw.line([box(x, y) for x, y in points], fill=colour, width=2)
        plot_panels.legend(draw, font, origin, index, label, colour)


def _roc(draw, font, origin, curves, legend, title):
    box = plot_panels.axes(draw, font, origin, title, (0.0, 1.0), (0.0, 1.0),
                "false positive rate (y: true positive rate)")
    draw.line([box(0, 0), box(1, 1)], fill=(190, 190, 190), width=1)
    for index, ((fpr, tpr), label) in enumerate(zip(curves, legend)):
        colour = COLOURS[(index + 1) % len(COLOURS)]
        draw.line([box(x, y) for x, y in zip(fpr, tpr)], fill=colour, width=2)
        plot_panels.legend(draw, font, origin, index, label, colour, right=True)
