"""``--eval_minutes``: validations at training-time marks, recorded with ``training_minutes``."""

import dataclasses

import pytest
from test_case import tiny_zoo

from pixel_zoo.provenance import history
from pixel_zoo.training import TrainConfig, summaries, train


def test_validations_at_minute_marks_record_the_training_time_across_invocations(
        tmp_path, monkeypatch):
    config = TrainConfig(model_dir=str(tmp_path / "run"), dataset=tiny_zoo(tmp_path, monkeypatch),
                         num_layers=1, hidden_units=4, batch_size=8, train_steps=6,
                         eval_every=0, num_samples=0, eval_minutes=(1e-6, 2e-6))
    train(config)
    minutes = summaries.read_scalars(str(tmp_path / "run" / "valid"))["training_minutes"]
    # Both marks pass during the first step: one validation there, and the final one.
    assert [step for step, _ in minutes] == [1, 6]
    assert 0 < minutes[0][1] < minutes[1][1]
    (record,) = history.read(config.model_dir)
    assert record["training_minutes"] == pytest.approx(minutes[1][1], abs=1e-3)

    train(dataclasses.replace(config, train_steps=8, eval_minutes=(1e-6, 1e6)))
    minutes = summaries.read_scalars(str(tmp_path / "run" / "valid"))["training_minutes"]
    assert [step for step, _ in minutes] == [1, 6, 8]  # 1e-6 was passed before; 1e6 never
    assert minutes[2][1] > minutes[1][1]
    assert "--eval_minutes=1e-06,1e+06" in history.read(config.model_dir)[-1]["command"]


def test_eval_minutes_must_be_positive(tmp_path):
    with pytest.raises(ValueError, match="eval_minutes must be positive"):
        TrainConfig(model_dir=str(tmp_path), eval_minutes=(5.0, 0.0))
