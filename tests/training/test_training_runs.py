"""Training runs on the real datasets: in this process, and as trainers/ scripts in subprocesses.

Tiny models (1 layer, 4 units) and a few steps; the scripts run in subprocesses where they
need their own device setup (--cpu_replicas), a kill -9, or a cluster of workers.
"""

import dataclasses
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import pixel_zoo as pz
from pixel_zoo import data, model_dir
from pixel_zoo.layers import weight_norm
from pixel_zoo.training import ConfigError, TrainConfig, summaries, train
from pixel_zoo.training.optimizer import make_optimizer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA_DIR = os.environ.get("PIXEL_ZOO_DATA")
pytestmark = pytest.mark.skipif(
    not DATA_DIR, reason="PIXEL_ZOO_DATA is not set: training tests need the shared data "
    "folder (e.g. PIXEL_ZOO_DATA=/work/shared/data)")
TINY = {"num_layers": 1, "hidden_units": 4, "batch_size": 8, "eval_batches": 1,
        "num_samples": 0, "log_every": 1}


def tiny_config(tmp_path, **changes):
    return TrainConfig(**{"model_dir": str(tmp_path / "run"), "data_dir": DATA_DIR,
                          "train_steps": 4, **TINY, **changes})


def as_flags(settings):
    return [f"--{name}={value}" for name, value in settings.items()]


def run_script(script, *flags, env=None, timeout=240):
    """Runs ``python -m trainers.<script> flags...`` from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", f"trainers.{script}", *flags], cwd=ROOT, capture_output=True,
        text=True, timeout=timeout, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})},
        check=False,
    )


def train_flags(run_dir, **changes):
    return as_flags({"model_dir": run_dir, "data_dir": DATA_DIR, "model": "pixelcnn",
                     **TINY, **changes})


def first_valid_nats(model, count=8):
    """Mean NLL of the first ``count`` binarized MNIST validation images (a run's eval batch)."""
    images = data.load_split("binarized_mnist", "valid", DATA_DIR).images[:count]
    return -float(np.mean(model.log_prob(images)))


def checkpoint_value(path, name):
    return int(tf.train.load_checkpoint(path).get_tensor(f"{name}/.ATTRIBUTES/VARIABLE_VALUE"))


@pytest.mark.slow
@pytest.mark.parametrize("name", pz.models.model_names())
def test_a_few_steps_of_each_family_lower_the_validation_nll(name, tmp_path):
    config = tiny_config(tmp_path, model=name, train_steps=20, batch_size=16,
                         learning_rate=1e-2, eval_every=20, eval_batches=2, log_every=10)
    result = train(config)
    valid = summaries.read_scalars(os.path.join(config.model_dir, "valid"))["nats"]
    assert [step for step, _ in valid] == [0, 20] and result["step"] == 20
    assert np.isclose(valid[-1][1], result["nats"])
    assert result["nats"] < valid[0][1] - 50, valid  # from ~543 (uniform) nats


def test_run_writes_config_checkpoints_summaries_and_sample_grids(tmp_path):
    config = tiny_config(tmp_path, train_steps=4, eval_every=2, checkpoint_every=2,
                         num_samples=4, ema=True, lr_schedule="cosine")
    result = train(config)
    assert model_dir.read_config(config.model_dir)["training"]["ema"] is True
    assert model_dir.latest_checkpoint(config.model_dir).endswith("ckpt-4")
    assert sorted(os.listdir(os.path.join(config.model_dir, "samples"))) == [
        "step_0000002.png", "step_0000004.png"]
    train_scalars = summaries.read_scalars(os.path.join(config.model_dir, "train"))
    assert [step for step, _ in train_scalars["nats"]] == [1, 2, 3, 4]
    assert {"bits_per_dim", "images_per_sec", "learning_rate"} <= set(train_scalars)
    learning_rates = [value for _, value in train_scalars["learning_rate"]]
    assert learning_rates == sorted(learning_rates, reverse=True)  # cosine decay
    # The run validated with its EMA weights, and load_model returns them.
    assert np.isclose(first_valid_nats(model_dir.load_model(config.model_dir)), result["nats"],
                      rtol=1e-5)


def test_ema_validation_at_step_0_scores_the_initial_weights(tmp_path):
    # Keras creates the moving averages as zeros: all-zero weights score 784 ln 2 nats.
    steps_0 = []
    for ema in (False, True):
        config = tiny_config(tmp_path, model_dir=str(tmp_path / f"ema_{ema}"), train_steps=1,
                             eval_every=1, ema=ema)
        train(config)
        steps_0.append(dict(summaries.read_scalars(
            os.path.join(config.model_dir, "valid"))["nats"])[0])
    assert not np.isclose(steps_0[1], 784 * np.log(2), rtol=1e-4)
    assert np.isclose(steps_0[1], steps_0[0], rtol=1e-6), steps_0


def test_rerun_resumes_and_a_finished_run_only_validates(tmp_path):
    train(tiny_config(tmp_path, train_steps=3))
    result = train(tiny_config(tmp_path, train_steps=5))
    path = model_dir.latest_checkpoint(str(tmp_path / "run"))
    assert result["step"] == 5 and path.endswith("ckpt-5")
    assert checkpoint_value(path, "optimizer/_iterations") == 5
    assert train(tiny_config(tmp_path, train_steps=5))["step"] == 5


def test_time_limit_stops_with_a_checkpoint_and_a_rerun_resumes(tmp_path):
    # A limit shorter than any step: each call trains one step, then saves and validates.
    config = tiny_config(tmp_path, train_steps=1000, time_limit_minutes=1e-6)
    assert train(config)["step"] == 1
    assert model_dir.latest_checkpoint(config.model_dir).endswith("ckpt-1")
    assert train(config)["step"] == 2


def test_a_resumed_run_continues_its_averages(tmp_path):
    # Uniform: the averages after 4 steps are the mean of the weights at steps 0 to 4,
    # so averages restarted at the resumed weights would miss steps 0 and 1.
    settings = {"train_steps": 4, "eval_every": 0, "ema": True, "averaging": "uniform",
                "learning_rate": 1e-2}
    straight = tiny_config(tmp_path, model_dir=str(tmp_path / "straight"), **settings)
    train(straight)
    resumed = tiny_config(tmp_path, **settings)
    train(dataclasses.replace(resumed, train_steps=2))
    train(resumed)
    averages = [model_dir.load_model(run).get_weights()
                for run in (resumed.model_dir, straight.model_dir)]
    for resumed_average, straight_average in zip(*averages):
        np.testing.assert_allclose(resumed_average, straight_average, atol=1e-6)
    raw = model_dir.load_model(resumed.model_dir, use_ema=False).get_weights()
    assert not np.allclose(raw[0], averages[0][0], atol=1e-4)


def test_another_model_in_the_model_dir_is_refused(tmp_path):
    train(tiny_config(tmp_path, train_steps=1))
    with pytest.raises(ConfigError, match="holds a run with other settings") as error:
        train(tiny_config(tmp_path, train_steps=2, hidden_units=8))
    header, *rows = [line.split() for line in str(error.value).splitlines()[1:3]]
    assert header == ["setting", "stored", "requested"]
    assert rows == [["hidden_units", "4", "8"]]  # only the flag that changed


def test_nan_loss_stops_and_keeps_the_last_good_checkpoint(tmp_path):
    # Adam moves each weight by about the learning rate: 1e30 overflows the next forward pass.
    config = tiny_config(tmp_path, train_steps=10, learning_rate=1e30, checkpoint_every=1)
    with pytest.raises(FloatingPointError, match=r"loss became nan at step 2.*step 1\)"):
        train(config)
    path = model_dir.latest_checkpoint(config.model_dir)
    assert path.endswith("ckpt-1")
    reader = tf.train.load_checkpoint(path)
    weights = [reader.get_tensor(key) for key, _ in tf.train.list_variables(path)
               if key.startswith("model/")]
    assert weights and all(np.isfinite(weight).all() for weight in weights)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_mixed_precision_trains_leaves_the_global_policy_alone_and_loads_in_float32(
        tmp_path, dtype):
    config = tiny_config(tmp_path, model="pixelcnn_pp", train_steps=2, mixed_precision=True,
                         mixed_precision_dtype=dtype, ema=True)
    result = train(config)
    assert np.isfinite(result["nats"])
    assert keras.mixed_precision.global_policy().name == "float32"
    # bfloat16 has float32's range: no loss scale.
    scaled = isinstance(make_optimizer(config), keras.optimizers.LossScaleOptimizer)
    assert scaled == (dtype == "float16")
    model = model_dir.load_model(config.model_dir)
    # Its weights are float32; evaluation, sampling and export compute in float32 too.
    assert {layer.dtype_policy.name for layer in model._flatten_layers()} == {"float32"}
    # Its float32 averages, which the steps the loss scale skips leave alone: float16's
    # first steps overflow (both here), bfloat16's are taken.
    averages, raw = model.get_weights(), model_dir.load_model(config.model_dir,
                                                               use_ema=False).get_weights()
    assert {average.dtype for average in averages} == {np.dtype("float32")}
    assert all(np.isfinite(average).all() for average in averages)
    updates = checkpoint_value(model_dir.latest_checkpoint(config.model_dir),
                               "optimizer/inner_optimizer/_iterations" if scaled
                               else "optimizer/_iterations")
    assert updates == (0 if scaled else 2)
    same = all(np.array_equal(average, weight) for average, weight in zip(averages, raw))
    assert same == (updates == 0)


def test_weight_norm_run_starts_from_a_data_dependent_init(tmp_path):
    config = tiny_config(tmp_path, model="pixelcnn_pp", weight_norm=True, train_steps=1,
                         eval_every=0)
    assert np.isfinite(train(config)["nats"])
    model = model_dir.load_model(config.model_dir)
    scales = np.concatenate([np.ravel(layer.scale)
                             for layer in weight_norm.weight_normalized_layers(model)])
    assert np.abs(scales - 1.0).max() > 0.1  # An Adam step of 1e-3 moves a scale by ~1e-3.
    with pytest.raises(ConfigError, match="weight_norm"):
        train(tiny_config(tmp_path, weight_norm=True, model_dir=str(tmp_path / "pixelcnn")))


def test_dropout_overrides_the_preset_of_the_families_that_have_it(tmp_path):
    config = tiny_config(tmp_path, model="pixelcnn_pp", preset="cpu_small", dropout=0.0,
                         train_steps=1, eval_every=0)
    assert np.isfinite(train(config)["nats"])
    assert model_dir.load_model(config.model_dir).dropout == 0.0
    with pytest.raises(ConfigError, match="dropout"):
        train(tiny_config(tmp_path, model="row_lstm", dropout=0.1,
                          model_dir=str(tmp_path / "row_lstm")))


def test_class_conditional_run_on_labelled_data(tmp_path):
    config = tiny_config(tmp_path, model="gated_pixelcnn", dataset="mnist", train_steps=2,
                         class_conditional=True, num_samples=2)
    assert np.isfinite(train(config)["nats"])
    assert model_dir.load_model(config.model_dir).num_classes == 10
    with pytest.raises(ConfigError, match="needs labels"):
        train(tiny_config(tmp_path, model="gated_pixelcnn", class_conditional=True,
                          model_dir=str(tmp_path / "other")))


@pytest.mark.parametrize("flags, message", [
    (["--model=pixelcnnn"], "flag --model=pixelcnnn: value should be one of"),
    (["--batch_sise=8"], "Unknown command line flag 'batch_sise'. Did you mean: batch_size ?"),
    (["--eval_every=often"], "flag --eval_every=often: invalid literal for int()"),
    (["--dataset=npz:/nonexistent.npz"], "no file /nonexistent.npz"),
    (["--dataset=binarized_mnst"], "unknown dataset 'binarized_mnst'"),
    (["--cpu_replicas=2", "--batch_size=3"], "batch_size 3 does not split evenly over 2"),
])
def test_bad_flags_give_one_clear_error(flags, message, tmp_path):
    # The trainers' default log level (the tests' 2 shows TensorFlow's errors, e.g. cuInit).
    result = run_script("train", *train_flags(str(tmp_path / "run")), *flags, timeout=120,
                        env={"TF_CPP_MIN_LOG_LEVEL": "3"})
    assert result.returncode == 2, result.stderr[-2000:]
    lines = result.stderr.splitlines()
    # One line, as the trainers' own errors: no FATAL prefix, traceback or --help text (an
    # unknown dataset's comes after tensorflow-datasets' info line on its failed lookup).
    assert lines[-1].startswith("train.py: error: ") and message in lines[-1], result.stderr
    assert len(lines) == (2 if "binarized_mnst" in message else 1), result.stderr
    if "binarized_mnst" in message:
        assert "Did you mean 'binarized_mnist'?" in result.stderr
    assert not os.path.exists(tmp_path / "run" / "checkpoints")


@pytest.mark.slow
def test_two_cpu_replicas_give_the_single_replica_loss(tmp_path):
    settings = {"model": "row_lstm", "train_steps": 5, "eval_every": 0, "grad_clip": 1.0,
                "ema": True}
    losses = []
    for replicas in (1, 2):
        run_dir = str(tmp_path / f"replicas_{replicas}")
        result = run_script("train", *train_flags(run_dir, cpu_replicas=replicas, **settings))
        assert result.returncode == 0, result.stderr[-3000:]
        assert model_dir.read_config(run_dir)["num_replicas"] == replicas
        losses.append([value for _, value in
                       summaries.read_scalars(os.path.join(run_dir, "train"))["nats"]])
    assert len(losses[0]) == 5
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-5)


@pytest.mark.slow
def test_kill_9_then_rerun_resumes_at_the_checkpoint(tmp_path):
    run_dir = str(tmp_path / "run")
    flags = train_flags(run_dir, train_steps=100, checkpoint_every=10, eval_every=0)
    command = [sys.executable, "-m", "trainers.train", *flags]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while model_dir.latest_checkpoint(run_dir) is None and process.poll() is None:
        assert time.time() < deadline, "no checkpoint within 120 s"
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    killed_at = checkpoint_value(model_dir.latest_checkpoint(run_dir), "step")
    assert 0 < killed_at < 100, "the run ended before the kill; make it longer"

    result = run_script("train", *flags)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Resuming from the checkpoint at step {killed_at}" in result.stderr
    path = model_dir.latest_checkpoint(run_dir)
    assert path.endswith("ckpt-100")
    assert checkpoint_value(path, "step") == 100
    assert checkpoint_value(path, "optimizer/_iterations") == 100  # optimizer state resumed

    # The resumed steps saw the batches, and took the steps, of an uninterrupted run.
    reference = str(tmp_path / "reference")
    result = run_script("train", *train_flags(reference, train_steps=killed_at + 5,
                                              checkpoint_every=10, eval_every=0))
    assert result.returncode == 0, result.stderr[-3000:]
    resumed = dict(summaries.read_scalars(os.path.join(run_dir, "train"))["nats"])
    expected = summaries.read_scalars(os.path.join(reference, "train"))["nats"][-5:]
    for step, loss in expected:
        assert np.isclose(resumed[step], loss, rtol=1e-4), (step, resumed[step], loss)


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def run_two_workers(flags):
    """Runs ``trainers.train flags`` as a cluster of two workers on loopback; their stderr."""
    cluster = {"worker": [f"127.0.0.1:{port}" for port in free_ports(2)]}
    workers = []
    for index in range(2):
        tf_config = {"cluster": cluster, "task": {"type": "worker", "index": index}}
        workers.append(subprocess.Popen(
            # --verbose: TensorFlow's logs name the cluster's size.
            [sys.executable, "-m", "trainers.train", *flags, "--verbose"], cwd=ROOT, text=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "TF_CONFIG": json.dumps(tf_config)},
        ))
    try:
        errors = [worker.communicate(timeout=480)[1] for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    for worker, stderr in zip(workers, errors):
        assert worker.returncode == 0, stderr[-3000:]
        assert "num_workers = 2" in stderr
    return errors


@pytest.mark.slow
def test_two_workers_train_with_multi_worker_mirrored_strategy(tmp_path):
    run_dir = str(tmp_path / "run")
    run_two_workers(train_flags(run_dir, strategy="multi_worker", train_steps=4,
                                checkpoint_every=2, eval_every=2, num_samples=2))
    assert model_dir.latest_checkpoint(run_dir).endswith("ckpt-4")
    assert model_dir.read_config(run_dir)["num_replicas"] == 2
    assert len(summaries.read_scalars(os.path.join(run_dir, "train"))["nats"]) == 4
    assert os.listdir(os.path.join(run_dir, "samples"))


@pytest.mark.slow
def test_two_workers_stop_and_validate_on_the_clock_at_the_same_steps(tmp_path):
    # Each worker's clock would put the time limit and the --eval_minutes marks on its own
    # step; a worker stopping or validating alone would leave the other in a collective.
    run_dir = str(tmp_path / "run")
    errors = run_two_workers(train_flags(
        run_dir, strategy="multi_worker", train_steps=100000, time_limit_minutes=0.03,
        eval_minutes="0.005,0.01", eval_every=0, log_every=1000))
    steps = [re.findall(r"validation at step (\d+):", stderr) for stderr in errors]
    assert steps[0] == steps[1] and steps[0], steps  # how many: as the clock falls
    assert model_dir.latest_checkpoint(run_dir).endswith(f"ckpt-{steps[0][-1]}")


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    """The model_dir of a tiny pixelcnn trained for 3 steps with EMA and a warm-up: the
    scripts below load its optimizer (`pixel_zoo.optimizers`) to read the averages."""
    config = tiny_config(tmp_path_factory.mktemp("trained"), train_steps=3, ema=True,
                         warmup_steps=2)
    train(config)
    return config.model_dir


def test_evaluate_script_scores_a_model_dir(trained_run):
    run_dir = trained_run
    result = run_script("evaluate", f"--model_dir={run_dir}", "--eval_batches=1",
                        "--batch_size=8")
    assert result.returncode == 0, result.stderr[-3000:]
    nats = first_valid_nats(model_dir.load_model(run_dir))
    assert result.stdout.startswith(f"valid: {nats:.2f} nats/image"), result.stdout
    assert "over 8 images" in result.stdout


def test_sample_script_writes_a_png_grid(trained_run, tmp_path):
    run_dir = trained_run
    out = tmp_path / "grid.png"
    result = run_script("sample", f"--model_dir={run_dir}", "--num=4", "--seed=3",
                        "--temperature=0.9", f"--out={out}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == str(out)
    with Image.open(out) as picture:
        assert picture.size == (230, 230)  # 2x2 grid of 28x28 zoomed 4x, 2-pixel gutters


@pytest.mark.slow
def test_a_little_conditional_training_scores_digits_highest_under_their_own_label(tmp_path):
    config = tiny_config(tmp_path, model="gated_pixelcnn", dataset="mnist", num_layers=2,
                         hidden_units=8, class_conditional=True, train_steps=150,
                         batch_size=16, learning_rate=1e-2, eval_every=0, log_every=50)
    train(config)
    model = model_dir.load_model(config.model_dir)
    valid = data.load_split("mnist", "valid", DATA_DIR)
    images, labels = valid.images[:200], valid.labels[:200]
    scores = np.stack([model.log_prob(images, labels=np.full(len(images), label, np.int32))
                       for label in range(10)], axis=1)  # (200, 10) nats
    rows = np.arange(len(labels))
    # Chance: 10% of the digits best under their own label, 50% above the next label.
    assert np.mean(scores.argmax(axis=1) == labels) >= 0.2
    assert np.mean(scores[rows, labels] > scores[rows, (labels + 1) % 10]) >= 0.65


@pytest.mark.slow
@pytest.mark.parametrize("logistic_mixtures", [0, 5], ids=["softmax", "mixture"])
def test_a_few_steps_on_cifar10_jpeg_lower_the_validation_bits_per_dim(tmp_path,
                                                                       logistic_mixtures):
    config = tiny_config(tmp_path, dataset="cifar10_jpeg", train_steps=20, batch_size=16,
                         learning_rate=1e-2, eval_every=20, eval_batches=2,
                         logistic_mixtures=logistic_mixtures)
    result = train(config)
    valid = summaries.read_scalars(os.path.join(config.model_dir, "valid"))["bits_per_dim"]
    assert model_dir.load_model(config.model_dir).image_shape == (32, 32, 3)
    assert [step for step, _ in valid] == [0, 20]
    assert result["bits_per_dim"] < valid[0][1] - 0.3, valid  # from ~8 (uniform) bits/dim
