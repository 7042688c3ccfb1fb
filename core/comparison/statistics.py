"""The loss comparison's statistics: intervals, paired differences, multiplicity and power.

What they rest on (the report's "Method" paragraph says the same in words):

- **Units.** The verdict uses only the test set: spatial blocks that took no part in training or in
  any choice (best epoch, best configuration: both are made on the validation blocks). Each run's
  confusion matrix is kept per test block, so mIoU is always computed the field's way, from summed
  counts (never as a mean of per-tile scores), and the block, not the overlapping tile, is the
  independent unit (Roberts et al. 2017, "Cross-validation strategies for data with temporal,
  spatial, hierarchical, or phylogenetic structure").
- **Two sources of variance.** A score varies with the test area (blocks) and with training (seeds:
  initial weights, tile order, augmentation); every run is scored on every block. The test area's
  part is the bootstrap variance over blocks (Efron & Tibshirani 1993, "An Introduction to the
  Bootstrap"): blocks drawn with replacement, mIoU recomputed from the drawn counts of every run,
  with the n / (n - 1) small-sample correction. Training's part comes from the table of per-run
  test scores, configurations × seeds, analysed as a randomised complete block design with the seeds
  as blocks (run i of every configuration has the same seed): a difference's training variance is
  2 σ² / k with σ² the residual mean square of the additive model, on (C - 1)(k - 1) degrees of
  freedom; a configuration's own score uses the pooled within-configuration variance over k, on
  C (k - 1). Pooling over the configurations assumes they vary alike from seed to seed, the design's
  usual assumption. The two parts add (which counts the block-by-seed interaction twice, so errs on
  the safe side), with the smaller of their degrees of freedom: Hsu's conservative answer to the
  Behrens–Fisher problem (Scheffé 1970, "Practical solutions of the Behrens–Fisher problem"), which
  holds the error rate at or below its nominal level whatever the parts' shares. (Welch–
  Satterthwaite degrees of freedom, estimated from the same data, were tried and rejected: in
  simulation they gave 7–11 % false alarms at 5 %, because a small run variance also raises the
  estimated degrees of freedom.) Configurations share blocks and seeds, so differences are paired
  on both.
- **Intervals and tests.** 95 % t intervals; a difference's p-value is the two-sided t test of zero,
  and the m comparisons of the selected configuration with the others are Holm-adjusted (Holm 1979,
  "A simple sequentially rejective multiple test procedure").
- **What could have been seen.** The minimum detectable difference at 80 % power for a two-sided
  test at level α/m (Bonferroni, the strictest step of Holm): ``(t_{1-α/2m} + t_{0.8}) · SE(Δ)``.
- **Too little data.** Below ``MIN_TEST_BLOCKS`` test blocks a bootstrap over blocks has too few
  distinct resamples to be trusted: no difference is called significant, and the report says so.
- **Pooling check.** The Brown–Forsythe test of equal seed-to-seed variance across configurations;
  where it fails, the report names the most variable configuration, whose intervals may be too
  narrow.
- **Autocorrelation check.** Moran's I of the selected configuration's per-block error rate between
  edge- or corner-adjacent test blocks, with a permutation p-value: neighbouring blocks that are
  alike mean the blocks are smaller than the spatial dependence and the intervals too narrow.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import levene
from scipy.stats import t as student

ALPHA = 0.05
POWER = 0.8
BOOTSTRAP_REPLICATES = 4000
MIN_TEST_BLOCKS = 10
MORAN_PERMUTATIONS = 999


def miou(confusion: np.ndarray) -> np.ndarray:
    """mIoU of ``(..., K, K)`` confusion matrices (rows = truth): the mean IoU over the classes that
    occur in the labels or in the prediction (TP + FP + FN > 0), the PASCAL VOC convention
    (Everingham et al. 2010); NaN where no class occurs."""
    iou, occurs = per_class_iou(confusion)
    with np.errstate(invalid="ignore"):
        return np.where(occurs, iou, 0.0).sum(axis=-1) / occurs.sum(axis=-1)


def per_class_iou(confusion: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """IoU_c = TP / (TP + FP + FN) per class ``(..., K)`` and where the class occurs at all."""
    tp = np.diagonal(confusion, axis1=-2, axis2=-1).astype(np.float64)
    union = confusion.sum(axis=-1) + confusion.sum(axis=-2) - tp
    occurs = union > 0
    return np.divide(tp, union, out=np.zeros_like(tp), where=occurs), occurs


def score(confusion: np.ndarray) -> float:
    """A configuration's test mIoU: the mean over its runs of each run's mIoU on all test blocks.
    ``confusion``: ``(runs, blocks, K, K)``."""
    return float(np.mean(run_scores(confusion)))


def run_scores(confusion: np.ndarray) -> np.ndarray:
    """Each run's mIoU on all test blocks ``(runs,)``."""
    return miou(confusion.sum(axis=1))


def block_draws(blocks: int, seed: int, replicates: int = BOOTSTRAP_REPLICATES) -> np.ndarray:
    """How often each block is drawn in each bootstrap replicate ``(replicates, blocks)``."""
    return np.random.default_rng(seed).multinomial(blocks, np.full(blocks, 1.0 / blocks), size=replicates)


def block_replicates(confusion: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """The configuration's test mIoU (mean over its runs) in every block replicate ``(replicates,)``."""
    runs, blocks, k, _ = confusion.shape
    drawn = np.einsum("bj,rjx->brx", draws, confusion.reshape(runs, blocks, k * k).astype(np.float64))
    return np.nan_to_num(miou(drawn.reshape(-1, runs, k, k))).mean(axis=1)


def estimate(
    value: float,
    block_samples: np.ndarray,
    blocks: int,
    training: tuple[float, float],
    bounds: tuple[float, float],
) -> dict[str, Any]:
    """A score (or difference) with its standard error, degrees of freedom, 95 % t interval (clipped to
    the quantity's ``bounds``) and the two-sided p-value of zero, from its block replicates (over
    ``blocks`` blocks) and its training variance with that variance's degrees of freedom."""
    block_part = float(np.var(block_samples, ddof=1)) * blocks / (blocks - 1) if blocks > 1 else 0.0
    run_part, run_df = training
    error = float(np.sqrt(block_part + run_part))
    df = conservative_df([(block_part, blocks - 1), (run_part, run_df)])
    if error == 0.0:  # every block and every run agree: no variation to test against
        p_value = 1.0 if value == 0 else 0.0
        return {"value": value, "standard_error": 0.0, "df": df, "interval": [value, value], "p_value": p_value}
    half = float(student.ppf(1 - ALPHA / 2, df)) * error
    p_value = float(2 * student.sf(abs(value) / error, df))
    return {
        "value": value,
        "standard_error": error,
        "df": df,
        "interval": [max(bounds[0], value - half), min(bounds[1], value + half)],
        "p_value": p_value,
    }


def conservative_df(parts: list[tuple[float, float]]) -> float:
    """The smallest degrees of freedom among the variance parts ``(variance, df)`` that contribute."""
    return float(min((df for variance, df in parts if variance > 0 and df > 0), default=float("inf")))


def seed_variances(scores: np.ndarray) -> dict[str, tuple[float, float]]:
    """Training variance from the per-run test scores ``(configurations, seeds)``: the residual mean
    square of the additive configuration + seed model (for differences, paired on seeds) and the
    pooled within-configuration variance (for one configuration's score), each with its df."""
    configurations, runs = scores.shape
    if runs < 2:
        return {"residual": (0.0, 0.0), "within": (0.0, 0.0)}
    centred = scores - scores.mean(axis=1, keepdims=True)
    residual = centred - centred.mean(axis=0, keepdims=True)
    residual_df = (configurations - 1) * (runs - 1)
    within_df = configurations * (runs - 1)
    return {
        "residual": (float((residual**2).sum()) / residual_df if residual_df else 0.0, float(residual_df)),
        "within": (float((centred**2).sum()) / within_df, float(within_df)),
    }


def configuration_estimate(confusion: np.ndarray, draws: np.ndarray, within: tuple[float, float]) -> dict[str, Any]:
    """A configuration's test mIoU with its 95 % interval (``within``: the pooled seed variance)."""
    runs = confusion.shape[0]
    training = (within[0] / runs, within[1])
    samples = block_replicates(confusion, draws)
    return estimate(score(confusion), samples, confusion.shape[1], training, (0.0, 1.0))


def compare_to(best: np.ndarray, other: np.ndarray, draws: np.ndarray, residual: tuple[float, float]) -> dict[str, Any]:
    """The difference best - other in test mIoU, paired on blocks (the same draws) and on seeds
    (``residual``: the seed-paired residual variance)."""
    training = (2 * residual[0] / best.shape[0], residual[1])
    samples = block_replicates(best, draws) - block_replicates(other, draws)
    return estimate(score(best) - score(other), samples, best.shape[1], training, (-1.0, 1.0))


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the input order: the i-th smallest p times (m - i + 1),
    made non-decreasing, capped at 1."""
    m = len(p_values)
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(sorted(range(m), key=lambda i: p_values[i])):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def minimum_detectable_difference(difference: dict[str, Any], comparisons: int) -> float:
    """The smallest true difference that a two-sided test at level ALPHA / comparisons detects with
    probability POWER, given the difference's standard error and degrees of freedom."""
    df = difference["df"]
    quantiles = student.ppf(1 - ALPHA / (2 * max(comparisons, 1)), df) + student.ppf(POWER, df)
    return float(quantiles * difference["standard_error"])


def morans_i(values: np.ndarray, blocks: list[tuple[int, int]], seed: int) -> dict[str, float] | None:
    """Moran's I of per-block ``values`` over neighbouring blocks (queen adjacency) with a one-sided
    permutation p-value for positive autocorrelation; None when no two test blocks touch or the
    values do not vary."""
    rows = np.array([b[0] for b in blocks])
    cols = np.array([b[1] for b in blocks])
    weights = ((np.abs(rows[:, None] - rows) <= 1) & (np.abs(cols[:, None] - cols) <= 1)).astype(np.float64)
    np.fill_diagonal(weights, 0.0)
    centred = values - values.mean()
    if weights.sum() == 0 or not np.any(centred):
        return None

    def statistic(z: np.ndarray) -> float:
        return float(len(z) / weights.sum() * (z @ weights @ z) / (z @ z))

    observed = statistic(centred)
    rng = np.random.default_rng(seed)
    permuted = np.array([statistic(rng.permutation(centred)) for _ in range(MORAN_PERMUTATIONS)])
    p_value = (np.count_nonzero(permuted >= observed) + 1) / (MORAN_PERMUTATIONS + 1)
    return {"morans_i": observed, "p_value": float(p_value), "neighbour_pairs": int(weights.sum() / 2)}


def error_rates(confusion: np.ndarray) -> np.ndarray:
    """Per-block share of misclassified labelled pixels over all runs: ``(runs, blocks, K, K)`` -> ``(blocks,)``."""
    counts = confusion.sum(axis=0).astype(np.float64)
    total = counts.sum(axis=(1, 2))
    correct = np.trace(counts, axis1=1, axis2=2)
    return np.divide(total - correct, total, out=np.zeros_like(total), where=total > 0)


def equal_seed_variance(scores: np.ndarray) -> float | None:
    """p-value of the Brown–Forsythe test (Levene's test about the median; Brown & Forsythe 1974,
    "Robust tests for the equality of variances") that every configuration varies alike from seed to
    seed, the assumption of the pooled seed variance; None with fewer than 2 configurations or runs,
    or when no configuration varies at all."""
    configurations, runs = scores.shape
    if configurations < 2 or runs < 2 or not np.any(scores - scores.mean(axis=1, keepdims=True)):
        return None
    return float(levene(*scores, center="median").pvalue)
