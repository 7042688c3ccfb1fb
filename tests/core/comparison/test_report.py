"""The comparison report's verdict and wording, on hand-made runs whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from segmentation_trainer.core.common.config import LossConfiguration
from segmentation_trainer.core.comparison import statistics as stats
from segmentation_trainer.core.comparison.report import (
    ConfigurationResult,
    RunResult,
    _architecture_rows,
    analyse,
    class_gains,
    recommendation,
    results_rows,
)

CLASSES = ["road", "water"]


def blocks(count: int) -> list[tuple[int, int]]:
    return [(i // 4, i % 4) for i in range(count)]


def configuration(name: str, validation: float, accuracy: float, count: int = 12, runs: int = 3, seed: int = 0):
    """Runs scored on ``count`` test blocks of 200 pixels each (60 % road), ``accuracy`` correct per
    class with block-to-block and run-to-run noise, and a best validation mIoU of ``validation``."""
    rng = np.random.default_rng(seed)
    results = []
    for r in range(runs):
        confusion = np.zeros((count, 2, 2), dtype=np.int64)
        for b in range(count):
            truth = np.array([120, 80])
            correct = rng.binomial(truth, np.clip(accuracy + rng.normal(0, 0.01), 0, 1))
            confusion[b] = [[correct[0], truth[0] - correct[0]], [truth[1] - correct[1], correct[1]]]
        summary = {"best_miou": validation, "best_pixel_accuracy": 0.9, "final_miou": validation}
        results.append(RunResult(42 + r, 1000, CLASSES, [], summary, blocks(count), confusion))
    return ConfigurationResult.of(LossConfiguration(name, "combo"), "unet", results)


def test_selection_uses_validation_and_the_verdict_uses_the_test_blocks():
    # chosen on validation although another scores higher on test: the report says it, and
    # the difference is tested on the test blocks only
    chosen = configuration("dice_dominant", 0.70, 0.80, seed=1)
    better_on_test = configuration("ce_only", 0.60, 0.95, seed=2)
    runs = [better_on_test, chosen]
    best = max(runs, key=ConfigurationResult.validation_score)
    assert best is chosen
    analysis = analyse(runs, best, seed=0)
    test = analysis["tests"]["ce_only"]
    assert test["difference"] < -0.1 and test["interval"][1] < 0 and test["significant"]
    rows = results_rows(runs, analysis)
    assert [r["configuration"] for r in rows] == ["dice_dominant", "ce_only"] and rows[0]["vs_best"] is None
    assert rows[0]["test_miou"] == pytest.approx(stats.score(chosen.confusion))


def test_equal_configurations_are_not_separated_and_the_detectable_difference_is_said():
    a, b, c = (configuration(n, v, 0.85, seed=s) for n, v, s in (("a", 0.7, 3), ("b", 0.69, 4), ("c", 0.68, 5)))
    analysis = analyse([a, b, c], a, seed=0)
    assert not any(t["significant"] for t in analysis["tests"].values())
    assert all(t["p_holm"] >= t["p_value"] for t in analysis["tests"].values())
    text = recommendation(a, b, analysis)
    assert "cannot separate it from b" in text and ", c (" in text
    detectable = max(t["detectable"] for t in analysis["tests"].values())
    assert f"smaller than about {100 * detectable:.1f} mIoU points could not have been detected" in text
    assert "12 held-out test blocks" in text and "3 run(s)" in text


def test_a_clearly_better_configuration_is_significant_after_holm():
    best = configuration("focal_dominant", 0.8, 0.95, seed=6)
    others = [configuration(f"c{i}", 0.5, 0.75, seed=10 + i) for i in range(4)]
    analysis = analyse([best, *others], best, seed=0)
    assert all(t["significant"] for t in analysis["tests"].values())
    text = recommendation(best, others[0], analysis)
    assert "significantly better than every other configuration" in text and "Over the baseline c0: +" in text


def test_a_configuration_far_more_variable_across_seeds_is_named():
    steady = [configuration(f"c{i}", 0.6 - 0.01 * i, 0.8, runs=5, seed=20 + i) for i in range(3)]
    erratic = configuration("dice_only", 0.5, 0.8, runs=5, seed=30)
    for run, accuracy in zip(erratic.runs, (0.5, 0.95, 0.7, 0.55, 0.9)):  # seeds that land far apart
        run.test_confusion = configuration("x", 0.5, accuracy, runs=1, seed=31).runs[0].test_confusion
    erratic.__dict__.pop("confusion", None)
    analysis = analyse([*steady, erratic], steady[0], seed=0)
    assert analysis["equal_seed_variance_p"] < stats.ALPHA
    assert "may be too narrow for the most variable, dice_only" in recommendation(steady[0], steady[1], analysis)
    calm = analyse(steady, steady[0], seed=0)
    assert "Brown–Forsythe" not in recommendation(steady[0], steady[1], calm)


def test_too_few_test_blocks_give_no_verdict():
    best, other = configuration("a", 0.8, 0.95, count=6), configuration("b", 0.5, 0.6, count=6, seed=1)
    analysis = analyse([best, other], best, seed=0)
    assert analysis["tests"]["b"]["p_holm"] < stats.ALPHA and not analysis["tests"]["b"]["significant"]
    assert f"only 6 test blocks (at least {stats.MIN_TEST_BLOCKS} are needed)" in recommendation(best, other, analysis)


def test_one_run_says_training_variance_is_left_out():
    best, other = configuration("a", 0.8, 0.9, runs=1), configuration("b", 0.5, 0.88, runs=1, seed=1)
    analysis = analyse([best, other], best, seed=0)
    assert analysis["tests"]["b"]["df"] == 11  # blocks - 1: the block part alone
    assert "leave training variance (seeds) out" in recommendation(best, other, analysis)


def test_runs_on_different_test_blocks_are_refused():
    a = configuration("a", 0.7, 0.8)
    a.runs[1].test_blocks = blocks(13)[1:]
    with pytest.raises(ValueError, match="different blocks"):
        ConfigurationResult.of(LossConfiguration("a", "combo"), "unet", a.runs)


def test_class_gains_are_per_class_test_iou():
    best, baseline = configuration("a", 0.8, 0.95), configuration("b", 0.5, 0.75, seed=1)
    gains = class_gains(best, baseline)
    confusion = best.confusion.sum(axis=1)  # (runs, K, K): IoU_road = TP / (TP + FP + FN) per run
    road = np.mean([c[0, 0] / (c[0, 0] + c[0, 1] + c[1, 0]) for c in confusion])
    assert gains[0]["class"] == "road" and gains[0]["best_iou"] == pytest.approx(road)
    assert gains[0]["gain"] == pytest.approx(gains[0]["best_iou"] - gains[0]["baseline_iou"])


def test_second_architecture_rows_give_the_difference_with_its_interval():
    best, second = configuration("a", 0.8, 0.9), configuration("a_deeplabv3plus", 0.7, 0.8, seed=1)
    second.architecture = "deeplabv3plus"
    rows = _architecture_rows(best, second, seed=0)
    assert [r["architecture"] for r in rows] == ["unet", "deeplabv3plus"]
    assert rows[0]["difference_to_first"] is None
    difference = stats.score(second.confusion) - stats.score(best.confusion)
    assert rows[1]["difference_to_first"] == pytest.approx(difference)
    low, high = rows[1]["difference_interval"]
    assert low < difference < high < 0
