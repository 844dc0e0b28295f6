"""Out-of-distribution detection with likelihood ratios (Ren et al., NeurIPS 2019).

A density model's raw likelihood fails as an OOD score: a PixelCNN trained on
Fashion-MNIST gives MNIST digits *higher* likelihood, because their many black
pixels are easy to predict (Nalisnick et al., ICLR 2019). Ren et al. divide that
out: a *background* model of the same architecture, trained on inputs whose
sub-pixels were replaced by uniform noise with probability mu
(``trainers/train.py --perturb_rate``), learns the low-level statistics but not the
semantics, and ``log p_model(x) - log p_background(x)`` keeps the semantic part.
That log-likelihood ratio (LLR) is high in distribution; `LikelihoodRatio.score`
returns its negative, so that **higher means more likely out of distribution**, as
every score here does.

The ratio keeps the semantics and drops what the background also models, so it misses
inputs whose low-level statistics are foreign too: natural photos get a *lower* ratio
score than Fashion-MNIST images, while their raw NLL is far higher. The *percentile*
score flags both kinds: each of the two scores becomes its percentile among
in-distribution reference images (training images: `LikelihoodRatio.with_reference`;
zoo detectors store the quantiles), and the larger of the two is the score, in [0, 1].
0.999 means one of them is higher than on 99.9% of the reference images, so a threshold
``t`` flags at most about ``2 * (1 - t)`` of in-distribution inputs.

Example:
    >>> import pixel_zoo as pz
    >>> detector = pz.ood.LikelihoodRatio.from_zoo("pixelcnn_fashion_mnist")
    >>> fashion = pz.data.load_split("fashion_mnist", "test", data_dir).images
    >>> digits = pz.data.load_split("mnist", "test", data_dir).images
    >>> pz.ood.auroc(detector.score(fashion), detector.score(digits))     # 1: perfect
    >>> pz.ood.auroc(*(detector.scores(x)["nll"] for x in (fashion, digits)))  # raw NLL
    >>> pz.ood.auroc(*(detector.scores(x)["percentile"] for x in (fashion, digits)))

| module | what |
|---|---|
| `detector` | `LikelihoodRatio`: the scores, and the percentile reference |
| `roc` | `auroc`, `roc_curve`, and `evaluate` (a detector's AUROCs against out sets) |
| `inputs` | `load_images`: in- and out-of-distribution sets made to fit a model (`check_spec`) |
| `plot` | the figure of an `evaluate` result |

Reference: J. Ren, P. J. Liu, E. Fertig, J. Snoek, R. Poplin, M. A. DePristo,
J. V. Dillon, B. Lakshminarayanan, "Likelihood Ratios for Out-of-Distribution
Detection", NeurIPS 2019.
"""

from pixel_zoo import lazy

# Parts are imported on first use: checking the inputs' names (`inputs.check_spec`) needs no
# TensorFlow, so `pixel-zoo ood` checks its arguments before TensorFlow is imported.
__getattr__, __dir__ = lazy.attach(
    __name__, submodules=("detector", "inputs", "plot", "roc"), attributes={
        **dict.fromkeys(("NUM_QUANTILES", "PERCENTILE", "REFERENCE_SCORES", "SCORES",
                         "LikelihoodRatio"), "detector"),
        **dict.fromkeys(("NOISE", "check_spec", "load_images"), "inputs"),
        **dict.fromkeys(("auroc", "evaluate", "roc_curve"), "roc"),
    })
