"""The per-interval progress line: step, loss, bits/dim, images/sec and time left.

Example:
    >>> progress = ProgressLog(batch_size=32, train_steps=1000, image_shape=(28, 28, 1))
    >>> progress.record(losses=[121.0, 119.0], seconds=0.1)
    >>> progress.flush(step=2)
    step 2/1000  120.00 nats  0.2208 bits/dim  640 images/s  ETA 0:00:50
"""

import datetime

from absl import logging

import pixel_zoo as pz


class ProgressLog:
    """Averages the training loss over an interval and logs it with the throughput.

    Only the time spent in training steps counts, so validation and checkpoints do not
    lower images/sec (the ETA leaves them out too).

    Args:
      batch_size: global images per step.
      train_steps: the run's last step, for the ETA.
      image_shape: ``(H, W, C)``, for bits/dim.
    """

    def __init__(self, batch_size, train_steps, image_shape):
        self.batch_size = batch_size
        self.train_steps = train_steps
        self.image_shape = image_shape
        self._reset()

    def _reset(self):
        self._loss_sum, self._seconds, self._steps = 0.0, 0.0, 0

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
        self._reset()
        return metrics
