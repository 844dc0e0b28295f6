"""The zoo's budget curves: points from the cards' versions in git history, untimed segments
reported and never timed, versions measured otherwise left out, and their tables."""

import json
import subprocess

import pytest

from trainers import bench_tables, card_versions, zoo_budget

SCRATCH = "python -m trainers.train --learning_rate=0.001 --lr_schedule=constant"
BF16 = ("python -m trainers.train --num_layers=8 --learning_rate=0.001 --lr_schedule=cosine "
        "--init_from=zoo:tiny --mixed_precision=True --mixed_precision_dtype=bfloat16")
GROWN = ("python -m trainers.train --num_layers=16 --learning_rate=0.001 --lr_schedule=cosine "
         "--init_from=zoo:tiny --distill_from=zoo:teacher --mixed_precision=False")


def _git(repo, *args):
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args],
                   check=True, capture_output=True)


def _commit(repo, message):
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return card_versions.git(repo, "rev-parse", "--short", "HEAD").strip()


def _segment(start, end, minutes, command, shared=False):
    return {"steps_from": start, "steps_to": end, "wall_minutes": minutes, "command": command,
            "load": None if minutes is None else {"shared": shared}}


def _card(repo, sha256, nats, steps, history=None, name="tiny", dataset="binarized_mnist",
          improvement=None):
    path = repo / card_versions.CARDS / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    metrics = {"valid_nats": nats, "valid_bits_per_dim": round(nats / 1000, 4)}
    if improvement:
        metrics["improvement"] = improvement
    training = {"steps": steps, **({"history": history} if history is not None else {})}
    path.write_text(json.dumps({"name": name, "model": "pixelcnn", "dataset": dataset,
                                "image_shape": [28, 28, 1], "num_levels": 2, "sha256": sha256,
                                "metrics": metrics, "training": training}))


@pytest.fixture(name="repo")
def _repo(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    return tmp_path


def test_each_version_is_a_point_of_its_timed_minutes_and_untimed_steps_are_not_timed(repo):
    first = _segment(0, 1000, None, SCRATCH)  # recorded before histories: no minutes
    second = _segment(1000, 3000, 20.0, BF16)
    third = _segment(3000, 5000, 30.5, GROWN, shared=True)
    _card(repo, "a", 90.0, 1000)
    _commit(repo, "tiny")
    _card(repo, "b", 86.0, 3000, [first, second])
    _commit(repo, "tiny continued")
    _card(repo, "b", 86.0, 3000, [first, second])
    (repo / "notes.txt").write_text("not a version")
    _commit(repo, "an edit that is not a version")
    _card(repo, "c", 83.0, 5000, [first, second, third])
    _commit(repo, "tiny grown")
    (curve,) = zoo_budget.budget_curves(repo)["binarized_mnist"]["entries"]
    assert [(point["steps"], point["minutes"], point["untimed_steps"], point["nats"])
            for point in curve["points"]] == [(1000, 0.0, 1000, 90.0), (3000, 20.0, 1000, 86.0),
                                              (5000, 50.5, 1000, 83.0)]
    assert curve["untimed"] == [{"steps_from": 0, "steps_to": 1000}]
    assert [point["shared_minutes"] for point in curve["points"]] == [0.0, 0.0, 30.5]
    assert [point["what"] for point in curve["points"]] == [
        "from scratch: lr 0.001 constant, float32",
        "continued: bfloat16, lr 0.001 cosine",
        "continued: grown 8->16 layers, distilled from teacher, float32"]
    assert curve["left_out"] == []


def test_versions_of_an_earlier_model_the_entry_replaced_are_left_out_and_said_so(repo):
    _card(repo, "a", 90.0, 1000, [_segment(0, 1000, 10.0, SCRATCH)])
    old = _commit(repo, "tiny")
    _card(repo, "b", 85.0, 2000, [_segment(0, 2000, 15.0, SCRATCH)])
    _commit(repo, "tiny retrained from scratch")
    (curve,) = zoo_budget.budget_curves(repo)["binarized_mnist"]["entries"]
    assert [(point["steps"], point["minutes"]) for point in curve["points"]] == [(2000, 15.0)]
    assert [(figure["commit"], figure["nats"], figure["why"]) for figure in curve["left_out"]] == [
        (old, 90.0, zoo_budget.OTHER_MODEL)]


def test_a_segment_whose_command_publishing_rewrote_stays_in_the_lineage(repo):
    first = _segment(0, 1000, 10.0, SCRATCH + " --model_dir=/work/zoo_runs/tiny")
    _card(repo, "a", 90.0, 1000, [first])
    _commit(repo, "tiny")
    rewritten = {**first, "command": SCRATCH + " --model_dir=$MODEL_DIR"}
    _card(repo, "b", 85.0, 2000, [rewritten, _segment(1000, 2000, 15.0, BF16)])
    _commit(repo, "tiny continued, its first command's run folder now $MODEL_DIR")
    (curve,) = zoo_budget.budget_curves(repo)["binarized_mnist"]["entries"]
    assert [(point["steps"], point["minutes"]) for point in curve["points"]] == [
        (1000, 10.0), (2000, 25.0)]
    assert curve["left_out"] == []


def test_figures_measured_before_a_change_that_concerns_the_card_are_left_out(repo):
    history = [_segment(0, 1000, 10.0, SCRATCH)]
    for name, dataset in (("tiny", "mnist"), ("other", "binarized_mnist")):
        _card(repo, f"{name}1", 600.0, 1000, history, name=name, dataset=dataset)
    before = _commit(repo, "both published")
    change = _commit(repo, "mnist's validation split changes")
    history = history + [_segment(1000, 2000, 12.0, SCRATCH)]
    for name, dataset in (("tiny", "mnist"), ("other", "binarized_mnist")):
        _card(repo, f"{name}2", 590.0, 2000, history, name=name, dataset=dataset)
    _commit(repo, "both continued")
    changes = (zoo_budget.Change(change, lambda card: card["dataset"] == "mnist", "old split"),)
    curves = zoo_budget.budget_curves(repo, changes)
    (mnist,), (binarized,) = curves["mnist"]["entries"], curves["binarized_mnist"]["entries"]
    assert [point["steps"] for point in mnist["points"]] == [2000]
    assert [(figure["commit"], figure["why"]) for figure in mnist["left_out"]] == [
        (before, "old split")]
    assert [point["steps"] for point in binarized["points"]] == [1000, 2000]
    # A card that has not followed the change yet keeps its points: they are measured alike.
    assert zoo_budget.budget_curves(repo, (changes[0]._replace(commit=before),)) == (
        zoo_budget.budget_curves(repo, ()))


def test_a_figure_re_scored_by_a_later_publishing_stands_in_for_its_version(repo):
    history = [_segment(0, 1000, 10.0, SCRATCH)]
    _card(repo, "a", 7000.0, 1000, history)
    first = _commit(repo, "tiny")
    history = history + [_segment(1000, 2000, 11.0, SCRATCH)]
    _card(repo, "b", 6600.0, 2000, history)
    second = _commit(repo, "tiny continued")
    history = history + [_segment(2000, 3000, 12.0, SCRATCH)]
    _card(repo, "c", 6400.0, 3000, history,
          improvement={"over_sha256": "b", "previous_valid_nats": 6700.0})
    third = _commit(repo, "tiny under the new head, the old weights re-scored")
    (curve,) = zoo_budget.budget_curves(repo)["binarized_mnist"]["entries"]
    assert [(point["commit"], point["minutes"], point["nats"], point.get("measured_in"))
            for point in curve["points"]] == [(second, 21.0, 6700.0, third),
                                              (third, 33.0, 6400.0, None)]
    assert curve["points"][0]["bits_per_dim"] == round(6700.0 / (784 * 0.6931471805599453), 4)
    assert [figure["commit"] for figure in curve["left_out"]] == [first]
    assert "re-scored" in curve["left_out"][0]["why"]


def test_a_segment_is_described_by_its_flags_against_the_one_before():
    flags = zoo_budget.command_flags("python -m x --noema --batch_size=32 --mixed_precision")
    assert flags == {"ema": "False", "batch_size": "32", "mixed_precision": "True"}
    scratch, grown = zoo_budget.command_flags(BF16), zoo_budget.command_flags(GROWN)
    assert zoo_budget.describe(scratch) == "from zoo:tiny: lr 0.001 cosine, bfloat16"
    assert zoo_budget.describe(scratch, scratch) == "continued"
    assert zoo_budget.describe(scratch, grown) == (
        "continued: grown 16->8 layers, no distillation, bfloat16")
    averaged = {**scratch, "ema": "True", "averaging": "uniform", "batch_size": "128"}
    assert zoo_budget.describe(averaged, scratch) == "continued: uniform averages, batch 128"


def test_a_preset_is_resolved_into_sizes_so_growth_past_it_is_described():
    preset = zoo_budget.command_flags(
        "python -m trainers.train --model=pixelcnn_pp --preset=peer_size --dropout=0.0")
    grown = zoo_budget.command_flags(
        "python -m trainers.train --model=pixelcnn_pp --preset=peer_size --num_layers=2 "
        "--hidden_units=64 --dropout=0.0")
    assert zoo_budget.describe(zoo_budget.with_preset(grown), zoo_budget.with_preset(preset)) == (
        "continued: grown 1->2 layers, widened 43->64 units")
    assert zoo_budget.with_preset(grown)["num_layers"] == "2"
    assert zoo_budget.with_preset(preset)["dropout"] == "0.0"
    assert zoo_budget.with_preset({"num_layers": "3"}) == {"num_layers": "3"}
    with pytest.raises(ValueError, match="Unknown preset"):
        zoo_budget.with_preset({"model": "pixelcnn_pp", "preset": "huge"})


def _point(commit, steps, minutes, nats, untimed=0, shared=0.0, what="continued"):
    return {"commit": commit, "steps": steps, "minutes": minutes, "untimed_steps": untimed,
            "shared_minutes": shared, "nats": nats, "bits_per_dim": nats / 1000, "what": what}


def test_the_budget_table_gives_an_hour_the_whole_budget_and_what_is_not_counted():
    early = {"name": "early", "untimed": [{"steps_from": 0, "steps_to": 3000}],
             "points": [_point("a1", 3000, 0.0, 90.0, untimed=3000),
                        _point("a2", 5000, 37.8, 87.68, untimed=3000),
                        _point("a3", 9000, 69.9, 86.71, untimed=3000),
                        _point("a4", 12000, 187.3, 82.32, untimed=3000, shared=20.0)],
             "left_out": []}
    late = {"name": "late", "untimed": [], "left_out": [
        {"commit": "b0", "steps": 500, "nats": 99.0, "bits_per_dim": 0.099, "why": "old split"}],
            "points": [_point("b1", 4000, 100.5, 82.31, what="from scratch")]}
    result = {"dataset": "binarized_mnist", "unit": "nats", "command": "python budget.py",
              "plot": "bench/results/budget_curves_binarized_mnist.png",
              "entries": [early, late]}
    table = bench_tables.budget_tables([result])
    assert ("| `early` | 86.71 at 69.9 min† | 82.32 | 187.3 min† | 12,000 | 20.0 min | "
            "steps 0–3,000 | — |") in table
    assert "| `late` | — (first at 100.5 min) | 82.31 | 100.5 min | 4,000 | — | — | 1 |" in table
    assert "| `early` | a1 | 3,000 | untimed | 90.00 |" in table
    assert "| `late` | b0 | 500 | — | 99.00 | not drawn: old split |" in table
    assert "![](bench/results/budget_curves_binarized_mnist.png)" in table
    assert "No entry has trained for a day yet: the longest, 187.3 minutes." in table
    assert "about 1 day" not in table
    late["points"].append(_point("b2", 90000, 1500.0, 80.0))
    assert "| `late` | — (first at 100.5 min) | 80.00 at 1500.0 min | 80.00 |" in (
        bench_tables.budget_tables([result]))
    assert bench_tables.budget_tables([]).startswith("No budget curve")


def test_the_committed_budget_curves_are_the_cards_versions_in_git_history():
    root = zoo_budget.ROOT
    try:
        shallow = card_versions.git(root, "rev-parse", "--is-shallow-repository").strip()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the cards' versions are not here")
    if shallow == "true":
        pytest.skip("a shallow clone: the cards' earlier versions are not here")
    results = {path.name: json.loads(path.read_text())
               for path in sorted((root / "bench" / "results").glob("budget_curves_*.json"))}
    curves = zoo_budget.budget_curves(root)
    assert sorted(results) == [f"budget_curves_{dataset}.json" for dataset in curves], (
        "run PYTHONPATH=. python bench/budget_curves.py")
    for dataset, curve in curves.items():
        result = results[f"budget_curves_{dataset}.json"]
        assert {key: result[key] for key in curve} == curve, (
            f"{dataset}: run PYTHONPATH=. python bench/budget_curves.py")
        assert (root / result["plot"]).is_file()
