"""Boundary-based losses, from distance maps of the target (constants for the gradient).

- ``boundary`` / ``binary_boundary`` (Kervadec, Bouchtiba, Desrosiers, Granger, Dolz & Ben Ayed,
  MIDL 2019): ``L_B = mean_{i, c} φ_c(i) p_ic`` with φ_c the signed distance to class c's target
  boundary (negative inside), divided by the image diagonal so that it lies in [-1, 1]. It is not
  used alone (an empty prediction scores 0): the loss is ``(1 - w) L_Dice + w L_B`` with
  ``w = boundary_weight``. Classes absent from an image have φ = 0.
- ``hausdorff_dt`` / ``binary_hausdorff_dt`` (Karimi & Salcudean, IEEE TMI 2020, the
  distance-transform form): ``L = mean_{n, c} mean_i (p_ic - g_ic)² (d_G(i)^α + d_P(i)^α)`` with
  d_G, d_P the distances to the boundaries of the target and of the thresholded prediction
  (p > 0.5), α = 2. Averaged over every image and class, absent ones included (their false
  positives weigh through d_P), as MONAI's ``HausdorffDTLoss``; binary mode scores the foreground.
"""

from __future__ import annotations

import math

import torch

from .base import Prepared, SegmentationLoss
from .dice import DiceLoss
from .distance_maps import distance_field, signed_distance


def _scored(x: Prepared, tensor: torch.Tensor) -> torch.Tensor:
    return tensor[:, 1:] if x.binary else tensor


class BoundaryLoss(DiceLoss):
    def __init__(self, *args, boundary_weight: float = 0.5, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.boundary_weight = boundary_weight

    def compute(self, x: Prepared) -> torch.Tensor:
        probs, truth = _scored(x, x.probs), _scored(x, x.one_hot())
        diagonal = math.hypot(*truth.shape[2:])
        phi = signed_distance(truth).to(probs) / diagonal
        valid = x.valid.unsqueeze(1).to(x.dtype)
        boundary = (phi * probs * valid).sum() / (valid.sum() * probs.shape[1]).clamp_min(1.0)
        return (1.0 - self.boundary_weight) * super().compute(x) + self.boundary_weight * boundary


class HausdorffDTLoss(SegmentationLoss):
    def __init__(self, *args, alpha: float = 2.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.alpha = alpha

    def compute(self, x: Prepared) -> torch.Tensor:
        valid = x.valid.unsqueeze(1).to(x.dtype)
        probs, truth = _scored(x, x.probs) * valid, _scored(x, x.one_hot())
        distance = (distance_field(probs) ** self.alpha + distance_field(truth) ** self.alpha).to(probs)
        per_unit = ((probs - truth) ** 2 * distance * valid).sum(dim=(2, 3)) / valid.sum(dim=(2, 3)).clamp_min(1.0)
        return per_unit.mean()
