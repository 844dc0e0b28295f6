"""Publishing: turning training runs into zoo entries (tooling; the library never imports it).

| module | what |
|---|---|
| `card` | `publish`: a run's weights, figures and model card, above the noise of the entry it replaces |
| `comparison` | the paired per-image comparison that decides "above the noise" |
| `in_run_check` | whether the run's own last validation (in its training precision) agrees with float32's |
| `figures` | a card's sample and completion grids |
| `detector` | `publish_detector`: a zoo entry's OOD detector, its AUROCs and plot |

Example:
    >>> from trainers import publishing
    >>> publishing.publish("runs/pixelcnn", "pixelcnn_binarized_mnist")
"""

from trainers.publishing.card import (
                                      SUBSET_IMAGES,
                                      WorseThanPublished,
                                      build_arguments,
                                      measure_subset,
                                      publish,
                                      redraw_figures,
)
from trainers.publishing.detector import publish_detector

__all__ = ["SUBSET_IMAGES", "WorseThanPublished", "build_arguments", "measure_subset", "publish",
           "publish_detector", "redraw_figures"]
