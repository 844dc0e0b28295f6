r"""The zoo's budget curves: every published figure of each zoo entry against the training
minutes behind it, from the cards' versions in git history (no training, no evaluation).

    PYTHONPATH=. python bench/budget_curves.py

Per dataset in the zoo, writes ``bench/results/budget_curves_DATASET.json`` (each entry's
points: the validation figure its card published at each version, the summed wall minutes of
its timed training segments, the steps, what the segments did; the untimed segments; the
versions left out and why: `trainers.zoo_budget`) and ``budget_curves_DATASET.png`` (minutes
on a log axis, so 5 minutes and 700 both read), removes those of datasets no longer in the
zoo, and prints the tables that ``python -m trainers.readme_tables`` puts in
docs/benchmarks.md. Run it after each publishing commit (the points name their commits).
"""

import json
import os
import sys

from absl import app, flags
from PIL import Image, ImageDraw, ImageFont

from pixel_zoo import plot_panels
from trainers import zoo_budget
from trainers.bench_tables import budget_tables

COMMAND = "PYTHONPATH=. python bench/budget_curves.py"
_OUT_DIR = flags.DEFINE_string("out_dir", os.path.join(zoo_budget.ROOT, "bench", "results"),
                               "Where budget_curves_DATASET.json and .png go.")


def plot(curve, path):
    """Draws each entry of ``curve`` (a `zoo_budget.budget_curves` value) as its figures
    against its timed minutes on a log axis, with a dotted line at an hour; a hollow mark is
    a point after untimed steps. The legend is under the panel. Writes a PNG."""
    key = "nats" if curve["unit"] == "nats" else "bits_per_dim"
    drawn = {entry["name"]: [point for point in entry["points"] if point["minutes"] > 0]
             for entry in curve["entries"]}
    points = [point for entry in drawn.values() for point in entry]
    x_range = (min(p["minutes"] for p in points) / 1.25, max(p["minutes"] for p in points) * 1.25)
    low, high = min(p[key] for p in points), max(p[key] for p in points)
    y_range = (low - 0.05 * (high - low or low * 0.1), high + 0.05 * (high - low or low * 0.1))
    size = (plot_panels.PANEL[0], plot_panels.PANEL[1] + 13 * len(drawn) + 10)
    figure = Image.new("RGB", size, "white")
    draw, font = ImageDraw.Draw(figure), ImageFont.load_default()
    unit = "nats/image" if curve["unit"] == "nats" else "bits/dim"
    box = plot_panels.axes(draw, font, (0, 0), f"{curve['dataset']}: validation {unit}",
                           x_range, y_range, "training minutes (log scale)", log_x=True)
    if x_range[0] < 60 < x_range[1]:
        (x, top), (_, bottom) = box(60, y_range[1]), box(60, y_range[0])
        for y in range(int(top), int(bottom), 6):
            draw.line([(x, y), (x, y + 2)], fill=(150, 150, 150))
        draw.text((x + 3, bottom - 14), "1 h", fill=(120, 120, 120), font=font)
    legend_origin = (0, plot_panels.PANEL[1] - plot_panels.MARGIN[1])
    colours = [plot_panels.COLOURS[index % len(plot_panels.COLOURS)]
               for index in range(len(curve["entries"]))]
    for entry, colour in zip(curve["entries"], colours):
        line = [box(point["minutes"], point[key]) for point in drawn[entry["name"]]]
        if len(line) > 1:
            draw.line(line, fill=colour, width=2)
    for entry, colour in zip(curve["entries"], colours):  # marks over every line
        for point in drawn[entry["name"]]:
            x, y = box(point["minutes"], point[key])
            draw.ellipse([x - 3, y - 3, x + 3, y + 3], outline=colour, width=2,
                         fill="white" if point["untimed_steps"] else colour)
    for index, (entry, colour) in enumerate(zip(curve["entries"], colours)):
        untimed = entry["points"][-1]["untimed_steps"]
        plot_panels.legend(draw, font, legend_origin, index, entry["name"]
                           + (f" (+{untimed:,} untimed steps)" if untimed else ""), colour)
    figure.save(path)


def main(argv):
    del argv
    os.makedirs(_OUT_DIR.value, exist_ok=True)
    written, results = set(), []
    for dataset, curve in zoo_budget.budget_curves(zoo_budget.ROOT).items():
        base = os.path.join(_OUT_DIR.value, f"budget_curves_{dataset}")
        plot(curve, base + ".png")
        result = {**curve, "command": " ".join([COMMAND, *sys.argv[1:]]),
                  "plot": os.path.relpath(base + ".png", zoo_budget.ROOT)}
        with open(base + ".json", "w") as file:
            json.dump(result, file, indent=2)
            file.write("\n")
        written |= {base + ".json", base + ".png"}
        results.append(result)
    for name in os.listdir(_OUT_DIR.value):
        path = os.path.join(_OUT_DIR.value, name)
        if name.startswith("budget_curves_") and path not in written:
            os.remove(path)
            print(f"removed {path}: its dataset is no longer in the zoo")
    print(budget_tables(results))


if __name__ == "__main__":
    app.run(main)
