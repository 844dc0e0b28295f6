"""Training pixel_zoo models on `tf.distribute`: config, strategy, loop, checkpoints, evaluation.

Example:
    >>> from pixel_zoo import training
    >>> strategy = training.make_strategy("auto")        # first: it may split the CPU
    >>> config = training.TrainConfig(model_dir="/tmp/runs/pixelcnn", model="pixelcnn",
    ...                               dataset="binarized_mnist", data_dir="/work/shared/data")
    >>> training.train(config, strategy)["nats"]           # validation nats per image
    >>> training.evaluate_model_dir("/tmp/runs/pixelcnn")
"""

from pixel_zoo.evaluation import Evaluator, evaluate_model_dir
from pixel_zoo.training.checkpointing import CheckpointWriteError
from pixel_zoo.training.config import (
    AVERAGING,
    LR_SCHEDULES,
    MIXED_PRECISION_DTYPES,
    ConfigError,
    TrainConfig,
)
from pixel_zoo.training.distribute import STRATEGIES, make_strategy
from pixel_zoo.training.loop import train
from pixel_zoo.training.preemption import TrainingInterrupted

__all__ = [
    "AVERAGING", "LR_SCHEDULES", "MIXED_PRECISION_DTYPES", "STRATEGIES", "CheckpointWriteError",
    "ConfigError", "Evaluator", "TrainConfig", "TrainingInterrupted", "evaluate_model_dir",
    "make_strategy", "train",
]
