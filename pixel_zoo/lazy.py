"""Lazy package attributes (PEP 562): a submodule is imported when first used, not at import.

``import pixel_zoo`` then costs milliseconds, and commands that only read model cards
(``pixel-zoo list``) never import TensorFlow.

Example (a package's ``__init__.py``):
    >>> __getattr__, __dir__ = lazy.attach(__name__, submodules=("models", "zoo"),
    ...                                    attributes={"load": "loading"})
    >>> pz.models.build(...)     # imports pixel_zoo.models here
"""

import importlib
import sys


def attach(package, submodules=(), attributes=None):
    """The ``__getattr__`` and ``__dir__`` of a package that imports its parts on first use.

    Args:
      package: the package's ``__name__``.
      submodules: names of submodules that become attributes of the package.
      attributes: ``{name: submodule}``: attribute ``name`` of the package is the
        attribute of the same name in ``package.submodule``.

    Returns:
      ``(__getattr__, __dir__)``, to assign at the package's top level.
    """
    attributes = dict(attributes or {})
    names = sorted({*submodules, *attributes})

    def __getattr__(name):
        if name in submodules:
            value = importlib.import_module(f"{package}.{name}")
        elif name in attributes:
            value = getattr(importlib.import_module(f"{package}.{attributes[name]}"), name)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        setattr(sys.modules[package], name, value)  # the next lookup skips __getattr__
        return value

    def __dir__():
        return sorted({*vars(sys.modules[package]), *names})

    return __getattr__, __dir__
