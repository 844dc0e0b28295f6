"""Stopping a run cleanly on SIGTERM or SIGINT: finish the step, checkpoint it, say so.

A preemptible VM, Kubernetes or a SLURM time limit sends SIGTERM, and a person Ctrl-C
(SIGINT). While `catch_signals` is active the first such signal only sets a flag: the
training loop finishes its current step, agrees with the other workers that it stops
(`pixel_zoo.training.distribute.any_worker`), writes a checkpoint at that step and raises
`TrainingInterrupted`; the run's ``history.jsonl`` records the call as interrupted at
that step. A second signal exits at once, without a checkpoint. Outside the main thread
(where Python takes no signal handlers) nothing is installed.

Example:
    >>> with catch_signals() as signals:
    ...     while not signals.received:
    ...         train_one_step()
    >>> raise TrainingInterrupted(signals.received, step)
"""

import contextlib
import os
import signal
import sys
import threading

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class TrainingInterrupted(Exception):
    """Training stopped on a signal after checkpointing ``step``.

    ``exit_status`` is the signal's conventional one (128 + its number: 143 for SIGTERM,
    130 for SIGINT).
    """

    def __init__(self, signal_number, step):
        self.signal_number, self.step = signal_number, step
        self.signal_name = signal.Signals(signal_number).name
        self.exit_status = 128 + signal_number
        super().__init__(f"interrupted ({self.signal_name}) at step {step}; checkpoint saved; "
                         "rerun the same command to resume")


class _Signals:
    """The first signal received (its number), or None."""

    def __init__(self):
        self.received = None

    def handle(self, signal_number, frame):
        del frame  # unused
        if self.received is not None:
            print(f"{signal.Signals(signal_number).name} again: exiting now, without a "
                  "checkpoint", file=sys.stderr, flush=True)
            os._exit(128 + signal_number)  # pylint: disable=protected-access
        self.received = signal_number


@contextlib.contextmanager
def catch_signals():
    """Routes SIGTERM and SIGINT to a flag while active (see the module docstring); yields
    the object whose ``received`` holds the first signal's number."""
    signals = _Signals()
    if threading.current_thread() is not threading.main_thread():
        yield signals
        return
    previous = {number: signal.signal(number, signals.handle) for number in SIGNALS}
    try:
        yield signals
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
