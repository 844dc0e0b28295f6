"""The background model's training settings: --perturb_rate and --l2_regularization."""

import os

import numpy as np
import pytest

from pixel_zoo import model_dir
from pixel_zoo.training import ConfigError, TrainConfig, summaries, train


@pytest.mark.parametrize("changes, message", [
    ({"perturb_rate": 1.5}, "perturb_rate must be in"),
    ({"perturb_rate": -0.1}, "perturb_rate must be in"),
    ({"l2_regularization": -1.0}, "l2_regularization must be >= 0"),
])
def test_bad_settings_are_refused(changes, message):
    with pytest.raises(ConfigError, match=message):
        TrainConfig(model_dir="/tmp/run", **changes)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Three 20-step runs on all-black 6x6 binary images: plain, perturbed, L2-regularised."""
    folder = tmp_path_factory.mktemp("background")
    black = np.zeros((64, 6, 6), np.uint8)
    np.savez(folder / "black.npz", train=black, valid=black[:8])
    settings = {"plain": {}, "perturbed": {"perturb_rate": 1.0},
                "l2": {"l2_regularization": 100.0}}
    for name, changes in settings.items():
        train(TrainConfig(
            model_dir=str(folder / name), dataset=f"npz:{folder / 'black.npz'}", num_layers=1,
            hidden_units=4, batch_size=16, train_steps=20, learning_rate=1e-2, eval_every=0,
            eval_batches=1, num_samples=0, log_every=20, **changes))
    return {name: str(folder / name) for name in settings}


def last_train_nats(run):
    return summaries.read_scalars(os.path.join(run, "train"))["nats"][-1][1]


def test_perturbation_reaches_the_training_batches_only(runs):
    # Black images are learnt fast; at rate 1 every training pixel is a coin flip, and no
    # model gets below 36 ln 2 = 25 nats on those.
    assert last_train_nats(runs["plain"]) < 10
    assert last_train_nats(runs["perturbed"]) > 24
    config = model_dir.read_config(runs["perturbed"])
    assert config["training"]["perturb_rate"] == 1.0


def test_l2_regularization_shrinks_the_weights_and_stays_out_of_the_logged_loss(runs):
    def squared_norm(run):
        model = model_dir.load_model(run, use_ema=False)
        return sum(float(np.sum(np.square(weight))) for weight in model.get_weights())

    assert squared_norm(runs["l2"]) < 0.5 * squared_norm(runs["plain"])
    # The penalty (100 * sum(w ** 2), hundreds of nats) is not in the logged loss.
    assert last_train_nats(runs["l2"]) < 30
