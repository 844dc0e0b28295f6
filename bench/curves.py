r"""Validation NLL against training time: our runs and the peer, at 5, 10, 20, 40 minutes.

Our side: training runs started with ``--eval_minutes=5,10,20,40`` (and the same
``--eval_batches`` as the peer's curve, 20 batches of 32 = 640 images), each alone on the
machine. Their validations record ``training_minutes``, the time spent in training steps
(no compilation, validation or checkpoints). The peer's side: ``bench/peer_race.py
--nours --curve_minutes=5 --results=...``, whose curve is measured the same way on the
first 640 validation images. Run, for example:

    python bench/peer_race.py --nours --dataset=binarized_mnist --minutes=40 \
        --curve_minutes=5 --results=bench/results/peer_binarized_mnist.json
    python -m trainers.train --model=pixelcnn_pp --preset=peer_size --ema \
        --model_dir=runs/study/pixelcnn_pp_lr1e-3 --time_limit_minutes=40 \
        --train_steps=100000 --eval_every=0 --eval_minutes=5,10,20,40 --eval_batches=20
    PYTHONPATH=. python bench/curves.py --name=binarized_mnist --runs=runs/study/* \
        --peer=bench/results/peer_binarized_mnist.json

Prints a Markdown table (one row per run: nats at each mark, the validation taken when
the training time first reached it) and writes ``bench/results/curves_NAME.json`` and
``curves_NAME.png``; ``python -m trainers.readme_tables`` puts the table in README.
"""

import glob
import json
import os
import sys

from absl import app, flags
from PIL import Image, ImageDraw, ImageFont

from pixel_zoo import model_dir as model_dir_lib
from pixel_zoo import plot_panels
from pixel_zoo.training import history, summaries
from trainers.readme_tables import ROOT, curve_table

_NAME = flags.DEFINE_string("name", None, "The study's name: bench/results/curves_NAME.*")
_RUNS = flags.DEFINE_list("runs", [], "Training run folders (globs).")
_PEER = flags.DEFINE_string("peer", None, "A bench/peer_race.py --results JSON file.")
_MARKS = flags.DEFINE_list("minutes", ["5", "10", "20", "40"], "Training minutes to report.")
_OUT_DIR = flags.DEFINE_string("out_dir", os.path.join(ROOT, "bench", "results"),
                               "Where curves_NAME.json and .png go.")
flags.mark_flag_as_required("name")


def run_curve(model_dir):
    """``[(training minutes, nats)]`` of a run's validations, in step order."""
    scalars = summaries.read_scalars(os.path.join(model_dir, "valid"))
    minutes = dict(scalars.get("training_minutes", []))
    return [(minutes[step], nats) for step, nats in scalars.get("nats", []) if step in minutes]


def at_marks(curve, marks):
    """``{mark: nats}``: the first validation at or after each mark (None if none)."""
    return {str(mark): next((round(nats, 2) for minutes, nats in curve if minutes >= mark - 1e-6),
                            None) for mark in marks}


def other_cores(model_dir):
    """The most CPU cores other processes kept busy in any invocation of the run (None: not
    recorded), from its ``history.jsonl``."""
    loads = [record["load"]["other_load"] for record in history.read(model_dir)
             if record.get("load")]
    return max(loads) if loads else None


def run_label(model_dir):
    """The run's folder name and the flags that tell it apart."""
    training = model_dir_lib.read_config(model_dir)["training"]
    return (f"{os.path.basename(os.path.normpath(model_dir))} ({training['model']}, "
            f"lr {training['learning_rate']:g}, batch {training['batch_size']})")


def plot(curves, path):
    """Draws each ``{label: curve}`` as a line of nats against minutes; writes a PNG."""
    points = [point for curve in curves.values() for point in curve if point[0] > 0]
    x_range = (0.0, max(minutes for minutes, _ in points))
    y_range = (min(nats for _, nats in points), max(nats for _, nats in points))
    figure = Image.new("RGB", plot_panels.PANEL, "white")
    draw, font = ImageDraw.Draw(figure), ImageFont.load_default()
    box = plot_panels.axes(draw, font, (0, 0), "validation nats/image", x_range, y_range,
                           "training minutes")
    for index, (label, curve) in enumerate(curves.items()):
        colour = plot_panels.COLOURS[index % len(plot_panels.COLOURS)]
        line = [box(minutes, nats) for minutes, nats in curve if minutes > 0]
        if len(line) > 1:
            draw.line(line, fill=colour, width=2)
        plot_panels.legend(draw, font, (0, 0), index, label[:38], colour, right=True)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    figure.save(path)


def main(argv):
    del argv
    marks = [float(mark) for mark in _MARKS.value]
    curves, others = {}, {}
    if _PEER.value:
        with open(_PEER.value) as file:
            peer = json.load(file)
        curves["tfd.PixelCNN (peer)"] = [(point["minutes"], point["nats"])
                                         for point in peer["curve"]]
    for model_dir in sorted(path for pattern in _RUNS.value for path in glob.glob(pattern)):
        label = run_label(model_dir)
        curves[label], others[label] = run_curve(model_dir), other_cores(model_dir)
    rows = [{"model": label, "nats_at": at_marks(curve, marks), "other_cores": others.get(label)}
            for label, curve in curves.items()]
    base = os.path.join(_OUT_DIR.value, f"curves_{_NAME.value}")
    plot(curves, base + ".png")
    result = {"name": _NAME.value, "minutes": marks, "rows": rows,
              "command": " ".join(["python bench/curves.py", *sys.argv[1:]]),
              "plot": os.path.relpath(base + ".png", ROOT)}
    with open(base + ".json", "w") as file:
        json.dump(result, file, indent=2)
    print(curve_table(result))


if __name__ == "__main__":
    app.run(main)
