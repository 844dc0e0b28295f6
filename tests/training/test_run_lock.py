"""Taking over a stale run lock (`pixel_zoo.training.run_lock`): two trainers at once, and a
writer that replaces the lock under a trainer taking it over."""

import json
import os
import subprocess
import sys
import time

import pytest

from pixel_zoo.training import ConfigError, run_lock

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def write_stale_lock(folder):
    """A lock of this machine's from before a reboot (so its process is gone); its pid."""
    record = {**run_lock.process_record(), "pid": 999999999, "boot": "an earlier boot"}
    with open(os.path.join(folder, run_lock.LOCK_FILE), "w") as file:
        json.dump(record, file)
    return record["pid"]


# Takes the lock in FOLDER, its stale holder's pid given. Right after reading the stale
# lock (is_alive on it), the first such process waits up to 3 s for the second, which then
# waits for the first to write its lock: the interleaving where both took over at once.
_TAKE_OVER = """
import os, sys, time
from pixel_zoo.training import ConfigError, run_lock
folder, stale_pid = sys.argv[1], int(sys.argv[2])
is_alive, me = run_lock.is_alive, str(os.getpid())

def wait_for(condition, seconds):
    deadline = time.time() + seconds
    while not condition() and time.time() < deadline:
        time.sleep(0.01)

def meeting_is_alive(holder):
    if holder["pid"] == stale_pid:
        try:
            os.close(os.open(os.path.join(folder, "first"), os.O_CREAT | os.O_EXCL))
            first = True
        except FileExistsError:
            first = False
        open(os.path.join(folder, "read." + me), "w").close()
        if first:
            wait_for(lambda: sum(name.startswith("read.") for name in os.listdir(folder)) == 2, 3)
        else:
            lock = os.path.join(folder, run_lock.LOCK_FILE)
            wait_for(lambda: (run_lock.read_holder(lock) or {}).get("pid") != stale_pid, 3)
    return is_alive(holder)

run_lock.is_alive = meeting_is_alive

def result(text):
    with open(os.path.join(folder, "result." + me), "w") as file:
        file.write(text)

try:
    with run_lock.RunLock(folder):
        result("won")
        wait_for(lambda: os.path.exists(os.path.join(folder, "release")), 60)
except ConfigError as error:
    result(f"refused: {error}")
"""


def test_of_two_trainers_taking_over_a_stale_lock_at_once_one_wins(tmp_path):
    folder = str(tmp_path)
    stale_pid = write_stale_lock(folder)
    processes = [subprocess.Popen([sys.executable, "-c", _TAKE_OVER, folder, str(stale_pid)],
                                  cwd=ROOT, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
                 for _ in range(2)]
    try:
        deadline = time.time() + 120
        while sum(name.startswith("result.") for name in os.listdir(folder)) < 2:
            assert time.time() < deadline and all(p.poll() is None or p.returncode == 0
                                                  for p in processes), "no results"
            time.sleep(0.05)
        results = {}
        for name in os.listdir(folder):
            if name.startswith("result."):
                with open(os.path.join(folder, name)) as file:
                    results[int(name.split(".")[1])] = file.read()
    finally:
        open(os.path.join(folder, "release"), "w").close()
        for process in processes:
            process.wait(timeout=60)
    winners = [pid for pid, text in results.items() if text == "won"]
    assert len(winners) == 1, results
    (loser,) = set(results) - set(winners)
    assert f"is being trained by pid {winners[0]} on " in results[loser], results


def test_a_lock_replaced_during_a_takeover_refuses_naming_its_writer(tmp_path, monkeypatch):
    folder = str(tmp_path)
    write_stale_lock(folder)
    other = run_lock.process_record(os.getppid())  # a live process: this one's parent
    replace = os.replace

    def replaced_by_another(source, target):  # as a writer that skips the flock would
        replace(source, target)
        with open(target, "w") as file:
            json.dump(other, file)

    monkeypatch.setattr(os, "replace", replaced_by_another)
    with pytest.raises(ConfigError, match=f"being trained by pid {other['pid']} on "), \
            run_lock.RunLock(folder):
        pass
    monkeypatch.undo()
    assert run_lock.read_holder(os.path.join(folder, run_lock.LOCK_FILE)) == other
