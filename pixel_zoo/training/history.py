"""``MODEL_DIR/history.jsonl``: one JSON line per invocation of a training run, appended.

``config.json`` keeps the settings of a run's first invocation; each invocation (the first,
and every resumption) appends one line when it ends, finished, stopped by its time limit or
by an error:

    {"steps_from": 0, "steps_to": 500, "wall_minutes": 1.52, "outcome": "finished",
     "command": "python -m trainers.train --model_dir=$MODEL_DIR --data_dir=$PIXEL_ZOO_DATA
                 --batch_size=32 ...",
     "flags": {<the exact TrainConfig>}, "strategy": "MirroredStrategy", "num_replicas": 2,
     "machine": {"cpu_cores": 2, "gpus": []},
     "time_start": "2026-12-01T13:00:00Z", "time_end": "2026-12-01T13:01:31Z"}

``steps_from``/``steps_to`` are checkpointed steps: what the invocation resumed from and
the last checkpoint it wrote. ``command`` writes the run's folder as ``$MODEL_DIR`` and the
data folder as ``$PIXEL_ZOO_DATA``, so a zoo card can cite it. An invocation killed
(kill -9, a lost machine) writes no line; the next one's ``steps_from`` shows where it
resumed.

Example:
    >>> [(line["steps_from"], line["steps_to"]) for line in read("/tmp/runs/pixelcnn")]
    [(0, 250), (250, 500)]
"""

import dataclasses
import datetime
import json
import os

import tensorflow as tf

HISTORY_FILE = "history.jsonl"


def history_path(model_dir):
    """``MODEL_DIR/history.jsonl``."""
    return os.path.join(model_dir, HISTORY_FILE)


def command_line(config):
    """The ``trainers.train`` command of ``config``, folders as ``$MODEL_DIR``/``$PIXEL_ZOO_DATA``."""
    flags = dataclasses.asdict(config)
    placeholders = {"model_dir": "$MODEL_DIR", "data_dir": "$PIXEL_ZOO_DATA"}
    words = [f"--{name}={placeholders.get(name, value)}"
             for name, value in flags.items() if value is not None]
    return " ".join(["python -m trainers.train", *words])


def machine():
    """This machine's CPU cores and GPU names."""
    gpus = [tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name)
            for gpu in tf.config.list_physical_devices("GPU")]
    return {"cpu_cores": os.cpu_count(), "gpus": gpus}


def now():
    """The current UTC time, ISO 8601 to the second (``2026-12-01T13:00:00Z``)."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def append(model_dir, config, steps_from, steps_to, time_start, wall_seconds, outcome,
           strategy):
    """Appends the line of one invocation of ``config`` (see the module docstring)."""
    record = {
        "steps_from": steps_from, "steps_to": steps_to,
        "wall_minutes": round(wall_seconds / 60, 3), "outcome": outcome,
        "command": command_line(config), "flags": dataclasses.asdict(config),
        "strategy": type(strategy).__name__, "num_replicas": strategy.num_replicas_in_sync,
        "machine": machine(), "time_start": time_start, "time_end": now(),
    }
    os.makedirs(model_dir, exist_ok=True)
    with open(history_path(model_dir), "a") as file:
        file.write(json.dumps(record, sort_keys=True) + "\n")


def read(model_dir):
    """The records of ``MODEL_DIR/history.jsonl``, oldest first ([] without one)."""
    if not os.path.isfile(history_path(model_dir)):
        return []
    with open(history_path(model_dir)) as file:
        return [json.loads(line) for line in file if line.strip()]
