"""Whether this machine computes bfloat16 natively, and a warning where it does not.

TensorFlow runs bfloat16 on a CPU without AVX512_BF16 or AMX by converting to float32
and back around each op: a ``--mixed_precision_dtype=bfloat16`` run there is several
times slower than the same run in float32 (a gated PixelCNN, 8 layers of 32 features,
on binarized MNIST: 7 against 42 images/s on a 2-core AVX2 AMD EPYC).

Example:
    >>> bfloat16_is_emulated()   # on such a CPU, without a GPU
    True
    >>> warn_if_emulated("bfloat16")   # logs why the run will be slow
    True
"""

import tensorflow as tf
from absl import logging

BFLOAT16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_flags(cpuinfo="/proc/cpuinfo"):
    """The CPU's feature flags as ``cpuinfo`` (Linux's format) lists them; None if unreadable."""
    try:
        with open(cpuinfo) as file:
            for line in file:
                if line.startswith("flags"):
                    return set(line.partition(":")[2].split())
    except OSError:
        pass
    return None


def bfloat16_is_emulated(cpuinfo="/proc/cpuinfo"):
    """True where bfloat16 would run on a CPU that lacks it (no GPU); False if native or unknown."""
    if tf.config.list_physical_devices("GPU"):
        return False
    flags = cpu_flags(cpuinfo)
    return flags is not None and not flags.intersection(BFLOAT16_CPU_FLAGS)


def warn_if_emulated(dtype, cpuinfo="/proc/cpuinfo"):
    """Logs a warning if a run in ``dtype`` would compute in emulated bfloat16; returns whether."""
    if dtype != "bfloat16" or not bfloat16_is_emulated(cpuinfo):
        return False
    logging.warning(
        "--mixed_precision_dtype=bfloat16 on a CPU without AVX512_BF16 or AMX and no GPU: "
        "TensorFlow emulates bfloat16 here, several times slower than float32. Leave out "
        "--mixed_precision on this machine.")
    return True
