"""Quiet TensorFlow's C++ logging before any test imports it."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Compiled XLA programs are not kept between test runs (pixel_zoo.console.use_compilation_cache).
os.environ.setdefault("PIXEL_ZOO_XLA_CACHE", "")
