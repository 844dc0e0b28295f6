"""The coding loop: the fast sampler's loop, with the data's symbols in place of random draws.

Encoder and decoder run one and the same traced graph (`CodingGraph`, one per model and
batch size): the cached network of the model's family (`pixel_zoo.fast_sampling`) steps
through the positions in raster and channel order, and at each position a
`tf.numpy_function` hands the logits of the whole batch to Python, which returns the
position's values. The encoder's `Encoding` returns the images' symbols after range coding
them; the decoder's `Decoding` decodes them. Both feed the network the same values from the
same start (blank rows, filled one position at a time), so both see the very same logits,
which `probabilities` turns into the same float64 table and constriction's leaky quantized
categorical into the same integer frequencies (every level keeps a nonzero one).

The graph is not compiled with XLA, which cannot call Python: a step costs what the fast
sampler's does without XLA, plus a few tenths of a millisecond for the callback.

Example:
    >>> encoder = constriction.stream.queue.RangeEncoder()
    >>> graph = coding_graph(model, batch_size=4)
    >>> graph.run(Encoding(encoder, images, count=4))       # images uint8 [4, H, W, C]
    >>> decoder = constriction.stream.queue.RangeDecoder(encoder.get_compressed())
    >>> graph.run(Decoding(decoder, batch_size=4, count=4))  # the same images
"""

import contextlib
import threading
import weakref

import constriction
import numpy as np
import tensorflow as tf

from pixel_zoo import fast_sampling
from pixel_zoo.codec.file_format import CodecError

# Each leaky categorical is quantized from its probabilities when it codes (lazy).
_CATEGORICAL = constriction.stream.model.Categorical(perfect=False)
_GRAPHS = weakref.WeakKeyDictionary()  # model -> {batch_size: CodingGraph}


def coding_graph(model, batch_size):
    """The `CodingGraph` of ``model`` for batches of ``batch_size``, traced once per process.

    Example:
        >>> coding_graph(model, 64) is coding_graph(model, 64)
        True
    """
    graphs = _GRAPHS.setdefault(model, {})
    if batch_size not in graphs:
        graphs[batch_size] = CodingGraph(model, batch_size)
    return graphs[batch_size]


class CodingGraph:
    """The fast sampler's loop over a batch, each position's values chosen in Python.

    Args:
      model: a model whose family has a cached network (every family has).
      batch_size: the images of a run, fixed: a position's logits can depend on the
        batch's size in their last bits.

    One run at a time: a second thread's waits for the first's.

    Example:
        >>> images = coding_graph(model, 8).run(Decoding(decoder, 8, count=5))   # uint8 [8, ...]
    """

    def __init__(self, model, batch_size):
        self._model = weakref.ref(model)  # The graph captures its weights, not the model.
        self.batch_size = batch_size
        self._choose = None
        self._error = None
        self._lock = threading.Lock()
        self._run = tf.function(self._fill, autograph=False)

    def _fill(self, labels):
        model = self._model()
        blank = tf.zeros((self.batch_size, *model.image_shape), tf.int32)
        return fast_sampling.fill_with(model, blank, blank, self._choose_in_graph, labels)

    def _choose_in_graph(self, logits, position):
        values = tf.numpy_function(self._callback, [tf.cast(logits, tf.float32), position],
                                   tf.int32, stateful=True)
        return tf.ensure_shape(values, [self.batch_size])

    def _callback(self, logits, position):
        try:
            return np.asarray(self._choose(logits, int(position)), np.int32)
        except Exception as error:
            self._error = error  # Raised again by `run`, not as TensorFlow's wrapping of it.
            raise

    def run(self, choose, labels=None):
        """The batch's images, uint8 ``[batch_size, H, W, C]``, as ``choose`` chose them.

        Args:
          choose: ``(logits float32 [batch_size, L], flat position) -> [batch_size]``.
          labels: int32 ``[batch_size]`` for a class-conditional model, else None.

        Example:
            >>> argmax = lambda logits, position: logits.argmax(-1)
            >>> coding_graph(model, 4).run(argmax)      # the model's most likely images, greedily
        """
        with self._lock:
            self._choose, self._error = choose, None
            try:
                with _without_add_rewrites():
                    return self._run(labels).numpy().astype(np.uint8)
            except tf.errors.OpError:
                if self._error is not None:
                    raise self._error from None
                raise
            finally:
                self._choose = None


@contextlib.contextmanager
def _without_add_rewrites():
    """Turns off Grappler's arithmetic rewrites while the coding graph is set up and runs.

    Unlike the sampler, which XLA compiles, the coding graph runs as a plain graph, which
    Grappler optimizes; its arithmetic optimizer rewrote a long chain of adds inside the loop
    into temporary variables that collide between the loop's iterations (``AlreadyExistsError:
    Resource .../AddOpsRewrite_Leaf_0_add_127/tmp_var``, seen with
    gated_pixelcnn_binarized_mnist at batch 250). Grappler reads the setting when it
    instantiates the graph, at its first run.
    """
    before = tf.config.optimizer.get_experimental_options().get("arithmetic_optimization", True)
    tf.config.optimizer.set_experimental_options({"arithmetic_optimization": False})
    try:
        yield
    finally:
        tf.config.optimizer.set_experimental_options({"arithmetic_optimization": before})


def probabilities(logits):
    """float64 ``[B, L]`` proportional to the softmax of float32 ``logits`` ``[B, L]``.

    Both sides compute it from the same logits; constriction normalizes and quantizes it.

    Example:
        >>> probabilities(np.array([[0.0, np.log(3.0)]], np.float32))
        array([[0.33333333, 1.        ]])
    """
    logits = np.asarray(logits, np.float64)
    if not np.isfinite(logits).all():
        raise CodecError("the model's logits are not finite: it cannot code these images.")
    return np.exp(logits - logits.max(axis=-1, keepdims=True))


class Encoding:
    """The encoder's choice: each position's symbols, range coded first.

    Args:
      coder: a ``constriction.stream.queue.RangeEncoder`` (one for every batch of a file).
      images: uint8 ``[batch_size, H, W, C]``, the batch padded with blank images.
      count: the batch's images that are coded (the first ones; the rest is padding).

    Example:
        >>> coding_graph(model, 4).run(Encoding(encoder, padded_images, count=3))
    """

    def __init__(self, coder, images, count):
        self.coder = coder
        self.symbols = images.reshape(len(images), -1).astype(np.int32)  # (B, H * W * C)
        self.count = count

    def __call__(self, logits, position):
        symbols = self.symbols[:, position]
        self.coder.encode(symbols[:self.count], _CATEGORICAL, probabilities(logits[:self.count]))
        return symbols


class Decoding:
    """The decoder's choice: each position's symbols, range decoded; padding stays blank.

    Args:
      coder: a ``constriction.stream.queue.RangeDecoder`` of the file's payload.
      batch_size, count: the batch's size and the images it codes, as `Encoding` had them.

    Example:
        >>> images = coding_graph(model, 4).run(Decoding(decoder, 4, count=3))[:3]
    """

    def __init__(self, coder, batch_size, count):
        self.coder = coder
        self.batch_size = batch_size
        self.count = count

    def __call__(self, logits, position):
        symbols = np.zeros(self.batch_size, np.int32)
        symbols[:self.count] = self.coder.decode(_CATEGORICAL, probabilities(logits[:self.count]))
        return symbols
