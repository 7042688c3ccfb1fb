"""The figures of an error matrix of counts, every reference unit (point or pixel) weighing the same.

The matrix ``n`` has the map's classes as rows and the reference classes as columns (``n[i, j]``: units mapped
as class i whose reference class is j), the layout of Congalton (1991, "A review of assessing the accuracy of
classifications of remotely sensed data") and Olofsson et al. (2014). With n_i· the row sums, n_·j the column
sums and n the total:

- overall accuracy  O = Σ_i n_ii / n;
- Cohen's kappa  κ = (O − p_e) / (1 − p_e), chance agreement p_e = Σ_i n_i· n_·i / n² (Cohen 1960, "A
  coefficient of agreement for nominal scales"); Pontius & Millones (2011, "Death to Kappa") explain why it adds
  little to O, it is reported because readers ask for it;
- user's accuracy  U_i = n_ii / n_i· (1 − commission error), producer's accuracy  P_j = n_jj / n_·j
  (1 − omission error);
- F1_i = 2 n_ii / (n_i· + n_·i), the harmonic mean of U_i and P_i; IoU_i = n_ii / (n_i· + n_·i − n_ii)
  (Jaccard), the training metric of ``core/training/metrics.py``.

A ratio whose denominator is 0 (a class neither mapped nor in the reference) is None.

When the reference is a sample drawn with unequal probabilities (stratified by map class), these figures describe
the sample, not the map: ``stratified.py`` gives the map's.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> list[float | None]:
    return [float(a / b) if b else None for a, b in zip(numerator, denominator)]


def agreement(counts: np.ndarray) -> dict[str, Any]:
    """The sample figures of the module docstring from ``counts`` (K x K, rows map, columns reference)."""
    n = counts.astype(np.float64)
    total = n.sum()
    diagonal, mapped, referenced = np.diag(n), n.sum(axis=1), n.sum(axis=0)
    overall = float(diagonal.sum() / total) if total else None
    chance = float((mapped * referenced).sum() / total**2) if total else None
    kappa = None if overall is None or chance == 1.0 else (overall - chance) / (1.0 - chance)
    return {
        "units": int(total),
        "overall_accuracy": overall,
        "kappa": kappa,
        "users_accuracy": _ratio(diagonal, mapped),
        "producers_accuracy": _ratio(diagonal, referenced),
        "f1": _ratio(2 * diagonal, mapped + referenced),
        "iou": _ratio(diagonal, mapped + referenced - diagonal),
    }
