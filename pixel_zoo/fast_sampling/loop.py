"""The fast sampler's generation loop: rows, then pixels, then channels, in one graph.

The loop drives a `pixel_zoo.fast_sampling.network.CachedNetwork`, which
computes one position's logits at a time from caches of earlier positions:
`start_row` once per row (given the complete row above), `step` once per
channel of each pixel (given the current row so far).

Each unknown position's values come from ``choose(logits, position)``: the
sampler's draws (`pixel_zoo.sampling.draw`, from ``stateless_fold_in(seed,
position)``, so both samplers give the same images for a seed wherever the two
networks' logits agree to within float round-off), or the codec's symbols
(`pixel_zoo.codec`). Known positions are not chosen: their values are fed
through the network to fill the caches (a completion costs as much as a
sample). Each row starts from its values in ``images`` and gets its chosen
values one position at a time.

Example:
    >>> network = fast_sampling.cached_network(model)   # an (8, 8, 1) model
    >>> blank = tf.zeros((4, 8, 8, 1), tf.int32)
    >>> choose = functools.partial(sampling.draw, seed=(1, 2), temperature=1.0)
    >>> generate(network, blank, sampling.known_before(blank, 0), choose).shape
    TensorShape([4, 8, 8, 1])
"""

import tensorflow as tf


def generate(network, images, known, choose):
    """Fills the positions of ``images`` that ``known`` does not mark, with ``network``'s caches.

    Args:
      network: a `CachedNetwork` of the model.
      images, known: int32 ``[B, H, W, C]``, as `pixel_zoo.sampling.autoregressive_fill`
        takes them.
      choose: ``(logits [B, L], flat position) -> int32 [B]``, the values at an
        unknown position.

    Returns:
      int32 ``[B, H, W, C]``.
    """
    _, height, width, channels = images.shape
    given_rows = tf.transpose(images, (1, 2, 0, 3))  # (H, W, B, C)
    known_rows = tf.transpose(known, (1, 2, 0, 3))
    # Where each (column, channel) of a row is, for writing one value into a row.
    places = tf.reshape(tf.eye(width * channels, dtype=tf.int32), (-1, width, 1, channels))

    def fill_row(row, state, previous_pixels, rows):
        state = network.start_row(state, row, previous_pixels)

        def fill_position(index, state, pixels):
            column, channel = index // channels, index % channels
            position = row * width * channels + index
            logits, state = network.step(state, pixels, row, column, channel)
            value = tf.where(
                known_rows[row, column, :, channel] > 0,
                pixels[column, :, channel],
                choose(logits, position),
            )  # (B,)
            place = places[index]  # (W, 1, C)
            pixels = pixels * (1 - place) + value[None, :, None] * place
            return index + 1, state, pixels

        _, state, pixels = tf.while_loop(
            lambda index, *_: index < width * channels,
            fill_position,
            (0, state, given_rows[row]),
        )
        return row + 1, state, pixels, rows.write(row, pixels)

    batch_size = tf.shape(images)[0]
    _, _, _, rows = tf.while_loop(
        lambda row, *_: row < height,
        fill_row,
        (
            0,
            network.initial_state(batch_size),
            tf.zeros_like(given_rows[0]),
            tf.TensorArray(tf.int32, size=height),
        ),
    )
    return tf.transpose(rows.stack(), (2, 0, 1, 3))  # (B, H, W, C)
