"""What a person sees from the commands: no TensorFlow for cards, quiet logs, one-line errors."""

import json
import os
import pathlib
import subprocess
import sys
import textwrap
import time

import pytest

from pixel_zoo import console

ROOT = pathlib.Path(__file__).resolve().parents[1]


def run_python(code, *args, env=None):
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("TF_CPP_MIN_LOG_LEVEL", "TF_XLA_FLAGS")}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=240,
                          env={**environment, **(env or {})}, check=False)


def test_import_list_info_and_a_failing_eval_do_not_import_tensorflow():
    result = run_python("""
        import sys, time
        import pixel_zoo as pz
        assert "tensorflow" not in sys.modules, "import pixel_zoo"
        from pixel_zoo import cli
        cli.main(["list"])
        cli.main(["info", "pixelcnn_binarized_mnist"])
        assert "tensorflow" not in sys.modules, "list, info"
        assert pz.zoo.get("pixelcnn_binarized_mnist").num_levels == 2
        start = time.perf_counter()
        try:
            cli.main(["eval", "pixelcnn_binarized_mnist", "--data", ""])  # $PIXEL_ZOO_DATA unset
        except SystemExit as error:
            assert error.code == 2
        assert time.perf_counter() - start < 1.0
        assert "tensorflow" not in sys.modules, "eval without data"
    """)
    assert result.returncode == 0, result.stderr
    assert "pixelcnn_binarized_mnist" in result.stdout and "# pixelcnn_binarized_mnist" in \
        result.stdout
    assert result.stderr == ("pixel-zoo: error: the data folder is an empty path: set a data "
                             "folder (--data_dir, --data or $PIXEL_ZOO_DATA) to a folder, or "
                             "leave it unset to use tensorflow-datasets.\n")


def test_sampling_does_not_import_tensorflow_probability():
    # TFP is imported at the first log_prob: it would add seconds to a cold `pixel-zoo sample`.
    result = run_python("""
        import sys
        import pixel_zoo as pz
        from pixel_zoo import cli
        for name, sizes in (("pixelcnn", {}), ("pixelcnn_pp", {"num_hierarchies": 2})):
            model = pz.models.build(name, (3, 3, 1), 2, num_layers=1, hidden_units=4, **sizes)
            model.sample(2, seed=1)
        assert "tensorflow_probability" not in sys.modules, "sampling imported it"
        model.log_prob(model.sample(2, seed=1))
        assert "tensorflow_probability" in sys.modules
    """)
    assert result.returncode == 0, result.stderr


def test_tensorflow_imports_without_a_line_on_stderr():
    result = run_python("""
        import logging
        from pixel_zoo import console
        console.quiet_tensorflow()
        import tensorflow as tf
        tf.function(lambda x: x * 2, jit_compile=True)(tf.ones(3))
        absl_logger, kept = logging.getLogger("absl"), []
        handler = logging.Handler()
        handler.emit = kept.append
        absl_logger.addHandler(handler)
        for path in ("/venv/tensorflow/python/checkpoint/functional_saver.py",
                     "/repo/pixel_zoo/training/progress.py"):
            absl_logger.handle(logging.makeLogRecord(
                {"name": "absl", "levelno": logging.INFO, "pathname": path, "msg": path}))
        print([record.msg for record in kept])
    """)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == "['/repo/pixel_zoo/training/progress.py']\n"  # TF's info lines go


ABSL_PROGRAM = """
    from pixel_zoo import console

    def main(argv):
        raise ValueError("--dataset=x: the data folder /nowhere does not exist")

    console.run(main)
"""


def test_a_user_error_is_one_line_and_verbose_shows_the_traceback():
    result = run_python(ABSL_PROGRAM)
    assert result.returncode == 2
    assert result.stderr == "-c: error: --dataset=x: the data folder /nowhere does not exist\n"
    verbose = run_python(ABSL_PROGRAM, "--verbose")
    assert verbose.returncode != 0 and "Traceback" in verbose.stderr


def test_ctrl_c_in_an_absl_command_is_one_line_and_exit_130():
    result = run_python("""
        from pixel_zoo import console

        def main(argv):
            raise KeyboardInterrupt

        console.run(main)
    """)
    assert result.returncode == 130
    assert result.stderr == "-c: interrupted\n"


ABSL_FLAGS_PROGRAM = """
    from absl import flags
    from pixel_zoo import console

    flags.DEFINE_string("model_dir", None, "The run's folder.")
    flags.DEFINE_integer("batch_size", 32, "Global batch size.")
    flags.DEFINE_enum("model", "pixelcnn", ["pixelcnn", "row_lstm"], "Model family.")
    flags.mark_flag_as_required("model_dir")

    console.run(lambda argv: print("ran"))
"""


@pytest.mark.parametrize("args, message", [
    (["--model_dir=/tmp/run", "--batch_sise=8"],
     "Unknown command line flag 'batch_sise'. Did you mean: batch_size ?"),
    (["--model_dir=/tmp/run", "--batch_size=eight"],
     "flag --batch_size=eight: invalid literal for int() with base 10: 'eight'"),
    (["--model_dir=/tmp/run", "--model=pixelcnnn"],
     "flag --model=pixelcnnn: value should be one of <pixelcnn|row_lstm>"),
    ([], "flag --model_dir=None: Flag --model_dir must have a value other than None."),
])
def test_a_flag_error_is_one_line_with_exit_status_2(args, message):
    result = run_python(ABSL_FLAGS_PROGRAM, *args)
    assert (result.returncode, result.stderr, result.stdout) == (2, f"-c: error: {message}\n", "")


def test_compilation_cache_goes_into_tf_xla_flags(tmp_path, monkeypatch):
    monkeypatch.setenv("PIXEL_ZOO_XLA_CACHE", str(tmp_path / "xla"))
    monkeypatch.setenv("TF_XLA_FLAGS", "--tf_xla_auto_jit=0")
    console.use_compilation_cache()
    assert os.environ["TF_XLA_FLAGS"] == (
        f"--tf_xla_auto_jit=0 --tf_xla_persistent_cache_directory={tmp_path / 'xla'}")
    assert (tmp_path / "xla").is_dir()
    console.use_compilation_cache()  # a cache already named is kept
    assert os.environ["TF_XLA_FLAGS"].count("tf_xla_persistent_cache_directory") == 1
    monkeypatch.setenv("PIXEL_ZOO_XLA_CACHE", "")
    monkeypatch.delenv("TF_XLA_FLAGS")
    console.use_compilation_cache()  # "" turns it off
    assert "TF_XLA_FLAGS" not in os.environ


CHECKPOINTING_PROGRAM = """
import logging

from pixel_zoo import console

console.quiet_tensorflow()
import tensorflow as tf
from absl import app
from absl import logging as absl_logging


def main(argv):
    checkpoint = tf.train.Checkpoint(weight=tf.Variable(1.0))
    tf.train.CheckpointManager(checkpoint, argv[1], max_to_keep=1).save()
    absl_logging.info("checkpoint saved")
    absl_logging.get_absl_logger().handle(logging.makeLogRecord(
        {"name": "absl", "levelno": logging.WARNING, "levelname": "WARNING",
         "pathname": "/venv/tensorflow/python/checkpoint/functional_saver.py",
         "msg": "a real warning"}))


app.run(main)
"""


def test_a_checkpoint_save_logs_no_sharding_line_and_keeps_warnings(tmp_path):
    # TensorFlow logs "Sharding callback duration: 62 microseconds" through absl at every save.
    program = tmp_path / "checkpointing.py"
    program.write_text(CHECKPOINTING_PROGRAM)
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("TF_CPP_MIN_LOG_LEVEL", "TF_XLA_FLAGS")}  # as a user's
    result = subprocess.run([sys.executable, str(program), str(tmp_path / "checkpoints")],
                            check=False, cwd=ROOT, capture_output=True, text=True, timeout=240,
                            env={**environment, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert "Sharding callback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert "checkpointing.py:" in lines[0] and lines[0].endswith("] checkpoint saved")
    assert lines[1].endswith("] a real warning")


MODEL = "pixelcnn_binarized_mnist"
OUT = "OUT"  # replaced by a path in the test's temporary folder
# A mistake in each command's names and numbers, and the start of its one-line error.
MISTAKES = [
    (["info", "pixelcnn_binarized_mnst"], "No zoo model 'pixelcnn_binarized_mnst'. Did you"),
    (["sample", "pixelcnn_binarized_mnst", "--out", OUT], "No zoo model"),
    (["sample", MODEL, "--num", "0", "--out", OUT], "--num must be a positive integer"),
    (["sample", MODEL, "--temperature", "nan", "--out", OUT], "--temperature must be > 0"),
    (["sample", MODEL, "--scale", "0", "--out", OUT], "--scale must be a positive integer"),
    (["sample", MODEL, "--labels", "1", "--out", OUT], f"{MODEL} is not class-conditional"),
    (["sample", MODEL, "--num", "many", "--out", OUT], "argument --num: invalid int value"),
    (["complete", MODEL, "--image", "binarized_mnist:valid:7", "--known-rows", "29", "--out",
      OUT], "--known-rows must be in [0, 28]"),
    (["complete", MODEL, "--image", "binarized_mnist:valid:7", "--known-rows", "-1", "--out",
      OUT], "--known-rows must be an integer >= 0"),
    (["complete", MODEL, "--image", "binarized_mnist:tset:7", "--known-rows", "14", "--out",
      OUT], "binarized_mnist: unknown split 'tset'"),
    (["complete", MODEL, "--image", "digit.png", "--known-rows", "14", "--out", OUT],
     "'digit.png' is no image file, nor DATASET:SPLIT:INDEX"),
    (["complete", MODEL, "--image", "binarized_mnist:valid:7", "--num", "0", "--known-rows",
      "14", "--out", OUT], "--num must be a positive integer"),
    (["eval", MODEL, "--dataset", "binarized_mnst"], "unknown dataset 'binarized_mnst'"),
    (["eval", MODEL, "--split", "tset"], "binarized_mnist: unknown split 'tset'"),
    (["eval", MODEL, "--batch-size", "0"], "--batch-size must be a positive integer"),
    (["eval", MODEL, "--batches", "-1"], "--batches must be an integer >= 0"),
    (["export", MODEL, "--export_dir", OUT, "--version", "0"], "--version must be a positive"),
    (["export", MODEL, "--export_dir", OUT, "--ood"], f"{MODEL} has no background model"),
    (["ood", MODEL, "--in", "mnist:test", "--out", "noise:uniform"], f"{MODEL} has no backg"),
    (["ood", "pixelcnn_fashion_mnist", "--in", "fashion_mnist:tset", "--out", "noise:uniform"],
     "fashion_mnist: unknown split 'tset'"),
    (["ood", "pixelcnn_fashion_mnist", "--in", "noise:uniform", "--out", "nmist:test"],
     "unknown dataset 'nmist'"),
    (["ood", "pixelcnn_fashion_mnist", "--in", "noise:uniform", "--out", "noise:normal"],
     "unknown noise 'normal'"),
    (["ood", "pixelcnn_fashion_mnist", "--in", "fashion_mnist:test", "--out", "mnist:test",
      "--num", "0"], "--num must be a positive integer"),
    (["compress", "pixelcnn_binarized_mnst", "binarized_mnist:valid", "--out", OUT],
     "No zoo model 'pixelcnn_binarized_mnst'"),
    (["compress", MODEL, "digit.png", "--out", OUT],
     "'digit.png' is no image file, nor DATASET:SPLIT or DATASET:SPLIT:INDEX"),
    (["compress", MODEL, "binarized_mnist:tset", "--out", OUT],
     "binarized_mnist: unknown split 'tset'"),
    (["compress", MODEL, "binarized_mnist:valid", "--batch-size", "0", "--out", OUT],
     "--batch-size must be a positive integer"),
    (["compress", MODEL, "binarized_mnist:valid", "--out", OUT, "--levels", "3"],
     "unrecognized arguments: --levels"),
    (["decompress", "digits.pzc", "--out", OUT], "digits.pzc: no such file."),
]

RUN_MISTAKES = """
    import contextlib, io, json, sys, time
    from pixel_zoo import cli

    results = []
    for argv in json.loads(sys.argv[1]):
        error, start = io.StringIO(), time.perf_counter()
        with contextlib.redirect_stderr(error):
            try:
                cli.main(argv)
                code = 0
            except SystemExit as exit_info:
                code = exit_info.code
        results.append((code, error.getvalue(), time.perf_counter() - start,
                        "tensorflow" in sys.modules))
    print(json.dumps(results))
"""


def test_a_wrong_name_or_number_fails_at_once_without_tensorflow(tmp_path):
    # An empty data folder: the names are checked before the data is looked for.
    commands = [[str(tmp_path / "out") if arg == OUT else arg for arg in argv]
                for argv, _ in MISTAKES]
    result = run_python(RUN_MISTAKES, json.dumps(commands),
                        env={"PIXEL_ZOO_DATA": str(tmp_path), "TFDS_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    for (argv, message), (code, error, seconds, tensorflow) in zip(
            MISTAKES, json.loads(result.stdout)):
        assert code == 2, (argv, error)
        assert error.startswith("pixel-zoo") and ": error: " + message in error, (argv, error)
        assert error.count("\n") == 1, (argv, error)
        assert seconds < 1.0 and not tensorflow, (argv, seconds)
    start = time.perf_counter()
    command = run_python("from pixel_zoo import cli; cli.main()", "sample", MODEL, "--num", "0",
                         "--out", str(tmp_path / OUT))
    assert time.perf_counter() - start < 2.0
    assert (command.returncode, command.stderr) == (
        2, "pixel-zoo: error: --num must be a positive integer, got 0.\n")


def test_without_data_a_command_says_where_it_looked_and_downloads_nothing(tmp_path):
    # Unset, tensorflow-datasets retried its download for minutes and left empty folders.
    tfds_dir = tmp_path / "tensorflow_datasets"
    environment = {key: value for key, value in os.environ.items() if key != "PIXEL_ZOO_DATA"}
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", "from pixel_zoo import cli; cli.main()", "eval", MODEL], cwd=ROOT,
        check=False, capture_output=True, text=True, timeout=60,
        env={**environment, "TFDS_DATA_DIR": str(tfds_dir), "HOME": str(tmp_path)})
    assert time.perf_counter() - start < 2.0
    assert result.returncode == 2
    assert result.stderr == (
        f"pixel-zoo: error: binarized_mnist: no data folder is set and tensorflow-datasets has "
        f"no copy in {tfds_dir}. Point a data folder (--data_dir, --data or $PIXEL_ZOO_DATA) "
        "at the folder that holds binarized_mnist.npz, or pass --download (download=True) to "
        "download it with tensorflow-datasets.\n")
    assert list(tmp_path.iterdir()) == []
