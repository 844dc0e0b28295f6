r"""Times the long commands of README.md and docs/ (`trainers.timed_commands`), as written there.

Run it alone on the machine (the figures go into the README; other jobs would slow them):

    python bench/durations.py                     # every command: bench/results/durations.json
    python bench/durations.py --only=eval,ood     # these; the others' figures are kept
    python bench/durations.py --quick             # smoke test: shortened commands, nothing kept

then ``python -m trainers.readme_tables`` writes each duration beside its command. Each
command is read from its page and run as it stands there (a shell command with ``bash -c``,
a Python example with ``python -c``), in a scratch folder laid out as a clone's: ``.venv``
links to this Python's environment and ``../shared/data`` to the data folder
(``$PIXEL_ZOO_DATA``, else ``../shared/data`` beside this repository, as the README has it),
this repository is on ``PYTHONPATH`` and the environment's ``bin`` (``pixel-zoo``) on
``PATH``, ``PIXEL_ZOO_DATA`` is set, and the ``runs/`` it writes are thrown away. Recorded per
command: its text, the wall seconds, the machine's cores (and those this process may use),
the mean 1-minute load average sampled during the run, the cores the command used and the
cores other processes used meanwhile (``/proc/stat``), and the date.

``--quick`` shortens the commands that can be (a 2-step training, one evaluation batch, 50
images per OOD set) and skips the others; it writes nothing unless ``--results`` is given.
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time

from absl import app, flags

from pixel_zoo.provenance import history
from trainers import timed_commands

_ONLY = flags.DEFINE_list("only", list(timed_commands.COMMANDS), "The commands to time.")
_QUICK = flags.DEFINE_bool("quick", False, "Shortened commands, a smoke test; kept nowhere "
                           "unless --results is given.")
_RESULTS = flags.DEFINE_string("results", str(timed_commands.RESULTS),
                               "The JSON file the durations are merged into.")

# What --quick appends to a command (absl and argparse take a flag's last value).
QUICK = {"train": " --train_steps=2 --eval_batches=1", "eval": " --batches 1",
         "ood": " --num 50"}
SAMPLE_SECONDS = 5.0


def scratch_clone(scratch, data_dir):
    """A working folder in ``scratch`` where the pages' relative paths resolve (see above).

    Example:
        >>> work = scratch_clone("/tmp/scratch", "/data/pixel_zoo")
        >>> os.path.realpath(os.path.join(work, "../shared/data"))
        '/data/pixel_zoo'
    """
    work = os.path.join(scratch, "pixel_zoo")
    os.makedirs(work)
    os.makedirs(os.path.join(scratch, "shared"))
    os.symlink(sys.prefix, os.path.join(work, ".venv"))
    os.symlink(os.path.abspath(data_dir), os.path.join(scratch, "shared", "data"))
    return work


def time_command(kind, text, work, env):
    """Runs one command in ``work``; returns its measurements (see the module docstring).

    Raises:
      RuntimeError: the command failed (the end of its output is in the message).

    Example:
        >>> time_command("shell", "pixel-zoo eval pixelcnn_binarized_mnist", work, env)
        {'command': 'pixel-zoo eval pixelcnn_binarized_mnist', 'seconds': 112.4, ...}
    """
    argv = [sys.executable, "-c", text] if kind == "python" else ["bash", "-c", text]
    log_path = os.path.join(work, "output.log")
    busy, children = history.machine_busy_seconds(), resource.getrusage(resource.RUSAGE_CHILDREN)
    date, start, loads = history.now(), time.perf_counter(), [os.getloadavg()[0]]
    with open(log_path, "w") as log:
        process = subprocess.Popen(argv, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
        while True:
            try:
                process.wait(timeout=SAMPLE_SECONDS)
                break
            except subprocess.TimeoutExpired:
                loads.append(os.getloadavg()[0])
    seconds = time.perf_counter() - start
    if process.returncode:
        with open(log_path) as log:
            raise RuntimeError(f"{text!r} failed (exit status {process.returncode}):\n"
                               f"{log.read()[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    now_busy = history.machine_busy_seconds()
    return {"command": text, "seconds": round(seconds, 1), "date": date,
            "machine_cores": os.cpu_count(), "cores_allowed": len(os.sched_getaffinity(0)),
            "load_average": round(sum(loads) / len(loads), 2),
            "cores_used": round(cpu / seconds, 2),
            "other_cores": None if busy is None else round(
                max(now_busy - busy - cpu, 0.0) / seconds, 2)}


def main(argv):
    del argv
    unknown = set(_ONLY.value) - set(timed_commands.COMMANDS)
    if unknown:
        sys.exit(f"--only: no timed command {sorted(unknown)}; "
                 f"there are {sorted(timed_commands.COMMANDS)}")
    data_dir = os.environ.get("PIXEL_ZOO_DATA",
                              os.path.join(timed_commands.ROOT, "..", "shared", "data"))
    bin_dir = os.path.join(sys.prefix, "bin")
    env = {**os.environ, "PIXEL_ZOO_DATA": os.path.abspath(data_dir),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(timed_commands.ROOT),
                                                      os.environ.get("PYTHONPATH")])),
           "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")])}
    measured = {}
    with tempfile.TemporaryDirectory(prefix="pixel_zoo_durations_") as scratch:
        work = scratch_clone(scratch, data_dir)
        for name in _ONLY.value:
            if _QUICK.value and name not in QUICK:
                print(f"{name}: skipped (--quick)", flush=True)
                continue
            kind, text = timed_commands.command(name)
            text += QUICK[name] if _QUICK.value else ""
            measured[name] = time_command(kind, text, work, env)
            print(f"{name}: {json.dumps(measured[name])}", flush=True)
    if _QUICK.value and not _RESULTS.present:
        return
    results = {"commands": {}}
    if os.path.isfile(_RESULTS.value):
        with open(_RESULTS.value) as file:
            results = json.load(file)
    results["commands"].update(measured)
    os.makedirs(os.path.dirname(os.path.abspath(_RESULTS.value)), exist_ok=True)
    with open(_RESULTS.value, "w") as file:
        json.dump(results, file, indent=2, sort_keys=True)
    print(f"wrote {_RESULTS.value}; now run python -m trainers.readme_tables")


if __name__ == "__main__":
    app.run(main)
