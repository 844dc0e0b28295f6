r"""The zoo's budget curves: each entry's published validation figures against the training
minutes that produced them, read from every version of its card in git history.

A version (`trainers.card_versions`) whose training history is the start of the current
card's is one point: the figure its card published (measured on the whole validation split)
against the summed ``wall_minutes`` of its history's segments. A segment recorded before
histories has no minutes: it is listed as untimed and counted as nothing, never estimated.
A point's words say what its segments did, from each command's flags against those of the
segment before it (grown, distilled, precision, learning rate, batch, averages).

Left out, each with its reason: versions of an earlier model the entry replaced (their
history is not the start of the current one), and versions measured otherwise than the
current card: committed before a `MEASURE_CHANGES` commit that concerns the card and that
the current card follows, or before a publishing that re-scored the previous weights to a
different figure than their card's (its ``improvement``); that re-scored figure, measured
as the current card's, stands in for the previous version's.

``bench/budget_curves.py`` writes the curves to ``bench/results/budget_curves_DATASET.json``
and draws them; `trainers.bench_tables.budget_tables` writes their tables into the docs.

Example:
    >>> curves = budget_curves(ROOT)        # {dataset: {"unit": "nats", "entries": [...]}}
    >>> [point["minutes"] for point in curves["binarized_mnist"]["entries"][0]["points"]]
"""

import collections
import shlex

from pixel_zoo import metrics as metrics_lib
from pixel_zoo.models import presets
from pixel_zoo.zoo import registry
from trainers.card_versions import ROOT, descends, entry_names, versions

Change = collections.namedtuple("Change", "commit concerns why")

# Commits after which a card's validation figure is measured otherwise than before (the
# changelog's header says the same of its rows). binarized_mnist's split never changed.
MEASURE_CHANGES = (
    Change("9278cbb", lambda card: card.get("dataset") in ("mnist", "fashion_mnist"),
           "measured on the old validation split (t10k, until 9278cbb)"),
    Change("b8f2553", lambda card: (card.get("model") == "pixelcnn_pp"
                                    and list(card.get("image_shape", []))[-1:] == [3]),
           "measured under the old RGB head (three per-channel mixtures, until b8f2553)"),
)
OTHER_MODEL = "an earlier model the entry replaced (its history is not the start of this one's)"


def command_flags(command):
    """``{flag: value}`` of a training command (``--x=1``; ``--x`` is True, ``--nox`` False)."""
    found = {}
    for word in shlex.split(command or ""):
        if word.startswith("--"):
            name, equals, value = word[2:].partition("=")
            if equals:
                found[name] = value
            elif name.startswith("no"):
                found[name[2:]] = "False"
            else:
                found[name] = "True"
    return found


def with_preset(flags):
    """``flags`` with the sizes their ``--preset`` gives for their ``--model`` filled in
    where no flag of their own sets them, so segments sized by a preset and by flags compare.

    Example:
        >>> sized = with_preset({"model": "pixelcnn_pp", "preset": "peer_size", "num_layers": "2"})
        >>> sized["num_layers"], sized["hidden_units"]
        ('2', '43')
    """
    if "preset" not in flags or "model" not in flags:
        return flags
    sized = presets.hyperparameters(flags["model"], flags["preset"])
    return {**{name: str(value) for name, value in sized.items()}, **flags}


def _on(flags, name):
    return flags.get(name, "False").lower() in ("true", "1")


def _precision(flags):
    return flags.get("mixed_precision_dtype", "float16") if _on(flags, "mixed_precision") \
        else "float32"


def _averages(flags):
    if not _on(flags, "ema"):
        return "no averages"
    return "uniform averages" if flags.get("averaging") == "uniform" else "EMA"


def _rate(flags):
    return f"lr {float(flags.get('learning_rate', 'nan')):g} {flags.get('lr_schedule', '')}".strip()


def _teacher(flags):
    return flags.get("distill_from", "").removeprefix(registry.PREFIX)


def describe(flags, before=None):
    """What a segment of ``flags`` did, in words: how it started, if first (``before`` is
    None), else what changed from the segment of flags ``before``."""
    if before is None:
        start = f"from {flags['init_from']}" if flags.get("init_from") else "from scratch"
        words = [_rate(flags), _precision(flags)]
        words += [f"distilled from {_teacher(flags)}"] if _teacher(flags) else []
        return f"{start}: " + ", ".join(words)
    words = []
    for name, verb in (("num_layers", "grown"), ("hidden_units", "widened")):
        if name in flags and name in before and flags[name] != before[name]:
            words.append(f"{verb} {before[name]}->{flags[name]} {name.split('_')[1]}")
    if _teacher(flags) != _teacher(before):
        words.append(f"distilled from {_teacher(flags)}" if _teacher(flags) else
                     "no distillation")
    for part in (_precision, _rate, _averages):
        if part(flags) != part(before):
            words.append(part(flags))
    for name, word in (("batch_size", "batch"), ("dropout", "dropout")):
        if flags.get(name) != before.get(name) and name in flags:
            words.append(f"{word} {flags[name]}")
    return "continued" + (": " + ", ".join(words) if words else "")


def _key(segment):
    """What identifies a training segment across card versions: its steps and its timing,
    not its command, whose words publishing has rewritten since (a machine's run folder
    became ``$MODEL_DIR``)."""
    return tuple(segment.get(name) for name in ("steps_from", "steps_to", "wall_minutes",
                                                "time_start"))


def _in_lineage(card, history):
    """Whether ``card``'s weights are a stage of the run of ``history`` (the current card's):
    its own history is the start of it or, recorded before histories, one of its segments
    ends at the card's steps."""
    own, steps = card.get("training", {}).get("history"), card.get("training", {}).get("steps")
    if own:
        return [_key(segment) for segment in own] == [_key(s) for s in history[:len(own)]]
    return any(segment["steps_to"] == steps for segment in history)


def _bits(card, nats):
    return round(float(metrics_lib.bits_per_dim(-nats, card["image_shape"])), 4)


def _figure(version):
    metrics = version["card"].get("metrics", {})
    return {"commit": version["commit"], "date": version["date"],
            "steps": version["card"]["training"]["steps"], "nats": metrics.get("valid_nats"),
            "bits_per_dim": metrics.get("valid_bits_per_dim")}


def entry_curve(repo, found, changes=MEASURE_CHANGES):
    """One entry's curve from ``found``, its `versions` (the last one its current card):
    ``{"name", "model", "points", "untimed", "left_out"}``. A point has its ``commit``,
    ``date``, ``steps``, ``minutes`` (timed only), ``untimed_steps`` and ``shared_minutes``
    (other jobs running) up to it, ``nats``, ``bits_per_dim`` and ``what`` its segments did;
    ``measured_in`` is the commit that measured it where that is not its own."""
    current = found[-1]
    card = current["card"]
    history = card.get("training", {}).get("history") or []
    figures, left_out = [], []
    for version in found:
        if version["card"] is None:
            continue
        if not _in_lineage(version["card"], history):
            left_out.append({**_figure(version), "why": OTHER_MODEL})
            continue
        if _figure(version)["nats"] is None:
            left_out.append({**_figure(version), "why": "no validation figure on its card"})
            continue
        improvement = version["card"].get("metrics", {}).get("improvement") or {}
        if (figures and improvement.get("over_sha256") == figures[-1]["sha256"]
                and abs(improvement["previous_valid_nats"] - figures[-1]["nats"]) > 0.005):
            for figure in figures[:-1]:
                figure.setdefault("why", f"measured otherwise: {version['commit']} re-scored "
                                         "a later version's weights to another figure")
            nats = improvement["previous_valid_nats"]
            figures[-1].update(nats=nats, bits_per_dim=_bits(card, nats),
                               measured_in=version["commit"])
        figures.append({**_figure(version), "sha256": version["card"].get("sha256")})
    for figure in figures:
        measured = figure.get("measured_in", figure["commit"])
        for change in changes:
            if (change.concerns(card) and descends(repo, current["commit"], change.commit)
                    and not descends(repo, measured, change.commit)):
                figure["why"] = change.why
        del figure["sha256"]
    left_out += [figure for figure in figures if "why" in figure]
    return {"name": card["name"], "model": card.get("model"),
            "points": _points([figure for figure in figures if "why" not in figure], history),
            "untimed": [{"steps_from": s["steps_from"], "steps_to": s["steps_to"]}
                        for s in history if s.get("wall_minutes") is None],
            "left_out": sorted(left_out, key=lambda figure: figure["steps"])}


def _points(figures, history):
    """``figures`` with the minutes, untimed steps, shared minutes and words of the segments
    of ``history`` up to each."""
    flags = [with_preset(command_flags(segment.get("command"))) for segment in history]
    words = [describe(flags[i], flags[i - 1] if i else None) for i in range(len(flags))]
    points, done = [], 0
    for figure in figures:
        upto = [i for i, segment in enumerate(history) if segment["steps_to"] <= figure["steps"]]
        timed = [history[i] for i in upto if history[i].get("wall_minutes") is not None]
        points.append({
            **figure, "minutes": round(sum(s["wall_minutes"] for s in timed), 2),
            "untimed_steps": sum(history[i]["steps_to"] - history[i]["steps_from"] for i in upto
                                 if history[i].get("wall_minutes") is None),
            "shared_minutes": round(sum(s["wall_minutes"] for s in timed
                                        if (s.get("load") or {}).get("shared")), 2),
            "what": "; then ".join(words[i] for i in upto if history[i]["steps_to"] > done)})
        done = figure["steps"]
    return points


def budget_curves(repo=ROOT, changes=MEASURE_CHANGES):
    """``{dataset: {"dataset", "unit", "entries"}}`` for the entries in ``repo``'s zoo now:
    ``unit`` is ``nats`` (per image) for two-level data, else ``bits/dim``."""
    curves = {}
    for name in entry_names(repo):
        found = versions(repo, name)
        card = found[-1]["card"]
        if card is None:
            continue
        curve = curves.setdefault(card["dataset"], {
            "dataset": card["dataset"], "unit": "nats" if card["num_levels"] == 2 else "bits/dim",
            "entries": []})
        curve["entries"].append(entry_curve(repo, found, changes))
    return dict(sorted(curves.items()))
