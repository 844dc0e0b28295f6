r"""Trains a pixel_zoo model; rerun the same command to resume from the last checkpoint.

Binarized MNIST from the local copy in $PIXEL_ZOO_DATA (tensorflow-datasets without it);
about 2.5 minutes on 2 CPU cores, ending near 96 nats on the validation images:

    python -m trainers.train --model=pixelcnn --preset=cpu_small --dataset=binarized_mnist \
        --model_dir=/tmp/runs/pixelcnn_mnist --train_steps=500 --eval_every=250 \
        --checkpoint_every=250 --eval_batches=20 --log_every=50

Two replicas on one CPU, or every worker of a cluster (``TF_CONFIG`` set on each):

    python -m trainers.train ... --cpu_replicas=2
    python -m trainers.train ... --strategy=multi_worker

Every field of `pixel_zoo.training.TrainConfig` is a flag of the same name, documented
there (``--helpfull`` lists them); --strategy and --cpu_replicas are this script's own.

Writes MODEL_DIR/config.json, checkpoints/, TensorBoard logs in train/ and valid/, and
sample grids in samples/ (see `pixel_zoo.model_dir`).
"""

import os
import sys

from absl import app, flags

from pixel_zoo import console, training
from trainers import config_flags

_STRATEGY = flags.DEFINE_enum(
    "strategy", "auto", training.STRATEGIES,
    "auto: all local GPUs, or the --cpu_replicas, else one device; mirrored; multi_worker "
    "(MultiWorkerMirroredStrategy from TF_CONFIG); default.")
_CPU_REPLICAS = flags.DEFINE_integer(
    "cpu_replicas", 0, "Split the CPU into this many logical devices and mirror over them.")
# One flag per TrainConfig field: its name, type, default and help come from config.py.
config_flags.define_flags(training.TrainConfig,
                          defaults={"data_dir": os.environ.get("PIXEL_ZOO_DATA")})


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    try:
        config = training.TrainConfig.from_flags(flags.FLAGS)
        strategy = training.make_strategy(_STRATEGY.value, _CPU_REPLICAS.value)
        result = training.train(config, strategy)
    except training.CheckpointWriteError as error:
        sys.exit(f"train: {error}")
    except training.TrainingInterrupted as interrupted:
        print(interrupted, file=sys.stderr)
        sys.exit(interrupted.exit_status)
    print(f"valid at step {result['step']}: {result['nats']:.2f} nats/image, "
          f"{result['bits_per_dim']:.4f} bits/dim over {result['num_images']} images")


if __name__ == "__main__":
    console.run(main)
