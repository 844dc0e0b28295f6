"""``MODEL_DIR/init_from.json``: what a run's first weights were, and the run's whole history.

A run started with ``--init_from`` (`pixel_zoo.training.initialization`) records its
parent when it starts: the source, the weights' sha256, the steps they had been trained
for and the parent's own history (segments, `pixel_zoo.provenance.segments`). The
history of the run's latest weights is the parent's, then the run's own invocations
(`pixel_zoo.provenance.history`).

Example:
    >>> write_parent("/tmp/runs/pixelcnn", {"init_from": "zoo:NAME", "steps": 5600, ...})
    >>> read_parent("/tmp/runs/pixelcnn")["steps"]
    5600
    >>> segments, steps = run_history("/tmp/runs/pixelcnn")    # what publishing cites
"""

import json
import os

from pixel_zoo import model_dir as model_dir_lib
from pixel_zoo.provenance import history
from pixel_zoo.provenance import segments as segments_lib

PARENT_FILE = "init_from.json"


def write_parent(model_dir, parent):
    """Writes ``MODEL_DIR/init_from.json``."""
    os.makedirs(model_dir, exist_ok=True)
    with open(os.path.join(model_dir, PARENT_FILE), "w") as file:
        json.dump(parent, file, indent=2, sort_keys=True)


def read_parent(model_dir):
    """The provenance `write_parent` wrote, or None for a run started from scratch."""
    path = os.path.join(model_dir, PARENT_FILE)
    if not os.path.isfile(path):
        return None
    with open(path) as file:
        return json.load(file)


def run_history(model_dir):
    """The training history of a run's latest weights: ``(segments, steps)``.

    The segments of what the run started from (``--init_from``), then the run's own
    invocations (``history.jsonl``), shifted by the steps trained before; ``steps`` counts
    both. `pixel_zoo.provenance.segments.chain_problems` says whether they chain.
    """
    parent = read_parent(model_dir)
    before = parent["steps"] if parent else 0
    run_steps = int(model_dir_lib.latest_checkpoint(model_dir).rsplit("-", 1)[-1])
    segments = (parent["history"] if parent else []) + segments_lib.run_segments(
        history.read(model_dir), offset=before)
    return segments, before + run_steps
