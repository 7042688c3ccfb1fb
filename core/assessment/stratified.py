"""Olofsson et al. (2014, "Good practices for estimating area and assessing accuracy of land change", Remote
Sensing of Environment 148, 42–57): accuracies and class areas of a map, estimated from a reference sample
stratified by map class (or a simple random sample, post-stratified), with 95 % confidence intervals.

The map's classes are the strata: stratum i holds N_i pixels, a share W_i = N_i / Σ N of the map, and n_i· of
the reference units; n_ij of them have reference class j (the error matrix of counts, rows map, columns
reference). With f_ij = n_ij / n_i·:

- eq. 4, the error matrix of estimated area proportions: p̂_ij = W_i f_ij;
- eq. 1–3: overall accuracy Ô = Σ_j p̂_jj, user's accuracy Û_i = p̂_ii / p̂_i·, producer's accuracy
  P̂_j = p̂_jj / p̂_·j; by the same plug-in rule F1_k = 2 p̂_kk / (p̂_k· + p̂_·k) and
  IoU_k = p̂_kk / (p̂_k· + p̂_·k − p̂_kk) (no interval: the paper gives none);
- eq. 5: V̂(Ô) = Σ_i W_i² Û_i (1 − Û_i) / (n_i· − 1);
- eq. 6: V̂(Û_i) = Û_i (1 − Û_i) / (n_i· − 1);
- eq. 7: V̂(P̂_j) = [N_j² (1 − P̂_j)² Û_j (1 − Û_j) / (n_j· − 1)
  + P̂_j² Σ_{i≠j} N_i² f_ij (1 − f_ij) / (n_i· − 1)] / N̂_·j², with N̂_·j = Σ_i N_i f_ij the estimated number of
  pixels of reference class j;
- eq. 9–10: the area proportion of class k, p̂_·k = Σ_i W_i f_ik, with
  S(p̂_·k) = √(Σ_i W_i² f_ik (1 − f_ik) / (n_i· − 1));
- eq. 11–12: its area Â_k = A p̂_·k with S(Â_k) = A S(p̂_·k), A the map's total area;
- 95 % confidence intervals: estimate ± 1.96 S (the normal approximation the paper uses).

Every stratum needs at least two reference units (n_i· − 1 divides), unless all its pixels are reference units:
such a census of the stratum adds no sampling variance (its finite population correction, 1 − n_i· / N_i, is 0;
the paper leaves the correction out, as it is close to 1 for any sampled stratum). ``unsampled_strata`` names the
strata that fall short rather than estimate without them. A figure whose denominator is 0 is None.
"""

from __future__ import annotations

from typing import Any

import numpy as np

Z_95 = 1.96
MIN_UNITS_PER_STRATUM = 2


def _half_width(variance: np.ndarray | float) -> np.ndarray:
    return Z_95 * np.sqrt(np.maximum(variance, 0.0))


def _listed(values: np.ndarray, defined: np.ndarray) -> list[float | None]:
    return [float(v) if ok else None for v, ok in zip(values, defined)]


def unsampled_strata(counts: np.ndarray, mapped: np.ndarray) -> list[int]:
    """The map classes (indices) that cover pixels but have fewer than ``MIN_UNITS_PER_STRATUM`` reference units."""
    units = counts.sum(axis=1)
    return [i for i in range(len(mapped)) if 0 < mapped[i] and units[i] < min(MIN_UNITS_PER_STRATUM, mapped[i])]


def stratified_estimates(counts: np.ndarray, mapped: np.ndarray, total_area: float) -> dict[str, Any]:
    """The estimates of the module docstring from ``counts`` (K x K, rows map, columns reference), the map's
    pixels per class ``mapped`` (K) and its total area ``total_area`` (any unit: the areas come in it). Every map
    class with pixels must have ``MIN_UNITS_PER_STRATUM`` reference units (``unsampled_strata`` is empty)."""
    n = counts.astype(np.float64)
    pixels = mapped.astype(np.float64)
    units = n.sum(axis=1)
    strata = pixels > 0
    if unsampled_strata(counts, mapped):
        raise ValueError("every stratum needs at least two reference units")
    weights = pixels / pixels.sum()
    share = np.divide(n, units[:, None], out=np.zeros_like(n), where=units[:, None] > 0)  # f_ij
    sampled = strata & (units < pixels)  # not a census: n_i· < N_i
    inverse_dof = np.divide(1.0, units - 1.0, out=np.zeros_like(units), where=sampled)  # 1 / (n_i· − 1), 0 if census
    proportions = weights[:, None] * share  # eq. 4
    diagonal, row, column = np.diag(proportions), proportions.sum(axis=1), proportions.sum(axis=0)
    users = np.divide(diagonal, row, out=np.zeros_like(row), where=row > 0)
    producers = np.divide(diagonal, column, out=np.zeros_like(column), where=column > 0)
    overall_variance = np.sum(weights**2 * users * (1 - users) * inverse_dof)  # eq. 5
    users_variance = users * (1 - users) * inverse_dof  # eq. 6
    area_variance = np.sum(weights[:, None] ** 2 * share * (1 - share) * inverse_dof[:, None], axis=0)  # eq. 10
    return {
        "proportions": proportions.tolist(),
        "overall_accuracy": float(diagonal.sum()),
        "overall_accuracy_ci": float(_half_width(overall_variance)),
        "users_accuracy": _listed(users, row > 0),
        "users_accuracy_ci": _listed(_half_width(users_variance), row > 0),
        "producers_accuracy": _listed(producers, column > 0),
        "producers_accuracy_ci": _listed(
            _half_width(_producers_variance(share, pixels, users, producers, inverse_dof)), column > 0
        ),
        "f1": _listed(
            np.divide(2 * diagonal, row + column, out=np.zeros_like(row), where=row + column > 0), row + column > 0
        ),
        "iou": _listed(
            np.divide(diagonal, row + column - diagonal, out=np.zeros_like(row), where=row + column > 0),
            row + column > 0,
        ),
        "area_proportion": column.tolist(),
        "area_proportion_ci": _half_width(area_variance).tolist(),
        "area": (total_area * column).tolist(),  # eq. 11
        "area_ci": (total_area * _half_width(area_variance)).tolist(),  # eq. 12
        "mapped_area": (total_area * weights).tolist(),
    }


def _producers_variance(
    share: np.ndarray, pixels: np.ndarray, users: np.ndarray, producers: np.ndarray, inverse_dof: np.ndarray
) -> np.ndarray:
    """Eq. 7 for every reference class j (0 where the class has no estimated pixel); ``inverse_dof``: 1 / (n_i· − 1),
    0 for a census."""
    estimated = (pixels[:, None] * share).sum(axis=0)  # N̂_·j
    others = pixels[:, None] ** 2 * share * (1 - share) * inverse_dof[:, None]  # N_i² f_ij (1 − f_ij) / (n_i· − 1)
    own = np.diag(others).copy()
    off_diagonal = others.sum(axis=0) - own
    numerator = pixels**2 * (1 - producers) ** 2 * users * (1 - users) * inverse_dof + producers**2 * off_diagonal
    return np.divide(numerator, estimated**2, out=np.zeros_like(numerator), where=estimated > 0)
