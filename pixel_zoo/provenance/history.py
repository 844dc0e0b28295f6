"""``MODEL_DIR/history.jsonl``: one JSON line per invocation of a training run, appended.

``config.json`` keeps the settings of a run's first invocation; each invocation (the first,
and every resumption) appends one line when it ends, finished, stopped by its time limit or
by an error:

    {"steps_from": 0, "steps_to": 500, "wall_minutes": 1.52, "training_minutes": 1.31,
     "outcome": "finished",
     "command": "python -m trainers.train --model_dir=$MODEL_DIR --data_dir=$PIXEL_ZOO_DATA
                 --batch_size=32 ...",
     "flags": {<the exact TrainConfig>}, "strategy": "MirroredStrategy", "num_replicas": 2,
     "machine": {"cpu_cores": 2, "gpus": []},
     "load": {"cores_used": 1.87, "load_average": 2.02, "other_load": 0.15, "shared": false},
     "time_start": "2026-12-01T13:00:00Z", "time_end": "2026-12-01T13:01:31Z"}

``steps_from``/``steps_to`` are checkpointed steps: what the invocation resumed from and
the last checkpoint it wrote. ``training_minutes`` is the time spent in training steps
(no compilation, validation or checkpoints): a run's curves of validation NLL against
training time (``--eval_minutes``) add up those of its invocations. ``command`` writes the
run's folder as ``$MODEL_DIR``, the data folder as ``$PIXEL_ZOO_DATA`` and a run it started
from (``--init_from=run:``) as ``$INIT_RUN_DIR``, so a zoo card can cite it. An invocation
killed (kill -9, a lost machine) writes no line; the next one's ``steps_from`` shows where
it resumed.

``load`` says whether anything else ran on the machine: the cores this process kept busy
(its CPU seconds over the wall seconds), the mean 1-minute load average sampled at each
log line, the cores other processes kept busy meanwhile (``other_load``, from the
machine's CPU time, `LoadMonitor`) and ``shared``, true when they passed half a core.

Example:
    >>> [(line["steps_from"], line["steps_to"]) for line in read("/tmp/runs/pixelcnn")]
    [(0, 250), (250, 500)]
"""

import dataclasses
import datetime
import json
import os
import time

import tensorflow as tf

HISTORY_FILE = "history.jsonl"
RUN_PREFIX = "run:"  # --init_from=run:PATH (`pixel_zoo.training.initialization`)
SHARED_ABOVE = 0.5  # cores kept busy by other processes that make a run "shared"


def history_path(model_dir):
    """``MODEL_DIR/history.jsonl``."""
    return os.path.join(model_dir, HISTORY_FILE)


def command_line(config):
    """The ``trainers.train`` command of ``config``, folders as ``$MODEL_DIR``/``$PIXEL_ZOO_DATA``
    (and a ``--init_from=run:`` folder as ``$INIT_RUN_DIR``)."""
    flags = dataclasses.asdict(config)
    placeholders = {"model_dir": "$MODEL_DIR", "data_dir": "$PIXEL_ZOO_DATA"}
    if (config.init_from or "").startswith(RUN_PREFIX):
        placeholders["init_from"] = f"{RUN_PREFIX}$INIT_RUN_DIR"
    words = [f"--{name}={placeholders.get(name, _flag_value(value))}"
             for name, value in flags.items() if value not in (None, (), [])]
    return " ".join(["python -m trainers.train", *words])


def _flag_value(value):
    return ",".join(f"{item:g}" for item in value) if isinstance(value, (list, tuple)) else value


def training_seconds(model_dir):
    """The step time of the invocations recorded so far (those before ``training_minutes``
    was recorded, and killed ones, count 0)."""
    return sum(60 * record.get("training_minutes", 0.0) for record in read(model_dir))


def machine():
    """This machine's CPU cores and GPU names."""
    gpus = [tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name)
            for gpu in tf.config.list_physical_devices("GPU")]
    return {"cpu_cores": os.cpu_count(), "gpus": gpus}


def now():
    """The current UTC time, ISO 8601 to the second (``2026-12-01T13:00:00Z``)."""
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def machine_busy_seconds():
    """CPU seconds every process on this machine has spent so far (``/proc/stat``: all but
    idle and I/O wait), or None where the system does not say (not Linux)."""
    try:
        with open("/proc/stat") as file:
            fields = file.readline().split()
    except OSError:
        return None
    user, nice, system, _, _, irq, softirq, steal = (int(value) for value in fields[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class LoadMonitor:
    """Measures how busy the machine was besides this process, over one invocation.

    The others' share is the CPU time the whole machine spent (``/proc/stat``) minus this
    process's, over the wall time: cores that other processes kept busy. (The load average
    cannot tell: it counts this process's runnable threads too, which can outnumber the
    cores it gets.) Where ``/proc/stat`` is missing, the mean sampled load average minus
    this process's cores stands in.

    Example:
        >>> monitor = LoadMonitor()
        >>> monitor.sample()          # at each log line
        >>> monitor.summary()
        {'cores_used': 1.87, 'load_average': 2.02, 'other_load': 0.15, 'shared': False}
    """

    def __init__(self):
        self._cpu_start, self._wall_start = time.process_time(), time.perf_counter()
        self._machine_start = machine_busy_seconds()
        self._loads = []

    def sample(self):
        """Records the 1-minute load average now."""
        self._loads.append(os.getloadavg()[0])

    def summary(self):
        """This process's busy cores, the mean sampled load, the others' cores, ``shared``."""
        wall = max(time.perf_counter() - self._wall_start, 1e-9)
        cpu = time.process_time() - self._cpu_start
        cores_used = cpu / wall
        load = sum(self._loads) / len(self._loads) if self._loads else os.getloadavg()[0]
        machine_now = machine_busy_seconds()
        if self._machine_start is None or machine_now is None:
            other_load = load - cores_used
        else:
            other_load = (machine_now - self._machine_start - cpu) / wall
        other_load = max(other_load, 0.0)
        return {"cores_used": round(cores_used, 2), "load_average": round(load, 2),
                "other_load": round(other_load, 2), "shared": other_load > SHARED_ABOVE}


def append(model_dir, config, steps_from, steps_to, time_start, wall_seconds, outcome,
           strategy, load=None, trained_seconds=0.0):
    """Appends the line of one invocation of ``config`` (see the module docstring);
    ``load``: a `LoadMonitor` summary; ``trained_seconds``: its time in training steps."""
    record = {
        "steps_from": steps_from, "steps_to": steps_to,
        "wall_minutes": round(wall_seconds / 60, 3),
        "training_minutes": round(trained_seconds / 60, 3), "outcome": outcome,
        "command": command_line(config), "flags": dataclasses.asdict(config),
        "strategy": type(strategy).__name__, "num_replicas": strategy.num_replicas_in_sync,
        "machine": machine(), "load": load, "time_start": time_start, "time_end": now(),
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
