"""Plot panels drawn with PIL (a requirement already), so no plotting library is needed:
a framed panel with ticks and a title that maps data to pixels, and legend lines.

Example:
    >>> figure = Image.new("RGB", PANEL, "white")
    >>> draw, font = ImageDraw.Draw(figure), ImageFont.load_default()
    >>> box = axes(draw, font, (0, 0), "NLL against minutes", (0, 40), (80, 100), "minutes")
    >>> draw.line([box(5, 95), box(40, 85)], fill=COLOURS[0], width=2)
    >>> legend(draw, font, (0, 0), 0, "pixelcnn_pp", COLOURS[0])
"""

import math

PANEL = (420, 300)  # width, height of one panel
MARGIN = (52, 28, 16, 40)  # left, top, right, bottom: room for ticks and titles
COLOURS = ((40, 90, 200), (220, 60, 40), (40, 160, 70), (150, 60, 170), (230, 150, 20),
           (90, 90, 90))


def axes(draw, font, origin, title, x_range, y_range, x_label="score (y: fraction)",
         log_x=False):
    """Draws a panel's frame, ticks and title; returns data (x, y) -> pixel (x, y).

    ``log_x``: a logarithmic x axis (``x_range`` above 0) ticked at 1, 2 and 5 times each
    power of ten in it, so that 5 minutes and 700 are both readable on one panel.
    """
    left, top = origin[0] + MARGIN[0], origin[1] + MARGIN[1]
    right, bottom = origin[0] + PANEL[0] - MARGIN[2], origin[1] + PANEL[1] - MARGIN[3]
    y_top = y_range[1] + 0.08 * ((y_range[1] - y_range[0]) or 1.0)  # headroom for legends
    scale = math.log10 if log_x else float
    x_low, x_high = scale(x_range[0]), scale(x_range[1])

    def box(x, y):
        return (left + (scale(x) - x_low) / (x_high - x_low) * (right - left),
                bottom - (y - y_range[0]) / (y_top - y_range[0]) * (bottom - top))

    draw.rectangle([left, top, right, bottom], outline="black")
    draw.text((left, origin[1] + 8), title, fill="black", font=font)
    for fraction in (0.0, 0.5, 1.0):
        y = y_range[0] + fraction * (y_range[1] - y_range[0])
        pixel_y = box(x_range[0], y)[1]
        draw.line([(left - 4, pixel_y), (left, pixel_y)], fill="black")
        draw.text((origin[0] + 4, pixel_y - 6), f"{y:.3g}", fill="black", font=font)
    x_ticks = (log_ticks(*x_range) if log_x else
               [x_range[0] + fraction * (x_range[1] - x_range[0]) for fraction in (0, 0.5, 1)])
    for x in x_ticks:
        pixel_x, text = box(x, y_range[0])[0], f"{x:g}" if log_x else f"{x:.3g}"
        draw.line([(pixel_x, bottom), (pixel_x, bottom + 4)], fill="black")
        draw.text((pixel_x - (3 * len(text) if log_x else 14), bottom + 6), text, fill="black",
                  font=font)
    draw.text((left + (right - left) // 2 - 60, bottom + 20), x_label, fill="black", font=font)
    return box


def log_ticks(low, high):
    """1, 2 and 5 times the powers of ten from ``low`` to ``high`` (both above 0); 1 to 9
    times them where that gives fewer than three ticks."""
    powers = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    for mantissas in ((1, 2, 5), range(1, 10)):
        ticks = [round(10.0 ** power * mantissa, 12) for power in powers
                 for mantissa in mantissas]
        ticks = [tick for tick in ticks if low <= tick <= high]
        if len(ticks) >= 3:
            break
    return ticks


def legend(draw, font, origin, index, label, colour, right=False):
    """One legend line: top left, or (``right``) bottom right, clear of ROC curves."""
    x = origin[0] + (PANEL[0] - MARGIN[2] - 236 if right else MARGIN[0] + 8)
    y = (origin[1] + PANEL[1] - MARGIN[3] - 20 - 13 * index if right
         else origin[1] + MARGIN[1] + 6 + 13 * index)
    draw.line([(x, y + 6), (x + 16, y + 6)], fill=colour, width=3)
    draw.text((x + 20, y), label, fill="black", font=font)
