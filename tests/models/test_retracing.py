"""TensorFlow's retracing warning for `fill`, which counts every model's traces together."""

import logging

import tensorflow as tf

from pixel_zoo import models  # noqa: F401  importing the models installs the filter

# As TensorFlow 2.21 logs it once a process has sampled from a fifth model.
RETRACING = ("5 out of the last 5 calls to <function AutoregressiveImageModel.fill at "
             "0x7fa1c1700720> triggered tf.function retracing. Tracing is expensive and ...")


def test_the_retracing_warning_for_fill_is_dropped_and_others_are_kept():
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    tf.get_logger().addHandler(handler)
    try:
        tf.get_logger().warning(RETRACING)
        tf.get_logger().warning(RETRACING.replace("AutoregressiveImageModel.fill", "other"))
    finally:
        tf.get_logger().removeHandler(handler)
    assert [record.getMessage()[:40] for record in records] == [
        "5 out of the last 5 calls to <function o"]
