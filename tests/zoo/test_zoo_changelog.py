"""The zoo changelog: one row per version of an entry's weights, read from git history."""

import json
import subprocess

from trainers import card_versions, zoo_changelog


def _commit(repo, message):
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t",
                    "commit", "-q", "-m", message], check=True)


def _card(repo, sha256, nats, steps, description=""):
    path = repo / card_versions.CARDS / "tiny_entry.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"sha256": sha256, "description": description,
                                "metrics": {"valid_nats": nats, "valid_bits_per_dim": 0.15},
                                "training": {"steps": steps}}))
    return path


def test_rows_are_the_weights_versions_and_the_removal_not_text_edits(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    _card(tmp_path, "aaa", 90.0, 1000)
    _commit(tmp_path, "Zoo: tiny_entry")
    _card(tmp_path, "aaa", 90.0, 1000, description="Reworded.")
    _commit(tmp_path, "Card text only")
    _card(tmp_path, "bbb", 85.5, 3000)
    _commit(tmp_path, "Zoo: tiny_entry 90.00 -> 85.50 | continued")
    _card(tmp_path, "bbb", 85.5, 3000).unlink()
    _commit(tmp_path, "Removed tiny_entry")
    assert card_versions.entry_names(tmp_path) == ["tiny_entry"]
    rows = [line for line in zoo_changelog.changelog(tmp_path).splitlines()
            if line.startswith("| 2")]
    assert len(rows) == 3
    assert "| 90.00 nats, 0.1500 bits/dim | 1,000 | Zoo: tiny_entry |" in rows[0]
    assert ("| 85.50 nats, 0.1500 bits/dim | 3,000 | Zoo: tiny_entry 90.00 -> 85.50 \\| "
            "continued |") in rows[1]
    assert "| removed | | Removed tiny_entry |" in rows[2]
