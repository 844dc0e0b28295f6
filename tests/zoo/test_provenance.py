"""A card's training history: segments from history.jsonl records, chained, described."""

import pytest

from pixel_zoo.provenance import history
from pixel_zoo.provenance import segments as provenance
from pixel_zoo.zoo.entry import ZooEntry


def record(steps_from, steps_to, minutes=10.0, shared=False, command="python -m trainers.train"):
    return {"steps_from": steps_from, "steps_to": steps_to, "wall_minutes": minutes,
            "command": command, "outcome": "finished", "flags": {"seed": 0},
            "machine": {"cpu_cores": 2, "gpus": []},
            "load": {"cores_used": 1.9, "load_average": 3.2 if shared else 2.0,
                     "other_load": 1.3 if shared else 0.1, "shared": shared}}


def test_a_killed_invocation_becomes_its_own_segment_and_the_chain_holds():
    segments = provenance.run_segments([record(0, 250), record(400, 600, command="rerun")],
                                       offset=1000)
    assert [(s["steps_from"], s["steps_to"]) for s in segments] == [
        (1000, 1250), (1250, 1400), (1400, 1600)]
    assert segments[1]["outcome"] == "stopped without a record (killed)"
    assert segments[1]["command"] == "rerun"
    assert "flags" not in segments[0]
    assert provenance.chain_problems(segments, 1600) == [
        "the first segment starts at step 1000, not 0"]
    older = ZooEntry(name="old", model="pixelcnn", image_shape=(28, 28, 1), num_levels=2,
                     weights="old.weights.h5", sha256="0",
                     training={"steps": 1000, "command": "cmd", "time": "40 min, shared"})
    chained = provenance.entry_segments(older) + segments
    assert provenance.chain_problems(chained, 1600) == []
    assert provenance.chain_problems(chained, 1700) == [
        "the last segment ends at step 1600, not at the 1700 steps trained"]
    assert "recorded before histories: 40 min, shared" in chained[0]["outcome"]


def test_the_compute_says_how_long_where_and_whether_others_ran():
    alone = provenance.run_segments([record(0, 100, 30.0), record(100, 200, 12.5)])
    assert provenance.describe(alone) == ("42.5 min of training in 2 recorded invocations on a "
                                          "2-core CPU, nothing else running")
    mixed = provenance.run_segments([record(0, 100, 30.0), record(100, 200, 12.5, shared=True)])
    assert provenance.describe(mixed).endswith("other jobs running during 12 of those minutes")


@pytest.mark.parametrize("machine_seconds, shared", [(200.0, False), (320.0, True)],
                         ids=["alone", "shared"])
def test_the_load_monitor_tells_this_process_from_the_others(monkeypatch, machine_seconds, shared):
    # This process busies 1.9 cores for 100 s; the machine's other CPU time is the others'.
    clock = {"cpu": 0.0, "wall": 0.0, "machine": 1000.0}
    monkeypatch.setattr(history.time, "process_time", lambda: clock["cpu"])
    monkeypatch.setattr(history.time, "perf_counter", lambda: clock["wall"])
    monkeypatch.setattr(history, "machine_busy_seconds", lambda: clock["machine"])
    # A load average above the cores this process used is not the others' (its own runnable
    # threads can outnumber the cores).
    monkeypatch.setattr(history.os, "getloadavg", lambda: (2.8, 0.0, 0.0))
    monitor = history.LoadMonitor()
    monitor.sample()
    clock.update(cpu=190.0, wall=100.0, machine=1000.0 + machine_seconds)
    other_load = round((machine_seconds - 190.0) / 100.0, 2)
    assert monitor.summary() == {"cores_used": 1.9, "load_average": 2.8,
                                 "other_load": other_load, "shared": shared}


def test_without_proc_stat_the_load_average_stands_in(monkeypatch):
    clock = {"cpu": 0.0, "wall": 0.0}
    monkeypatch.setattr(history.time, "process_time", lambda: clock["cpu"])
    monkeypatch.setattr(history.time, "perf_counter", lambda: clock["wall"])
    monkeypatch.setattr(history, "machine_busy_seconds", lambda: None)
    monkeypatch.setattr(history.os, "getloadavg", lambda: (3.4, 0.0, 0.0))
    monitor = history.LoadMonitor()
    monitor.sample()
    clock.update(cpu=190.0, wall=100.0)
    assert monitor.summary() == {"cores_used": 1.9, "load_average": 3.4, "other_load": 1.5,
                                 "shared": True}


def test_machine_busy_seconds_grow_with_work():
    before = history.machine_busy_seconds()
    if before is None:
        pytest.skip("no /proc/stat on this system")
    sum(range(3_000_000))  # Some CPU work.
    assert history.machine_busy_seconds() > before
