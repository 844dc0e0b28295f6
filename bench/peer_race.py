"""Equal wall-clock race: a pixel_zoo training run against `tfp.distributions.PixelCNN`.

Both train on the same split of the same data, at the same time, on the same machine,
for the same number of minutes; then both are evaluated on the whole validation split.
With ``--pin_cores`` (the default where there are two CPUs or more) each side has a CPU
core of its own: the peer (this process) the first, our run the second (each TensorFlow
then runs one intra-op and one inter-op thread), since two processes sharing all the cores
each run at about a quarter of their solo speed. Our evaluations run after the race, with
every core. The peer is the model a user would
pick instead: ``tfd.PixelCNN(image_shape, num_resnet=1, num_hierarchies=2,
num_filters=32, num_logistic_mix=5, dropout_p=0.3)`` (TFP's documented example,
625k parameters on 28x28x1), Adam 1e-3, batch 32: TFP's recipe. The race runs the other
way too: ``--peer_dropout``, ``--peer_lr_schedule=cosine``, ``--peer_warmup_steps`` and
``--peer_train_steps`` give the peer our side's recipe (the same schedule code,
`pixel_zoo.optimizers.LinearWarmup` over a cosine decay), in float32 (TFP's PixelCNN is a
Keras 2 model). Each row of the results names the peer's recipe.

Our side is ``python -m trainers.train`` started as a child process with
``--time_limit_minutes`` and the flags after ``--``; pass ``--noours`` to train the peer
alone. Run, for example (about 50 minutes on 2 CPU cores):

    python bench/peer_race.py --dataset=cifar10_jpeg --data_dir=../shared/data \\
        --minutes=40 --model_dir=runs/race_pixelcnn_cifar -- \\
        --model=pixelcnn --preset=cpu_small --ema
    python bench/peer_race.py --dataset=binarized_mnist --data_dir=../shared/data \\
        --minutes=40 --model_dir=runs/race_pixelcnn_pp -- --model=pixelcnn_pp --preset=peer_size \\
        --dropout=0 --learning_rate=2e-3 --lr_schedule=cosine \\
        --warmup_steps=100 --train_steps=1950

Prints the peer's validation curve as it trains and, at the end, one markdown table
with both models' steps, images seen, and validation nats/image and bits/dim. With
``--results=bench/results/race_NAME.json`` it also writes them as JSON, from which
``python -m trainers.readme_tables`` writes the race tables of docs/benchmarks.md.
"""

import json
import os
import re
import subprocess
import sys
import time

import keras
import numpy as np
import tensorflow as tf
import tensorflow_probability as tfp
import tf_keras
from absl import app, flags, logging

from pixel_zoo import data, metrics, optimizers
from pixel_zoo import model_dir as model_dir_lib
from pixel_zoo.provenance import history

_DATASET = flags.DEFINE_string("dataset", "binarized_mnist", "A `pz.data.load_split` name.")
_DATA_DIR = flags.DEFINE_string("data_dir", os.environ.get("PIXEL_ZOO_DATA"),
                                "Local data folder.")
_MINUTES = flags.DEFINE_float("minutes", 40.0, "Training wall-clock budget of each side.")
_BATCH_SIZE = flags.DEFINE_integer("batch_size", 32, "The peer's batch size.")
_LEARNING_RATE = flags.DEFINE_float("learning_rate", 1e-3, "The peer's Adam learning rate.")
_PEER_DROPOUT = flags.DEFINE_float("peer_dropout", 0.3, "The peer's dropout (TFP's: 0.3).")
_PEER_LR_SCHEDULE = flags.DEFINE_enum("peer_lr_schedule", "constant", ["constant", "cosine"],
                                      "The peer's learning-rate schedule (TFP's: constant).")
_PEER_WARMUP_STEPS = flags.DEFINE_integer("peer_warmup_steps", 0,
                                          "The peer's linear warm-up steps.")
_PEER_TRAIN_STEPS = flags.DEFINE_integer(
    "peer_train_steps", 0, "The length of the peer's cosine schedule (ours: --train_steps).")
_CURVE_MINUTES = flags.DEFINE_float(
    "curve_minutes", 10.0, "Minutes between the peer's validations on the first 640 images.")
_MODEL_DIR = flags.DEFINE_string("model_dir", None, "Our training run's folder.")
_OURS = flags.DEFINE_boolean("ours", True, "Train our model beside the peer.")
_SEED = flags.DEFINE_integer("seed", 0, "The peer's initial weights and batch order.")
CORES = sorted(os.sched_getaffinity(0))  # Every core this process may use, before pinning.

_PIN_CORES = flags.DEFINE_boolean(
    "pin_cores", len(CORES) >= 2,
    "Give each side a CPU core of its own (the peer the first, ours the second).")
_RESULTS = flags.DEFINE_string("results", None,
                               "Also write the figures as JSON here (bench/results/race_NAME.json).")


def make_peer(split_data):
    """`tfd.PixelCNN` for ``split_data``'s images, its variables created."""
    peer = tfp.distributions.PixelCNN(
        image_shape=split_data.image_shape, num_resnet=1, num_hierarchies=2, num_filters=32,
        num_logistic_mix=5, dropout_p=_PEER_DROPOUT.value, high=split_data.num_levels - 1,
    )
    peer.log_prob(tf.cast(split_data.images[:8], tf.float32))  # Data-dependent init.
    return peer


def peer_recipe():
    """The peer's recipe in words, for its row of the results."""
    if (_PEER_DROPOUT.value, _PEER_LR_SCHEDULE.value, _PEER_WARMUP_STEPS.value) == (
            0.3, "constant", 0) and _LEARNING_RATE.value == 1e-3:
        return "TFP's recipe: dropout 0.3, constant 1e-3, float32"
    schedule = _PEER_LR_SCHEDULE.value
    if schedule == "cosine":
        schedule += f" over {_PEER_TRAIN_STEPS.value:,} steps"
    warmup = f", warm-up {_PEER_WARMUP_STEPS.value}" if _PEER_WARMUP_STEPS.value else ""
    return (f"dropout {_PEER_DROPOUT.value:g}, {_LEARNING_RATE.value:g} {schedule}{warmup}, "
            "float32")


def peer_learning_rate():
    """The peer's learning rate: a number, or our schedule as a Keras 3 schedule."""
    rate = _LEARNING_RATE.value
    if _PEER_LR_SCHEDULE.value == "cosine":
        if _PEER_TRAIN_STEPS.value <= 0:
            raise app.UsageError("--peer_lr_schedule=cosine needs --peer_train_steps > 0.")
        rate = keras.optimizers.schedules.CosineDecay(rate, decay_steps=_PEER_TRAIN_STEPS.value)
    if _PEER_WARMUP_STEPS.value:
        rate = optimizers.LinearWarmup(rate, _PEER_WARMUP_STEPS.value)
    return rate


class KerasTwoSchedule(tf_keras.optimizers.schedules.LearningRateSchedule):
    """A Keras 3 learning-rate schedule as the Keras 2 optimizer of the peer takes one."""

    def __init__(self, schedule):
        self.schedule = schedule

    def __call__(self, step):
        return self.schedule(step)

    def get_config(self):
        return {"schedule": keras.optimizers.schedules.serialize(self.schedule)}


def peer_log_prob(peer):
    """The peer's log-likelihood of uint8 images, one compiled function for every evaluation."""
    return tf.function(lambda images: peer.log_prob(tf.cast(images, tf.float32)))


def peer_nats(log_prob, split_data, num_images=None, batch_size=64):
    """Mean NLL in nats per image under ``log_prob`` over the first ``num_images``."""
    total = count = 0.0
    batches = data.make_dataset(split_data, batch_size)
    if num_images:
        batches = batches.take(num_images // batch_size)
    for images in batches:
        total -= float(tf.reduce_sum(log_prob(images)))
        count += int(images.shape[0])
    return total / count


def train_peer(peer, log_prob, train_data, valid_data, minutes, load):
    """Trains ``peer`` for ``minutes``, sampling the machine's ``load`` (a
    `history.LoadMonitor`) each minute; returns (steps, [(minutes, curve nats)])."""
    variables = peer.trainable_variables
    rate = peer_learning_rate()
    optimizer = tf_keras.optimizers.Adam(KerasTwoSchedule(rate) if callable(rate) else rate)

    @tf.function
    def train_step(images):
        with tf.GradientTape() as tape:
            loss = -tf.reduce_mean(peer.log_prob(tf.cast(images, tf.float32), training=True))
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    batches = iter(data.make_dataset(train_data, _BATCH_SIZE.value, shuffle=True, repeat=True,
                                     seed=_SEED.value, drop_remainder=True))
    start = time.perf_counter()
    trained = 0.0  # Seconds spent training, curve validations left out.
    curve, next_curve, steps, next_load = [], 60 * _CURVE_MINUTES.value, 0, 0.0
    while trained < 60 * minutes:
        if trained >= next_load:
            load.sample()
            next_load += 60
        step_start = time.perf_counter()
        train_step(next(batches))
        steps += 1
        trained += time.perf_counter() - step_start
        if trained >= next_curve:
            nats = peer_nats(log_prob, valid_data, num_images=640)
            curve.append((trained / 60, nats))
            logging.info("peer: %.1f min, step %d, %.2f nats on 640 valid images",
                         trained / 60, steps, nats)
            next_curve += 60 * _CURVE_MINUTES.value
    logging.info("peer: trained %d steps in %.1f min (%.1f min wall)", steps, trained / 60,
                 (time.perf_counter() - start) / 60)
    return steps, curve


def data_dir_flag():
    return [f"--data_dir={_DATA_DIR.value}"] if _DATA_DIR.value else []


def pin_to(core):
    """A ``preexec_fn`` (or a call) that confines a process to CPU ``core`` (None: every
    core); TensorFlow sizes its thread pools to the cores it may use."""
    return lambda: os.sched_setaffinity(0, CORES if core is None else {CORES[core]})


def start_ours(model_dir, minutes, train_flags, core=None):
    """``trainers.train`` for ``minutes`` in a child process (its log: MODEL_DIR.log),
    confined to CPU ``core`` (None: every core)."""
    os.makedirs(os.path.dirname(os.path.abspath(model_dir)), exist_ok=True)
    command = [
        sys.executable, "-m", "trainers.train", f"--model_dir={model_dir}",
        f"--dataset={_DATASET.value}", *data_dir_flag(),
        f"--time_limit_minutes={minutes}", "--train_steps=100000000", *train_flags,
    ]
    logging.info("ours: %s", " ".join(command))
    with open(f"{model_dir.rstrip('/')}.log", "w") as log:
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                preexec_fn=pin_to(core))  # noqa: PLW1509  before TF starts


def evaluate_ours(model_dir, use_ema):
    """Our run's NLL on the whole validation split, in nats per image, from
    ``trainers.evaluate`` in a child process on every core."""
    run = subprocess.run(
        [sys.executable, "-m", "trainers.evaluate", f"--model_dir={model_dir}",
         *data_dir_flag(), f"--use_ema={use_ema}"],
        capture_output=True, text=True, check=False,
        preexec_fn=pin_to(None),  # before TF sizes its thread pools
    )
    if run.returncode:
        raise RuntimeError(f"Evaluating {model_dir} failed:\n{run.stderr[-3000:]}")
    return float(re.search(r"valid: ([0-9.]+) nats/image", run.stdout).group(1))


def main(argv):
    train_flags = argv[1:]
    model_dir = _MODEL_DIR.value
    if _OURS.value and not model_dir:
        raise app.UsageError("--model_dir is required for our side (or pass --noours).")
    if _PIN_CORES.value:  # Before TensorFlow sizes its thread pools.
        pin_to(0)()
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    train_data = data.load_split(_DATASET.value, "train", _DATA_DIR.value)
    valid_data = data.load_split(_DATASET.value, "valid", _DATA_DIR.value)
    tf.random.set_seed(_SEED.value)
    peer = make_peer(train_data)
    log_prob = peer_log_prob(peer)
    ours = (start_ours(model_dir, _MINUTES.value, train_flags, 1 if _PIN_CORES.value else None)
            if _OURS.value else None)
    load = history.LoadMonitor()
    steps, curve = train_peer(peer, log_prob, train_data, valid_data, _MINUTES.value, load)
    if ours is not None and ours.wait() != 0:
        raise RuntimeError(f"Our training run failed; see {model_dir}.log")
    shape = train_data.image_shape
    rows = [(f"tfd.PixelCNN (peer; {peer_recipe()})",
             int(sum(np.prod(v.shape) for v in peer.trainable_variables)),
             steps, steps * _BATCH_SIZE.value, peer_nats(log_prob, valid_data))]
    if ours is not None:
        config = model_dir_lib.read_config(model_dir)
        step = int(model_dir_lib.latest_checkpoint(model_dir).rsplit("-", 1)[-1])
        params = model_dir_lib.load_model(model_dir).count_params()
        name = f"pixel_zoo {config['model']['config']['name']}"
        # With --ema, both weights: a short run's averages still carry its first steps.
        for use_ema in (True, False) if config["training"]["ema"] else (False,):
            nats = evaluate_ours(model_dir, use_ema)
            rows.append((f"{name} ({'EMA' if use_ema else 'raw'} weights)", params, step,
                         step * config["training"]["batch_size"], nats))

    def bits(nats):
        return float(metrics.bits_per_dim(-nats, shape))

    print(f"\n{_DATASET.value}, {_MINUTES.value:g} min of training each, {sharing(load.summary())}; "
          f"validation: all {len(valid_data.images)} images.\n")
    print("| model | params | steps | images seen | valid nats/image | valid bits/dim |")
    print("|---|---|---|---|---|---|")
    for name, params, row_steps, seen, nats in rows:
        print(f"| {name} | {params:,} | {row_steps:,} | {seen:,} | {nats:.2f} | "
              f"{bits(nats):.4f} |")
    print("\nPeer curve (first 640 valid images): " + ", ".join(
        f"{minutes:.1f} min {bits(nats):.4f} bits/dim" for minutes, nats in curve))
    if _RESULTS.value:
        write_results(_RESULTS.value, rows, curve, bits, load.summary())


def sharing(load):
    """How the two sides shared the machine, in words, with ``load`` (a
    `history.LoadMonitor` summary of the race)."""
    cores = f"{os.cpu_count()}-core CPU"
    if not _OURS.value:
        how = ("the peer alone, on the first core (sched_setaffinity)" if _PIN_CORES.value
               else "the peer alone, on every core")
    else:
        how = ("each side on a core of its own (sched_setaffinity)" if _PIN_CORES.value
               else "both sides at once on every core")
    return f"{cores}, {how}, mean load average {load['load_average']:.1f}"


def write_results(path, rows, curve, bits, load):
    """The race's figures as JSON, for ``python -m trainers.readme_tables``."""
    words = [arg for arg in sys.argv[1:] if not arg.startswith("--data_dir")]
    ours = words.index("--") if "--" in words else len(words)  # The race's flags come first.
    words = ["python bench/peer_race.py", *words[:ours], "--data_dir=$PIXEL_ZOO_DATA",
             *words[ours:]]
    result = {
        "dataset": _DATASET.value, "minutes": _MINUTES.value,
        "command": " ".join(words),
        "machine": sharing(load),
        "rows": [{"model": name, "parameters": int(params), "steps": int(row_steps),
                  "images_seen": int(seen), "nats": round(nats, 2),
                  "bits_per_dim": round(bits(nats), 4)}
                 for name, params, row_steps, seen, nats in rows],
        "curve": [{"minutes": round(minutes, 2), "nats": round(nats, 2)}
                  for minutes, nats in curve],
    }
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as file:
        json.dump(result, file, indent=2)


if __name__ == "__main__":
    app.run(main)
