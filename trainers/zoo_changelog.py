r"""Writes ``docs/zoo_changelog.md``: every version of every zoo entry, from git history.

A version is a commit that changed an entry's weights (its card's ``sha256``) or
removed it. Its row gives the commit's date, the card's validation figure and steps at
that commit (read from the card as committed: nothing is typed) and the commit's
subject, which says what changed. Commits that only edited a card's text are left out.

    python -m trainers.zoo_changelog
    python -m trainers.zoo_changelog --changelog_check    # exit 1 if the file is out of date

(The flags have names of their own: the trainers' flags share absl's one registry.)
"""

import pathlib
import sys

from absl import flags

from pixel_zoo import console
from trainers.card_versions import ROOT, entry_names, versions

_OUT = flags.DEFINE_string("changelog", str(ROOT / "docs" / "zoo_changelog.md"),
                           "The file to write.")
_CHECK = flags.DEFINE_bool("changelog_check", False, "Only check that the file is up to date.")


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
