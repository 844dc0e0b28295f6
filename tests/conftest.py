"""Quiet TensorFlow's C++ logging, and size its thread pool, before any test imports it."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Compiled XLA programs are not kept between test runs (pixel_zoo.console.use_compilation_cache).
os.environ.setdefault("PIXEL_ZOO_XLA_CACHE", "")
# Each pytest-xdist worker (README's `-n 2`, one per core) runs TensorFlow ops on one thread:
# the tiny models' ops gain nothing from more, and two workers' thread pools oversubscribing
# two cores made the suite slower (measured: 139 s against 118 s for the model tests).
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
