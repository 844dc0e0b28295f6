"""Sampling speed: naive vs fast (cached) sampling of every family, and tfd.PixelCNN for scale.

Run (about 10 minutes on 2 idle CPU cores; ``--quick`` about 4, ``--skip_tfp`` saves 2):

    python bench/sampling.py
    python bench/sampling.py --quick --skip_tfp
    python bench/sampling.py --results=bench/results/speed_sampling.json   # for docs/benchmarks.md

Prints one markdown table (``--results`` keeps it for docs/benchmarks.md: `report`). For each
family, image setting and batch size:

- ``forward``: one forward pass (logits of the whole batch, a plain `tf.function`);
- ``naive``: ``model.sample(method="naive")``, one forward pass per position
  (XLA-compiled, like every `fill`), and ``naive, no XLA``, the same loop in a
  plain graph (`pixel_zoo.sampling`, the sampler before the fast one). Marked
  ``~`` when timed on the last ``--naive_steps`` positions only and
  extrapolated to the whole image: each position costs the same full pass;
- ``fast``: ``model.sample()`` (`pixel_zoo.fast_sampling`), after one call
  that compiles it (``compile``, seconds, tracing included);
- ``speed-up``: the faster naive time over the fast time; ``fast / forward``:
  the distance from the ideal of generating for the cost of one pass.

Times are in seconds per batch: medians of ``--repeats`` runs after a
warm-up, except the naive samplers and the reference's sampling, timed once
(a naive run averages over its positions already).

Model sizes: the ``paper_mnist`` presets at 28x28x1 with 2 levels (PixelCNN,
Row LSTM, Diagonal BiLSTM: 7 layers, h=16; Gated PixelCNN: 7 layers, p=16)
and the ``cpu_small`` presets at 32x32x3 with 256 levels (PixelCNN: 4 layers,
h=32; Row LSTM and Diagonal BiLSTM: 2 layers, h=16; Gated PixelCNN: 5 layers,
p=32), random weights; PixelCNN++ at 28x28x1 uses ``peer_size`` (the reference's
size: 1 block per resolution, 2 resolutions, 43 filters, 5 logistics) and at 32x32x3
``cpu_small`` (1 block, 3 resolutions, 32 filters, 5 coupled logistics). The reference is ``tfd.PixelCNN(image_shape=(28, 28, 1),
num_resnet=1, num_hierarchies=2, num_filters=32, high=1)``, 625k parameters,
sampled with its own `sample` (a ``tf.while_loop`` over positions, one forward
pass each); with ``--quick`` only at batch 1. Its ``compile`` is the first
batch of 1, tracing included.
"""

import functools
import os
import time

import numpy as np
import report  # bench/report.py
import tensorflow as tf
import tensorflow_probability as tfp
from absl import app, flags

import pixel_zoo as pz
from pixel_zoo import sampling
from pixel_zoo.models import presets

_MODELS = flags.DEFINE_list("models", pz.models.model_names(), "Families to measure.")
_BATCH_SIZES = flags.DEFINE_list("batch_sizes", ["1", "16"], "Images per batch.")
_NAIVE_STEPS = flags.DEFINE_integer(
    "naive_steps", 256, "Positions the naive samplers are timed on (then extrapolated)."
)
_REPEATS = flags.DEFINE_integer("repeats", 3, "Timed runs per measurement (the median counts).")
_QUICK = flags.DEFINE_boolean(
    "quick", False, "Naive samplers timed on 32 positions, the reference at batch 1 only."
)
_SKIP_TFP = flags.DEFINE_boolean("skip_tfp", False, "Leave out tfd.PixelCNN.")

SETTINGS = [  # (preset, image_shape, num_levels)
    ("paper_mnist", (28, 28, 1), 2),
    ("cpu_small", (32, 32, 3), 256),
]
SEED = tf.constant([1, 2], tf.int64)


def preset_for(name, preset):
    """``preset``, or ``peer_size`` for a family without it (PixelCNN++ has no MNIST paper model)."""
    return preset if preset in presets.preset_names(name) else "peer_size"


def median_seconds(function, repeats):
    """Median wall time of ``function()`` (which returns a tensor) over ``repeats`` runs."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        np.asarray(function())
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def first_call_seconds(function):
    """Wall time of the first call: tracing and compiling included."""
    return median_seconds(function, 1)


def naive_seconds(fill, images, steps):
    """``(seconds, extrapolated)`` for the naive ``fill`` of whole images, timed on ``steps``.

    One timed run: it already averages over ``steps`` identical full passes.
    """
    positions = int(np.prod(images.shape[1:]))
    steps = min(steps, positions)

    def run(first_position):
        known = sampling.known_before(images, first_position)
        return fill(images, known, SEED, tf.constant(1.0))

    first_call_seconds(lambda: run(positions - 1))  # Compiles.
    return median_seconds(lambda: run(positions - steps), 1) * positions / steps, steps < positions


def measure(model, batch_size, naive_steps, repeats):
    """The table's timings for one model and batch size."""
    images = tf.zeros((batch_size, *model.image_shape), tf.int32)
    forward = tf.function(model.logits_from_checked)
    first_call_seconds(lambda: forward(images))

    @tf.function
    def plain_fill(*args):
        return sampling.autoregressive_fill(model.logits_from_checked, *args)

    def naive_fill(*args):
        return model.fill(*args, method="naive")

    def fast():
        return model.sample(batch_size, seed=(1, 2))

    return {
        "forward": median_seconds(lambda: forward(images), max(repeats, 5)),
        "naive": naive_seconds(naive_fill, images, naive_steps),
        "naive, no XLA": naive_seconds(plain_fill, images, naive_steps),
        "compile": first_call_seconds(fast),
        "fast": median_seconds(fast, repeats),
    }


def measure_tfp(batch_sizes, repeats):
    """``(params, {batch_size: timings})`` of the reference; its `sample` is its only sampler.

    Its sampling is timed once per batch size (16 images take minutes), after
    a batch of 1 that traces it.
    """
    distribution = tfp.distributions.PixelCNN(
        image_shape=(28, 28, 1), num_resnet=1, num_hierarchies=2, num_filters=32, high=1
    )
    log_prob = tf.function(distribution.log_prob)
    sample = tf.function(lambda num: distribution.sample(num, seed=42))
    compile_seconds = first_call_seconds(lambda: sample(tf.constant(1)))
    results = {}
    for batch_size in batch_sizes:
        images = tf.zeros((batch_size, 28, 28, 1))
        num = tf.constant(batch_size)
        forward = functools.partial(log_prob, images)
        first_call_seconds(forward)
        results[batch_size] = {
            "compile": compile_seconds,
            "forward": median_seconds(forward, max(repeats, 5)),
            "fast": median_seconds(functools.partial(sample, num), 1),
        }
    params = sum(int(np.prod(variable.shape)) for variable in distribution.trainable_variables)
    return params, results


def row(name, image, params, batch_size, timings):
    """One markdown table row."""
    fast, forward = timings["fast"], timings["forward"]

    def naive(key):
        if key not in timings:
            return "n/a", "n/a"
        seconds, extrapolated = timings[key]
        mark = "~" if extrapolated else ""
        return f"{mark}{seconds:.2f}", f"{mark}{batch_size / seconds:.2f}"

    naive_seconds_text, naive_rate = naive("naive")
    plain_seconds_text, _ = naive("naive, no XLA")
    if "naive" in timings:
        best_naive = min(timings["naive"][0], timings["naive, no XLA"][0])
        speed_up = f"{best_naive / fast:.0f}x"
    else:
        speed_up = "n/a"
    return (
        f"| {name} | {image} | {params:,} | {batch_size} | {forward:.4f} | "
        f"{naive_seconds_text} | {plain_seconds_text} | {naive_rate} | {timings['compile']:.1f} | "
        f"{fast:.3f} | {batch_size / fast:.1f} | {speed_up} | {fast / forward:.1f} |"
    )


def main(argv):
    del argv
    tf.get_logger().setLevel("ERROR")  # Retracing notes for each new model and batch size.
    quick = _QUICK.value
    naive_steps = 32 if quick else _NAIVE_STEPS.value
    repeats = _REPEATS.value
    batch_sizes = [int(size) for size in _BATCH_SIZES.value]
    print(
        f"TensorFlow {tf.__version__}, {os.cpu_count()} CPU cores (shared: expect noise), "
        f"naive timed on {naive_steps} positions, medians of {repeats}.\n"
    )
    table = report.Table("Sampling: fast against naive", [
        ("| model | image, levels | params | batch | forward (s) | naive (s/batch) | "
         "naive, no XLA (s/batch) | naive (img/s) | compile (s) | fast (s/batch) | "
         "fast (img/s) | speed-up | fast / forward |"),
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ])
    for preset, image_shape, num_levels in SETTINGS:
        image = f"{'x'.join(map(str, image_shape))}, {num_levels}"
        for name in _MODELS.value:
            model = pz.models.build(name, image_shape, num_levels,
                                    preset=preset_for(name, preset))
            for batch_size in batch_sizes:
                timings = measure(model, batch_size, naive_steps, repeats)
                table.add(row(name, image, model.count_params(), batch_size, timings))
    if not _SKIP_TFP.value:
        params, results = measure_tfp(batch_sizes[:1] if quick else batch_sizes, repeats)
        for batch_size, timings in results.items():
            table.add(row("tfd.PixelCNN", "28x28x1, 2", params, batch_size, timings))
    table.save()


if __name__ == "__main__":
    app.run(main)
