"""The versions of the zoo's cards in git history, for pages written from it.

A version of an entry is a commit that changed its weights (its card's ``sha256``) or
removed it; commits that only edited a card's text are not versions. `trainers.zoo_changelog`
lists them and `trainers.zoo_budget` draws their figures against training minutes.

Example:
    >>> [version["commit"] for version in versions(ROOT, "pixelcnn_binarized_mnist")]
"""

import json
import pathlib
import subprocess

ROOT = pathlib.Path(__file__).resolve().parent.parent
CARDS = "pixel_zoo/zoo/cards"


def git(repo, *args):
    """The output of ``git -C repo ARGS...`` (raises on failure)."""
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout


def versions(repo, name):
    """The versions of entry ``name`` in ``repo``'s history, oldest first: dicts of
    ``commit``, ``date``, ``subject`` and the ``card`` at that commit (None: removed)."""
    path = f"{CARDS}/{name}.json"
    log = git(repo, "log", "--reverse", "--format=%h%x00%cs%x00%s", "--", path)
    found, weights = [], None
    for line in log.splitlines():
        commit, date, subject = line.split("\0")
        listed = git(repo, "ls-tree", "--name-only", commit, "--", path).strip()
        card = json.loads(git(repo, "show", f"{commit}:{path}")) if listed else None
        sha256 = card and card.get("sha256")
        if card is None or sha256 != weights:
            found.append({"commit": commit, "date": date, "subject": subject, "card": card})
        weights = sha256
    return found


def entry_names(repo):
    """Every entry that ever had a card in ``repo``'s history, sorted."""
    log = git(repo, "log", "--format=", "--name-only", "--", f"{CARDS}/*.json")
    return sorted({pathlib.PurePosixPath(path).stem for path in log.split()})


def descends(repo, commit, ancestor):
    """Whether ``commit`` is ``ancestor`` or one of its descendants in ``repo``."""
    found = subprocess.run(["git", "-C", str(repo), "merge-base", "--is-ancestor", ancestor,
                            commit], check=False, capture_output=True, text=True)
    if found.returncode not in (0, 1):
        raise ValueError(f"git cannot compare {commit} with {ancestor}: {found.stderr.strip()}")
    return found.returncode == 0
