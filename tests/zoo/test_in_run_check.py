"""The in-run check: a run's last validation against float32's figure of its weights."""

import json
import logging

import numpy as np

from pixel_zoo.training.summaries import SummaryWriters
from trainers.publishing import in_run_check

FLAGS = {"eval_batches": 2, "batch_size": 8, "mixed_precision": True,
         "mixed_precision_dtype": "bfloat16", "ema": True}


def validation(nats, images=4):
    return {"precision": "bfloat16", "weights": "ema", "step": 500, "images": images,
            "in_run_nats": nats}


def test_compare_scores_float32_on_the_validated_images_only():
    nlls = np.array([100.0, 102.0, 104.0, 106.0, 1000.0])  # the last was not validated
    record = in_run_check.compare(validation(103.0), nlls)
    assert record == {**validation(103.0), "float32_nats": 103.0, "agrees": True}


def test_compare_agrees_within_one_percent_of_float32_only():
    nlls = np.full(4, 500.0)
    assert in_run_check.compare(validation(504.9), nlls)["agrees"]
    assert in_run_check.compare(validation(495.1), nlls)["agrees"]
    assert not in_run_check.compare(validation(505.1), nlls)["agrees"]
    assert not in_run_check.compare(validation(450.0), nlls)["agrees"]


def test_compare_passes_a_skipped_check_on():
    skipped = {"skipped": "the run wrote no in-run validation"}
    assert in_run_check.compare(skipped, np.ones(3)) == skipped


def write_run(model_dir, validations, steps_to=500, outcome="finished", **flags):
    """A run folder with one ``history.jsonl`` record and ``(step, nats)`` validations."""
    record = {"steps_from": 0, "steps_to": steps_to, "outcome": outcome,
              "flags": {**FLAGS, **flags}}
    model_dir.mkdir(exist_ok=True)
    (model_dir / "history.jsonl").write_text(json.dumps(record) + "\n")
    writers = SummaryWriters(str(model_dir))
    for step, nats in validations:
        writers.scalars("valid", step, {"nats": nats})
    writers.close()
    return str(model_dir)


def test_last_validation_reads_the_precision_weights_and_images_of_the_last_invocation(
        tmp_path):
    run = write_run(tmp_path / "run", [(0, 700.0), (250, 560.0), (500, 526.43)])
    assert in_run_check.last_validation(run, 10000) == {
        "precision": "bfloat16", "weights": "ema", "step": 500, "images": 16,
        "in_run_nats": 526.43}
    run = write_run(tmp_path / "float32", [(500, 580.0)], eval_batches=0,
                    mixed_precision=False, ema=False)
    assert in_run_check.last_validation(run, 10000) == {
        "precision": "float32", "weights": "raw", "step": 500, "images": 10000,
        "in_run_nats": 580.0}
    assert in_run_check.last_validation(run, 12)["images"] == 12  # eval_batches=0: all
    run = write_run(tmp_path / "small_split", [(500, 580.0)])
    assert in_run_check.last_validation(run, 12)["images"] == 12  # 2 batches of 8 > 12


def test_last_validation_is_skipped_without_one_of_the_published_weights(tmp_path):
    run = write_run(tmp_path / "none", [])
    assert "no in-run validation" in in_run_check.last_validation(run, 100)["skipped"]
    run = write_run(tmp_path / "interrupted", [(250, 560.0)], steps_to=300,
                    outcome="interrupted (SIGTERM) at step 300")
    assert in_run_check.last_validation(run, 100) == {"skipped": (
        "the run's last in-run validation is of step 250, the weights of step 300 (its last "
        "invocation: interrupted (SIGTERM) at step 300)")}


def test_check_warns_where_the_training_precision_and_float32_disagree(tmp_path, caplog):
    nlls = {"raw": np.full(20, 500.0), "ema": np.full(20, 580.0)}
    with caplog.at_level(logging.INFO, logger="absl"):
        agreeing = in_run_check.check(write_run(tmp_path / "agrees", [(500, 579.0)]), nlls)
    assert agreeing["agrees"] and agreeing["float32_nats"] == 580.0  # the EMA's, validated
    assert [record.levelno for record in caplog.records] == [logging.INFO]
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="absl"):
        parted = in_run_check.check(write_run(tmp_path / "parts", [(500, 526.43)]), nlls)
    assert not parted["agrees"]
    (warning,) = caplog.records
    assert warning.levelno == logging.WARNING
    assert ("training precision (bfloat16) and float32 disagree" in warning.getMessage()
            and "The card's figure is float32's." in warning.getMessage())
