"""How many reference points a stratified random sample needs, and how many go to each map class.

**Size** (Olofsson et al. 2014, eq. 13, after Cochran 1977, "Sampling Techniques", eq. 5.25 without the
finite population correction): to estimate the overall accuracy with standard error S(Ô),

    n = (Σ_i W_i S_i / S(Ô))²,  S_i = √(U_i (1 − U_i)),

with W_i the share of the map in class i and U_i the user's accuracy expected of it. With the paper's example
(W = 0.02, 0.015, 0.32, 0.645; U = 0.7, 0.6, 0.9, 0.95; S(Ô) = 0.01) n = 641.

**Allocation** (the compromise Olofsson et al. 2014, Section 5.1.3, recommend between equal and proportional
allocation): every class gets at least ``minimum`` points (all its pixels when it has fewer), and the remaining
points are shared among the other classes in proportion to their areas; a class whose share exceeds its pixels
gets them all, and the rest is shared again. Shares are rounded by largest remainder, so that they add up to n.
When the minimums alone exceed n, n grows to their sum. With the paper's example, n = 641 and a minimum of 75
give 75, 75, 163 and 328 points.
"""

from __future__ import annotations

import math

import numpy as np


def sample_size(weights: np.ndarray, expected_accuracy: np.ndarray, standard_error: float) -> int:
    """Eq. 13 of the module docstring, rounded up: ``weights`` W_i (summing to 1), ``expected_accuracy`` U_i."""
    spread = np.sqrt(expected_accuracy * (1.0 - expected_accuracy))  # S_i
    return math.ceil(round((float(np.sum(weights * spread)) / standard_error) ** 2, 9))


def allocate(total: int, pixels: np.ndarray, minimum: int) -> np.ndarray:
    """Points per class (the module docstring's allocation) for ``total`` points over classes of ``pixels``."""
    pixels = np.asarray(pixels, dtype=np.int64)
    floor = np.minimum(minimum, pixels)
    total = min(max(total, int(floor.sum())), int(pixels.sum()))
    fixed = np.full(len(pixels), -1, dtype=np.int64)  # -1: shared in proportion to the area
    while True:
        free = fixed < 0
        share = _shares(total - fixed[~free].sum(), pixels, free)
        low = free & (share < floor)
        high = free & (share > pixels)
        if not (low.any() or high.any()):
            break
        fixed[low], fixed[high] = floor[low], pixels[high]
    points = np.where(fixed < 0, 0, fixed)
    points[fixed < 0] = _largest_remainder(share[fixed < 0], total - int(points.sum()))
    return points


def _shares(points: float, pixels: np.ndarray, free: np.ndarray) -> np.ndarray:
    """``points`` shared among the ``free`` classes in proportion to their pixels (0 for the others)."""
    area = np.where(free, pixels, 0).astype(np.float64)
    return points * area / area.sum() if area.sum() else np.zeros_like(area)


def _largest_remainder(shares: np.ndarray, total: int) -> np.ndarray:
    """Whole numbers adding up to ``total``: the shares rounded down, the largest remainders rounded up."""
    whole = np.floor(shares).astype(np.int64)
    missing = total - int(whole.sum())
    order = np.argsort(-(shares - whole), kind="stable")
    whole[order[:missing]] += 1
    return whole
