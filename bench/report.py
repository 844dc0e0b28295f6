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
    "results", None, "Also write the table, its command and the machine's load to this JSON "
    "file (bench/results/speed_NAME.json; python -m trainers.readme_tables puts it in docs/).")


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

    def save(self):
        """Writes the table to ``--results`` (nothing without the flag)."""
        if not RESULTS.value:
            return
        load = self.load.summary()
        result = {
            "title": self.title,
            "command": " ".join(["python", os.path.relpath(sys.argv[0]), *sys.argv[1:]]),
            "machine": (f"{os.cpu_count()}-core CPU, mean load average {load['load_average']:.1f} "
                        f"while the bench used {load['cores_used']:.1f} cores"
                        + (": other jobs ran meanwhile" if load["shared"] else
                           ", nothing else running")),
            "table": "\n".join(self.lines),
        }
        os.makedirs(os.path.dirname(os.path.abspath(RESULTS.value)), exist_ok=True)
        with open(RESULTS.value, "w") as file:
            json.dump(result, file, indent=2)
