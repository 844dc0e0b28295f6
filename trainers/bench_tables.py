"""The tables of ``bench/results``' JSON files, as `trainers.readme_tables` writes them in docs/.

Each function takes the parsed results of one bench script and returns Markdown: the race
tables of ``bench/peer_race.py``, the curve tables of ``bench/curves.py``, the speed tables of
``bench/report.py`` and the codec tables of ``bench/codec.py``.

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
