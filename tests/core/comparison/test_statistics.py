"""The comparison's statistics on small arrays with known answers, and by simulation: error rates
and power of the whole procedure on data whose truth is known."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import f as f_distribution
from scipy.stats import t as scipy_t

from segmentation_trainer.core.comparison import statistics as stats


def test_miou_counts_classes_in_labels_or_prediction():
    # 16 pixels, all class 0 in the labels, 2 predicted as class 1:
    # IoU_0 = 14 / (14 + 0 + 2) = 0.875, IoU_1 = 0 / (0 + 2 + 0) = 0, class 2 in neither: left out
    confusion = np.array([[14, 2, 0], [0, 0, 0], [0, 0, 0]])
    assert stats.miou(confusion) == pytest.approx(0.4375)
    iou, occurs = stats.per_class_iou(confusion)
    assert iou.tolist() == [0.875, 0.0, 0.0] and occurs.tolist() == [True, True, False]
    # rows = truth: TP = (3, 4), FN = (1, 0), FP = (0, 1): IoU = (3/4, 4/5)
    assert stats.miou(np.array([[3, 1], [0, 4]])) == pytest.approx((0.75 + 0.8) / 2)
    assert np.isnan(stats.miou(np.zeros((2, 2))))
    batch = np.stack([confusion[:2, :2], np.array([[3, 1], [0, 4]])])
    assert stats.miou(batch) == pytest.approx([0.4375, 0.775])


def test_miou_agrees_with_a_naive_count_over_pixels():
    rng = np.random.default_rng(3)
    truth, predicted = rng.integers(0, 4, 500), rng.integers(0, 4, 500)
    predicted[truth == 3] = 0  # class 3 never predicted; class 3 still counts (it is in the labels)
    confusion = np.zeros((5, 5), dtype=int)
    np.add.at(confusion, (truth, predicted), 1)
    ious = [
        np.sum((truth == c) & (predicted == c)) / np.sum((truth == c) | (predicted == c))
        for c in range(5)
        if np.any(truth == c) or np.any(predicted == c)
    ]
    assert stats.miou(confusion) == pytest.approx(np.mean(ious))


def test_holm_matches_the_step_down_procedure_by_hand():
    # sorted: 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 = 0.04 -> max(0.06, 0.04)
    assert stats.holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert stats.holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    assert stats.holm([0.2]) == [0.2]


def test_estimate_adds_block_and_run_variance_with_conservative_df():
    # block replicates: their sample variance x 5 / 4 (5 blocks); training: 0.0004 / 3 on 2 df;
    # SE = sqrt(block part + training part), df = min(4, 2)
    block_samples = np.array([0.50, 0.54, 0.52, 0.48, 0.56]) - 0.52 + 0.52
    block_var = np.var(block_samples, ddof=1) * 5 / 4
    run_var = 0.0004 / 3
    result = stats.estimate(0.52, block_samples, 5, (run_var, 2), (0.0, 1.0))
    assert result["standard_error"] == pytest.approx(np.sqrt(block_var + run_var))
    df = 2  # min(blocks - 1, runs - 1)
    assert result["df"] == df
    half = scipy_t.ppf(0.975, df) * result["standard_error"]
    assert result["interval"] == pytest.approx([0.52 - half, 0.52 + half])
    assert result["p_value"] == pytest.approx(2 * scipy_t.sf(0.52 / result["standard_error"], df))
    # one run: the block part alone, with blocks - 1 degrees of freedom
    single = stats.estimate(0.52, block_samples, 5, (0.0, 0.0), (0.0, 1.0))
    assert single["df"] == pytest.approx(4) and single["standard_error"] == pytest.approx(np.sqrt(block_var))
    same = stats.estimate(0.0, np.zeros(10), 5, (0.0, 2), (-1.0, 1.0))
    assert same["p_value"] == 1.0 and same["interval"] == [0.0, 0.0]
    # a score's interval stays inside [0, 1]
    wide = stats.estimate(0.05, block_samples, 5, (0.0005, 1), (0.0, 1.0))
    assert wide["interval"][0] == 0.0 and wide["interval"][1] < 1.0


def test_equal_seed_variance_is_the_brown_forsythe_test():
    # Brown-Forsythe: one-way ANOVA of |x - median of its group|, by hand
    scores = np.array([[0.50, 0.52, 0.51], [0.60, 0.40, 0.70], [0.30, 0.31, 0.33]])
    z = np.abs(scores - np.median(scores, axis=1, keepdims=True))
    between = 3 * ((z.mean(axis=1) - z.mean()) ** 2).sum() / 2
    within = ((z - z.mean(axis=1, keepdims=True)) ** 2).sum() / 6
    assert stats.equal_seed_variance(scores) == pytest.approx(f_distribution.sf(between / within, 2, 6))
    assert stats.equal_seed_variance(scores[:, :1]) is None and stats.equal_seed_variance(scores[:1]) is None
    assert stats.equal_seed_variance(np.full((3, 3), 0.5)) is None


def test_minimum_detectable_difference():
    # (t_{0.975, 10} + t_{0.8, 10}) x SE = (2.228139 + 0.879058) x 0.01; with 4 comparisons t_{1 - 0.05/8, 10}
    assert stats.minimum_detectable_difference({"standard_error": 0.01, "df": 10}, 1) == pytest.approx(
        0.0310720, abs=1e-6
    )
    four = (scipy_t.ppf(1 - 0.05 / 8, 10) + scipy_t.ppf(0.8, 10)) * 0.01
    assert stats.minimum_detectable_difference({"standard_error": 0.01, "df": 10}, 4) == pytest.approx(four)


def test_seed_variances_are_the_randomised_block_design_mean_squares():
    # 3 configurations x 2 seeds; seed 2 is 0.02 higher for every configuration except the last
    scores = np.array([[0.50, 0.52], [0.60, 0.62], [0.40, 0.40]])
    # additive model residuals: centre rows -> [[-0.01, 0.01], [-0.01, 0.01], [0, 0]], column means
    # (-2/300, 2/300) removed -> +-1/300 twice and +-2/300 on the last row: SS = 4/90000 + 8/90000
    variances = stats.seed_variances(scores)
    assert variances["residual"] == pytest.approx((12 / 90000 / 2, 2))
    # within configurations: SS = 4 x 0.0001 = 0.0004 on 3 x 1 df
    assert variances["within"] == pytest.approx((0.0004 / 3, 3))
    assert stats.seed_variances(scores[:, :1]) == {"residual": (0.0, 0.0), "within": (0.0, 0.0)}


def test_block_replicates_of_the_identity_draw_give_the_point_estimate():
    rng = np.random.default_rng(1)
    confusion = rng.integers(0, 50, (3, 6, 4, 4))  # runs, blocks, K, K
    assert stats.block_replicates(confusion, np.ones((1, 6), dtype=int))[0] == pytest.approx(stats.score(confusion))
    # block 2 drawn six times: the mean over runs of each run's mIoU on that block
    one = np.eye(6, dtype=int)[[2]] * 6
    assert stats.block_replicates(confusion, one)[0] == pytest.approx(np.mean(stats.miou(confusion[:, 2])))
    draws = stats.block_draws(6, seed=0, replicates=50)
    assert draws.shape == (50, 6) and (draws.sum(axis=1) == 6).all()


def test_morans_i_by_hand_and_on_clustered_blocks():
    # three blocks in a row, values (1, 1, -2): mean 0, neighbour pairs (0,1), (1,2), W sums to 4;
    # z'Wz = 2 (1 x 1 + 1 x -2) = -2, z'z = 6: I = 3 / 4 x -2 / 6 = -0.25
    result = stats.morans_i(np.array([1.0, 1.0, -2.0]), [(0, 0), (0, 1), (0, 2)], seed=0)
    assert result["morans_i"] == pytest.approx(-0.25) and result["neighbour_pairs"] == 2
    blocks = [(r, c) for r in range(6) for c in range(6)]
    clustered = np.array([1.0 if c < 3 else 0.0 for _, c in blocks]) + np.random.default_rng(0).normal(0, 0.1, 36)
    assert stats.morans_i(clustered, blocks, seed=0)["p_value"] < 0.01
    checker = np.array([(r + c) % 2 for r, c in blocks], dtype=float)
    assert stats.morans_i(checker, blocks, seed=0)["p_value"] > 0.5
    assert stats.morans_i(np.ones(3), [(0, 0), (0, 1), (0, 2)], seed=0) is None
    assert stats.morans_i(np.array([1.0, 2.0]), [(0, 0), (5, 5)], seed=0) is None


def simulated_runs(rng, accuracy: float, blocks: int, runs: int, block_effects: np.ndarray) -> np.ndarray:
    """Confusion matrices (runs, blocks, 3, 3) of a classifier with a per-run and a per-block
    accuracy effect: the two variance sources the bootstrap must carry."""
    out = np.zeros((runs, blocks, 3, 3), dtype=np.int64)
    for r in range(runs):
        run_effect = rng.normal(0, 0.02)
        for b in range(blocks):
            truth = rng.choice(3, 400, p=[0.6, 0.3, 0.1])
            correct = rng.random(400) < np.clip(accuracy + run_effect + block_effects[b], 0, 1)
            predicted = np.where(correct, truth, (truth + rng.integers(1, 3, 400)) % 3)
            np.add.at(out[r, b], (truth, predicted), 1)
    return out


def residual(configurations: list[np.ndarray]) -> tuple[float, float]:
    return stats.seed_variances(np.array([stats.run_scores(c) for c in configurations]))["residual"]


def test_procedure_keeps_the_familywise_error_rate_and_finds_real_differences():
    """Four configurations of equal quality: Holm-adjusted tests call a difference in at most ~5 % of
    data sets; one clearly better configuration is found in most of them."""
    rng = np.random.default_rng(7)
    false_alarms = found = 0
    trials = 150
    for _ in range(trials):
        block_effects = rng.normal(0, 0.05, 12)
        equal = [simulated_runs(rng, 0.7, 12, 3, block_effects) for _ in range(4)]
        draws = stats.block_draws(12, seed=int(rng.integers(1 << 30)), replicates=1000)
        p = stats.holm([stats.compare_to(equal[0], other, draws, residual(equal))["p_value"] for other in equal[1:]])
        false_alarms += min(p) < stats.ALPHA
        candidates = [simulated_runs(rng, 0.85, 12, 3, block_effects), *equal[1:]]
        p = stats.holm([stats.compare_to(candidates[0], o, draws, residual(candidates))["p_value"] for o in equal[1:]])
        found += max(p) < stats.ALPHA
    # 5 % nominal; measured 2.3-3 % over 300 data sets; Welch-Satterthwaite degrees of freedom gave 7-11 %
    assert false_alarms / trials <= 0.06
    assert found / trials >= 0.9  # measured 100 % (79-85 % with unpooled seed variances)


def test_interval_covers_the_true_miou():
    """95 % intervals from 12 blocks x 3 runs cover the mIoU of the generating process in most data sets."""
    rng = np.random.default_rng(11)
    truth_runs = simulated_runs(rng, 0.75, 400, 40, rng.normal(0, 0.05, 400))
    truth = stats.score(truth_runs)  # the process's mIoU, from many blocks and runs
    covered, trials = 0, 40
    for _ in range(trials):
        sample = simulated_runs(rng, 0.75, 12, 3, rng.normal(0, 0.05, 12))
        within = stats.seed_variances(stats.run_scores(sample)[None])["within"]
        low, high = stats.configuration_estimate(sample, stats.block_draws(12, seed=1, replicates=1000), within)[
            "interval"
        ]
        covered += low <= truth <= high
    assert covered / trials >= 0.8
