"""The OOD figure: score histograms of in- and out-of-distribution data, and ROC curves.

Drawn with PIL (a requirement already), so no plotting library is needed. One row per
score (the likelihood ratio, the raw NLL): its histograms on the left, its ROC curves
on the right, one colour per data set.

Example:
    >>> result = pz.ood.evaluate(detector, fashion, {"mnist:test": digits})
    >>> plot(result, "fashion_mnist:test", "ood.png")
"""

import os

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pixel_zoo import ood

PANEL = (420, 300)  # width, height of one panel
MARGIN = (52, 28, 16, 40)  # left, top, right, bottom: room for ticks and titles
COLOURS = ((40, 90, 200), (220, 60, 40), (40, 160, 70), (150, 60, 170), (230, 150, 20),
           (90, 90, 90))
TITLES = {"likelihood_ratio": "likelihood ratio: log p_bg - log p_model",
          "nll": "raw NLL (nats): -log p_model", "bits_per_dim": "bits/dim"}


def plot(result, in_name, path, scores=("likelihood_ratio", "nll"), bins=50):
    """Writes the figure of an `pixel_zoo.ood.evaluate` result to a PNG file; returns ``path``.

    Args:
      result: `pixel_zoo.ood.evaluate`'s dict.
      in_name: the in-distribution data's name, for the legend.
      path: the PNG to write (folders are created).
      scores: the scores to draw, one row each.
      bins: histogram bins.
    """
    names = list(result["scores"])  # "in" first, then the out sets
    labels = [in_name + " (in)"] + names[1:]
    figure = Image.new("RGB", (2 * PANEL[0], len(scores) * PANEL[1] + 24), "white")
    draw = ImageDraw.Draw(figure)
    font = ImageFont.load_default()
    for row, kind in enumerate(scores):
        top = row * PANEL[1]
        values = [result["scores"][name][kind] for name in names]
        _histograms(draw, font, (0, top), values, labels, TITLES[kind], bins)
        curves = [ood.roc_curve(values[0], out) for out in values[1:]]
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
    box = _axes(draw, font, origin, title, (low, high), (0.0, max(d.max() for d in densities)))
    for index, (density, label) in enumerate(zip(densities, labels)):
        colour = COLOURS[index % len(COLOURS)]
        points = []
        for bin_index, height in enumerate(density):
            points += [(edges[bin_index], height), (edges[bin_index + 1], height)]
        draw.line([box(x, y) for x, y in points], fill=colour, width=2)
        _legend(draw, font, origin, index, label, colour)


def _roc(draw, font, origin, curves, legend, title):
    box = _axes(draw, font, origin, title, (0.0, 1.0), (0.0, 1.0),
                "false positive rate (y: true positive rate)")
    draw.line([box(0, 0), box(1, 1)], fill=(190, 190, 190), width=1)
    for index, ((fpr, tpr), label) in enumerate(zip(curves, legend)):
        colour = COLOURS[(index + 1) % len(COLOURS)]
        draw.line([box(x, y) for x, y in zip(fpr, tpr)], fill=colour, width=2)
        _legend(draw, font, origin, index, label, colour, right=True)


def _axes(draw, font, origin, title, x_range, y_range, x_label="score (y: fraction)"):
    """Draws a panel's frame, ticks and title; returns data (x, y) -> pixel (x, y)."""
    left, top = origin[0] + MARGIN[0], origin[1] + MARGIN[1]
    right, bottom = origin[0] + PANEL[0] - MARGIN[2], origin[1] + PANEL[1] - MARGIN[3]
    y_top = y_range[1] * 1.08 or 1.0

    def box(x, y):
        return (left + (x - x_range[0]) / (x_range[1] - x_range[0]) * (right - left),
                bottom - (y - y_range[0]) / (y_top - y_range[0]) * (bottom - top))

    draw.rectangle([left, top, right, bottom], outline="black")
    draw.text((left, origin[1] + 8), title, fill="black", font=font)
    for fraction in (0.0, 0.5, 1.0):
        x = x_range[0] + fraction * (x_range[1] - x_range[0])
        y = y_range[0] + fraction * (y_range[1] - y_range[0])
        pixel_x, pixel_y = box(x, y)
        draw.line([(pixel_x, bottom), (pixel_x, bottom + 4)], fill="black")
        draw.text((pixel_x - 14, bottom + 6), f"{x:.3g}", fill="black", font=font)
        draw.line([(left - 4, pixel_y), (left, pixel_y)], fill="black")
        draw.text((origin[0] + 4, pixel_y - 6), f"{y:.2g}", fill="black", font=font)
    draw.text((left + (right - left) // 2 - 60, bottom + 20), x_label, fill="black", font=font)
    return box


def _legend(draw, font, origin, index, label, colour, right=False):
    """One legend line: top left, or (``right``) bottom right, clear of ROC curves."""
    x = origin[0] + (PANEL[0] - MARGIN[2] - 236 if right else MARGIN[0] + 8)
    y = (origin[1] + PANEL[1] - MARGIN[3] - 20 - 13 * index if right
         else origin[1] + MARGIN[1] + 6 + 13 * index)
    draw.line([(x, y + 6), (x + 16, y + 6)], fill=colour, width=3)
    draw.text((x + 20, y), label, fill="black", font=font)
