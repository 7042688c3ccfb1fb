"""Per-pixel measures of how sure a prediction is, from its blended class probabilities ``p`` (``K`` classes).

- **confidence**: the top class's probability ``p₍₁₎`` (from 1/K to 1).
- **normalized entropy**: ``H = −Σₖ pₖ log pₖ / log K`` (Shannon 1948, "A mathematical theory of
  communication"), with ``0 log 0 = 0``: 0 where one class holds all the probability, 1 where the K classes are
  equally likely; comparable between models with different numbers of classes.
- **top-two margin**: ``M = p₍₁₎ − p₍₂₎``, the top probability minus the second: 1 sure, 0 a tie between two
  classes, whatever the other classes hold (margin sampling: Scheffer, Decomain & Wrobel 2001, "Active hidden
  Markov models for information extraction"; both measures as surveyed by Settles 2009, "Active learning
  literature survey").

With test-time augmentation the probabilities are the mean over the transforms, so these measure the averaged
prediction: the entropy grows where the transformed copies disagree as well as where each is unsure (Wang et al.
2019, "Aleatoric uncertainty estimation with test-time augmentation for medical image segmentation with
convolutional neural networks", measure uncertainty from such copies by the entropy of the labels they predict).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import entr


def confidence(probs: np.ndarray) -> np.ndarray:
    """The top class probability ``(H, W)`` of probabilities ``(K, H, W)``."""
    return probs.max(axis=0)


def normalized_entropy(probs: np.ndarray) -> np.ndarray:
    """``−Σₖ pₖ log pₖ / log K`` ``(H, W)`` of probabilities ``(K, H, W)`` (``K ≥ 2``), clipped to [0, 1]
    against rounding."""
    entropy = entr(probs).sum(axis=0) / np.log(probs.shape[0])
    return np.clip(entropy, 0.0, 1.0)


def top_two_margin(probs: np.ndarray) -> np.ndarray:
    """``p₍₁₎ − p₍₂₎`` ``(H, W)``: the top probability minus the second of probabilities ``(K, H, W)`` (``K ≥ 2``)."""
    top_two = np.partition(probs, probs.shape[0] - 2, axis=0)[-2:]
    return top_two[1] - top_two[0]


PIXEL_MEASURES: dict[str, tuple[Callable[[np.ndarray], np.ndarray], str]] = {
    "confidence": (confidence, "top class probability"),
    "entropy": (normalized_entropy, "normalized entropy"),
    "margin": (top_two_margin, "top-two margin"),
}
"""Each single-band raster a prediction may write from its probabilities, by its name in the result (and in
``files.prediction_files``): the measure and the band's description."""
