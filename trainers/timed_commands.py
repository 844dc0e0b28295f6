"""The long commands of README.md and docs/ whose durations are measured, never typed.

``bench/durations.py`` runs each of `COMMANDS` as its page gives it and writes
``bench/results/durations.json``; ``python -m trainers.readme_tables`` writes each one's
duration between the ``<!-- duration-NAME: ... -->`` markers beside it. The command is read
from its page every time (`command`): a duration measured for another text of it is not
shown, and the note says to measure again.

Example:
    >>> command("eval")
    ('shell', 'pixel-zoo eval pixelcnn_binarized_mnist')
    >>> duration_note("eval", read_results())
    '*`pixel-zoo eval` took 1.9 min when `python bench/durations.py` ran it (...).*'
"""

import json
import pathlib
import re
import typing

ROOT = pathlib.Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "durations.json"
MEASURE = "python bench/durations.py"



class TimedCommand(typing.NamedTuple):
    """Where a timed command is: its page (from the repository root), text in it, and the
    words its duration note starts with.

    The command is the shell command holding ``find`` (its ``&&`` part, with its
    backslash-continued lines; in inline code, its span), or the Python code block holding
    it, which ``python -c`` runs.

    Example:
        >>> TimedCommand("README.md", "pixel-zoo eval ", "`pixel-zoo eval`")
    """

    page: str
    find: str
    label: str


COMMANDS = {
    "train": TimedCommand("README.md", ".venv/bin/python -m trainers.train ", "The main job"),
    "eval": TimedCommand("README.md", "pixel-zoo eval ", "`pixel-zoo eval`"),
    "ood": TimedCommand("docs/ood.md", "pixel-zoo ood ", "`pixel-zoo ood`"),
    "fit": TimedCommand("docs/training.md", "model.fit(", "The example"),
}


def command(name):
    """``(kind, text)`` of command ``name`` on its page: kind "python" (a code block) or
    "shell".

    Raises:
      ValueError: the page holds no such command (update `COMMANDS`).

    Example:
        >>> command("ood")[1].splitlines()[0]
        'pixel-zoo ood pixelcnn_fashion_mnist --in fashion_mnist:test --out mnist:test \\'
    """
    page, find, _ = COMMANDS[name]
    text = (ROOT / page).read_text()
    for block in re.finditer(r"```(\w*)\n(.*?)```", text, re.DOTALL):
        if find in block.group(2) and block.group(1) == "python":
            return "python", block.group(2)
    index = text.find(find)
    if index < 0:
        raise ValueError(f"{page} holds no command with {find!r}: update "
                         "trainers/timed_commands.COMMANDS.")
    lines = text[text.rfind("\n", 0, index) + 1:].split("\n")
    shell = lines[0]
    for line in lines[1:]:
        if not shell.endswith("\\"):
            break
        shell += "\n" + line
    if "`" in shell:  # inline code: the span holding it
        shell = next(span for span in shell.split("`") if find in span)
    shell = next(part for part in shell.split(" && ") if find in part)
    return "shell", shell.strip()


def read_results():
    """``bench/results/durations.json``'s measurements by command name ({} without it).

    Example:
        >>> read_results()["eval"]["seconds"]
        112.4
    """
    if not RESULTS.is_file():
        return {}
    return json.loads(RESULTS.read_text())["commands"]


def duration_note(name, results):
    """The Markdown line beside command ``name``: its measured duration, or why there is none.

    Args:
      name: a key of `COMMANDS`.
      results: `read_results`.

    Example:
        >>> duration_note("fit", {})
        "*The example's duration is not measured yet: `python bench/durations.py` measures it.*"
    """
    label = COMMANDS[name].label
    measured = results.get(name)
    if measured is None:
        return f"*{label}'s duration is not measured yet: `{MEASURE}` measures it.*"
    if measured["command"] != command(name)[1]:
        return (f"*{label} changed since `{MEASURE}` timed it: run it again for its "
                "duration.*")
    seconds = measured["seconds"]
    took = f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"
    others = measured.get("other_cores")
    return (f"*{label} took {took} when `{MEASURE}` ran it ({measured['date'][:10]}, "
            f"{measured['machine_cores']}-core CPU, mean load average "
            f"{measured['load_average']:.1f}"
            + ("" if others is None else f", other processes {others:.1f} cores") + ").*")
