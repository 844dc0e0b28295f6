r"""Writes ``docs/zoo_changelog.md``: every version of every zoo entry, from git history.

A version is a commit that changed an entry's weights (its card's ``sha256``) or
removed it. Its row gives the commit's date, the card's validation figure and steps at
that commit (read from the card as committed: nothing is typed) and the commit's
subject, which says what changed. Commits that only edited a card's text are left out.

    python -m trainers.zoo_changelog
    python -m trainers.zoo_changelog --changelog_check    # exit 1 if the file is out of date

(The flags have names of their own: the trainers' flags share absl's one registry.)
"""

import json
import pathlib
import subprocess
import sys

from absl import flags

from pixel_zoo import console

ROOT = pathlib.Path(__file__).resolve().parent.parent
CARDS = "pixel_zoo/zoo/cards"

_OUT = flags.DEFINE_string("changelog", str(ROOT / "docs" / "zoo_changelog.md"),
                           "The file to write.")
_CHECK = flags.DEFINE_bool("changelog_check", False, "Only check that the file is up to date.")


def _git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout


def versions(repo, name):
    """The versions of entry ``name`` in ``repo``'s history, oldest first: dicts of
    ``commit``, ``date``, ``subject`` and the ``card`` at that commit (None: removed)."""
    path = f"{CARDS}/{name}.json"
    log = _git(repo, "log", "--reverse", "--format=%h%x00%cs%x00%s", "--", path)
    found, weights = [], None
    for line in log.splitlines():
        commit, date, subject = line.split("\0")
        listed = _git(repo, "ls-tree", "--name-only", commit, "--", path).strip()
        card = json.loads(_git(repo, "show", f"{commit}:{path}")) if listed else None
        sha256 = card and card.get("sha256")
        if card is None or sha256 != weights:
            found.append({"commit": commit, "date": date, "subject": subject, "card": card})
        weights = sha256
    return found


def entry_names(repo):
    """Every entry that ever had a card in ``repo``'s history, sorted."""
    log = _git(repo, "log", "--format=", "--name-only", "--", f"{CARDS}/*.json")
    return sorted({pathlib.PurePosixPath(path).stem for path in log.split()})


def _figure(card):
    metrics = card.get("metrics", {})
    nats, bits = metrics.get("valid_nats"), metrics.get("valid_bits_per_dim")
    if nats is None:
        return "not recorded"
    return f"{nats:.2f} nats, {bits:.4f} bits/dim" if bits is not None else f"{nats:.2f} nats"


def changelog(repo):
    """The changelog's Markdown text for ``repo``."""
    lines = ["# Zoo changelog", "",
             "Every version of every zoo entry: a commit that changed its weights or removed it.",
             "Figures are on the entry's validation split, read from its card as committed;",
             "written by `python -m trainers.zoo_changelog` from git history. A figure is",
             "measured as its commit measured it: until 2026-12-06 MNIST's and Fashion-MNIST's",
             "validation split was their t10k test split, and PixelCNN++'s RGB head multiplied",
             "three per-channel mixtures instead of PixelCNN++'s mixture of products.", ""]
    for name in entry_names(repo):
        lines += [f"## `{name}`", "", "| date | commit | validation | steps | what changed |",
                  "|---|---|---|---|---|"]
        for version in versions(repo, name):
            card, subject = version["card"], version["subject"].replace("|", "\\|")
            if card is None:
                lines.append(f"| {version['date']} | {version['commit']} | removed | | {subject} |")
                continue
            steps = card.get("training", {}).get("steps")
            lines.append(f"| {version['date']} | {version['commit']} | {_figure(card)} | "
                         f"{'' if steps is None else f'{steps:,}'} | {subject} |")
        lines.append("")
    return "\n".join(lines)


def main(argv):
    del argv
    out = pathlib.Path(_OUT.value)
    text = changelog(ROOT)
    if _CHECK.value:
        if not out.is_file() or out.read_text() != text:
            print(f"{out} is out of date: run python -m trainers.zoo_changelog")
            sys.exit(1)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(f"wrote {out}")


if __name__ == "__main__":
    console.run(main)
