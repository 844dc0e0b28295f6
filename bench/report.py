"""A bench script's Markdown table: printed as it grows, and with ``--results`` kept for docs/.

``python -m trainers.readme_tables`` writes each ``bench/results/speed_NAME.json`` into
docs/benchmarks.md's speed tables, with the command that measured it and how busy the machine
was meanwhile (the load average sampled at each row, against the cores the bench used), so
no speed figure in the docs is typed.

Example (in a bench script run as ``python bench/NAME.py --results=bench/results/speed_NAME.json``):
    >>> table = report.Table("Sampling", ["| model | s |", "|---|---|"])
    >>> table.add("| pixelcnn | 0.51 |")      # printed at once
    >>> table.save()                          # to --results, if given
"""

import json
import os
import sys

from absl import flags

from pixel_zoo.provenance import history

RESULTS = flags.DEFINE_string(
    "results", None, "Also write the results, the command and the machine's load to this JSON "
    "file (bench/results/NAME.json; python -m trainers.readme_tables puts it in docs/).")


class Table:
    """A Markdown table printed row by row.

    Args:
      title: what the table measures, a few words (its heading in docs/).
      header: the table's first lines (column names and the ``|---|`` line).
    """

    def __init__(self, title, header):
        self.title = title
        self.lines = list(header)
        self.load = history.LoadMonitor()
        print(*self.lines, sep="\n", flush=True)

    def add(self, line):
        """Prints and keeps one row."""
        self.load.sample()
        self.lines.append(line)
        print(line, flush=True)

    def save(self, **fields):
        """Writes the table, and any further ``fields``, to ``--results`` (nothing without
        the flag)."""
        save({"title": self.title, "command": command(), "machine": machine(self.load),
              "table": "\n".join(self.lines), **fields})


def command():
    """This bench's command line, as docs/ show it: ``python bench/NAME.py --flag=...``, with
    the data folder written ``$PIXEL_ZOO_DATA`` (not this machine's path)."""
    data_dir = os.environ.get("PIXEL_ZOO_DATA")
    args = [arg.replace(data_dir, "$PIXEL_ZOO_DATA") if data_dir else arg for arg in sys.argv[1:]]
    return " ".join(["python", os.path.relpath(sys.argv[0]), *args])


def machine(load):
    """How busy the machine was while a `history.LoadMonitor` watched, in words."""
    load = load.summary()
    return (f"{os.cpu_count()}-core CPU, mean load average {load['load_average']:.1f} while the "
            f"bench used {load['cores_used']:.1f} cores"
            + (": other jobs ran meanwhile" if load["shared"] else ", nothing else running"))


def save(result):
    """Writes ``result`` (a dict) as JSON to ``--results``; nothing without the flag."""
    if not RESULTS.value:
        return
    os.makedirs(os.path.dirname(os.path.abspath(RESULTS.value)), exist_ok=True)
    with open(RESULTS.value, "w") as file:
        json.dump(result, file, indent=2)
