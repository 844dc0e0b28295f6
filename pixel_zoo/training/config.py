"""`TrainConfig`: every setting of a training run, checked before any heavy work."""

import dataclasses

import pixel_zoo as pz
from pixel_zoo.averages import AVERAGING

LR_SCHEDULES = ("constant", "exponential", "cosine")
MIXED_PRECISION_DTYPES = ("float16", "bfloat16")


class ConfigError(ValueError):
    """A bad training setting (flag), found before the run does any heavy work."""


def _setting(default, doc, choices=None):
    """A `TrainConfig` field: ``doc`` documents it here and is its flag's ``--help`` text in
    ``trainers/train.py``; ``choices`` (a tuple, or a function returning one) make the flag
    an enum."""
    metadata = {"help": doc} if choices is None else {"help": doc, "choices": choices}
    return dataclasses.field(default=default, metadata=metadata)


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """The settings of a training run; ``trainers/train.py`` has a flag for each field.

    Each field's ``metadata["help"]`` (below) documents it, and is its flag's help text:
    the flags' names, types, defaults and help all come from this class.

    Example:
        >>> config = TrainConfig(model_dir="/tmp/run", model="row_lstm", train_steps=100)
        >>> config.model_hyperparameters()
        {}
    """

    model_dir: str = _setting(
        dataclasses.MISSING,
        "The run's folder: config.json, checkpoints, TensorBoard logs and sample grids "
        "(pixel_zoo.model_dir); rerunning with the same folder resumes from its latest "
        "checkpoint.")
    # A function: the model registry is imported when the flag is defined, not with this module.
    model: str = _setting("pixelcnn", "Model family.", choices=lambda: pz.models.model_names())
    dataset: str = _setting(
        "binarized_mnist",
        "binarized_mnist, mnist, cifar10_jpeg, npz:PATH, folder:PATH or a tfds name "
        "(pixel_zoo.data.load_split).")
    data_dir: str | None = _setting(
        None, "Folder of local dataset copies; None: tensorflow-datasets only (the "
        "trainers' flag defaults to $PIXEL_ZOO_DATA).")
    preset: str | None = _setting(
        None, "Model sizes by name (pixel_zoo.models.presets): paper_mnist, paper_cifar10, "
        "cpu_small, peer_size; num_layers, hidden_units and output_units override it.")
    num_layers: int | None = _setting(
        None, "Residual layers; None: the preset's, else the family's default.")
    hidden_units: int | None = _setting(
        None, "h: the stack carries 2h features; None: the preset's, else the family's "
        "default.")
    output_units: int | None = _setting(
        None, "Width of the hidden 1x1 output layer; None: the preset's, else the family's "
        "default.")
    logistic_mixtures: int = _setting(
        0, "K > 0: logits from a mixture of K discretized logistics (pixel_zoo.heads), for "
        "8-bit data; 0: the preset's head (the pixelcnn_pp presets: logistics), else the "
        "papers' 256-way softmax.")
    class_conditional: bool = _setting(
        False, "Train a class-conditional model on the dataset's labels (gated_pixelcnn, "
        "pixelcnn_pp).")
    dropout: float | None = _setting(
        None, "Dropout rate in the residual blocks while training (pixelcnn, pixelcnn_pp); "
        "None: the preset's, else the family's.")
    weight_norm: bool = _setting(
        False, "Weight-normalize the model (pixelcnn_pp) and, for a run from scratch, start "
        "it with a data-dependent init from its first batch (pixel_zoo.layers.weight_norm).")
    batch_size: int = _setting(32, "Global batch size, split evenly over the replicas.")
    train_steps: int = _setting(
        20000, "Total optimizer steps, counting those of earlier, resumed runs.")
    learning_rate: float = _setting(1e-3, "Adam's learning rate.")
    lr_schedule: str = _setting(
        "constant", "constant; exponential (down to a tenth at train_steps); cosine (down to "
        "0 at train_steps). A resumed run keeps its first call's train_steps as the "
        "schedule's length (pixel_zoo.training.resume).", choices=LR_SCHEDULES)
    warmup_steps: int = _setting(
        0, "Raise the learning rate linearly over this many first steps; 0: none. A short "
        "warm-up suits a run started from trained weights (init_from).")
    init_from: str | None = _setting(
        None, "Start a new run from trained weights: zoo:NAME (a zoo entry, whose card's "
        "training history the new entry's card continues), run:MODEL_DIR (another run's "
        "latest checkpoint, its history likewise) or a .weights.h5 file. The model flags "
        "must build the same architecture, except that a zoo entry or run may start a "
        "model with more blocks (num_layers), whose extra blocks start as identities "
        "(pixel_zoo.training.deepening), and a pixelcnn_pp one with more hidden_units too, "
        "whose new channels start at zero. The optimizer starts fresh; a resumed run "
        "continues from its own checkpoints instead.")
    distill_from: str | None = _setting(
        None, "zoo:NAME: also learn from this zoo entry's predictions on the training "
        "images (distillation: the same images, unconditional; "
        "pixel_zoo.training.distillation); None: the images alone.")
    distill_weight: float = _setting(
        1.0, "Share of the teacher's soft targets in the loss, in (0, 1]; the rest is the "
        "images' NLL (1: the cross-entropy under the teacher's conditionals only). Needs "
        "distill_from.")
    grad_clip: float = _setting(
        0.0, "Clip the global-batch gradient to this global norm; 0: no clipping.")
    ema: bool = _setting(
        False, "Keep moving averages of the weights (momentum min(0.999, (1 + t) / (10 + t)) "
        "at step t: pixel_zoo.averages) and evaluate, sample and export with them.")
    averaging: str = _setting(
        "exponential", "How ema averages: exponential (momentum up to 0.999) or uniform (the "
        "mean of the starting weights and those after every step: stochastic weight "
        "averaging, for a run from trained weights at a constant learning rate).",
        choices=AVERAGING)
    mixed_precision: bool = _setting(
        False, "Train in 16-bit floats (mixed_precision_dtype) with float32 weights; "
        "evaluation, sampling and export compute in float32 "
        "(pixel_zoo.model_dir.load_model).")
    mixed_precision_dtype: str = _setting(
        "float16", "float16 (GPUs; with a dynamic loss scale) or bfloat16 (CPUs with "
        "AVX512_BF16 or AMX, TPUs; float32's range, no loss scale).",
        choices=MIXED_PRECISION_DTYPES)
    seed: int = _setting(
        0, "Fixes the initial weights, the order of the batches and the sample grids.")
    log_every: int = _setting(100, "Steps between log lines and training summaries.")
    eval_every: int = _setting(
        1000, "Steps between validations and sample grids; 0: at the end only.")
    eval_minutes: tuple = _setting(
        (), "Also validate when the run's training time (steps only, summed over its "
        "invocations) reaches each of these minutes, e.g. 5,10,20,40: curves of validation "
        "NLL against time (bench/curves.py). Each validation records training_minutes.")
    eval_batches: int = _setting(
        50, "Validation batches per evaluation; 0: the whole split.")
    checkpoint_every: int = _setting(
        1000, "Steps between checkpoints; 0: at the end only.")
    num_samples: int = _setting(
        16, "Images per sample grid; 0: none (sampling costs a model evaluation per "
        "sub-pixel).")
    time_limit_minutes: float = _setting(
        0.0, "Stop after this many minutes of training in this call, with a checkpoint and "
        "a validation as at train_steps; 0: no limit. Rerunning resumes.")
    perturb_rate: float = _setting(
        0.0, "Replace each training sub-pixel, with this probability, by a uniform random "
        "level (pixel_zoo.data.perturb_dataset; validation data stays clean): the "
        "background model of a likelihood-ratio OOD detector (pixel_zoo.ood); 0: off.")
    l2_regularization: float = _setting(
        0.0, "Add l2_regularization * sum(w ** 2) over the trainable weights to the loss "
        "(nats per image); 0: off. Logged losses leave it out.")

    def __post_init__(self):
        if not self.model_dir:
            raise ConfigError("model_dir is required: the folder for checkpoints and logs.")
        if self.model not in pz.models.model_names():
            raise ConfigError(
                f"Unknown model {self.model!r}; choose one of {pz.models.model_names()}."
            )
        if self.mixed_precision_dtype not in MIXED_PRECISION_DTYPES:
            raise ConfigError(
                f"mixed_precision_dtype must be one of {MIXED_PRECISION_DTYPES}, got "
                f"{self.mixed_precision_dtype!r}."
            )
        if self.lr_schedule not in LR_SCHEDULES:
            raise ConfigError(
                f"lr_schedule must be one of {LR_SCHEDULES}, got {self.lr_schedule!r}."
            )
        if self.averaging not in AVERAGING:
            raise ConfigError(f"averaging must be one of {AVERAGING}, got {self.averaging!r}.")
        if self.averaging != "exponential" and not self.ema:
            raise ConfigError(f"averaging={self.averaging!r} averages the --ema weights: "
                              "set ema too.")
        if not 0 < self.distill_weight <= 1:
            raise ConfigError(f"distill_weight must be in (0, 1], got {self.distill_weight}.")
        if self.distill_weight != 1 and not self.distill_from:
            raise ConfigError("distill_weight weighs the teacher of distill_from: set it too.")
        if self.distill_from and self.class_conditional:
            raise ConfigError("distill_from trains an unconditional model; leave out "
                              "class_conditional.")
        minimums = {
            "batch_size": 1, "train_steps": 1, "log_every": 1, "eval_every": 0,
            "eval_batches": 0, "checkpoint_every": 0, "num_samples": 0,
            "num_layers": 1, "hidden_units": 1, "output_units": 1, "logistic_mixtures": 0,
            "warmup_steps": 0,
        }
        for name, minimum in minimums.items():
            value = getattr(self, name)
            if value is not None and value < minimum:
                raise ConfigError(f"{name} must be at least {minimum}, got {value}.")
        if not self.learning_rate > 0:
            raise ConfigError(f"learning_rate must be positive, got {self.learning_rate}.")
        if not self.time_limit_minutes >= 0:
            raise ConfigError(
                f"time_limit_minutes must be >= 0 (0: none), got {self.time_limit_minutes}."
            )
        if self.dropout is not None and not 0 <= self.dropout < 1:
            raise ConfigError(f"dropout must be in [0, 1), got {self.dropout}.")
        if not 0 <= self.perturb_rate <= 1:
            raise ConfigError(f"perturb_rate must be in [0, 1], got {self.perturb_rate}.")
        if not self.l2_regularization >= 0:
            raise ConfigError(
                f"l2_regularization must be >= 0 (0: none), got {self.l2_regularization}."
            )
        if any(not minutes > 0 for minutes in self.eval_minutes):
            raise ConfigError(f"eval_minutes must be positive, got {self.eval_minutes}.")
        if not self.grad_clip >= 0:
            raise ConfigError(f"grad_clip must be >= 0 (0: no clipping), got {self.grad_clip}.")

    @classmethod
    def from_flags(cls, flag_values):
        """The config from absl ``flag_values`` holding a flag for every field."""
        values = {field.name: flag_values[field.name].value for field in dataclasses.fields(cls)}
        values["eval_minutes"] = tuple(float(minutes) for minutes in values["eval_minutes"] or ())
        return cls(**values)

    def model_hyperparameters(self):
        """The sizes and dropout given (not None), as `pz.models.build` keyword arguments."""
        sizes = {"preset": self.preset, "num_layers": self.num_layers,
                 "hidden_units": self.hidden_units, "output_units": self.output_units,
                 "dropout": self.dropout}
        hyperparameters = {name: value for name, value in sizes.items() if value is not None}
        if self.logistic_mixtures:
            hyperparameters["logistic_mixtures"] = self.logistic_mixtures
        if self.weight_norm:
            hyperparameters["weight_norm"] = True
        return hyperparameters
