"""`TrainConfig`: every setting of a training run, checked before any heavy work."""

import dataclasses

import pixel_zoo as pz
from pixel_zoo.optimizers import AVERAGING

LR_SCHEDULES = ("constant", "exponential", "cosine")
MIXED_PRECISION_DTYPES = ("float16", "bfloat16")


class ConfigError(ValueError):
    """A bad training setting (flag), found before the run does any heavy work."""


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """The settings of a training run; the flags of ``trainers/train.py`` carry the same names.

    Attributes:
      model_dir: the run's folder (see `pixel_zoo.model_dir`); rerunning with the same
        folder resumes from its latest checkpoint.
      model: a name from `pz.models.model_names()`.
      dataset: a name `pixel_zoo.data.load_split` takes ("binarized_mnist", "npz:PATH", ...).
      data_dir: folder of local dataset copies (None: tensorflow-datasets only).
      preset: a `pz.models.presets` name; the three sizes below override it.
      num_layers, hidden_units, output_units: model sizes; None keeps the preset's, else
        the family's default.
      logistic_mixtures: K > 0 for a mixture of K discretized logistics
        (`pixel_zoo.heads`), for 8-bit data; 0 keeps the preset's head (the
        pixelcnn_pp presets: logistics), else the papers' 256-way softmax.
      class_conditional: train a class-conditional model on the dataset's labels
        (gated_pixelcnn, pixelcnn_pp).
      dropout: the dropout rate inside the residual blocks while training (pixelcnn,
        pixelcnn_pp); None keeps the preset's, else the family's.
      weight_norm: weight-normalize the model (pixelcnn_pp) and, for a run from
        scratch, start it with a data-dependent init from its first batch
        (`pixel_zoo.layers.weight_norm`).
      batch_size: global batch, split evenly over the replicas.
      train_steps: optimizer steps in all, counting those of earlier, resumed runs.
      learning_rate: Adam's learning rate.
      lr_schedule: "constant"; "exponential" (down to a tenth at ``train_steps``); or
        "cosine" (down to 0 at ``train_steps``). A resumed run keeps the first call's
        ``train_steps`` as the schedule's length (`pixel_zoo.training.resume`).
      warmup_steps: raise the learning rate linearly over the first steps (0: none);
        a short warm-up suits a run started from trained weights (``init_from``).
      init_from: start a new run from trained weights: ``zoo:NAME`` (a zoo entry, whose
        card's training history the new entry's card continues), ``run:MODEL_DIR``
        (another run's latest checkpoint, its history likewise) or a ``.weights.h5``
        path; the model flags must build the same architecture, except that a zoo entry
        or run may start a model with more blocks (``num_layers``), whose extra blocks
        start as identities (`pixel_zoo.training.deepening`). The optimizer starts
        fresh; a resumed run continues from its own checkpoints instead.
      distill_from: ``zoo:NAME``, a zoo entry of the same images whose predictions the
        model also learns from (`pixel_zoo.training.distillation`); None: the images alone.
      distill_weight: the share of the teacher's soft targets in the loss, in (0, 1]
        (1: the cross-entropy under the teacher's conditionals only); needs distill_from.
      grad_clip: clip the global-batch gradient to this global norm; 0 does not clip.
      ema: keep exponential moving averages of the weights (momentum
        ``min(0.999, (1 + t) / (10 + t))`` at step ``t``: `pixel_zoo.optimizers.AdamWithEMAWarmup`)
        and evaluate, sample and export with them.
      averaging: how ``ema`` averages: "exponential" (above) or "uniform" (the mean of
        the starting weights and those after every step: stochastic weight averaging,
        for a run from trained weights at a constant learning rate).
      mixed_precision: compute in 16-bit floats with float32 weights while training
        (`mixed_precision_dtype`); evaluation, sampling and export compute in float32
        (`pixel_zoo.model_dir.load_model`).
      mixed_precision_dtype: "float16" (GPUs; with a dynamic loss scale) or "bfloat16"
        (CPUs with AVX512_BF16 or AMX, TPUs; float32's range, no loss scale).
      seed: fixes the initial weights, the order of the batches and the sample grids.
      log_every: steps between log lines and training summaries.
      eval_every: steps between validations and sample grids (0: only at the end).
      eval_minutes: also validate when the run's training time (steps only, summed over
        its invocations) reaches each of these minutes: curves of validation NLL against
        time (``bench/curves.py``). Each validation records ``training_minutes``.
      eval_batches: validation batches per evaluation (0: the whole split).
      checkpoint_every: steps between checkpoints (0: only at the end).
      num_samples: images in each sample grid (0: none; sampling costs a model
        evaluation per sub-pixel).
      time_limit_minutes: stop after this many minutes of training in this call (0: no
        limit), with a checkpoint and a validation as at ``train_steps``; rerunning resumes.
      perturb_rate: replace each training sub-pixel, with this probability, by a uniform
        random level (`pixel_zoo.data.perturb_dataset`; validation data stays clean): the
        background model of a likelihood-ratio OOD detector (`pixel_zoo.ood`).
      l2_regularization: add ``l2_regularization * sum(w ** 2)`` over the trainable
        weights to the loss (nats per image); 0: none. Logged losses leave it out.

    Example:
        >>> config = TrainConfig(model_dir="/tmp/run", model="row_lstm", train_steps=100)
        >>> config.model_hyperparameters()
        {}
    """

    model_dir: str
    model: str = "pixelcnn"
    dataset: str = "binarized_mnist"
    data_dir: str | None = None
    preset: str | None = None
    num_layers: int | None = None
    hidden_units: int | None = None
    output_units: int | None = None
    logistic_mixtures: int = 0
    class_conditional: bool = False
    dropout: float | None = None
    weight_norm: bool = False
    batch_size: int = 32
    train_steps: int = 20000
    learning_rate: float = 1e-3
    lr_schedule: str = "constant"
    warmup_steps: int = 0
    init_from: str | None = None
    distill_from: str | None = None
    distill_weight: float = 1.0
    grad_clip: float = 0.0
    ema: bool = False
    averaging: str = "exponential"
    mixed_precision: bool = False
    mixed_precision_dtype: str = "float16"
    seed: int = 0
    log_every: int = 100
    eval_every: int = 1000
    eval_minutes: tuple = ()
    eval_batches: int = 50
    checkpoint_every: int = 1000
    num_samples: int = 16
    time_limit_minutes: float = 0.0
    perturb_rate: float = 0.0
    l2_regularization: float = 0.0

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
