"""What a person sees from the commands: no TensorFlow for cards, quiet logs, one-line errors."""

import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

from pixel_zoo import console

ROOT = pathlib.Path(__file__).resolve().parents[1]


def run_python(code, *args, env=None):
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("TF_CPP_MIN_LOG_LEVEL", "TF_XLA_FLAGS")}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=240,
                          env={**environment, **(env or {})})


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
