"""Starting a deeper (or wider) model from a trained one, at its distribution.

A model of the same family and hyperparameters but more residual blocks
(``num_layers``) takes every weight of the trained model (matched by path: the
input layer, blocks ``0 .. n-1``, the logits stack); each extra block starts with
its output convolutions zeroed (``start_as_identity``), so it adds nothing to the
stream it sits on and the deeper model computes exactly the trained model's
distribution before its first step. Training then grows the new blocks from
there: a capacity-bound zoo entry gains depth without starting over
(``--init_from=zoo:NAME --num_layers=MORE``).

PixelCNN++ grows on every resolution of its U-net, where the new blocks must sit
so that every trained block still reads what it did (`_unet_growth`). A model may
also grow wider (``--hidden_units=MORE``): its new channels start at zero
(`pixel_zoo.training.widening`); gated_pixelcnn and row_lstm only on one-channel
images, where the masks do not split features into colour groups that widening would
redraw (`_keeps_its_width` says why the others cannot).

Example:
    >>> trained = pz.zoo.load("pixelcnn_binarized_mnist")               # 16 blocks
    >>> deeper = pz.models.build("pixelcnn", (28, 28, 1), 2, num_layers=20,
    ...                          hidden_units=64, output_units=128)
    >>> copy_weights(deeper, trained)                                   # 4 new blocks
    4
    >>> # deeper.log_prob(images) == trained.log_prob(images)
"""

from pixel_zoo.models.pixel_cnn import PixelCNN
from pixel_zoo.models.pixel_cnn_pp import PixelCNNPP
from pixel_zoo.models.pixel_rnn import PixelRNN
from pixel_zoo.training import widening


def copy_weights(model, trained):
    """Copies ``trained``'s weights into ``model``; returns the number of new blocks.

    Every weight of ``trained`` goes to the weight of ``model`` at the same path
    (for PixelCNN++, the path of the block in the same place), which must have its
    shape (a wider model: its shape, or wider); ``model``'s other weights must
    all lie in blocks that ``trained`` lacks, and those blocks start as identities.

    Args:
      model: a built model.
      trained: a built model of the same family, with the same weights or fewer blocks
        or fewer hidden units.

    Returns:
      How many of ``model``'s blocks had no counterpart and start as identities.

    Raises:
      ValueError: another family, weights of other shapes (other hyperparameters),
        or extra blocks of a family whose blocks cannot start as identities.
    """
    if type(model) is not type(trained):
        raise ValueError(f"a {type(trained).__name__} cannot start a {type(model).__name__}.")
    grow = _unet_growth if isinstance(model, PixelCNNPP) else _stack_growth
    renames, new_blocks, widths = grow(model, trained)
    targets = {_relative_path(variable): variable for variable in model.weights}
    pairs = [(targets.pop(_renamed(_relative_path(variable), renames), None), variable)
             for variable in trained.weights]
    misfits = [f"{_relative_path(source)} {tuple(source.shape)} -> "
               f"{tuple(target.shape) if target is not None else 'none'}"
               for target, source in pairs
               if target is None or not widening.fits(target.shape, source.shape, widths)]
    if misfits:
        raise ValueError(f"weights that do not fit (path: trained shape -> this model's): "
                         f"{', '.join(misfits)}.")
    left = sorted(path for path in targets
                  if not any(path.startswith(f"{block.name}/") for block in new_blocks))
    if left:
        raise ValueError(f"weights with no counterpart in the trained model: {left}.")
    if not all(hasattr(block, "start_as_identity") for block in new_blocks):
        raise ValueError(f"{type(model).__name__} blocks cannot start as identities, so "
                         f"the number of layers must stay {len(trained.blocks)}.")
    widening.copy(pairs, widths, model, trained)
    for block in new_blocks:
        block.start_as_identity()
    return len(new_blocks)


def _stack_growth(model, trained):
    """A stack of ``blocks``: the trained ones keep their names, the new ones come after.

    Returns ``({}, new blocks, (hidden units before, after))``, the widths None if equal.
    """
    trained_blocks = {block.name for block in getattr(trained, "blocks", [])}
    new_blocks = [block for block in getattr(model, "blocks", [])
                  if block.name not in trained_blocks]
    widths = (trained.hidden_units, model.hidden_units)
    if widths[0] == widths[1]:
        return {}, new_blocks, None
    if widths[1] < widths[0]:
        raise ValueError(f"hidden_units {widths[0]} -> {widths[1]} (fewer): a model grows "
                         f"only wider.")
    reason = _keeps_its_width(model)
    if reason:
        raise ValueError(f"a {type(model).__name__} {reason}, so it keeps its hidden_units "
                         f"({widths[0]}, not {widths[1]}).")
    return {}, new_blocks, widths


def _keeps_its_width(model):
    """Why a stacked model cannot start wider at its trained distribution; None if it can."""
    if model.color_channels > 1:
        return (f"of {model.color_channels}-channel images splits features into colour "
                f"groups, which widening would redraw")
    if isinstance(model, PixelCNN):
        return ("would start its new channels at zero before a ReLU, whose gradient there "
                "is zero: they would never learn")
    if isinstance(model, PixelRNN) and model.recurrent_layer == "diagonal_bilstm":
        return ("reads the image beside its features in the first backward input-to-state "
                "kernel, whose rows widening does not map")
    return None


def _unet_growth(model, trained):
    """PixelCNN++: ``(renames of trained blocks, new blocks, (hidden units before, after))``.

    At each resolution the up pass reads the down pass's outputs there in reverse
    order (`PixelCNNPP.unet` pops them), the level's input last. New down blocks go
    at the end of the level and new up blocks at its start: the identities repeat
    the level's last output, which the new up blocks read (and pass by), so each
    trained up block, renamed to its place after them, reads the skip it read before.
    """
    before, after = _fixed_sizes(trained), _fixed_sizes(model)
    changed = [f"{name} {before[name]} -> {after[name]}" for name in before
               if before[name] != after[name]]
    changed += [f"{name} {getattr(trained, name)} -> {getattr(model, name)} (fewer)"
                for name in ("num_layers", "hidden_units")
                if getattr(model, name) < getattr(trained, name)]
    if changed:
        raise ValueError(f"a PixelCNNPP grows only to more num_layers and hidden_units; "
                         f"these differ: {', '.join(changed)}.")
    extra = model.num_layers - trained.num_layers
    renames, new_blocks = {}, []
    for level in range(model.num_hierarchies):
        down = model.block_pairs(model.down_blocks, level)
        up = model.block_pairs(model.up_blocks, level)
        for old, new in zip(trained.block_pairs(trained.up_blocks, level), up[extra:]):
            renames.update((block.name, moved.name) for block, moved in zip(old, new))
        new_blocks += [block for pair in down[trained.num_layers:] + up[:extra] for block in pair]
    widths = (trained.hidden_units, model.hidden_units)
    return renames, new_blocks, widths if widths[0] != widths[1] else None


def _fixed_sizes(model):
    """What a PixelCNN++ keeps when it grows."""
    return {"num_hierarchies": model.num_hierarchies, "color channels": model.color_channels,
            "num_classes": model.num_classes, "weight_norm": model.weight_norm,
            "head": f"{type(model.head).__name__} of {model.head.units} units"}


def _relative_path(variable):
    """A variable's path below its model (``block_3/expand/kernel``)."""
    return variable.path.split("/", 1)[1]


def _renamed(path, renames):
    """``path`` with its block (its first part) renamed by ``renames``."""
    block, _, rest = path.partition("/")
    return f"{renames.get(block, block)}/{rest}"
