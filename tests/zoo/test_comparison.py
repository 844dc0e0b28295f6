"""The paired comparison that decides whether new weights replace a zoo entry."""

import numpy as np
import pytest

from trainers.publishing import comparison


def test_interval_is_the_mean_difference_plus_or_minus_two_standard_errors():
    rng = np.random.default_rng(0)
    previous = rng.normal(85.0, 20.0, 10_000)  # images differ by tens of nats...
    new = previous - 0.05 + rng.normal(0.0, 0.5, 10_000)  # ...the models by a little
    improvement = comparison.paired_improvement(previous, new)
    differences = previous - new
    half = 1.96 * differences.std(ddof=1) / np.sqrt(10_000)
    assert improvement["mean_nats"] == pytest.approx(differences.mean(), abs=1e-4)
    assert improvement["interval95_nats"] == pytest.approx(
        [differences.mean() - half, differences.mean() + half], abs=2e-4)
    assert improvement["num_images"] == 10_000
    assert comparison.is_better(improvement)  # 0.05 nats, with a standard error of 0.005


def test_a_difference_within_the_noise_is_not_better():
    rng = np.random.default_rng(1)
    previous = rng.normal(85.0, 20.0, 10_000)
    new = previous - 0.01 + rng.normal(0.0, 2.0, 10_000)  # 0.01 nats, standard error 0.02
    assert not comparison.is_better(comparison.paired_improvement(previous, new))
    assert not comparison.is_better(comparison.paired_improvement(previous, previous + 1.0))


@pytest.mark.parametrize("shapes", [((3,), (4,)), ((1,), (1,)), ((2, 2), (2, 2))], ids=str)
def test_arrays_that_cannot_be_paired_are_refused(shapes):
    with pytest.raises(ValueError, match="paired comparison needs two"):
        comparison.paired_improvement(np.zeros(shapes[0]), np.zeros(shapes[1]))
