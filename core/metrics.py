"""Segmentation metrics: the loss study's (seed 003) per-epoch and per-run figures.

Per epoch, from a confusion matrix and boundary counts accumulated over the validation pixels:
mIoU, per-class IoU, pixel accuracy, mean Dice (F1), boundary IoU. Per run, from the epoch history:
best and final mIoU, best pixel accuracy, minimum validation loss, average gradient norm, loss
reduction and stability.
"""

from __future__ import annotations

import math
import statistics
from typing import Any

import numpy as np
import torch
from scipy.ndimage import binary_erosion

from .config import IGNORE_INDEX

BOUNDARY_DILATION_RATIO = 0.02  # Cheng et al. 2021: 2 % of the image diagonal
STABILITY_EPOCHS = 5


def predicted_indices(logits: torch.Tensor, mode: str) -> torch.Tensor:
    """Class indices ``(N, H, W)`` from logits: argmax, or sigmoid > 0.5 in binary mode."""
    if mode == "binary":
        return (logits[:, 0] > 0).long()
    return logits.argmax(dim=1)


def confusion_matrix(pred: torch.Tensor, target: torch.Tensor, num_classes: int) -> np.ndarray:
    """``(K, K)`` counts, rows = true class, columns = predicted; ignored pixels skipped."""
    valid = target != IGNORE_INDEX
    index = target[valid].long() * num_classes + pred[valid].long()
    counts = torch.bincount(index, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes).cpu().numpy().astype(np.int64)


def _inner_boundary(mask: np.ndarray, width: int) -> np.ndarray:
    """Pixels of ``mask`` within ``width`` pixels of its contour (the image border counts as contour)."""
    eroded = binary_erosion(mask, structure=np.ones((3, 3), dtype=bool), iterations=width, border_value=0)
    return mask & ~eroded


def boundary_counts(pred: torch.Tensor, target: torch.Tensor, num_classes: int) -> np.ndarray:
    """``(2, K)`` boundary intersections and unions over a batch (Cheng, Girshick, Dollár, Berg &
    Kirillov, "Boundary IoU", CVPR 2021): per image and class, G_d and P_d are the target's and the
    prediction's pixels within d = 2 % of the image diagonal of their contours; ignored pixels are
    left out of both."""
    counts = np.zeros((2, num_classes), dtype=np.int64)
    preds, targets = pred.cpu().numpy(), target.cpu().numpy()
    width = max(1, round(BOUNDARY_DILATION_RATIO * math.hypot(*targets.shape[1:])))
    for p, t in zip(preds, targets):
        valid = t != IGNORE_INDEX
        for c in np.unique(np.concatenate([p[valid], t[valid]])):
            g_d = _inner_boundary(t == c, width) & valid
            p_d = _inner_boundary(p == c, width) & valid
            counts[0, c] += np.count_nonzero(g_d & p_d)
            counts[1, c] += np.count_nonzero(g_d | p_d)
    return counts


def summarize(confusion: np.ndarray, class_names: list[str], boundary: np.ndarray | None = None) -> dict[str, Any]:
    """mIoU, pixel accuracy, mean Dice, boundary IoU and per-class IoU.

    IoU_c = TP / (TP + FP + FN), Dice_c = 2 TP / (2 TP + FP + FN). A class absent from the
    validation labels (TP + FN = 0) is reported as absent (None) and left out of the means, not
    counted as 0.
    """
    tp = np.diag(confusion).astype(np.float64)
    fn = confusion.sum(axis=1) - tp
    fp = confusion.sum(axis=0) - tp
    present = (tp + fn) > 0
    iou = np.divide(tp, tp + fp + fn, out=np.zeros_like(tp), where=(tp + fp + fn) > 0)
    dice = np.divide(2 * tp, 2 * tp + fp + fn, out=np.zeros_like(tp), where=(2 * tp + fp + fn) > 0)
    total = confusion.sum()
    result: dict[str, Any] = {
        "miou": float(iou[present].mean()) if present.any() else None,
        "pixel_accuracy": float(tp.sum() / total) if total else None,
        "mean_dice": float(dice[present].mean()) if present.any() else None,
        "boundary_iou": None,
        "per_class_iou": {name: (float(iou[i]) if present[i] else None) for i, name in enumerate(class_names)},
    }
    if boundary is not None:
        scored = present & (boundary[1] > 0)
        if scored.any():
            result["boundary_iou"] = float((boundary[0][scored] / boundary[1][scored]).mean())
    return result


def run_summary(history: list[dict[str, Any]]) -> dict[str, Any]:
    """The study's per-run figures from the per-epoch records (``best_*``: at the best-mIoU epoch).

    - loss reduction: 100 (first - last) / first training loss, in percent;
    - stability: standard deviation of validation mIoU over the last 5 epochs (fewer if the run was
      shorter; None with one epoch);
    - average gradient norm: mean over epochs of the epoch's mean total gradient norm (before clipping).
    """
    scored = [h for h in history if h.get("miou") is not None]
    best = max(scored, key=lambda h: h["miou"]) if scored else None
    final = history[-1] if history else None
    losses = [h["val_loss"] for h in history if h.get("val_loss") is not None]
    accuracies = [h["pixel_accuracy"] for h in history if h.get("pixel_accuracy") is not None]
    norms = [h["grad_norm"] for h in history if h.get("grad_norm") is not None]
    last = [h["miou"] for h in scored[-STABILITY_EPOCHS:]]
    first_loss = history[0]["train_loss"] if history else None
    return {
        "best_epoch": best["epoch"] if best else None,
        "best_miou": best["miou"] if best else None,
        "best_per_class_iou": best["per_class_iou"] if best else None,
        "best_boundary_iou": best.get("boundary_iou") if best else None,
        "final_miou": final["miou"] if final else None,
        "final_pixel_accuracy": final["pixel_accuracy"] if final else None,
        "best_pixel_accuracy": max(accuracies) if accuracies else None,
        "min_val_loss": min(losses) if losses else None,
        "average_grad_norm": float(np.mean(norms)) if norms else None,
        "loss_reduction_pct": (100.0 * (first_loss - final["train_loss"]) / first_loss) if first_loss else None,
        "stability": statistics.stdev(last) if len(last) > 1 else None,
    }
