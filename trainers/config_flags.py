"""Absl flags made from a dataclass: each field's name, type, default and help, said once.

A field's ``metadata["help"]`` is its flag's help text, and ``metadata["choices"]`` (a
tuple, or a function returning one) makes the flag an enum. ``str``, ``int``, ``float`` and
``bool`` fields (``| None`` too) give flags of that type, a ``tuple`` field a comma-separated
list; a field without a default gives a required flag.

Example (``trainers/train.py``):
    >>> config_flags.define_flags(TrainConfig, defaults={"data_dir": os.environ.get(...)})
    >>> config = TrainConfig.from_flags(flags.FLAGS)      # after absl parsed the command line
"""

import dataclasses
import types
import typing

from absl import flags

# The flags belong to the script that calls define_flags: its --help lists them.
flags.disclaim_key_flags()

_DEFINES = {str: flags.DEFINE_string, int: flags.DEFINE_integer, float: flags.DEFINE_float,
            bool: flags.DEFINE_bool, tuple: flags.DEFINE_list}


def define_flags(config_class, defaults=None, flag_values=flags.FLAGS):
    """Defines one flag for each field of the dataclass ``config_class``, of the same name.

    Args:
      config_class: a dataclass whose fields each have a ``metadata["help"]``.
      defaults: flag defaults that differ from the fields' (e.g. from the environment),
        by field name.
      flag_values: the absl flag registry to define them in.
    """
    defaults = defaults or {}
    for field in dataclasses.fields(config_class):
        required = field.default is dataclasses.MISSING and field.name not in defaults
        default = defaults.get(field.name, None if required else field.default)
        help_text, choices = field.metadata["help"], field.metadata.get("choices")
        if choices is not None:
            flags.DEFINE_enum(field.name, default, choices() if callable(choices) else choices,
                              help_text, flag_values=flag_values)
        else:
            define = _DEFINES[_flag_type(field.type)]
            define(field.name, list(default) if isinstance(default, tuple) else default,
                   help_text, flag_values=flag_values)
        if required:
            flags.mark_flag_as_required(field.name, flag_values=flag_values)


def _flag_type(annotation):
    """``int`` for ``int``, ``int | None`` and ``typing.Optional[int]``; ``tuple`` for
    ``tuple[float, ...]``."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        (annotation,) = [kind for kind in typing.get_args(annotation) if kind is not type(None)]
    return typing.get_origin(annotation) or annotation
