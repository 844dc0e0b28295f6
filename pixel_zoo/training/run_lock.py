"""One trainer per run folder: ``MODEL_DIR/trainer.lock`` names the process that trains it.

The lock holds the trainer's pid, host, boot and process start time. A second trainer
on the same folder (a command started twice, a scheduler's retry while the first still
runs) is refused in one line naming the first. A lock whose process is gone (kill -9, a
reboot, a reused pid) is taken over with a warning. Takeovers take turns (an exclusive
`fcntl.flock` on ``MODEL_DIR/trainer.lock.takeover``, which the kernel releases if the
process dies), so of two trainers taking over the same stale lock at once exactly one
wins and the other is refused naming it; each then reads the lock back to confirm it is
its own (a writer that skips the flock, e.g. an older pixel_zoo, is caught there). Only
the chief of a multi-worker run takes the lock: its workers are one trainer.

Example:
    >>> with RunLock("/tmp/runs/pixelcnn"):
    ...     train(config)
"""

import contextlib
import datetime
import fcntl
import json
import os
import socket

from absl import logging

from pixel_zoo.training.config import ConfigError

LOCK_FILE = "trainer.lock"


class RunLock:
    """A context manager holding ``MODEL_DIR/trainer.lock`` (nothing where not ``enabled``).

    Raises:
      ConfigError: on entering, where a live trainer holds the lock.
    """

    def __init__(self, model_dir, enabled=True):
        self.path = os.path.join(model_dir, LOCK_FILE)
        self.enabled = enabled
        self.holder = None

    def __enter__(self):
        if not self.enabled:
            return self
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        me = process_record()
        try:
            descriptor = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            self._take_over(me)
        else:
            with os.fdopen(descriptor, "w") as file:
                json.dump(me, file)
        self.holder = me
        return self

    def __exit__(self, *exc_info):
        if self.holder is not None and read_holder(self.path) == self.holder:
            os.remove(self.path)
        self.holder = None

    def _take_over(self, me):
        with _one_takeover_at_a_time(self.path):
            holder = read_holder(self.path)
            if holder is not None and is_alive(holder):
                raise self._refusal(holder)
            logging.warning("Taking over %s: %s", self.path, "its file does not read"
                            if holder is None else f"pid {holder['pid']} on {holder['host']} "
                            f"(since {holder['started']}) is gone")
            temporary = f"{self.path}.{me['pid']}"
            with open(temporary, "w") as file:
                json.dump(me, file)
            os.replace(temporary, self.path)
            winner = read_holder(self.path)
        if winner != me:  # replaced meanwhile by a writer that skips the flock
            raise self._refusal(winner)

    def _refusal(self, holder):
        who = ("another trainer (its lock does not read)" if holder is None else
               f"pid {holder['pid']} on {holder['host']} since {holder['started']}")
        return ConfigError(
            f"{os.path.dirname(self.path)} is being trained by {who}; wait for it or stop it "
            f"(if it is gone, delete {self.path}).")


@contextlib.contextmanager
def _one_takeover_at_a_time(path):
    """Holds an exclusive flock on ``path + ".takeover"`` (kept: removing it would race)."""
    descriptor = os.open(path + ".takeover", os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the flock


def process_record(pid=None):
    """The lock's record of process ``pid`` on this machine (default: the current one)."""
    pid = os.getpid() if pid is None else pid
    return {"pid": pid, "host": socket.gethostname(), "boot": _boot_id(),
            "process_start": _process_start(pid),
            "started": datetime.datetime.now(datetime.UTC).strftime(
                "%Y-%m-%dT%H:%M:%SZ")}


def read_holder(path):
    """The record in lock file ``path``, or None where it is missing or does not read."""
    try:
        with open(path) as file:
            holder = json.load(file)
    except (OSError, ValueError):
        return None
    return holder if isinstance(holder, dict) and "pid" in holder else None


def is_alive(holder):
    """Whether the process a lock names still runs. Another host's cannot be checked from
    here, so it counts as alive (the refusal says how to remove its lock)."""
    if holder.get("host") != socket.gethostname():
        return True
    if holder.get("boot") != _boot_id():
        return False  # The machine rebooted since.
    try:
        os.kill(holder["pid"], 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # Another user's live process.
    return holder.get("process_start") == _process_start(holder["pid"])  # not a reused pid


def _boot_id():
    try:
        with open("/proc/sys/kernel/random/boot_id") as file:
            return file.read().strip()
    except OSError:
        return None


def _process_start(pid):
    """The process's start time in clock ticks since boot (Linux), else None."""
    try:
        with open(f"/proc/{pid}/stat") as file:
            return int(file.read().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None
