"""The tables of README and docs/ are what `trainers.readme_tables` writes from cards and results."""

import pytest

from trainers import readme_tables, timed_commands


def test_readme_and_docs_tables_are_written_from_the_cards_and_bench_results():
    for page, (text, new) in readme_tables.rendered().items():
        assert new == text, (
            f"{page.relative_to(readme_tables.ROOT)}'s tables differ from the cards / "
            "bench/results: run python -m trainers.readme_tables")


def test_every_table_is_on_exactly_one_page_and_the_zoo_table_in_readme():
    texts = {page.relative_to(readme_tables.ROOT).as_posix(): page.read_text()
             for page in readme_tables.pages()}
    for name in readme_tables.tables():
        holders = [page for page, text in texts.items() if readme_tables.has_markers(text, name)]
        assert len(holders) == 1, (name, holders)
    assert readme_tables.has_markers(texts["README.md"], "zoo-table")
    with pytest.raises(ValueError, match="exactly one"):
        readme_tables.rendered({"no-such-table": "| table |"})


def test_no_page_names_a_machine_folder_in_a_command():
    for page in readme_tables.pages():
        assert not readme_tables.machine_paths(page.read_text()), page


def test_machine_folders_are_found_and_examples_are_not():
    command = "python bench/curves.py --runs=/work/runs12/a,/work/runs12/b --out=runs/c"
    assert readme_tables.machine_paths(command) == ["/work/runs12/a", "/work/runs12/b"]
    assert not readme_tables.machine_paths(
        "pixel-zoo export NAME --export_dir /tmp/serving --model_dir=$MODEL_DIR "
        "--data_dir=$PIXEL_ZOO_DATA --model_config_file=/models/models.config")


def test_links_are_made_relative_to_their_page():
    body = "![](bench/results/curves.png) [x](https://example.org/a.png) [y](#speed)"
    docs_page = readme_tables.ROOT / "docs" / "benchmarks.md"
    assert readme_tables.relink(body, docs_page) == (
        "![](../bench/results/curves.png) [x](https://example.org/a.png) [y](#speed)")
    assert readme_tables.relink(body, readme_tables.ROOT / "README.md") == body


def test_the_pick_table_names_each_datasets_best_and_smallest_model_but_no_background():
    def entry(name, dataset, nats, parameters, background=""):
        return readme_tables.ZooEntry(
            name=name, model="pixelcnn", image_shape=(28, 28, 1), num_levels=2, weights="",
            sha256="", dataset=dataset, background=background, metrics={
                "valid_nats": nats, "valid_bits_per_dim": nats / 1000, "parameters": parameters})
    table = readme_tables.pick_table([
        entry("big", "mnist", 80.0, 900), entry("small", "mnist", 90.0, 10, background="bg"),
        entry("bg", "mnist", 70.0, 5)])
    assert ("| mnist | `big` (PixelCNN, 80.00 nats, 900 params) | "
            "`small` (PixelCNN, 90.00 nats, 10 params) |") in table
    assert "`bg`" not in table


def test_the_class_samples_table_shows_each_judged_entry_and_nothing_else():
    def entry(name, class_samples=None):
        metrics = {"valid_nats": 600.0}
        if class_samples:
            metrics["class_samples"] = class_samples
        return readme_tables.ZooEntry(name=name, model="pixelcnn_pp", image_shape=(28, 28, 1),
                                      num_levels=256, weights="", sha256="", metrics=metrics)
    judged = {"accuracy": 0.963, "num_samples": 1000, "classifier_test_accuracy": 0.9891,
              "weights_sha256": ""}
    table = readme_tables.class_samples_table([entry("plain"), entry("judged", judged)])
    assert table.splitlines()[2:] == ["| `judged` | 600.00 | 1,000 | 96.3% | 98.91% |"]
    assert readme_tables.class_samples_table([entry("plain")]) == (
        "No class-conditional entry is judged yet.")


def test_every_zoo_entry_has_a_row_with_its_card_figures():
    text = readme_tables.tables()["zoo-table"]
    entries = [readme_tables.ZooEntry.from_json(path)
               for path in readme_tables.CARDS_DIR.glob("*.json")]
    for entry in entries:
        (row,) = [line for line in text.splitlines() if line.startswith(f"| `{entry.name}` |")]
        assert f"| {entry.metrics['valid_nats']:.2f} |" in row
        assert f"| {entry.training['steps']:,} |" in row


def test_a_race_result_becomes_a_table_with_its_command_and_curve():
    result = {
        "dataset": "binarized_mnist", "minutes": 40.0, "machine": "2-core CPU",
        "command": "python bench/peer_race.py --minutes=40", "curve": [
            {"minutes": 10.0, "nats": 86.3}, {"minutes": 20.0, "nats": 84.0}],
        "rows": [{"model": "tfd.PixelCNN (peer)", "parameters": 624990, "steps": 4400,
                  "images_seen": 140800, "nats": 82.1, "bits_per_dim": 0.1511}],
    }
    table = readme_tables.race_tables([result])
    assert "**binarized_mnist, 40 minutes each** (2-core CPU)" in table
    assert "| tfd.PixelCNN (peer) | 624,990 | 4,400 | 140,800 | 82.10 | 0.1511 |" in table
    assert "10 min 86.30 nats, 20 min 84.00 nats" in table
    assert "python bench/peer_race.py --minutes=40" in table


def test_a_page_without_the_markers_is_refused():
    with pytest.raises(ValueError, match="no <!-- zoo-table"):
        readme_tables.rewrite("# README\n", "zoo-table", "| table |")


def test_a_curve_result_becomes_a_table_with_its_plot():
    result = {"name": "binarized_mnist", "minutes": [5.0, 10.0], "command": "python bench/curves.py",
              "plot": "bench/results/curves_binarized_mnist.png",
              "rows": [{"model": "peer", "nats_at": {"5.0": 91.5, "10.0": None}},
                       {"model": "ours", "nats_at": {"5.0": 90.0, "10.0": 85.25},
                        "minutes_at": {"5.0": 5.2, "10.0": 9.4}, "other_cores": 0.03}]}
    table = readme_tables.curve_tables([result])
    assert "| run | 5 min | 10 min | others' cores |" in table
    assert "| peer | 91.50 | — | — |" in table
    assert "| ours | 90.00 | 85.25 (9.4 min) | 0.03 |" in table
    assert "![](bench/results/curves_binarized_mnist.png)" in table


def test_a_speed_result_becomes_its_table_with_command_and_machine():
    result = {"title": "Sampling: fast against naive", "command": "python bench/sampling.py --quick",
              "machine": "2-core CPU, mean load average 2.0", "table": "| model | s |\n|---|---|"}
    text = readme_tables.bench_tables([result])
    assert text.startswith("**Sampling: fast against naive** (2-core CPU, mean load average 2.0)")
    assert "python bench/sampling.py --quick" in text
    assert "| model | s |\n|---|---|" in text


def test_every_detector_has_its_aurocs_and_plot_from_its_card():
    text = readme_tables.tables()["ood-tables"]
    detectors = [entry for entry in (readme_tables.ZooEntry.from_json(path)
                                     for path in readme_tables.CARDS_DIR.glob("*.json"))
                 if entry.ood]
    assert detectors, "the zoo has no OOD detector"
    for entry in detectors:
        assert f"**`{entry.name}`** against **`{entry.background}`**" in text
        for out, auroc in entry.ood["auroc"].items():
            assert (f"| {out} | {entry.ood['num_images'][out]:,} | "
                    f"{auroc['likelihood_ratio']:.4f} | {auroc['nll']:.4f} |") in text
        assert f"![](pixel_zoo/zoo/cards/{entry.ood['plot']})" in text


def test_the_timed_commands_are_read_from_their_pages_as_written():
    kind, train = timed_commands.command("train")  # the job of the README's &&-chain
    assert kind == "shell" and train.startswith("PIXEL_ZOO_DATA=../shared/data .venv/bin/python")
    assert "pip install" not in train and train.endswith("--log_every=50")
    assert timed_commands.command("eval") == ("shell", "pixel-zoo eval pixelcnn_binarized_mnist")
    _, ood = timed_commands.command("ood")  # its continuation line, not the next command
    assert ood.startswith("pixel-zoo ood ") and ood.endswith("--plot ood.png")
    assert "\\\n    --out noise:uniform" in ood and "export" not in ood
    kind, fit = timed_commands.command("fit")
    assert kind == "python" and "model.fit(images, images" in fit and "```" not in fit


def test_a_duration_is_shown_only_for_the_command_as_its_page_has_it():
    name = "eval"
    assert "not measured yet" in timed_commands.duration_note(name, {})
    measured = {"command": timed_commands.command(name)[1], "seconds": 125.0,
                "date": "2026-12-06T13:30:47Z", "machine_cores": 2, "load_average": 1.04,
                "other_cores": 0.1}
    assert timed_commands.duration_note(name, {name: measured}) == (
        "*`pixel-zoo eval` took 2.1 min when `python bench/durations.py` ran it (2026-12-06, "
        "2-core CPU, mean load average 1.0, other processes 0.1 cores).*")
    older = {**measured, "command": measured["command"] + " --batches 1"}
    assert "changed since" in timed_commands.duration_note(name, {name: older})


def test_indented_markers_keep_their_tables_indented():
    text = "1. item\n   <!-- t: x -->\n   old\n   <!-- /t -->\n2. next\n"
    assert readme_tables.rewrite(text, "t", "new\nlines") == (
        "1. item\n   <!-- t: x -->\n   new\n   lines\n   <!-- /t -->\n2. next\n")


def test_a_codec_result_becomes_a_table_of_bits_per_image_and_dimension():
    row = {"entry": "pixelcnn_binarized_mnist", "images": 10000, "image_shape": [28, 28, 1],
           "nll": 119.56, "file": 120.71, "payload": 120.6, "codecs": {"bz2": 290.0, "lzma": 280.0},
           "batch_size": 64, "encode_images_per_sec": 12.25, "decode_images_per_sec": 11.0,
           "round_trip": "exact"}
    result = {"title": "Lossless compression", "command": "python bench/codec.py --num=0",
              "machine": "2-core CPU", "rows": [row]}
    table = readme_tables.codec_tables([result])
    assert table.startswith("**Lossless compression** (2-core CPU)")
    assert "| entry | images | model NLL | .pzc file | payload / NLL | bz2 | lzma | batch |" in table
    assert ("| `pixelcnn_binarized_mnist` | 10,000 | 119.6 (0.1525) | 120.7 (0.1540) | 1.0087 | "
            "290.0 (0.3699) | 280.0 (0.3571) | 64 | 12.2 | 11.0 | exact |") in table


def test_a_background_choice_says_which_weights_of_its_model_it_measured():
    entry = readme_tables.ZooEntry.from_json(readme_tables.CARDS_DIR
                                             / "pixelcnn_pp_fashion_mnist.json")
    names = {entry.name: entry}
    choice = {"title": "Choosing the background", "command": "python bench/ood_perturb_rate.py",
              "machine": "2-core CPU", "table": "| score |"}

    def title(model):
        return readme_tables.with_model_version({**choice, "model": model}, names)["title"]

    current = {"source": f"zoo:{entry.name}", "weights_sha256": entry.sha256}
    assert title(current).endswith(f"measured with `{entry.name}`'s current weights")
    earlier = title({**current, "weights_sha256": "0123456789abcdef" * 4})
    assert earlier.endswith(f"an earlier version of `{entry.name}` (weights sha256 "
                            "0123456789ab...)")
    assert title({"source": "runs/fg", "weights_sha256": None}).endswith(
        "a training run's weights (`runs/fg`)")
    assert readme_tables.with_model_version(choice, names)["title"].endswith(
        "its model's weights not recorded")
