"""Faults a long run meets: kill -9 (also mid-checkpoint), damaged checkpoints, a full disk,
changed flags. Each ends in a resumed run at the right data position or a clear refusal,
never a traceback and never a lost checkpoint.

Tiny models (1 layer, 4 units) and a few steps; subprocesses only where a kill -9 or a
split CPU (--cpu_replicas) needs one.
"""

import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow as tf
from test_training_runs import (
    DATA_DIR,
    ROOT,
    checkpoint_value,
    run_script,
    run_two_workers,
    tiny_config,
    train_flags,
)

from pixel_zoo import model_dir
from pixel_zoo.provenance.history import read as read_history
from pixel_zoo.training import ConfigError, summaries, train
from pixel_zoo.training.checkpointing import CheckpointWriteError

pytestmark = pytest.mark.skipif(
    not DATA_DIR, reason="PIXEL_ZOO_DATA is not set: training tests need the shared data "
    "folder (e.g. PIXEL_ZOO_DATA=/work/shared/data)")


def model_weights(path):
    """``{name: array}`` of the model weights in checkpoint ``path``."""
    reader = tf.train.load_checkpoint(path)
    return {name: reader.get_tensor(name) for name, _ in tf.train.list_variables(path)
            if name.startswith("model/")}


def assert_same_weights(path, reference_path):
    weights, reference = model_weights(path), model_weights(reference_path)
    assert weights.keys() == reference.keys()
    for name in weights:
        np.testing.assert_allclose(weights[name], reference[name], rtol=1e-5, atol=1e-6,
                                   err_msg=name)


def truncate(path):
    with open(path, "r+b") as file:
        file.truncate(os.path.getsize(path) // 2)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted 4-step run, checkpointed at every step."""
    config = tiny_config(tmp_path_factory.mktemp("reference"), checkpoint_every=1)
    train(config)
    return config.model_dir


def test_resume_under_mirrored_strategy(tmp_path, reference):
    # MirroredStrategy keeps MirroredVariables, even with one device.
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    train(tiny_config(tmp_path, train_steps=2), strategy)
    assert train(tiny_config(tmp_path), strategy)["step"] == 4
    path = model_dir.latest_checkpoint(str(tmp_path / "run"))
    assert_same_weights(path, os.path.join(reference, "checkpoints", "ckpt-4"))


@pytest.mark.parametrize("damage", ["truncated_data", "truncated_index", "missing_data"])
def test_a_damaged_newest_checkpoint_is_reported_and_the_one_before_resumed(
        damage, tmp_path, reference, caplog):
    config = tiny_config(tmp_path, train_steps=3, checkpoint_every=1)
    train(config)
    prefix = os.path.join(config.model_dir, "checkpoints", "ckpt-3")
    data_file, index_file = prefix + ".data-00000-of-00001", prefix + ".index"
    if damage == "truncated_data":
        truncate(data_file)
    elif damage == "truncated_index":
        truncate(index_file)
    else:
        os.remove(data_file)
    with caplog.at_level(logging.WARNING):
        result = train(tiny_config(tmp_path, checkpoint_every=1))
    warnings = [record.getMessage() for record in caplog.records
                if record.levelno == logging.WARNING]
    assert any(f"Skipping the damaged checkpoint {prefix}" in message for message in warnings)
    named = {"truncated_data": "ckpt-3.data-00000-of-00001 (",
             "truncated_index": "ckpt-3.index (", "missing_data": "ckpt-3"}[damage]
    assert any(named in message for message in warnings), warnings
    # Resumed from step 2 at step 2's data position: the uninterrupted run's weights.
    assert result["step"] == 4
    assert read_history(config.model_dir)[-1]["steps_from"] == 2
    assert_same_weights(model_dir.latest_checkpoint(config.model_dir),
                        os.path.join(reference, "checkpoints", "ckpt-4"))


def test_a_damaged_checkpoint_state_file_is_reported_and_the_files_found(tmp_path, reference,
                                                                          caplog):
    config = tiny_config(tmp_path, train_steps=3, checkpoint_every=1)
    train(config)
    state = os.path.join(model_dir.checkpoint_dir(config.model_dir), "checkpoint")
    open(state, "w").close()  # Emptied, as a full disk can leave it.
    with caplog.at_level(logging.WARNING):
        assert train(tiny_config(tmp_path, checkpoint_every=1))["step"] == 4
    assert any(f"Removing the damaged checkpoint state file {state}" in record.getMessage()
               for record in caplog.records)
    assert read_history(config.model_dir)[-1]["steps_from"] == 3
    assert_same_weights(model_dir.latest_checkpoint(config.model_dir),
                        os.path.join(reference, "checkpoints", "ckpt-4"))


def test_no_readable_checkpoint_is_refused_not_overwritten(tmp_path):
    config = tiny_config(tmp_path, train_steps=2, checkpoint_every=1)
    train(config)
    for path in model_dir.checkpoints(config.model_dir):
        truncate(path + ".data-00000-of-00001")
    with pytest.raises(ConfigError, match="None of the 2 checkpoints in .* reads"):
        train(config)
    assert [path.rsplit("-", 1)[-1] for path in model_dir.checkpoints(config.model_dir)] == [
        "1", "2"]


def test_a_full_disk_fails_clearly_and_keeps_the_last_checkpoint(tmp_path, reference,
                                                                  monkeypatch):
    save = tf.train.CheckpointManager.save

    def save_until_the_disk_fills(manager, checkpoint_number=None, **kwargs):
        if checkpoint_number >= 3:
            # What a full disk leaves: a partial file, then the error.
            with open(os.path.join(manager.directory, "ckpt-3.index"), "wb") as file:
                file.write(b"\0" * 7)
            raise OSError(28, "No space left on device")
        return save(manager, checkpoint_number=checkpoint_number, **kwargs)

    monkeypatch.setattr(tf.train.CheckpointManager, "save", save_until_the_disk_fills)
    config = tiny_config(tmp_path, checkpoint_every=1)
    with pytest.raises(CheckpointWriteError, match=(
            r"Could not write the checkpoint of step 3 .*No space left on device.*"
            r"Is the disk full\? The checkpoint of step 2 is kept")):
        train(config)
    assert model_dir.latest_checkpoint(config.model_dir).endswith("ckpt-2")
    assert checkpoint_value(model_dir.latest_checkpoint(config.model_dir), "step") == 2
    assert "OSError" in read_history(config.model_dir)[-1]["outcome"]

    monkeypatch.undo()  # Space freed: the rerun resumes from step 2.
    assert train(config)["step"] == 4
    assert read_history(config.model_dir)[-1]["steps_from"] == 2
    assert_same_weights(model_dir.latest_checkpoint(config.model_dir),
                        os.path.join(reference, "checkpoints", "ckpt-4"))


def test_changed_flags_are_refused_and_allowed_ones_recorded(tmp_path):
    config = tiny_config(tmp_path, train_steps=2, lr_schedule="exponential")
    train(config)
    with open(model_dir.config_path(config.model_dir)) as file:
        first_config = file.read()
    with pytest.raises(ConfigError) as refusal:
        train(tiny_config(tmp_path, train_steps=2, lr_schedule="exponential", batch_size=16,
                          seed=3, hidden_units=8))
    message = str(refusal.value)
    for row in (r"batch_size +8 +16", r"seed +0 +3", r"hidden_units +4 +8"):
        assert any(re.fullmatch(rf" *{row}", line) for line in
                   message.splitlines()), (row, message)

    # More steps and other logging are allowed; the schedule keeps its first length.
    train(tiny_config(tmp_path, train_steps=4, lr_schedule="exponential", log_every=2))
    with open(model_dir.config_path(config.model_dir)) as file:
        assert file.read() == first_config
    learning_rates = dict(summaries.read_scalars(
        os.path.join(config.model_dir, "train"))["learning_rate"])
    # The rate logged at step s is the schedule's after s steps: 1e-3 * 0.1 ** (s / 2), 2 being
    # the first call's train_steps (a schedule stretched to 4 steps would give 1e-4).
    np.testing.assert_allclose(learning_rates[4], 1e-3 * 0.1 ** (4 / 2), rtol=1e-5)
    history = read_history(config.model_dir)
    assert [(line["steps_from"], line["steps_to"]) for line in history] == [(0, 2), (2, 4)]
    assert [line["outcome"] for line in history] == ["finished", "finished"]
    assert history[1]["flags"]["train_steps"] == 4 and history[1]["flags"]["log_every"] == 2
    assert "--model_dir=$MODEL_DIR" in history[1]["command"]
    assert "--data_dir=$PIXEL_ZOO_DATA" in history[1]["command"]
    assert history[1]["machine"]["cpu_cores"] == os.cpu_count()
    assert history[1]["wall_minutes"] > 0


def test_the_script_refuses_changed_flags_without_a_traceback(tmp_path):
    train(tiny_config(tmp_path, train_steps=1))
    result = run_script("train", *train_flags(str(tmp_path / "run"), train_steps=2,
                                              batch_size=16), timeout=120)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert any(line.split() == ["batch_size", "8", "16"] for line in result.stderr.splitlines())


@pytest.mark.slow
def test_two_workers_resume(tmp_path):
    run_dir = str(tmp_path / "run")
    settings = {"strategy": "multi_worker", "checkpoint_every": 1, "eval_every": 0}
    run_two_workers(train_flags(run_dir, train_steps=2, **settings))
    errors = run_two_workers(train_flags(run_dir, train_steps=4, **settings))
    assert all("Resuming from the checkpoint at step 2" in stderr for stderr in errors)
    assert checkpoint_value(model_dir.latest_checkpoint(run_dir), "step") == 4
    assert [(line["steps_from"], line["steps_to"]) for line in read_history(run_dir)] == [
        (0, 2), (2, 4)]


def wait_for(condition, process, timeout=120):
    """Polls ``condition`` every millisecond until it holds or ``process`` ends."""
    deadline = time.time() + timeout
    while not condition():
        assert process.poll() is None, "the run ended before the kill; make it longer"
        assert time.time() < deadline, "timed out waiting for the run"
        time.sleep(0.001)


def writing_checkpoint(directory):
    """Whether a checkpoint is being written (TensorFlow writes ``ckpt-N_temp/`` first)."""
    return os.path.isdir(directory) and any(name.endswith("_temp")
                                            for name in os.listdir(directory))


@pytest.mark.slow
def test_kill_9_loop_while_checkpointing_under_two_replicas(tmp_path):
    run_dir = str(tmp_path / "run")
    directory = model_dir.checkpoint_dir(run_dir)
    flags = train_flags(run_dir, train_steps=60, checkpoint_every=1, eval_every=0,
                        cpu_replicas=2)
    command = [sys.executable, "-m", "trainers.train", *flags]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    for kill in ("during a checkpoint write", "between writes"):
        before = model_dir.checkpoints(run_dir)
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, env=env)
        try:
            wait_for(lambda before=before: model_dir.checkpoints(run_dir) != before, process)
            if kill == "during a checkpoint write":
                wait_for(lambda: writing_checkpoint(directory), process)
            else:
                time.sleep(0.3)
        finally:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
    newest = int(model_dir.checkpoints(run_dir)[-1].rsplit("-", 1)[-1])
    assert 0 < newest < 60, "the run ended before the kill; make it longer"

    result = run_script("train", *flags)
    assert result.returncode == 0, result.stderr[-3000:]
    history = read_history(run_dir)  # The killed invocations wrote no line.
    assert len(history) == 1 and history[0]["steps_to"] == 60
    resumed = history[0]["steps_from"]
    assert f"Resuming from the checkpoint at step {resumed}" in result.stderr
    # The newest checkpoint at the kill, or, if the kill left it damaged, the one before.
    assert resumed == newest or "Skipping the damaged checkpoint" in result.stderr
    path = model_dir.latest_checkpoint(run_dir)
    assert path.endswith("ckpt-60") and checkpoint_value(path, "step") == 60
    assert checkpoint_value(path, "optimizer/_iterations") == 60

    # The resumed steps' losses are those of an uninterrupted (single-replica) run.
    reference = tiny_config(tmp_path, model_dir=str(tmp_path / "reference"),
                            train_steps=resumed + 3, eval_every=0)
    train(reference)
    expected = summaries.read_scalars(os.path.join(reference.model_dir, "train"))["nats"][-3:]
    last_call = tmp_path / "last_call"  # The event file of the resumed call only.
    last_call.mkdir()
    shutil.copy(os.path.join(run_dir, "train", max(os.listdir(
        os.path.join(run_dir, "train")))), last_call)
    got = dict(summaries.read_scalars(str(last_call))["nats"])
    for step, loss in expected:
        assert np.isclose(got[step], loss, rtol=1e-4), (step, got[step], loss)
