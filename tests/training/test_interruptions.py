"""What shared machines and clusters do to a run: SIGTERM (preemption, a time limit) and
SIGINT (Ctrl-C) at a random step, a second trainer on the same folder, a killed trainer's
lock, and reading a run whose newest checkpoint is damaged."""

import json
import logging
import os
import random
import re
import signal
import subprocess
import sys
import time

import pytest
from test_fault_injection import truncate, wait_for
from test_training_runs import DATA_DIR, ROOT, run_script, tiny_config, train_flags

from pixel_zoo import evaluation, model_dir
from pixel_zoo.provenance.history import read as read_history
from pixel_zoo.training import train
from pixel_zoo.training.run_lock import LOCK_FILE, process_record

pytestmark = pytest.mark.skipif(
    not DATA_DIR, reason="PIXEL_ZOO_DATA is not set: training tests need the shared data "
    "folder (e.g. PIXEL_ZOO_DATA=/work/shared/data)")

ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}


def start_trainer(flags):
    """``python -m trainers.train flags...`` in the background; its stderr in a file."""
    log = open(flags[0].split("=", 1)[1] + ".stderr", "w+")  # noqa: SIM115  closed by caller
    process = subprocess.Popen([sys.executable, "-m", "trainers.train", *flags], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=log, env=ENV)
    return process, log


def training_started(run_dir):
    """Whether the run has written a training summary (it is in its loop)."""
    train_events = os.path.join(run_dir, "train")
    return os.path.isdir(train_events) and any(
        os.path.getsize(os.path.join(train_events, name)) > 200
        for name in os.listdir(train_events))


def long_run_flags(run_dir, **changes):
    return train_flags(run_dir, train_steps=100000, checkpoint_every=100000, eval_every=0,
                       **changes)


@pytest.mark.slow
@pytest.mark.parametrize("signal_number,replicas", [(signal.SIGTERM, 1), (signal.SIGINT, 2)])
def test_a_signal_checkpoints_the_step_it_ends_and_the_rerun_resumes_there(
        signal_number, replicas, tmp_path):
    run_dir = str(tmp_path / "run")
    process, log = start_trainer(long_run_flags(run_dir, cpu_replicas=replicas))
    with log:
        try:
            wait_for(lambda: training_started(run_dir), process)
            time.sleep(random.uniform(0.0, 1.0))  # a random step
            process.send_signal(signal_number)
            status = process.wait(timeout=120)
        finally:
            process.kill()
        log.seek(0)
        stderr = log.read()
    assert status == 128 + signal_number, stderr[-3000:]
    assert "Traceback" not in stderr
    name = signal.Signals(signal_number).name
    last_line = stderr.strip().splitlines()[-1]
    match = re.fullmatch(rf"interrupted \({name}\) at step (\d+); checkpoint saved; rerun the "
                         "same command to resume", last_line)
    assert match, last_line
    step = int(match.group(1))
    assert model_dir.latest_checkpoint(run_dir).endswith(f"ckpt-{step}")
    (record,) = read_history(run_dir)
    assert record["steps_to"] == step and record["outcome"] == f"interrupted ({name}) at step {step}"
    assert not os.path.exists(os.path.join(run_dir, LOCK_FILE))

    rerun = run_script("train", *train_flags(run_dir, train_steps=step + 2, eval_every=0,
                                             checkpoint_every=100000, cpu_replicas=replicas))
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert f"Resuming from the checkpoint at step {step}" in rerun.stderr


@pytest.mark.slow
def test_a_second_trainer_is_refused_and_a_killed_trainers_lock_taken_over(tmp_path):
    run_dir = str(tmp_path / "run")
    first, log = start_trainer(long_run_flags(run_dir))
    with log:
        try:
            wait_for(lambda: training_started(run_dir), first)
            second = run_script("train", *long_run_flags(run_dir))
        finally:
            first.kill()  # kill -9: its lock stays behind
            first.wait()
    assert second.returncode == 2, second.stderr[-3000:]
    errors = [line for line in second.stderr.splitlines() if line.startswith("train.py: error:")]
    assert len(errors) == 1, second.stderr
    (error,) = errors
    assert f"is being trained by pid {first.pid} on " in error
    with open(os.path.join(run_dir, LOCK_FILE)) as file:
        assert json.load(file)["pid"] == first.pid

    rerun = run_script("train", *train_flags(run_dir, train_steps=2, eval_every=0))
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert f"pid {first.pid} on" in rerun.stderr and "is gone" in rerun.stderr
    assert not os.path.exists(os.path.join(run_dir, LOCK_FILE))


def test_a_live_trainers_lock_refuses_a_second_one_in_process(tmp_path):
    config = tiny_config(tmp_path, train_steps=1)
    os.makedirs(config.model_dir)
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with open(os.path.join(config.model_dir, LOCK_FILE), "w") as file:
            json.dump(process_record(holder.pid), file)
        with pytest.raises(ValueError, match=f"being trained by pid {holder.pid}"):
            train(config)
    finally:
        holder.kill()
        holder.wait()
    assert train(config)["step"] == 1  # its process gone, the lock is taken over


def test_reading_a_run_skips_a_damaged_newest_checkpoint_as_training_does(tmp_path, caplog):
    config = tiny_config(tmp_path, train_steps=3, checkpoint_every=1, eval_every=0)
    train(config)
    truncate(os.path.join(config.model_dir, "checkpoints", "ckpt-3.data-00000-of-00001"))
    with caplog.at_level(logging.WARNING):
        result = evaluation.evaluate_model_dir(config.model_dir, num_batches=1)
    assert result["num_images"] > 0
    assert "Skipping the damaged checkpoint" in caplog.text and "ckpt-3" in caplog.text
    evaluated = run_script("evaluate", f"--model_dir={config.model_dir}", "--eval_batches=1")
    assert evaluated.returncode == 0, evaluated.stderr[-3000:]
