"""Progress: the per-interval log line (step, loss, bits/dim, images/sec, time left), and a
progress bar with an ETA on a terminal.

Example:
    >>> progress = ProgressLog(batch_size=32, train_steps=1000, image_shape=(28, 28, 1))
    >>> progress.record(losses=[121.0, 119.0], seconds=0.1)
    >>> progress.flush(step=2)
    step 2/1000  120.00 nats  0.2208 bits/dim  640 images/s  ETA 0:00:50
"""

import datetime
import sys

import keras
from absl import logging

import pixel_zoo as pz

_SHOWN_AS_IS = ("nats", "bits_per_dim", "images_per_sec")


def output_is_terminal():
    """Whether both stdout and stderr are terminals (not a log file, a pipe or CI)."""
    return sys.stdout.isatty() and sys.stderr.isatty()


class ProgressBar:
    """Keras's `Progbar` (time per unit, ETA) with the latest figures; off unless on a terminal.

    Args:
      total: units to do (None: unknown).
      unit_name: "step" or "batch".
      enabled: default: `output_is_terminal`, so logs and CI output stay clean.

    Example:
        >>> bar = ProgressBar(total=500)
        >>> bar.update(10, {"nats": 120.0, "images_per_sec": 640.0})
        10/500 ━━━━━━━━━━━━━━━━━━━━ 1:14 150ms/step - images_per_sec: 640.0000 - nats: 120.0000
    """

    def __init__(self, total, unit_name="step", enabled=None):
        enabled = output_is_terminal() if enabled is None else enabled
        self._bar = keras.utils.Progbar(total, unit_name=unit_name,
                                        stateful_metrics=_SHOWN_AS_IS) if enabled else None

    @property
    def enabled(self):
        return self._bar is not None

    def update(self, done, values=None):
        """Shows ``done`` units finished, and ``values`` (``{name: number}``) if given."""
        if self._bar is not None:
            self._bar.update(done, sorted((values or {}).items()))

    def add(self, count, values=None):
        """Shows ``count`` more units finished, and ``values`` if given."""
        if self._bar is not None:
            self._bar.add(count, sorted((values or {}).items()))


class ProgressLog:
    """Averages the training loss over an interval and logs it with the throughput.

    Only the time spent in training steps counts, so validation and checkpoints do not
    lower images/sec (the ETA leaves them out too).

    On a terminal a `ProgressBar` of this call's steps (``start`` to
    ``train_steps``) shows each step and the interval's figures.

    Args:
      batch_size: global images per step.
      train_steps: the run's last step, for the ETA.
      image_shape: ``(H, W, C)``, for bits/dim.
      start: the step this call starts at (a resumed run's checkpoint).
    """

    def __init__(self, batch_size, train_steps, image_shape, start=0):
        self.batch_size = batch_size
        self.train_steps = train_steps
        self.image_shape = image_shape
        self.start = start
        self.bar = ProgressBar(max(train_steps - start, 0))
        self._reset()

    def _reset(self):
        self._loss_sum, self._seconds, self._steps = 0.0, 0.0, 0

    def advance(self, step):
        """Moves the progress bar to ``step`` (each step: no tensor is read)."""
        self.bar.update(step - self.start)

    def record(self, losses, seconds):
        """Adds the losses (nats per image) of consecutive steps that took ``seconds``."""
        self._loss_sum += sum(losses)
        self._seconds += seconds
        self._steps += len(losses)

    def flush(self, step):
        """Logs the interval ending at ``step``; returns its ``nats``, ``bits_per_dim``,
        ``images_per_sec``; starts the next interval."""
        nats = self._loss_sum / self._steps
        seconds_per_step = self._seconds / self._steps
        metrics = {
            "nats": nats,
            "bits_per_dim": float(pz.metrics.bits_per_dim(-nats, self.image_shape)),
            "images_per_sec": self.batch_size / seconds_per_step,
        }
        eta = datetime.timedelta(seconds=round((self.train_steps - step) * seconds_per_step))
        logging.info(
            "step %d/%d  %.2f nats  %.4f bits/dim  %.0f images/s  ETA %s", step,
            self.train_steps, nats, metrics["bits_per_dim"], metrics["images_per_sec"], eta,
        )
        self.bar.update(step - self.start, metrics)
        self._reset()
        return metrics
