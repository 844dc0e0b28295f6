""""Did you mean" hints for mistyped names (datasets, model families, zoo models)."""

import difflib


def did_you_mean(name, choices):
    """``" Did you mean 'x'?"`` for the choices closest to ``name``, else ``""``.

    Example:
        >>> did_you_mean("pixelcn", ["pixelcnn", "row_lstm"])
        " Did you mean 'pixelcnn'?"
    """
    close = difflib.get_close_matches(str(name), [str(choice) for choice in choices], n=2)
    return f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
