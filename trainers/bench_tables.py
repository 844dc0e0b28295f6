"""The tables of ``bench/results``' JSON files, as `trainers.readme_tables` writes them in docs/.

Each function takes the parsed results of one bench script and returns Markdown: the race
tables of ``bench/peer_race.py``, the curve tables of ``bench/curves.py``, the zoo's budget
tables of ``bench/budget_curves.py``, the speed tables of ``bench/report.py`` and the codec
tables of ``bench/codec.py``.

Example:
    >>> print(race_tables([json.loads(pathlib.Path("bench/results/race_x.json").read_text())]))
"""

import math


def race_tables(results):
    """One Markdown table per ``bench/peer_race.py`` result, with its command and machine."""
    parts = []
    for result in results:
        parts.append(f"**{result['dataset']}, {result['minutes']:g} minutes each** "
                     f"({result['machine']}):\n\n```bash\n{result['command']}\n```\n")
        parts.append("| model | params | steps | images seen | valid nats/image | "
                     "valid bits/dim |\n|---|---|---|---|---|---|")
        parts.extend(f"| {row['model']} | {row['parameters']:,} | {row['steps']:,} | "
                     f"{row['images_seen']:,} | {row['nats']:.2f} | {row['bits_per_dim']:.4f} |"
                     for row in result["rows"])
        parts.append("\nThe peer's curve (first 640 validation images): " + ", ".join(
            f"{point['minutes']:.0f} min {point['nats']:.2f} nats" for point in result["curve"])
            + ".\n")
    return "\n".join(parts) or "No race is recorded in `bench/results` yet."


def curve_table(result):
    """The Markdown table of a ``bench/curves.py`` result: nats at each training minute."""
    marks = [f"{mark:g}" for mark in result["minutes"]]
    lines = ["| run | " + " | ".join(f"{mark} min" for mark in marks) + " | others' cores |",
             "|---|" + "---|" * (len(marks) + 1)]
    for row in result["rows"]:
        cells = [_curve_cell(row, float(mark)) for mark in marks]
        others = row.get("other_cores")
        lines.append(f"| {row['model']} | " + " | ".join(cells)
                     + f" | {'—' if others is None else f'{others:.2f}'} |")
    return "\n".join(lines)


def _curve_cell(row, mark):
    """A run's nats at a mark, with the validation's training minutes where they are more
    than half a minute off it."""
    nats = row["nats_at"].get(str(mark))
    minutes = row.get("minutes_at", {}).get(str(mark))
    if nats is None:
        return "—"
    return f"{nats:.2f}" + (f" ({minutes:.1f} min)"
                            if minutes is not None and abs(minutes - mark) > 0.5 else "")


def curve_tables(results):
    """Each ``bench/curves.py`` result: its table, command and plot."""
    parts = [f"**{result['name']}**: validation nats/image against training minutes\n\n"
             f"```bash\n{result['command']}\n```\n\n{curve_table(result)}\n\n"
             f"![]({result['plot']})\n" for result in results]
    return "\n".join(parts) or "No curve is recorded in `bench/results` yet."


# What about an hour and a day buy: an entry's last point within each mark and a sixth (an
# hour's run ends some minutes late: compilation, validations, checkpoints, its time limit's
# last step). The day's column shows once an entry has trained for longer than a day.
BUDGET_MARKS = {"1 hour": 60.0, "1 day": 1440.0}
BUDGET_GRACE = 7 / 6


def budget_tables(results):
    """Each ``bench/budget_curves.py`` result: per entry, what about an hour and its whole
    budget bought, its plot, then every version (drawn or left out, and why)."""
    if not results:
        return "No budget curve is recorded in `bench/results` yet."
    lasts = [entry["points"][-1] for result in results for entry in result["entries"]]
    longest = max(point["minutes"] for point in lasts)
    marks = {name: minutes for name, minutes in BUDGET_MARKS.items()
             if name == "1 hour" or longest > minutes}
    commands = "\n".join(sorted({result["command"] for result in results}))
    parts = [f"```bash\n{commands}\n```\n"]
    for result in results:
        unit = "nats/image" if result["unit"] == "nats" else "bits/dim"
        title = (f"**{result['dataset']}**: validation {unit} against the training minutes "
                 "of each entry's card history\n")
        versions = (f"<details><summary>Every version of {result['dataset']}'s entries"
                    f"</summary>\n\n{_budget_versions(result, unit)}\n\n</details>\n")
        parts += [title, _budget_summary(result, marks), f"\n![]({result['plot']})\n", versions]
    if any(point["untimed_steps"] for point in lasts):
        parts.append("† The entry also trained for the untimed steps beside it, recorded before "
                     "training histories, without minutes: they are not counted.\n")
    if "1 day" not in marks:
        parts.append(f"No entry has trained for a day yet: the longest, {longest:.1f} minutes.")
    return "\n".join(parts)


def _budget_summary(result, marks):
    """Per entry: its figure at each mark and at its whole budget, and what is not counted."""
    lines = ["| entry | " + " | ".join(f"about {name} (≤ {round(minutes * BUDGET_GRACE):,} min)"
                                      for name, minutes in marks.items())
             + " | whole budget | minutes | steps | other jobs running | untimed | "
             "versions left out |", "|---" * (len(marks) + 7) + "|"]
    for entry in result["entries"]:
        last = entry["points"][-1]
        untimed = ", ".join(f"steps {part['steps_from']:,}–{part['steps_to']:,}"
                            for part in entry["untimed"])
        cells = [f"`{entry['name']}`",
                 *(_by_mark(entry, result["unit"], minutes * BUDGET_GRACE)
                   for minutes in marks.values()),
                 _budget_figure(last, result["unit"]), _point_minutes(last),
                 f"{last['steps']:,}",
                 f"{last['shared_minutes']:.1f} min" if last["shared_minutes"] else "—",
                 untimed or "—", str(len(entry["left_out"]) or "—")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _budget_versions(result, unit):
    """Every version of every entry, in steps order: drawn, or left out and why."""
    lines = [f"| entry | commit | steps | minutes | valid {unit} | what its training did |",
             "|---|---|---|---|---|---|"]
    for entry in result["entries"]:
        rows = [(point, _point_minutes(point), _point_words(point))
                for point in entry["points"]]
        rows += [(figure, "—", f"not drawn: {figure['why']}") for figure in entry["left_out"]]
        lines.extend(f"| `{entry['name']}` | {figure['commit']} | {figure['steps']:,} | "
                     f"{minutes} | {_budget_figure(figure, result['unit'])} | {words} |"
                     for figure, minutes, words in sorted(rows, key=lambda row: row[0]["steps"]))
    return "\n".join(lines)


def _budget_figure(figure, unit):
    value = figure["nats"] if unit == "nats" else figure["bits_per_dim"]
    return "—" if value is None else f"{value:.2f}" if unit == "nats" else f"{value:.4f}"


def _by_mark(entry, unit, minutes):
    """The figure of an entry's last timed point within ``minutes``, with its minutes."""
    within = [point for point in entry["points"] if 0 < point["minutes"] <= minutes]
    if within:
        return f"{_budget_figure(within[-1], unit)} at {_point_minutes(within[-1])}"
    timed = [point for point in entry["points"] if point["minutes"] > 0]
    return f"— (first at {timed[0]['minutes']:.1f} min)" if timed else "—"


def _point_minutes(point):
    """A point's timed minutes, † if untimed steps came before it."""
    if not point["minutes"]:
        return "untimed" if point["untimed_steps"] else "0.0 min"
    return f"{point['minutes']:.1f} min{'†' if point['untimed_steps'] else ''}"


def _point_words(point):
    measured = point.get("measured_in")
    return point["what"] + (f" (its figure as {measured}'s publishing re-scored it)"
                            if measured else "")


def bench_tables(results):
    """Each bench table (``bench/report.py``), under its title, command and machine."""
    return "\n".join(f"**{result['title']}** ({result['machine']}):\n\n```bash\n"
                     f"{result['command']}\n```\n\n{result['table']}\n" for result in results)


def codec_tables(results):
    """Each ``bench/codec.py`` result: per entry, bits per image (and per dimension) of its
    ``.pzc`` file against its NLL and generic codecs, and its speed; with command and machine."""
    parts = []
    for result in results:
        codecs = list(result["rows"][0]["codecs"]) if result["rows"] else []
        parts.append(f"**{result['title']}** ({result['machine']}):\n\n```bash\n"
                     f"{result['command']}\n```\n\n| entry | images | model NLL | .pzc file | "
                     "payload / NLL | " + " | ".join(codecs) + " | batch | encode (images/s) | "
                     "decode (images/s) | round trip |\n" + "|---" * (len(codecs) + 9) + "|")
        for row in result["rows"]:
            dims = math.prod(row["image_shape"])
            parts.append("| " + " | ".join([
                f"`{row['entry']}`", f"{row['images']:,}", _bits(row["nll"], dims),
                _bits(row["file"], dims), f"{row['payload'] / row['nll']:.4f}",
                *(_bits(bits, dims) for bits in row["codecs"].values()), str(row["batch_size"]),
                f"{row['encode_images_per_sec']:.1f}", f"{row['decode_images_per_sec']:.1f}",
                row["round_trip"]]) + " |")
        parts.append("")
    return "\n".join(parts) or "No codec bench is recorded in `bench/results` yet."


def _bits(bits, dims):
    """Bits per image, and per dimension in brackets."""
    return f"{bits:.1f} ({bits / dims:.4f})"
