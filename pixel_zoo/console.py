"""How the commands talk to a person: quiet TensorFlow logs, one-line errors, a compile cache.

The ``pixel-zoo`` command and the absl trainers share these rules:

* TensorFlow's start-up chatter (CUDA, cpu_feature_guard, XLA) is hidden unless the command
  line has ``--verbose``: `quiet_tensorflow` imports TensorFlow with its logs off, so it must
  run first (the ``trainers`` package does it on import; ``pixel-zoo`` before a command that
  needs TensorFlow). The library itself never imports this module.
* A mistake of the user's (a ``ValueError``, ``FileNotFoundError`` or ``FileExistsError``
  raised with a clear message, or a flag absl cannot parse) is printed as one line,
  ``program: error: message``, exit status 2, without a traceback or the ``--help`` text;
  ``--verbose`` shows the traceback.
* Ctrl-C prints one line (``program: interrupted``, exit status 130), not a traceback; the
  trainer instead finishes its step and checkpoints it (`pixel_zoo.training.preemption`).
* XLA's compiled programs are kept on disk (`use_compilation_cache`), so a new process does
  not compile the sampler again.

Example (an absl trainer):
    >>> console.quiet_tensorflow(console.verbose_requested())   # before TensorFlow is imported
    >>> from pixel_zoo import training
    >>> if __name__ == "__main__":
    ...     console.run(main)                   # app.run(main) with short errors
"""

import contextlib
import logging
import os
import sys
import tempfile

USER_ERRORS = (ValueError, FileNotFoundError, FileExistsError)
USAGE_EXIT_CODE = 2


def verbose_requested(argv=None):
    """Whether ``argv`` (default ``sys.argv``) asks for ``--verbose``."""
    return any(arg in ("--verbose", "--verbose=true", "--verbose=True")
               for arg in (sys.argv if argv is None else argv))


def quiet_tensorflow(verbose=False):
    """Imports TensorFlow with its info and warning logs (C++ and Python) off, unless ``verbose``.

    The C++ level is read once, when TensorFlow is imported, and a few lines
    (``cudart_stub``) are written before TensorFlow's logging starts: those are
    caught during the import and shown only if it fails. An explicit
    ``TF_CPP_MIN_LOG_LEVEL`` in the environment wins.
    """
    if verbose or "tensorflow" in sys.modules:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    # absl's own logger: a plain logging.getLogger("absl"), made before absl is imported,
    # names absl's file as every line's caller, and the filter would never see TensorFlow's.
    from absl import logging as absl_logging  # pylint: disable=import-outside-toplevel

    absl_logging.get_absl_logger().addFilter(_no_library_info)
    with _native_stderr_caught():
        import tensorflow  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import


def _no_library_info(record):
    """Drops the info lines that TensorFlow and Keras log through absl (checkpoint sharding,
    ...); pixel_zoo's own info lines, and every warning, pass."""
    parts = record.pathname.split(os.sep)
    return record.levelno >= logging.WARNING or not ({"tensorflow", "keras"} & set(parts))


@contextlib.contextmanager
def _native_stderr_caught():
    """Sends file descriptor 2 (where C++ libraries write) to a temporary file; replays it
    if the block raises."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            caught.seek(0)
            sys.stderr.write(caught.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def compilation_cache_dir():
    """Where compiled XLA programs are kept: ``$PIXEL_ZOO_XLA_CACHE``, else
    ``$XDG_CACHE_HOME/pixel_zoo/xla`` (``~/.cache/pixel_zoo/xla``); ``""`` turns it off."""
    if "PIXEL_ZOO_XLA_CACHE" in os.environ:
        return os.environ["PIXEL_ZOO_XLA_CACHE"]
    cache_home = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(cache_home, "pixel_zoo", "xla")


def use_compilation_cache():
    """Keeps XLA's compiled programs on disk, so a new process skips compiling the sampler.

    Sets TensorFlow's ``--tf_xla_persistent_cache_directory`` in ``TF_XLA_FLAGS`` (read
    once, when TensorFlow first compiles), unless the flags already name a cache.
    """
    directory = compilation_cache_dir()
    flags = os.environ.get("TF_XLA_FLAGS", "")
    if directory and "tf_xla_persistent_cache_directory" not in flags:
        os.makedirs(directory, exist_ok=True)
        os.environ["TF_XLA_FLAGS"] = f"{flags} --tf_xla_persistent_cache_directory={directory}" \
            .strip()


def exit_with(error, program):
    """Prints ``program: error: <message>`` on stderr and exits with status 2."""
    print(f"{program}: error: {error}", file=sys.stderr)
    sys.exit(USAGE_EXIT_CODE)


def exit_interrupted(program):
    """Prints ``program: interrupted`` on stderr and exits with SIGINT's status, 130."""
    print(f"{program}: interrupted", file=sys.stderr)
    sys.exit(128 + 2)


def run(main, argv=None):
    """``absl.app.run(main)``, with a user error printed as one line instead of a traceback.

    A flag error (an unknown flag, a bad value, a missing required flag), and
    ``app.UsageError`` (unexpected arguments), are printed the same way rather than
    with absl's ``FATAL Flags parsing error`` or the whole ``--help`` text.
    ``--verbose`` shows the traceback of a user error.
    """
    # Imported here: only the absl trainers need absl.
    from absl import app, flags  # pylint: disable=import-outside-toplevel

    if "verbose" not in flags.FLAGS:
        flags.DEFINE_bool("verbose", False, "Show TensorFlow's logs and full tracebacks.")
    program = os.path.basename(sys.argv[0])

    def parse_flags(args):
        try:
            return flags.FLAGS(args)
        except flags.Error as error:
            exit_with(" ".join(str(error).split()), program)  # absl's may span lines

    def checked_main(args):
        try:
            return main(args)
        except (app.UsageError, *USER_ERRORS) as error:
            if flags.FLAGS.verbose:
                raise
            exit_with(error, program)
        except KeyboardInterrupt:
            if flags.FLAGS.verbose:
                raise
            exit_interrupted(program)

    app.run(checked_main, argv, flags_parser=parse_flags)
