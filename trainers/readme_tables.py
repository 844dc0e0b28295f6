r"""Writes the tables of README.md and docs/*.md from the model cards and ``bench/results``.

No figure in those tables is typed: each table sits between two markers, on whichever page
(README.md or a page in docs/) holds it,

    <!-- zoo-table: written by python -m trainers.readme_tables -->
    ...
    <!-- /zoo-table -->

and this script replaces what is between them: the zoo table and the "which model to pick"
table from ``pixel_zoo/zoo/cards/*.json`` (written by ``trainers/publish.py``), the race tables
from the JSON files that ``bench/peer_race.py --results=bench/results/race_NAME.json``
writes, the curve tables from ``bench/curves.py``'s ``bench/results/curves_NAME.json``, the
zoo's budget tables from ``bench/budget_curves.py``'s ``bench/results/budget_curves_NAME.json``
(every version of every entry, from git history), and the speed tables from
``bench/results/speed_NAME.json`` (``bench/sampling.py`` and
``bench/training.py`` with ``--results``, `bench/report.py`), and the OOD detectors' AUROC
tables from their cards (``trainers/publish_detector.py``) with the background choice from
``bench/results/ood_NAME.json`` (``bench/ood_perturb_rate.py --results``), the codec tables
from ``bench/codec.py``'s ``bench/results/codec_NAME.json``, and beside each long command of
`trainers.timed_commands` its duration from ``bench/results/durations.json``
(``bench/durations.py``; without it, a line says it is not measured yet). Each table is on
exactly one page; its links and images are written relative to that page (markers may be
indented, e.g. inside a list item: the table is indented as they are).
Run it after publishing or racing; ``--check`` only says whether every page is up to date
(exit 1 if not), as a test does. Either way it fails if a page names a machine's folder in a
command (a results file's command written with one: fix that path in the file).

    python -m trainers.readme_tables
    python -m trainers.readme_tables --check
"""

import json
import os
import pathlib
import re
import sys
import textwrap

from absl import flags

from pixel_zoo import console
from pixel_zoo.zoo import registry
from pixel_zoo.zoo.entry import CARDS_DIR, ZooEntry
from trainers import timed_commands
from trainers.bench_tables import (
    bench_tables,
    budget_tables,
    codec_tables,
    curve_tables,
    race_tables,
)

ROOT = pathlib.Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
FAMILIES = {"pixelcnn": "PixelCNN", "row_lstm": "Row LSTM", "diagonal_bilstm": "Diagonal BiLSTM",
            "gated_pixelcnn": "Gated PixelCNN", "pixelcnn_pp": "PixelCNN++"}

_CHECK = flags.DEFINE_bool("check", False, "Only check that README and docs/ are up to date.")


def zoo_table(entries):
    """The zoo table (Markdown) of ``entries``, `ZooEntry` objects, one row each."""
    rows = [("| name | architecture | params | data | valid nats | valid bits/dim | weights "
             "| steps | compute | samples |"), "|---|---|---|---|---|---|---|---|---|---|"]
    for entry in entries:
        metrics, training = entry.metrics, entry.training
        sizes = ", ".join(f"{key}={value}" for key, value in entry.hyperparameters.items())
        weights = training.get("weights", "")
        rows.append(" | ".join([
            f"| `{entry.name}`", f"{FAMILIES.get(entry.model, entry.model)} ({sizes})",
            f"{metrics.get('parameters', 0):,}",
            f"{entry.dataset} ({metrics.get('valid_images', 0):,} valid images)",
            f"{metrics.get('valid_nats', float('nan')):.2f}",
            f"{metrics.get('valid_bits_per_dim', float('nan')):.4f}",
            weights.split(":")[0] or "not recorded", f"{training.get('steps', 0):,}",
            training.get("time", "not recorded"),
            f"![](pixel_zoo/zoo/cards/{entry.samples_image}) |" if entry.samples_image else " |",
        ]))
    return "\n".join(rows)


def pick_table(entries):
    """Per dataset, the zoo entry with the lowest validation NLL and the one with the fewest
    parameters (Markdown); an OOD detector's background model is not a pick."""
    backgrounds = {entry.background for entry in entries}
    models = [entry for entry in entries if entry.name not in backgrounds]
    rows = ["| data | lowest validation NLL | fewest parameters |", "|---|---|---|"]
    for dataset in sorted({entry.dataset for entry in models}):
        mine = [entry for entry in models if entry.dataset == dataset]
        best = min(mine, key=lambda entry: entry.metrics.get("valid_bits_per_dim", float("inf")))
        small = min(mine, key=lambda entry: entry.metrics.get("parameters", float("inf")))
        rows.append(f"| {dataset} | {_pick_cell(best)} | {_pick_cell(small)} |")
    return "\n".join(rows)


def _pick_cell(entry):
    """An entry's name, family, validation nats and parameters, for `pick_table`."""
    metrics = entry.metrics
    return (f"`{entry.name}` ({FAMILIES.get(entry.model, entry.model)}, "
            f"{metrics.get('valid_nats', float('nan')):.2f} nats, "
            f"{metrics.get('parameters', 0):,} params)")


def class_samples_table(entries):
    """Per class-conditional entry, how often its samples are digits of the class they were
    drawn for (the card's ``class_samples``, from ``bench/class_samples.py``)."""
    rows = [("| entry | valid nats | samples | classified as their class | classifier on MNIST "
             "test |"), "|---|---|---|---|---|"]
    for entry in entries:
        figure = entry.metrics.get("class_samples")
        if figure:
            rows.append(f"| `{entry.name}` | {entry.metrics['valid_nats']:.2f} | "
                        f"{figure['num_samples']:,} | {figure['accuracy']:.1%} | "
                        f"{figure['classifier_test_accuracy']:.2%} |")
    return "\n".join(rows) if len(rows) > 2 else "No class-conditional entry is judged yet."


OOD_COLUMNS = {"likelihood_ratio": "likelihood ratio", "nll": "raw likelihood (NLL)",
               "percentile": "percentile (max of both)"}


def _reference_words(reference):
    if not reference:
        return ""
    return (f"; the percentile score ranks against the first {reference['num_images']:,} "
            f"images of `{reference['data']}`")


def ood_tables(entries, choices):
    """Each OOD detector's AUROC table (from its card: ``trainers/publish_detector.py``),
    then how its background was chosen (``bench/ood_perturb_rate.py``'s results)."""
    names = {entry.name: entry for entry in entries}
    parts = []
    for entry in entries:
        if not entry.ood:
            continue
        background = names[entry.background]
        parts.append(
            f"**`{entry.name}`** against **`{entry.background}`**: "
            + "; ".join(f"`{model.name}` {model.metrics['valid_bits_per_dim']:.4f} bits/dim on "
                        f"{model.dataset} validation, {model.training.get('steps', 0):,} steps "
                        f"({model.training.get('time', 'time not recorded')})"
                        for model in (entry, background))
            + f". AUROCs with `{entry.ood['in']}` "
            f"({entry.ood['num_images'][entry.ood['in']]:,} images) in"
            + _reference_words(entry.ood.get("reference"))
            + f":\n\n```bash\n{entry.ood['command']}\n```\n")
        columns = [kind for kind in OOD_COLUMNS if kind in next(iter(entry.ood["auroc"].values()))]
        parts.append("| out of distribution | images | "
                     + " | ".join(OOD_COLUMNS[kind] for kind in columns) + " |\n"
                     + "|---" * (len(columns) + 2) + "|")
        parts.extend(f"| {out} | {entry.ood['num_images'][out]:,} | "
                     + " | ".join(f"{auroc[kind]:.4f}" for kind in columns) + " |"
                     for out, auroc in entry.ood["auroc"].items())
        parts.append(f"\n![](pixel_zoo/zoo/cards/{entry.ood['plot']})\n")
    parts.append(bench_tables([with_model_version(choice, names) for choice in choices]))
    return "\n".join(parts) or "No OOD detector is in the zoo yet."


def with_model_version(choice, names):
    """A background-choice result whose title says which weights of its model it measured:
    the zoo's current ones, an earlier version's, or (an older result) not recorded."""
    model = choice.get("model")
    if not model:
        words = "its model's weights not recorded"
    elif registry.zoo_name(model["source"]) is None:
        words = f"a training run's weights (`{model['source']}`)"
    else:
        name = registry.zoo_name(model["source"])
        words = (f"`{name}`'s current weights" if model["weights_sha256"] == names[name].sha256
                 else f"an earlier version of `{name}` (weights sha256 "
                 f"{model['weights_sha256'][:12]}...)")
    return {**choice, "title": f"{choice['title']}, measured with {words}"}


def rewrite(text, name, body):
    """``text`` with the part between the ``name`` markers replaced by ``body``, indented as
    the opening marker is."""
    pattern = re.compile(rf"^([ \t]*)(<!-- {name}: [^>]*-->\n).*?^[ \t]*(<!-- /{name} -->)",
                         re.DOTALL | re.MULTILINE)
    if not pattern.search(text):
        raise ValueError(f"The page has no <!-- {name}: ... --> ... <!-- /{name} --> markers.")
    return pattern.sub(lambda match: match.group(1) + match.group(2)
                       + textwrap.indent(body, match.group(1)) + "\n" + match.group(1)
                       + match.group(3), text)


def relink(body, page):
    """``body`` with its links and images, written from the repository root, made relative
    to the folder of ``page`` (a path under `ROOT`)."""
    def relative(match):
        target = match.group(2)
        if re.match(r"[a-z]+:|#|/", target):
            return match.group(0)
        target = os.path.relpath(ROOT / target, page.parent).replace(os.sep, "/")
        return f"{match.group(1)}{target})"
    return re.sub(r"(\]\()([^)\s]+)\)", relative, body)


def pages():
    """The pages that may hold generated tables: README.md and docs/*.md."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def has_markers(text, name):
    """Whether ``text`` holds the ``name`` table's two markers."""
    return f"<!-- {name}: " in text and f"<!-- /{name} -->" in text


def rendered(bodies=None):
    """``{page: (its text, its text with every table it holds rewritten)}`` for `pages`.

    Raises:
      ValueError: a table is on no page, or on more than one.
    """
    bodies = tables() if bodies is None else bodies
    texts = {page: page.read_text() for page in pages()}
    result = {}
    for page, text in texts.items():
        new = text
        for name, body in bodies.items():
            if has_markers(text, name):
                new = rewrite(new, name, relink(body, page))
        result[page] = (text, new)
    for name in bodies:
        holders = [page.relative_to(ROOT).as_posix() for page, text in texts.items()
                   if has_markers(text, name)]
        if len(holders) != 1:
            raise ValueError(f"<!-- {name}: ... --> ... <!-- /{name} --> must be on exactly one "
                             f"of README.md and docs/*.md, not on {holders or 'none'}.")
    return result


MACHINE_PATH = re.compile(r"(?:--\w+[= ]|,)(/(?!tmp/|models/|v1/)[\w.-]+/[\w./-]*)")


def machine_paths(text):
    """The absolute folders that ``text`` names in a command's flags, as ``--flag=/work/x``
    (``/tmp/`` and a container's ``/models/`` are examples, not a machine's folders)."""
    return sorted(set(MACHINE_PATH.findall(text)))


def tables():
    """``{marker name: Markdown}`` from the packaged cards (not models registered at run
    time) and ``bench/results``."""
    entries = [ZooEntry.from_json(path) for path in sorted(CARDS_DIR.glob("*.json"))]
    races = [json.loads(path.read_text()) for path in sorted(RESULTS_DIR.glob("race_*.json"))]
    curves = [json.loads(path.read_text()) for path in sorted(RESULTS_DIR.glob("curves_*.json"))]
    budgets = [json.loads(path.read_text())
               for path in sorted(RESULTS_DIR.glob("budget_curves_*.json"))]
    speeds = [json.loads(path.read_text()) for path in sorted(RESULTS_DIR.glob("speed_*.json"))]
    choices = [json.loads(path.read_text()) for path in sorted(RESULTS_DIR.glob("ood_*.json"))]
    codecs = [json.loads(path.read_text()) for path in sorted(RESULTS_DIR.glob("codec_*.json"))]
    durations = timed_commands.read_results()
    return {"zoo-table": zoo_table(entries), "pick-table": pick_table(entries),
            "class-samples-table": class_samples_table(entries),
            "race-tables": race_tables(races),
            "curve-tables": curve_tables(curves), "budget-tables": budget_tables(budgets),
            "speed-tables": bench_tables(speeds)
            or "No speed bench is recorded in `bench/results` yet.",
            "ood-tables": ood_tables(entries, choices), "codec-tables": codec_tables(codecs),
            **{f"duration-{name}": timed_commands.duration_note(name, durations)
               for name in timed_commands.COMMANDS}}


def main(argv):
    del argv
    written = rendered()
    stale = [page for page, (text, new) in written.items() if new != text]
    if _CHECK.value and stale:
        sys.exit(f"{', '.join(page.relative_to(ROOT).as_posix() for page in stale)}: tables "
                 "differ from the cards and bench/results; run python -m trainers.readme_tables")
    if not _CHECK.value:
        for page in stale:
            page.write_text(written[page][1])
    named = {page.relative_to(ROOT).as_posix(): machine_paths(new)
             for page, (_, new) in written.items() if machine_paths(new)}
    if named:
        sys.exit("a command names a machine's folder (use runs/..., $MODEL_DIR or "
                 f"$PIXEL_ZOO_DATA; in bench/results or a card, fix the command's path): {named}")


if __name__ == "__main__":
    console.run(main)
