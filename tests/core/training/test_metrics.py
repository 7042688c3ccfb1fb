"""Known answers for every metric of core/training/metrics.py, worked out by hand on small arrays.

The arithmetic is written beside each expected value. Conventions under test (docs/training.md):
a class counts in the means where the labels OR the prediction contain it (TP + FP + FN > 0,
PASCAL VOC / torchmetrics / MMSegmentation); ignored pixels (255) take no part anywhere, not even
through the contours they would create in boundary IoU.
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
import torch

from segmentation_trainer.core.common.config import IGNORE_INDEX
from segmentation_trainer.core.training.metrics import (
    boundary_counts,
    confusion_matrix,
    predicted_indices,
    run_summary,
    summarize,
)

X = IGNORE_INDEX


def _t(rows) -> torch.Tensor:
    return torch.tensor(rows, dtype=torch.long)


# --- predicted indices -----------------------------------------------------------------------


def test_predicted_indices_argmax_and_binary_threshold():
    logits = torch.tensor([[[[0.1, 2.0]], [[0.5, -1.0]]]])  # (N=1, C=2, H=1, W=2)
    # multiclass: pixel 0 -> class 1 (0.5 > 0.1), pixel 1 -> class 0 (2.0 > -1.0)
    assert predicted_indices(logits, "multiclass").tolist() == [[[1, 0]]]
    # binary: channel 0 > 0 (sigmoid > 0.5) -> 1: 0.1 -> 1, 2.0 -> 1
    assert predicted_indices(logits[:, :1], "binary").tolist() == [[[1, 1]]]
    assert predicted_indices(-logits[:, :1], "binary").tolist() == [[[0, 0]]]


# --- confusion matrix, IoU, mIoU, pixel accuracy, Dice ------------------------------------------

# target       prediction
# 0 0 1        0 1 1
# X 1 2        2 1 0        (X: ignored, whatever is predicted there)
TARGET = _t([[0, 0, 1], [X, 1, 2]])
PRED = _t([[0, 1, 1], [2, 1, 0]])


def test_confusion_matrix_skips_ignored_pixels():
    # valid pixels (true, predicted): (0,0) (0,1) (1,1) (1,1) (2,0); the ignored pixel (pred 2) is skipped
    expected = [
        [1, 1, 0, 0],  # true 0: once predicted 0, once 1
        [0, 2, 0, 0],  # true 1: twice predicted 1
        [1, 0, 0, 0],  # true 2: once predicted 0
        [0, 0, 0, 0],  # class 3: in neither
    ]
    assert confusion_matrix(PRED, TARGET, 4).tolist() == expected
    # a batch is counted the same way as its tiles one by one
    batch = confusion_matrix(torch.stack([PRED, PRED]), torch.stack([TARGET, TARGET]), 4)
    assert batch.tolist() == (2 * np.array(expected)).tolist()


def test_iou_miou_accuracy_dice_by_hand():
    result = summarize(confusion_matrix(PRED, TARGET, 4), ["a", "b", "c", "d"])
    # TP = diag = [1, 2, 0, 0]; row sums [2, 2, 1, 0] -> FN = [1, 0, 1, 0];
    # column sums [2, 3, 0, 0] -> FP = [1, 1, 0, 0]
    # IoU = TP / (TP + FP + FN): a 1/3, b 2/3, c 0/1 = 0, d 0/0 -> absent
    assert result["per_class_iou"] == pytest.approx({"a": 1 / 3, "b": 2 / 3, "c": 0.0, "d": None})
    assert result["per_class_iou"]["d"] is None
    # mIoU over the present classes a, b, c: (1/3 + 2/3 + 0) / 3 = 1/3
    assert result["miou"] == pytest.approx(1 / 3)
    # pixel accuracy: (1 + 2 + 0) correct / 5 valid = 0.6
    assert result["pixel_accuracy"] == pytest.approx(0.6)
    # Dice = 2TP / (2TP + FP + FN): a 2/4, b 4/5, c 0/1; mean (0.5 + 0.8 + 0) / 3 = 1.3 / 3
    assert result["mean_dice"] == pytest.approx(1.3 / 3)
    assert result["boundary_iou"] is None  # no boundary counts given


def test_a_class_predicted_but_absent_from_the_labels_counts():
    # 4x4 tile, every pixel class 0; two pixels predicted as class 1
    target = torch.zeros(4, 4, dtype=torch.long)
    pred = target.clone()
    pred[0, 0] = pred[3, 3] = 1
    confusion = confusion_matrix(pred, target, 3)
    assert confusion.tolist() == [[14, 2, 0], [0, 0, 0], [0, 0, 0]]
    result = summarize(confusion, ["a", "b", "c"])
    # IoU_a = 14 / (14 + 0 + 2) = 0.875; IoU_b = 0 / (0 + 2 + 0) = 0; c in neither: absent
    assert result["per_class_iou"] == {"a": 0.875, "b": 0.0, "c": None}
    # mIoU = (0.875 + 0) / 2 = 0.4375 (averaging over the labels' classes only would give 0.875)
    assert result["miou"] == pytest.approx(0.4375)
    # Dice_a = 28 / (28 + 2) = 14/15, Dice_b = 0 / 2 = 0; mean 7/15
    assert result["mean_dice"] == pytest.approx(7 / 15)
    assert result["pixel_accuracy"] == pytest.approx(14 / 16)


def test_perfect_prediction_and_no_valid_pixel():
    target = _t([[0, 1], [1, X]])
    perfect = summarize(confusion_matrix(target.clamp(max=1), target, 3), ["a", "b", "c"])
    assert (perfect["miou"], perfect["mean_dice"], perfect["pixel_accuracy"]) == (1.0, 1.0, 1.0)
    assert perfect["per_class_iou"] == {"a": 1.0, "b": 1.0, "c": None}
    empty = summarize(confusion_matrix(torch.zeros(2, 2, dtype=torch.long), torch.full((2, 2), X), 3), ["a", "b", "c"])
    assert (empty["miou"], empty["mean_dice"], empty["pixel_accuracy"]) == (None, None, None)
    assert empty["per_class_iou"] == {"a": None, "b": None, "c": None}


def _naive_miou(pred: np.ndarray, target: np.ndarray, k: int) -> float | None:
    """An independent mIoU: a pixel-by-pixel loop, per class, over valid pixels."""
    ious = []
    for c in range(k):
        intersection = union = 0
        for p, t in zip(pred.ravel().tolist(), target.ravel().tolist()):
            if t == X:
                continue
            intersection += p == c and t == c
            union += p == c or t == c
        if union:
            ious.append(intersection / union)
    return sum(ious) / len(ious) if ious else None


@pytest.mark.parametrize("seed", range(5))
def test_miou_matches_a_naive_loop(seed):
    rng = np.random.default_rng(seed)
    k = 5
    target = rng.integers(0, k - 1, size=(2, 9, 7))  # class 4 never in the labels...
    target[rng.random(target.shape) < 0.2] = X
    pred = rng.integers(0, k, size=target.shape)  # ...but predicted
    result = summarize(confusion_matrix(torch.from_numpy(pred), torch.from_numpy(target), k), list("abcde"))
    assert result["miou"] == pytest.approx(_naive_miou(pred, target, k), abs=1e-12)


# --- boundary IoU -----------------------------------------------------------------------------


def _boundary_iou(pred, target, k: int) -> float | None:
    pred, target = torch.as_tensor(pred)[None], torch.as_tensor(target)[None]
    return summarize(confusion_matrix(pred, target, k), list("abcdefgh")[:k], boundary_counts(pred, target, k))[
        "boundary_iou"
    ]


def test_boundary_counts_by_hand():
    # 3x6 tile: d = max(1, round(0.02 * hypot(3, 6) = 0.13)) = 1 pixel; the image border is contour.
    # With d = 1 a pixel leaves the band only if its 8 neighbours all exist and share its class,
    # which in a 3-row tile is possible only in the middle row.
    target = _t([[0, 0, 0, 1, 1, 1]] * 3)
    pred = _t([[0, 0, 0, 0, 1, 1]] * 3)  # the edge shifted right by one column
    counts = boundary_counts(pred[None], target[None], 2)
    # class 0: G = columns 0-2, interior {(1,1)} -> G_d = 9 - 1 = 8 pixels
    #          P = columns 0-3, interior {(1,1), (1,2)} -> P_d = 12 - 2 = 10 pixels
    #          G_d ∩ P_d = G_d minus (1,2) = 7; G_d ∪ P_d = P_d plus (1,2) = 11
    # class 1: G = columns 3-5, interior {(1,4)} -> G_d = 8; P = columns 4-5, no interior -> P_d = 6
    #          G_d ∩ P_d = columns 4-5 minus (1,4) = 5; G_d ∪ P_d = columns 3-5 = 9
    assert counts.tolist() == [[7, 5], [11, 9]]
    # boundary IoU = (7/11 + 5/9) / 2 = 59/99
    assert _boundary_iou(pred, target, 2) == pytest.approx(59 / 99)
    # over a batch the counts add up
    assert boundary_counts(torch.stack([pred, pred]), torch.stack([target, target]), 2).tolist() == [
        [14, 10],
        [22, 18],
    ]


def test_boundary_iou_ignores_the_contour_around_ignored_pixels():
    # 5x5 tile of class 0 with its centre ignored; the prediction is class 0 everywhere.
    target = torch.zeros(5, 5, dtype=torch.long)
    target[2, 2] = X
    pred = torch.zeros(5, 5, dtype=torch.long)
    # d = 1. The ignored centre creates no contour: G_d = P_d = the 16 pixels of the outer ring
    # (the 8 pixels around the centre keep 8 in-image neighbours of class 0 or ignored).
    # Counting the centre as contour would put those 8 pixels in G_d only: 16 / 24 = 2/3.
    assert boundary_counts(pred[None], target[None], 2).tolist() == [[16, 0], [16, 0]]
    assert _boundary_iou(pred, target, 2) == 1.0


def test_boundary_iou_is_one_when_the_prediction_is_right_on_every_valid_pixel():
    # the 3x6 tile above with its edge column ignored: the shifted prediction is now right on every
    # valid pixel, so the score is exactly 1 whatever is predicted on the ignored column
    target = _t([[0, 0, 0, X, 1, 1]] * 3)
    pred = _t([[0, 0, 0, 0, 1, 1]] * 3)
    # d = 1; the ignored column counts as class 0 and as class 1 while finding contours.
    # class 0: columns 0-2 (+ column 3) -> interior {(1,1), (1,2)}: G_d = P_d = 9 - 2 = 7
    # class 1: columns 4-5 (+ column 3) -> interior {(1,4)}: G_d = P_d = 6 - 1 = 5
    counts = boundary_counts(pred[None], target[None], 2)
    assert counts.tolist() == [[7, 5], [7, 5]]
    assert _boundary_iou(pred, target, 2) == 1.0
    rng = np.random.default_rng(0)
    for _ in range(5):
        target = rng.integers(0, 3, size=(2, 40, 40))
        target[rng.random(target.shape) < 0.3] = X
        pred = np.where(target == X, rng.integers(0, 3, size=target.shape), target)
        p, t = torch.from_numpy(pred), torch.from_numpy(target)
        counts = boundary_counts(p, t, 3)
        assert (counts[0] == counts[1]).all()
        assert summarize(confusion_matrix(p, t, 3), list("abc"), counts)["boundary_iou"] == 1.0


def test_boundary_iou_averages_over_the_same_classes_as_miou():
    # 3x3 tile of class 0; the centre is predicted as class 1 (absent from the labels)
    target = torch.zeros(3, 3, dtype=torch.long)
    pred = target.clone()
    pred[1, 1] = 1
    # d = 1. class 0: G = all 9, interior {(1,1)} -> G_d = the 8-pixel ring; P = the ring, no
    # interior -> P_d = the ring: 8 / 8. class 1: G_d empty, P_d = {(1,1)}: 0 / 1.
    assert boundary_counts(pred[None], target[None], 3).tolist() == [[8, 0, 0], [8, 1, 0]]
    # mean over the present classes 0 and 1 (class 2 in neither): (1 + 0) / 2
    assert _boundary_iou(pred, target, 3) == pytest.approx(0.5)


# --- run summary ------------------------------------------------------------------------------


def _epoch(epoch, train_loss, val_loss, miou, accuracy, grad_norm):
    return {
        "epoch": epoch,
        "train_loss": train_loss,
        "val_loss": val_loss,
        "miou": miou,
        "pixel_accuracy": accuracy,
        "mean_dice": None,
        "boundary_iou": miou / 2,
        "per_class_iou": {"a": miou},
        "grad_norm": grad_norm,
    }


HISTORY = [
    _epoch(1, 2.0, 1.5, 0.30, 0.60, 1.0),
    _epoch(2, 1.5, 1.2, 0.50, 0.80, 2.0),
    _epoch(3, 1.2, 1.0, 0.60, 0.70, 3.0),  # best mIoU (first of a tie)
    _epoch(4, 1.0, 1.1, 0.40, 0.85, 4.0),  # highest pixel accuracy, not the best epoch
    _epoch(5, 0.9, 0.9, 0.55, 0.75, 2.0),
    _epoch(6, 0.5, 1.3, 0.60, 0.80, 3.0),  # ties the best mIoU: the earlier epoch stays best
]


def test_run_summary_by_hand():
    summary = run_summary(HISTORY)
    assert summary["best_epoch"] == 3
    assert summary["best_miou"] == 0.60
    assert summary["best_per_class_iou"] == {"a": 0.60}
    assert summary["best_boundary_iou"] == 0.30
    # pixel accuracy AT the best-mIoU epoch (3), not the maximum 0.85 of epoch 4
    assert summary["best_pixel_accuracy"] == 0.70
    assert (summary["final_miou"], summary["final_pixel_accuracy"]) == (0.60, 0.80)
    assert summary["min_val_loss"] == 0.9
    # (1 + 2 + 3 + 4 + 2 + 3) / 6 = 15 / 6
    assert summary["average_grad_norm"] == pytest.approx(2.5)
    # 100 (2.0 - 0.5) / 2.0
    assert summary["loss_reduction_pct"] == pytest.approx(75.0)
    # last 5 mIoU 0.50 0.60 0.40 0.55 0.60: mean 2.65 / 5 = 0.53; squared deviations
    # 0.0009 + 0.0049 + 0.0169 + 0.0004 + 0.0049 = 0.028; / (5 - 1) = 0.007; sqrt = 0.08367
    assert summary["stability"] == pytest.approx(math.sqrt(0.007))
    assert summary["stability"] == pytest.approx(statistics.stdev([0.5, 0.6, 0.4, 0.55, 0.6]))


def test_run_summary_loss_reduction_undefined_for_a_loss_that_is_not_positive():
    # boundary loss or Dual Focal can start at or below 0: a percentage of it means nothing
    negative = [_epoch(1, -0.5, 0.1, 0.2, 0.5, 1.0), _epoch(2, -1.5, 0.1, 0.3, 0.6, 1.0)]
    zero = [_epoch(1, 0.0, 0.1, 0.2, 0.5, 1.0), _epoch(2, -1.0, 0.1, 0.3, 0.6, 1.0)]
    assert run_summary(negative)["loss_reduction_pct"] is None
    assert run_summary(zero)["loss_reduction_pct"] is None
    # a loss that can be negative has no meaningful reduction even while it is still positive
    positive = [_epoch(1, 2.0, 0.1, 0.2, 0.5, 1.0), _epoch(2, 1.0, 0.1, 0.3, 0.6, 1.0)]
    assert run_summary(positive)["loss_reduction_pct"] == pytest.approx(50.0)
    assert run_summary(positive, nonnegative_loss=False)["loss_reduction_pct"] is None


def test_run_summary_short_and_empty_histories():
    one = run_summary(HISTORY[:1])
    assert one["stability"] is None  # a standard deviation needs two epochs
    assert one["loss_reduction_pct"] == 0.0
    assert one["best_pixel_accuracy"] == 0.60
    two = run_summary(HISTORY[:2])
    assert two["stability"] == pytest.approx(statistics.stdev([0.30, 0.50]))  # sqrt(0.02)
    unscored = [dict(HISTORY[0], miou=None, pixel_accuracy=None)]
    assert run_summary(unscored)["best_epoch"] is None
    assert run_summary(unscored)["best_pixel_accuracy"] is None
    empty = run_summary([])
    assert all(value is None for value in empty.values())
