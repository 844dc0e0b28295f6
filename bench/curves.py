r"""Validation NLL against training time: our runs and the peer, at 5, 10, 20, 40 minutes.

Our side: training runs started with ``--eval_minutes=5,10,20,40`` (and the same
``--eval_batches`` as the peer's curve, 20 batches of 32 = 640 images), one at a time or
two at a time each on a core of its own (``taskset``). Their validations record
``training_minutes``, the time spent in training steps (no compilation, validation or
checkpoints). The peer's side: ``bench/peer_race.py --curve_minutes=5 --results=...``
(beside one of our runs, or ``--nours``), whose curve is measured the same way on the
first 640 validation images. Run, for example:

    python bench/peer_race.py --dataset=binarized_mnist --minutes=40 --curve_minutes=5 \
        --model_dir=runs/study/pixelcnn_pp --results=runs/race.json \
        -- --model=pixelcnn_pp --preset=peer_size --eval_minutes=5,10,20,40 --eval_batches=20
    for model in pixelcnn gated_pixelcnn; do
      taskset -c $((i++)) python -m trainers.train --model=$model --time_limit_minutes=44 \
          --model_dir=runs/study/$model --train_steps=4000 --lr_schedule=cosine \
          --eval_every=0 --eval_minutes=5,10,20,40 --eval_batches=20 &
    done; wait
    PYTHONPATH=. python bench/curves.py --name=binarized_mnist --runs=runs/study/* \
        --peer=runs/race.json

Prints a Markdown table (one row per run: nats at each mark, the validation taken when
the training time first reached it, its training minutes in brackets where they differ
from the mark by more than half a minute) and writes ``bench/results/curves_NAME.json`` and
``curves_NAME.png``; ``python -m trainers.readme_tables`` puts the table in docs/benchmarks.md.
"""

import glob
import json
import os
import sys

import keras
from absl import app, flags
from PIL import Image, ImageDraw, ImageFont

from pixel_zoo import model_dir as model_dir_lib
from pixel_zoo import plot_panels
from pixel_zoo.provenance import history
from pixel_zoo.training import summaries
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
    """``({mark: nats}, {mark: training minutes})``: at each mark, the first validation at or
    after it; failing that, the run's last validation if it is short of the mark by under 5%
    (a run that stopped just before the mark, e.g. on ``--time_limit_minutes``: it trained
    less, so this does not favour it); else None."""
    nats_at, minutes_at = {}, {}
    for mark in marks:
        later = [point for point in curve if point[0] >= mark - 1e-6]
        short = [point for point in curve[-1:] if point[0] >= 0.95 * mark]
        minutes, nats = (later or short or [(None, None)])[0]
        nats_at[str(mark)] = None if nats is None else round(nats, 2)
        minutes_at[str(mark)] = None if minutes is None else round(minutes, 2)
    return nats_at, minutes_at


def other_cores(model_dir):
    """The most CPU cores other processes kept busy in any invocation of the run (None: not
    recorded), from its ``history.jsonl``."""
    loads = [record["load"]["other_load"] for record in history.read(model_dir)
             if record.get("load")]
    return max(loads) if loads else None


def run_labels(model_dir):
    """``(legend, label)``: the run's folder name and size for the plot; for the table, also
    what tells it apart: family, precision, optimizer."""
    config = model_dir_lib.read_config(model_dir)
    training = config["training"]
    parameters = keras.saving.deserialize_keras_object(config["model"]).count_params()
    precision = training["mixed_precision_dtype"] if training["mixed_precision"] else "float32"
    folder = os.path.basename(os.path.normpath(model_dir))
    return (f"{folder} ({parameters / 1e3:.0f}k params)",
            (f"{folder} ({training['model']}, {parameters:,} params, {precision}, "
             f"lr {training['learning_rate']:g} {training['lr_schedule']}, "
             f"batch {training['batch_size']})"))


def plot(curves, legends, path):
    """Draws each ``{label: curve}`` as a line of nats against minutes, named in the legend by
    ``legends[label]``; writes a PNG."""
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
        plot_panels.legend(draw, font, (0, 0), index, legends[label], colour, right=True)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    figure.save(path)


def main(argv):
    del argv
    marks = [float(mark) for mark in _MARKS.value]
    curves, legends, others = {}, {}, {}
    if _PEER.value:
        with open(_PEER.value) as file:
            peer = json.load(file)
        parameters = peer["rows"][0]["parameters"]
        label = f"tfd.PixelCNN (peer, {parameters:,} params, float32)"
        legends[label] = f"tfd.PixelCNN peer ({parameters / 1e3:.0f}k params)"
        curves[label] = [(point["minutes"], point["nats"]) for point in peer["curve"]]
    for model_dir in sorted(path for pattern in _RUNS.value for path in glob.glob(pattern)):
        legend, label = run_labels(model_dir)
        legends[label] = legend
        curves[label], others[label] = run_curve(model_dir), other_cores(model_dir)
    rows = []
    for label, curve in curves.items():
        nats_at, minutes_at = at_marks(curve, marks)
        rows.append({"model": label, "nats_at": nats_at, "minutes_at": minutes_at,
                     "other_cores": others.get(label)})
    base = os.path.join(_OUT_DIR.value, f"curves_{_NAME.value}")
    plot(curves, legends, base + ".png")
    result = {"name": _NAME.value, "minutes": marks, "rows": rows,
              "command": " ".join(["python bench/curves.py", *sys.argv[1:]]),
              "plot": os.path.relpath(base + ".png", ROOT)}
    with open(base + ".json", "w") as file:
        json.dump(result, file, indent=2)
    print(curve_table(result))


if __name__ == "__main__":
    app.run(main)
