"""The comparison report's statistics and wording, on hand-made runs with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import wilcoxon

from segmentation_trainer.core.comparison_report import (
    RunResult,
    _architecture_rows,
    _points,
    class_gains,
    paired_test,
    recommendation,
)

TILES = [[32 * i, 0] for i in range(20)]


def run(name: str, tile_miou, best_miou: float, per_class=None) -> RunResult:
    summary = {
        "best_miou": best_miou,
        "best_pixel_accuracy": 0.9,
        "best_per_class_iou": per_class or {"a": best_miou, "b": None},
    }
    return RunResult(name, "combo", {}, "unet", 1, [], summary, TILES[: len(tile_miou)], list(tile_miou))


def test_paired_test_is_wilcoxon_on_tiles_present_in_both():
    rng = np.random.default_rng(0)
    base = rng.uniform(0.3, 0.6, 20)
    better = base + rng.uniform(0.02, 0.08, 20)
    result = paired_test(run("best", better, 0.5), run("other", base, 0.45))
    assert result["tiles"] == 20 and result["significant"]
    assert result["p_value"] == pytest.approx(wilcoxon(better, base).pvalue)
    assert result["median_difference"] == pytest.approx(float(np.median(better - base)))

    noisy = list(base + rng.normal(0, 0.05, 20))
    noisy[3] = None  # a tile without labelled pixels
    with_gap = paired_test(run("best", noisy, 0.5), run("other", base, 0.45))
    assert with_gap["tiles"] == 19 and not with_gap["significant"]


def test_identical_runs_and_too_few_tiles():
    same = paired_test(run("a", [0.5, 0.6, 0.7], 0.6), run("b", [0.5, 0.6, 0.7], 0.6))
    assert same["p_value"] == 1.0 and not same["significant"]
    single = paired_test(run("a", [0.9], 0.9), run("b", [0.5], 0.5))
    assert single["p_value"] is None and single["tiles"] == 1
    with pytest.raises(ValueError, match="different tiles"):
        other = run("b", [0.5, 0.6], 0.5)
        other.tiles = [[0, 64], [0, 96]]
        paired_test(run("a", [0.5, 0.6], 0.5), other)


def test_recommendation_and_gains_say_what_the_numbers_say():
    rng = np.random.default_rng(1)
    base = rng.uniform(0.3, 0.6, 20)
    best = run("dice_dominant", base + 0.05, 0.612, {"road": 0.7, "water": 0.5})
    baseline = run("ce_only", base, 0.581, {"road": 0.65, "water": None})
    text = recommendation(best, baseline, [best, baseline])
    assert text.startswith("dice_dominant is best on this data: best mIoU 0.612, +3.1 mIoU points over ce_only")
    assert "is significant" in text and "20 validation tiles" in text
    tie = run("ce_only", base + 0.05 + rng.normal(0, 0.05, 20), 0.581)  # same level, noise only
    assert "not significant" in recommendation(best, tie, [best, tie])
    top, low = run("ce_only", base + 0.05, 0.612), run("dice_dominant", base, 0.581)
    assert recommendation(top, top, [top, low]).startswith(
        "ce_only (the baseline) is best on this data: best mIoU 0.612, 3.1 mIoU points above the runner-up "
        "dice_dominant"
    )
    gains = class_gains(best, baseline)
    assert gains[0] == {"class": "road", "baseline_iou": 0.65, "best_iou": 0.7, "gain": pytest.approx(0.05)}
    assert gains[1]["gain"] is None


def test_second_architecture_table_gives_gains_as_iou_differences():
    best, baseline = run("dice_dominant", [0.5], 0.612), run("ce_only", [0.5], 0.581)
    second = run("dice_dominant_deeplabv3plus", [0.5], 0.6)
    second.architecture, second.parameters = "deeplabv3plus", 12
    rows = _architecture_rows(best, baseline, second)
    assert [r["architecture"] for r in rows] == ["unet", "deeplabv3plus"]
    assert rows[0]["gain_over_baseline"] == pytest.approx(0.031) and rows[1]["gain_over_baseline"] is None
    assert _points(rows[0]["gain_over_baseline"]) == "+3.10"  # shown in mIoU points, like Table VI
