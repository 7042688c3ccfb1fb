"""The assessment's figures against an independent computation (scikit-learn), hand-computed answers and the
worked example of Olofsson et al. (2014, "Good practices for estimating area and assessing accuracy of land
change", Remote Sensing of Environment 148, 42–57, Section 5: Tables 8 and 9 and the estimates in the text)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score, confusion_matrix, f1_score, jaccard_score, precision_score, recall_score

from segmentation_trainer.core.assessment.agreement import agreement
from segmentation_trainer.core.assessment.sample_size import allocate, sample_size
from segmentation_trainer.core.assessment.stratified import stratified_estimates, unsampled_strata

# Olofsson et al. 2014, Table 8: sample counts, rows map class, columns reference class (deforestation, forest
# gain, stable forest, stable non-forest), and the mapped area of each class in 30 m Landsat pixels.
OLOFSSON_COUNTS = np.array([[66, 0, 5, 4], [0, 55, 8, 12], [1, 0, 153, 11], [2, 1, 9, 313]])
OLOFSSON_PIXELS = np.array([200_000, 150_000, 3_200_000, 6_450_000])
PIXEL_HA = 0.09  # a 30 m pixel


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_counts_figures_equal_scikit_learns(seed):
    rng = np.random.default_rng(seed)
    reference = rng.integers(0, 4, 300)
    mapped = np.where(rng.random(300) < 0.7, reference, rng.integers(0, 4, 300))  # 70 % agree, then chance
    counts = confusion_matrix(reference, mapped, labels=range(4)).T  # scikit-learn: rows true; ours: rows map
    figures = agreement(counts)
    labels = {"labels": list(range(4)), "average": None, "zero_division": 0}
    assert figures["units"] == 300
    assert figures["overall_accuracy"] == pytest.approx(np.mean(reference == mapped))
    assert figures["kappa"] == pytest.approx(cohen_kappa_score(reference, mapped))
    assert figures["users_accuracy"] == pytest.approx(precision_score(reference, mapped, **labels))
    assert figures["producers_accuracy"] == pytest.approx(recall_score(reference, mapped, **labels))
    assert figures["f1"] == pytest.approx(f1_score(reference, mapped, **labels))
    assert figures["iou"] == pytest.approx(jaccard_score(reference, mapped, **labels))


def test_counts_figures_by_hand():
    """Two classes: 40 + 30 agree, 10 mapped as a but truly b, 20 mapped as b but truly a."""
    figures = agreement(np.array([[40, 10], [20, 30]]))
    assert figures["overall_accuracy"] == pytest.approx(0.7)
    chance = (50 * 60 + 50 * 40) / 100**2  # 0.5
    assert figures["kappa"] == pytest.approx((0.7 - chance) / (1 - chance))  # 0.4
    assert figures["users_accuracy"] == pytest.approx([0.8, 0.6])
    assert figures["producers_accuracy"] == pytest.approx([40 / 60, 30 / 40])
    assert figures["f1"] == pytest.approx([80 / 110, 60 / 90])
    assert figures["iou"] == pytest.approx([40 / 70, 30 / 60])
    absent = agreement(np.array([[5, 0], [0, 0]]))  # class b neither mapped nor in the reference
    assert absent["users_accuracy"] == [1.0, None] and absent["iou"] == [1.0, None] and absent["kappa"] is None


def test_olofsson_worked_example():
    """Every estimate the paper prints for its example, to the digits it prints them. Two of its producer's
    accuracy intervals are not reproduced by its own eq. 7 (forest gain: 0.25, printed 0.23; stable non-forest:
    0.018, printed 0.01), as the independent implementation of boothmanrylan/accuracyAssessmentTools also finds:
    they are checked at eq. 7's values."""
    estimates = stratified_estimates(OLOFSSON_COUNTS, OLOFSSON_PIXELS, OLOFSSON_PIXELS.sum() * PIXEL_HA)
    table_9 = [
        [0.0176, 0.0000, 0.0013, 0.0011],
        [0.0000, 0.0110, 0.0016, 0.0024],
        [0.0019, 0.0000, 0.2967, 0.0213],
        [0.0040, 0.0020, 0.0179, 0.6212],
    ]
    assert np.round(estimates["proportions"], 4) == pytest.approx(np.array(table_9), abs=1e-12)
    assert round(estimates["overall_accuracy"], 2) == 0.95 and round(estimates["overall_accuracy_ci"], 2) == 0.02
    assert np.round(estimates["users_accuracy"], 2).tolist() == [0.88, 0.73, 0.93, 0.96]
    assert np.round(estimates["users_accuracy_ci"], 2).tolist() == [0.07, 0.10, 0.04, 0.02]
    assert np.round(estimates["producers_accuracy"], 2).tolist() == [0.75, 0.85, 0.93, 0.96]
    assert np.round(estimates["producers_accuracy_ci"], 2).tolist() == [0.21, 0.25, 0.03, 0.02]
    assert np.round(estimates["area_proportion"], 4).tolist() == [0.0235, 0.0130, 0.3175, 0.6460]
    # "the area of deforestation is 235,086 pixels ± 68,418 pixels, i.e. 21,158 ha ± 6,158 ha", and so on
    assert np.round(estimates["area"]).tolist() == [21_158, 11_686, 285_770, 581_386]
    assert np.round(estimates["area_ci"]).tolist() == [6_158, 3_756, 15_510, 16_282]
    assert estimates["mapped_area"] == pytest.approx([18_000, 13_500, 288_000, 580_500])
    users, producers = np.array(estimates["users_accuracy"]), np.array(estimates["producers_accuracy"])
    assert estimates["f1"] == pytest.approx(2 * users * producers / (users + producers))  # their harmonic mean
    assert estimates["iou"] == pytest.approx(np.array(estimates["f1"]) / (2 - np.array(estimates["f1"])))
    in_pixels = stratified_estimates(OLOFSSON_COUNTS, OLOFSSON_PIXELS, OLOFSSON_PIXELS.sum())
    assert round(in_pixels["area"][0]) == 235_086 and round(in_pixels["area_ci"][0]) == 68_418


def test_a_class_without_two_reference_units_is_named():
    counts = OLOFSSON_COUNTS.copy()
    counts[1] = [0, 1, 0, 0]
    assert unsampled_strata(counts, OLOFSSON_PIXELS) == [1]
    assert unsampled_strata(OLOFSSON_COUNTS, OLOFSSON_PIXELS) == []
    census = OLOFSSON_PIXELS.copy()
    census[1] = 1  # the one reference unit is the class's only pixel: a census of it, no sampling variance
    assert unsampled_strata(counts, census) == []
    estimates = stratified_estimates(counts, census, census.sum())
    assert estimates["users_accuracy"][1] == 1.0 and estimates["users_accuracy_ci"][1] == 0.0


def test_sample_size_and_allocation_of_the_worked_example():
    """Olofsson et al. 2014, Section 5.1: S(Ô) = 0.01 and user's accuracies 0.7, 0.6, 0.9, 0.95 give n = 641."""
    weights = OLOFSSON_PIXELS / OLOFSSON_PIXELS.sum()
    n = sample_size(weights, np.array([0.7, 0.6, 0.9, 0.95]), 0.01)
    assert n == 641
    assert allocate(n, OLOFSSON_PIXELS, 75).tolist() == [75, 75, 163, 328]  # 75 each, the rest by area
    assert allocate(n, OLOFSSON_PIXELS, 1).tolist() == [13, 10, 205, 413]  # proportional
    assert allocate(100, OLOFSSON_PIXELS, 50).tolist() == [50, 50, 50, 50]  # the minimums win over the size


@pytest.mark.parametrize("seed", range(5))
def test_allocation_adds_up_and_respects_the_minimum_and_the_pixels(seed):
    rng = np.random.default_rng(seed)
    pixels = rng.integers(1, 5000, 6)
    total, minimum = int(rng.integers(50, 2000)), int(rng.integers(1, 100))
    points = allocate(total, pixels, minimum)
    assert points.sum() == min(max(total, np.minimum(minimum, pixels).sum()), pixels.sum())
    assert (points >= np.minimum(minimum, pixels)).all() and (points <= pixels).all()
