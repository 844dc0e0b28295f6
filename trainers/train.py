r"""Trains a pixel_zoo model; rerun the same command to resume from the last checkpoint.

Binarized MNIST from the local copy in $PIXEL_ZOO_DATA (tensorflow-datasets without it);
about 2.5 minutes on 2 CPU cores, ending near 96 nats on the validation images:

    python -m trainers.train --model=pixelcnn --preset=cpu_small --dataset=binarized_mnist \
        --model_dir=/tmp/runs/pixelcnn_mnist --train_steps=500 --eval_every=250 \
        --checkpoint_every=250 --eval_batches=20 --log_every=50

Two replicas on one CPU, or every worker of a cluster (``TF_CONFIG`` set on each):

    python -m trainers.train ... --cpu_replicas=2
    python -m trainers.train ... --strategy=multi_worker

Writes MODEL_DIR/config.json, checkpoints/, TensorBoard logs in train/ and valid/, and
sample grids in samples/ (see `pixel_zoo.model_dir`).
"""

import os
import sys

from absl import app, flags

import pixel_zoo as pz
from pixel_zoo import console, training

TrainConfig = training.TrainConfig

_STRATEGY = flags.DEFINE_enum(
    "strategy", "auto", training.STRATEGIES,
    "auto: all local GPUs, or the --cpu_replicas, else one device; mirrored; multi_worker "
    "(MultiWorkerMirroredStrategy from TF_CONFIG); default.")
_CPU_REPLICAS = flags.DEFINE_integer(
    "cpu_replicas", 0, "Split the CPU into this many logical devices and mirror over them.")
flags.DEFINE_string("model_dir", None, "Where config.json, checkpoints and TensorBoard logs go.")
flags.DEFINE_enum("model", TrainConfig.model, pz.models.model_names(), "Model family.")
flags.DEFINE_string("dataset", TrainConfig.dataset,
                    "binarized_mnist, mnist, cifar10_jpeg, npz:PATH, folder:PATH or a tfds name.")
flags.DEFINE_string("data_dir", os.environ.get("PIXEL_ZOO_DATA"),
                    "Folder of local dataset copies (default: $PIXEL_ZOO_DATA).")
flags.DEFINE_string("preset", None,
                    "Model sizes by name: paper_mnist, paper_cifar10, cpu_small, peer_size.")
flags.DEFINE_integer("num_layers", None, "Residual layers (default: preset or family's).")
flags.DEFINE_integer("hidden_units", None, "h: the stack carries 2h features.")
flags.DEFINE_integer("output_units", None, "Width of the hidden 1x1 output layer.")
flags.DEFINE_integer("logistic_mixtures", TrainConfig.logistic_mixtures,
                     "K: logits from a mixture of K discretized logistics (8-bit data); 0: "
                     "the preset's head (the pixelcnn_pp presets: logistics), else the papers' "
                     "256-way softmax.")
flags.DEFINE_bool("class_conditional", False,
                  "Condition on the labels (gated_pixelcnn, pixelcnn_pp).")
flags.DEFINE_float("dropout", None,
                   "Dropout rate in the residual blocks (pixelcnn, pixelcnn_pp; default: the "
                   "preset's or the family's).")
flags.DEFINE_bool("weight_norm", TrainConfig.weight_norm,
                  "Weight normalization with a data-dependent init (pixelcnn_pp).")
flags.DEFINE_integer("batch_size", TrainConfig.batch_size, "Global batch size.")
flags.DEFINE_integer("train_steps", TrainConfig.train_steps, "Total optimizer steps.")
flags.DEFINE_float("learning_rate", TrainConfig.learning_rate, "Adam learning rate.")
flags.DEFINE_enum("lr_schedule", TrainConfig.lr_schedule, training.LR_SCHEDULES,
                  "constant; exponential (to lr/10 at train_steps); cosine (to 0).")
flags.DEFINE_integer("warmup_steps", TrainConfig.warmup_steps,
                     "Raise the learning rate linearly over this many first steps; 0: none.")
flags.DEFINE_string("init_from", None,
                    "Start a new run from zoo:NAME's weights, run:MODEL_DIR's latest checkpoint "
                    "or a .weights.h5 file (fresh optimizer; the same model flags as those "
                    "weights, except that --num_layers may add blocks to a zoo entry or run: "
                    "they start as identities).")
flags.DEFINE_string("distill_from", None,
                    "zoo:NAME: also learn from this zoo entry's predictions on the training "
                    "images (distillation; the same images, unconditional).")
flags.DEFINE_float("distill_weight", TrainConfig.distill_weight,
                   "Share of the teacher's soft targets in the loss, in (0, 1]; the rest is "
                   "the images' NLL.")
flags.DEFINE_float("grad_clip", TrainConfig.grad_clip, "Global gradient norm limit; 0: none.")
flags.DEFINE_bool("ema", TrainConfig.ema, "Keep EMA weights and evaluate/export with them.")
flags.DEFINE_enum("averaging", TrainConfig.averaging, training.AVERAGING,
                  "How --ema averages: exponential (momentum up to 0.999) or uniform (the "
                  "mean of the starting weights and every step's: weight averaging).")
flags.DEFINE_bool("mixed_precision", TrainConfig.mixed_precision,
                  "Train in 16-bit floats (--mixed_precision_dtype), float32 weights.")
flags.DEFINE_enum("mixed_precision_dtype", TrainConfig.mixed_precision_dtype,
                  training.MIXED_PRECISION_DTYPES,
                  "float16 (GPUs, loss scaling) or bfloat16 (CPUs with AVX512_BF16/AMX, TPUs).")
flags.DEFINE_integer("seed", TrainConfig.seed, "Initial weights, batch order, sample grids.")
flags.DEFINE_integer("log_every", TrainConfig.log_every, "Steps between log lines.")
flags.DEFINE_integer("eval_every", TrainConfig.eval_every,
                     "Steps between validations and sample grids; 0: at the end only.")
flags.DEFINE_list("eval_minutes", [],
                  "Also validate when the training time reaches these minutes (e.g. 5,10,20,40).")
flags.DEFINE_integer("eval_batches", TrainConfig.eval_batches,
                     "Validation batches per evaluation; 0: the whole split.")
flags.DEFINE_integer("checkpoint_every", TrainConfig.checkpoint_every,
                     "Steps between checkpoints; 0: at the end only.")
flags.DEFINE_integer("num_samples", TrainConfig.num_samples,
                     "Images per sample grid; 0: none.")
flags.DEFINE_float("time_limit_minutes", TrainConfig.time_limit_minutes,
                   "Stop (checkpoint, validate) after this many minutes; 0: no limit.")
flags.DEFINE_float("perturb_rate", TrainConfig.perturb_rate,
                   "Replace each training sub-pixel with a uniform random level with this "
                   "probability (an OOD detector's background model); 0: off.")
flags.DEFINE_float("l2_regularization", TrainConfig.l2_regularization,
                   "Add this times the sum of squared weights to the loss; 0: off.")
flags.mark_flag_as_required("model_dir")


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    try:
        config = TrainConfig.from_flags(flags.FLAGS)
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
