import numpy as np
import pytest
import tensorflow as tf

from pixel_zoo import data


@pytest.fixture
def image_data():
    images = np.arange(10, dtype=np.uint8)[:, None, None, None] * np.ones((1, 4, 5, 3), np.uint8)
    return data.ImageData(images, np.arange(10, dtype=np.int32), num_levels=256)


def _first_pixels(dataset, batches):
    return [b[:, 0, 0, 0].numpy().tolist() for b in dataset.take(batches)]


def test_shapes_and_dtypes(image_data):
    batches = list(data.make_dataset(image_data, batch_size=4))
    assert [tuple(b.shape) for b in batches] == [(4, 4, 5, 3), (4, 4, 5, 3), (2, 4, 5, 3)]
    assert all(b.dtype == tf.uint8 for b in batches)
    assert _first_pixels(data.make_dataset(image_data, 4), 3) == [[0, 1, 2, 3], [4, 5, 6, 7],
                                                                  [8, 9]]


def test_with_labels_and_drop_remainder(image_data):
    ds = data.make_dataset(image_data, batch_size=4, with_labels=True, drop_remainder=True)
    assert ds.element_spec == (tf.TensorSpec((4, 4, 5, 3), tf.uint8), tf.TensorSpec((4,), tf.int32))
    pairs = list(ds)
    assert len(pairs) == 2
    for images, labels in pairs:
        np.testing.assert_array_equal(images[:, 0, 0, 0].numpy(), labels.numpy())


def test_seeded_shuffle_is_reproducible_and_reshuffles_each_epoch(image_data):
    def make(seed):
        return data.make_dataset(image_data, 10, shuffle=True, repeat=True, seed=seed)

    first = _first_pixels(make(0), 3)
    assert first == _first_pixels(make(0), 3)
    assert all(sorted(epoch) == list(range(10)) for epoch in first)
    assert first[0] != first[1] or first[1] != first[2]
    assert first != _first_pixels(make(1), 3)


def test_options_and_distribution(image_data):
    ds = data.make_dataset(image_data, 4, drop_remainder=True)
    assert (ds.options().experimental_distribute.auto_shard_policy
            == tf.data.experimental.AutoShardPolicy.DATA)
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    batches = list(strategy.experimental_distribute_dataset(ds))
    assert len(batches) == 2 and tuple(batches[0].shape) == (4, 4, 5, 3)


def test_errors(image_data):
    with pytest.raises(ValueError, match="batch_size"):
        data.make_dataset(image_data, 0)
    unlabeled = data.ImageData(image_data.images)
    with pytest.raises(ValueError, match="no labels"):
        data.make_dataset(unlabeled, 2, with_labels=True)
