"""Segmentation metrics from a confusion matrix accumulated over validation pixels."""

from __future__ import annotations

import numpy as np
import torch

from .config import IGNORE_INDEX


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


def summarize(confusion: np.ndarray, class_names: list[str]) -> dict[str, object]:
    """mIoU, pixel accuracy and per-class IoU.

    IoU_c = TP / (TP + FP + FN). A class absent from the validation labels (TP + FN = 0) is
    reported as absent (None) and left out of the mean, not counted as 0.
    """
    tp = np.diag(confusion).astype(np.float64)
    fn = confusion.sum(axis=1) - tp
    fp = confusion.sum(axis=0) - tp
    present = (tp + fn) > 0
    iou = np.divide(tp, tp + fp + fn, out=np.zeros_like(tp), where=(tp + fp + fn) > 0)
    total = confusion.sum()
    return {
        "miou": float(iou[present].mean()) if present.any() else None,
        "pixel_accuracy": float(tp.sum() / total) if total else None,
        "per_class_iou": {name: (float(iou[i]) if present[i] else None) for i, name in enumerate(class_names)},
    }
