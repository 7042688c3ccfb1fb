"""Segmentation metrics: the loss study's per-epoch and per-run figures (Swastika 2025,
"Comparative Analysis of Loss Functions for Semantic Segmentation: An Empirical Study on Cityscapes
Dataset"; see docs/references.md).

Per epoch, from a confusion matrix and boundary counts accumulated over the validation pixels:
mIoU, per-class IoU, pixel accuracy, mean Dice (F1), boundary IoU. Per run, from the epoch history:
best and final mIoU, pixel accuracy at the best epoch, minimum validation loss, average gradient
norm, loss reduction and stability.

Which classes are averaged (mIoU, mean Dice, boundary IoU): a class counts where the labels or the
prediction contain it on valid pixels, i.e. TP + FP + FN > 0 (Everingham et al. 2010, PASCAL VOC;
the convention of torchmetrics and MMSegmentation). A class predicted but absent from the labels
therefore scores IoU 0 and lowers the mean; a class in neither is absent (None) and left out.
Ignored pixels (label ``IGNORE_INDEX``) take no part in any metric.
"""

from __future__ import annotations

import math
import statistics
from typing import Any

import numpy as np
import torch
from scipy.ndimage import binary_erosion

from ..common.config import IGNORE_INDEX

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


def _inner_boundary(mask: np.ndarray, ignored: np.ndarray, width: int) -> np.ndarray:
    """Pixels of ``mask`` within ``width`` pixels (chessboard distance) of its contour.

    The image border counts as contour (Cheng et al.'s reference code pads the mask with zeros);
    ignored pixels do not: they are counted as part of the mask while eroding, so a mask next to
    unlabelled pixels has no contour there (and distances are measured through them).
    """
    eroded = binary_erosion(mask | ignored, structure=np.ones((3, 3), dtype=bool), iterations=width, border_value=0)
    return mask & ~eroded


def boundary_counts(pred: torch.Tensor, target: torch.Tensor, num_classes: int) -> np.ndarray:
    """``(2, K)`` boundary intersections and unions over a batch (Cheng, Girshick, Dollár, Berg &
    Kirillov, "Boundary IoU: Improving object-centric image segmentation evaluation", CVPR 2021).

    Per image and class c, with G = (target == c) and P = (prediction == c): G_d and P_d are the
    pixels of G and of P within d pixels of their own contour, d = max(1, round(2 % of the image
    diagonal)); the image border is contour. Row 0 adds |G_d ∩ P_d| and row 1 |G_d ∪ P_d|, both over
    valid pixels only. Ignored pixels take no part: they are neither counted nor create contour
    (while finding contours they count as belonging to every class, in the labels and in the
    prediction alike). Hence a prediction equal to the labels on every valid pixel has G_d = P_d
    for every class, whatever it predicts on ignored pixels, and scores exactly 1.
    """
    counts = np.zeros((2, num_classes), dtype=np.int64)
    preds, targets = pred.cpu().numpy(), target.cpu().numpy()
    width = max(1, round(BOUNDARY_DILATION_RATIO * math.hypot(*targets.shape[1:])))
    for p, t in zip(preds, targets):
        ignored = t == IGNORE_INDEX
        valid = ~ignored
        for c in np.unique(np.concatenate([p[valid], t[valid]])):
            g_d = _inner_boundary((t == c) & valid, ignored, width)
            p_d = _inner_boundary((p == c) & valid, ignored, width)
            counts[0, c] += np.count_nonzero(g_d & p_d)
            counts[1, c] += np.count_nonzero(g_d | p_d)
    return counts


def summarize(confusion: np.ndarray, class_names: list[str], boundary: np.ndarray | None = None) -> dict[str, Any]:
    """mIoU, pixel accuracy, mean Dice, boundary IoU and per-class IoU from a confusion matrix.

    With TP_c, FP_c, FN_c read from ``confusion`` (rows true, columns predicted; ignored pixels are
    never in it):

    - IoU_c = TP_c / (TP_c + FP_c + FN_c), Dice_c = 2 TP_c / (2 TP_c + FP_c + FN_c);
    - a class is *present* when TP_c + FP_c + FN_c > 0 (in the labels or in the prediction:
      Everingham et al. 2010; torchmetrics, MMSegmentation). mIoU and mean Dice are the means over
      present classes, so a class predicted but absent from the labels counts with IoU 0; a class in
      neither is absent: None in ``per_class_iou`` and left out of the means;
    - pixel accuracy = Σ TP_c / Σ all counts (valid pixels);
    - boundary IoU (from ``boundary_counts``) = mean over present classes of
      Σ|G_d ∩ P_d| / Σ|G_d ∪ P_d| (sums over the images), leaving out a class whose union is empty
      (no contour on valid pixels in labels or prediction, which needs ignored pixels around it).

    Means are None when no class is present (no valid pixel).
    """
    tp = np.diag(confusion).astype(np.float64)
    fn = confusion.sum(axis=1) - tp
    fp = confusion.sum(axis=0) - tp
    union = tp + fp + fn
    present = union > 0
    iou = np.divide(tp, union, out=np.zeros_like(tp), where=present)
    dice = np.divide(2 * tp, tp + union, out=np.zeros_like(tp), where=present)
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


def run_summary(history: list[dict[str, Any]], nonnegative_loss: bool = True) -> dict[str, Any]:
    """The study's per-run figures from the per-epoch records.

    - ``best_epoch``: the epoch of the highest validation mIoU (the earliest on ties); every
      ``best_*`` figure (mIoU, per-class IoU, boundary IoU, pixel accuracy) is that epoch's;
    - ``final_*``: the last epoch's;
    - ``min_val_loss``: the lowest validation loss over the epochs;
    - ``average_grad_norm``: mean over epochs of the epoch's mean total gradient norm (before
      clipping);
    - ``loss_reduction_pct``: 100 (L_first - L_last) / L_first with L the epoch's mean training
      loss, in percent; None when the loss can be negative (``nonnegative_loss`` False: boundary
      loss, Dual Focal with rho > 1) or L_first <= 0, since a percentage of a loss whose minimum is
      not 0 means nothing;
    - ``stability``: the sample standard deviation (n - 1 denominator, ``statistics.stdev``) of the
      validation mIoU over the last 5 epochs that have one (fewer if the run was shorter; None with
      fewer than 2). Lower is steadier.
    """
    scored = [h for h in history if h.get("miou") is not None]
    best = max(scored, key=lambda h: h["miou"]) if scored else None
    final = history[-1] if history else None
    losses = [h["val_loss"] for h in history if h.get("val_loss") is not None]
    norms = [h["grad_norm"] for h in history if h.get("grad_norm") is not None]
    last = [h["miou"] for h in scored[-STABILITY_EPOCHS:]]
    first_loss = history[0].get("train_loss") if history else None
    final_loss = final.get("train_loss") if final else None
    reduction = None
    if nonnegative_loss and first_loss is not None and final_loss is not None and first_loss > 0:
        reduction = 100.0 * (first_loss - final_loss) / first_loss
    return {
        "best_epoch": best["epoch"] if best else None,
        "best_miou": best["miou"] if best else None,
        "best_per_class_iou": best["per_class_iou"] if best else None,
        "best_boundary_iou": best.get("boundary_iou") if best else None,
        "final_miou": final["miou"] if final else None,
        "final_pixel_accuracy": final["pixel_accuracy"] if final else None,
        "best_pixel_accuracy": best.get("pixel_accuracy") if best else None,
        "min_val_loss": min(losses) if losses else None,
        "average_grad_norm": float(np.mean(norms)) if norms else None,
        "loss_reduction_pct": reduction,
        "stability": statistics.stdev(last) if len(last) > 1 else None,
    }
