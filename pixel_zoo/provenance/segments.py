"""A zoo card's ``training.history``: every invocation that trained its weights, chained.

Each segment is one invocation of ``trainers.train`` (from the run folder's
``history.jsonl``, `pixel_zoo.provenance.history`), with the steps it took the weights
from and to. A run started with ``--init_from=zoo:NAME`` continues that entry's
history: its own segments follow the entry's, their steps shifted by the entry's
steps. Consecutive segments chain (``steps_to`` is the next ``steps_from``) and the
last ``steps_to`` is the card's ``training.steps``.

Example:
    >>> segments = run_segments(history.read("/tmp/runs/pixelcnn"), offset=0)
    >>> chain_problems(segments, steps=500)
    []
    >>> describe(segments)
    '25.3 min of training in 2 invocations on a 2-core CPU, nothing else running'
"""

import itertools

SEGMENT_KEYS = ("steps_from", "steps_to", "command", "wall_minutes", "machine", "load",
                "num_replicas", "outcome", "time_start", "time_end")


def entry_segments(entry):
    """The segments of a zoo entry's card; a card from before histories gives one, from its
    command and steps, with its time in words as the machine."""
    training = entry.training
    if "history" in training:
        return [dict(segment) for segment in training["history"]]
    return [_segment(0, training.get("steps", 0), training.get("command", ""),
                     outcome="recorded before histories: " + training.get("time", "no time"))]


def untracked_segment(source):
    """The segment of weights from ``source`` whose training is not recorded (step 0 to 0)."""
    return _segment(0, 0, "", outcome=f"{source}; its training is not recorded")


def run_segments(records, offset=0):
    """The segments of a run's ``history.jsonl`` ``records``, steps shifted by ``offset``.

    An invocation killed before it wrote its record leaves a gap between two
    records: it becomes a segment of its own, with the next record's command.
    """
    segments, reached = [], offset
    for record in records:
        segment = {key: record.get(key) for key in SEGMENT_KEYS}
        segment["steps_from"] += offset
        segment["steps_to"] += offset
        if segment["steps_from"] != reached:
            segments.append(_segment(reached, segment["steps_from"], segment["command"],
                                     outcome="stopped without a record (killed)"))
        segments.append(segment)
        reached = segment["steps_to"]
    return segments


def chain_problems(segments, steps):
    """What keeps ``segments`` from chaining from step 0 to ``steps`` ([] if nothing)."""
    if not segments:
        return ["no training segments"]
    problems = []
    if segments[0]["steps_from"] != 0:
        problems.append(f"the first segment starts at step {segments[0]['steps_from']}, not 0")
    for before, after in itertools.pairwise(segments):
        if before["steps_to"] != after["steps_from"]:
            problems.append(f"a segment ends at step {before['steps_to']} and the next starts "
                            f"at {after['steps_from']}")
    if segments[-1]["steps_to"] != steps:
        problems.append(f"the last segment ends at step {segments[-1]['steps_to']}, not at "
                        f"the {steps} steps trained")
    return problems


def describe(segments):
    """The compute of ``segments`` in words: minutes, invocations, machine, other load."""
    timed = [segment for segment in segments if segment.get("wall_minutes") is not None]
    minutes = sum(segment["wall_minutes"] for segment in timed)
    machines = sorted({_machine_words(segment["machine"]) for segment in timed
                       if segment.get("machine")})
    loads = [segment["load"] for segment in timed if segment.get("load")]
    if not loads:
        company = "whether anything else ran was not recorded"
    elif any(load["shared"] for load in loads):
        shared = sum(segment["wall_minutes"] for segment in timed
                     if segment.get("load") and segment["load"]["shared"])
        company = f"other jobs running during {shared:.0f} of those minutes"
    else:
        company = "nothing else running"
    words = (f"{minutes:.1f} min of training in {len(timed)} recorded invocation"
             f"{'s' if len(timed) != 1 else ''} on {' and '.join(machines) or 'an unrecorded machine'}"
             f", {company}")
    untimed = len(segments) - len(timed)
    if untimed:
        words += f"; {untimed} earlier segment{'s' if untimed != 1 else ''} without a time"
    return words


def _machine_words(machine):
    gpus = machine.get("gpus") or []
    if gpus:
        return f"{len(gpus)} GPU ({', '.join(sorted(set(gpus)))})"
    return f"a {machine.get('cpu_cores')}-core CPU"


def _segment(steps_from, steps_to, command, outcome):
    segment = dict.fromkeys(SEGMENT_KEYS)
    segment.update(steps_from=steps_from, steps_to=steps_to, command=command, outcome=outcome)
    return segment
