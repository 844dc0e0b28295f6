"""Provenance: where a run's weights came from and how they were trained, in one place.

| module | what |
|---|---|
| `history` | ``MODEL_DIR/history.jsonl``: one record per invocation of a run (steps, command, machine, load) |
| `parent` | ``MODEL_DIR/init_from.json``: the weights a run started from, and the run's whole history |
| `segments` | a zoo card's ``training.history``: those records cut into chained segments, in words |

The trainer writes the records (`pixel_zoo.training`); publishing reads them into a
card (``trainers/publishing``); nothing here imports either.

Example:
    >>> from pixel_zoo.provenance import parent, segments
    >>> chain, steps = parent.run_history("/tmp/runs/pixelcnn")
    >>> segments.chain_problems(chain, steps)
    []
"""
