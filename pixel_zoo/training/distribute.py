"""The `tf.distribute` strategy of a run, and which worker writes its files.

Call `make_strategy` before anything else touches TensorFlow's devices: ``cpu_replicas``
splits the CPU into logical devices, which TensorFlow allows only until it has
initialised them (the first op, ``list_logical_devices``, building a model, ...).

Example:
    >>> strategy = make_strategy("mirrored", cpu_replicas=2)   # 2 replicas on one CPU
    >>> strategy.num_replicas_in_sync
    2
"""

import tensorflow as tf

from pixel_zoo.training.config import ConfigError

STRATEGIES = ("auto", "mirrored", "multi_worker", "default")


def make_strategy(name="auto", cpu_replicas=0):
    """Builds a strategy by name.

    Args:
      name: "auto": `MirroredStrategy` over the local GPUs, or over the logical CPUs
        when ``cpu_replicas > 1``, else the default (one-device) strategy;
        "mirrored": `MirroredStrategy` over the GPUs, else over the logical CPUs;
        "multi_worker": `MultiWorkerMirroredStrategy`, the cluster read from ``TF_CONFIG``;
        "default": the default strategy.
      cpu_replicas: if above 1, split the CPU into this many logical devices and make
        them the replicas (even where there are GPUs). Must come before TensorFlow
        initialises its devices.

    Returns:
      A `tf.distribute.Strategy`.

    Raises:
      ConfigError: an unknown name, a negative ``cpu_replicas``, or ``cpu_replicas``
        with a strategy that cannot use them.
      RuntimeError: the devices were initialised already with another CPU split.
    """
    if name not in STRATEGIES:
        raise ConfigError(f"Unknown strategy {name!r}; choose one of {STRATEGIES}.")
    if cpu_replicas < 0:
        raise ConfigError(f"cpu_replicas must be >= 0, got {cpu_replicas}.")
    if cpu_replicas > 1:
        if name in ("multi_worker", "default"):
            raise ConfigError(
                f"cpu_replicas works with --strategy=auto or mirrored, not {name}."
            )
        return tf.distribute.MirroredStrategy(_split_cpu(cpu_replicas))
    if name == "multi_worker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "default":
        return tf.distribute.get_strategy()
    gpus = [device.name for device in tf.config.list_logical_devices("GPU")]
    if name == "auto" and not gpus:
        return tf.distribute.get_strategy()
    return tf.distribute.MirroredStrategy(gpus or None)


def _split_cpu(num_devices):
    """Splits the first CPU into ``num_devices`` logical devices; returns their names."""
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * num_devices
        )
    except RuntimeError as error:
        if len(tf.config.list_logical_devices("CPU")) != num_devices:
            raise RuntimeError(
                f"Cannot split the CPU into {num_devices} devices: TensorFlow has initialised "
                "its devices already. Call make_strategy before any other TensorFlow work."
            ) from error
    return [device.name for device in tf.config.list_logical_devices("CPU")]


def is_chief(strategy):
    """Whether this worker writes the run's files (config, checkpoints, summaries).

    The chief is task "chief", else worker 0; every process of a single-machine
    strategy is the chief.
    """
    resolver = strategy.cluster_resolver
    if resolver is None or not resolver.task_type:
        return True
    if resolver.task_type == "chief":
        return True
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    return resolver.task_type == "worker" and resolver.task_id == 0 and not has_chief


def any_worker(strategy, *flags):
    """Whether each of ``flags`` holds on any worker; every worker must call it at the
    same step.

    Decisions from a worker's own clock (a time limit, a validation at a training-time
    mark) can fall on different steps on different workers, and a worker that stops or
    validates alone would leave the others waiting in a collective forever. With one
    worker these are the ``flags`` themselves, with no collective.

    Returns:
      A tuple of bools, one per flag.
    """
    resolver = strategy.cluster_resolver
    if resolver is None or not resolver.task_type:
        return tuple(bool(flag) for flag in flags)
    votes = strategy.run(lambda: tf.constant([int(bool(flag)) for flag in flags]))
    agreed = strategy.reduce(tf.distribute.ReduceOp.SUM, votes, axis=None).numpy()
    return tuple(bool(votes_for > 0) for votes_for in agreed)
