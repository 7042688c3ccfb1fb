"""Boundary-based losses, from distance maps of the target (constants for the gradient).

- ``boundary`` / ``binary_boundary`` (Kervadec, Bouchtiba, Desrosiers, Granger, Dolz & Ben Ayed,
  "Boundary loss for highly unbalanced segmentation", MIDL 2019): the boundary term
  ``L_B = Σ_i φ_G(i) p_i`` with φ_G Kervadec's signed distance to the target's boundary (negative
  inside, ``φ = edt(outside) - (edt(inside) - 1)``, in pixels). It is not used alone (its minimum
  ignores the inner rim, where φ = 0): the loss is ``(1 - w) L_Dice + w L_B`` with
  ``w = boundary_weight`` < 1. **Scale**: the paper's integral (Kervadec's code: the mean of φ p over
  pixels) grows with tile and object size, so a weight means different things on different data;
  here each image n and class c is normalised by the L1 norm of its map,
  ``L_B(n, c) = Σ_i φ_nc(i) p_nc(i) / Σ_i |φ_nc(i)|`` ∈ [-1, 1], and L_B is the mean over the
  (image, class) pairs whose map is not empty (class weighted). At equal weights the gradient of
  L_B is then of the size of Dice's, whatever the tile size: the ratio of gradient norms measured on
  a disk (2–50 % of a 64 or 256 px tile) is about 1 to 2 for random predictions and stays within
  0.4–4 for all-background, all-foreground, shifted and near-perfect ones
  (``tests/losses/test_boundary_scale.py``; with the former 1/diagonal scale it was 0.09–0.25).
  The perfect prediction scores ``-w mean Σ_inside |φ| / Σ |φ|`` < 0. Classes absent from an image,
  or filling it, have no boundary (φ = 0) and take no part; binary mode scores the foreground;
  ignored pixels count as outside every class for φ and take no part in the sums. ``per_image``
  applies to the Dice term (the boundary term is always per image).
- ``hausdorff_dt`` / ``binary_hausdorff_dt`` (Karimi & Salcudean, "Reducing the Hausdorff distance in
  medical image segmentation with convolutional neural networks", IEEE TMI 2020, the
  distance-transform form): ``L = mean_{n, c} mean_i (p_ic - g_ic)² (d_G(i)^α + d_P(i)^α)`` with
  d_G, d_P the distances to the boundaries of the target and of the thresholded prediction
  (p > 0.5), α = 2. Averaged over every image and class (weighted by ``class_weights``), absent ones
  included (their false positives weigh through d_P), as MONAI's ``HausdorffDTLoss``; binary mode
  scores the foreground. As in MONAI, d = 0 for a mask that is empty or full, so an image whose
  target and prediction are both empty or full (say, no foreground and a prediction of all
  foreground) scores 0 in that class.
"""

from __future__ import annotations

import torch

from .base import EPS, Prepared, SegmentationLoss, class_mean
from .dice import DiceLoss, dice_term
from .distance_maps import distance_field, scored_masks, signed_distance
from .fused import softmax_pass


def _scored(x: Prepared, tensor: torch.Tensor) -> torch.Tensor:
    return tensor[:, 1:] if x.binary else tensor


class BoundaryLoss(DiceLoss):
    """Dice and Kervadec's boundary term from one softmax pass, the signed distance map φ (``label_map``)
    its weights: ``L_B(n, c) = S_φ[n, c] / Σ_i |φ_nc(i)|``."""

    nonnegative = False  # the boundary term is negative inside the target: its minimum is below 0
    uses_label_map = True

    def __init__(self, *args, boundary_weight: float = 0.5, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.boundary_weight = boundary_weight

    def label_map(self, target: torch.Tensor) -> torch.Tensor:
        """φ of each scored class ``(N, K', H, W)`` (binary: the foreground), 0 at ignored pixels."""
        masks = scored_masks(target, self.num_classes, self.binary, self.ignore_index)
        return signed_distance(masks) * (target != self.ignore_index).unsqueeze(1).cpu()

    def compute(self, x: Prepared) -> torch.Tensor:
        phi = self.map_of(x)
        weights = torch.cat([torch.zeros_like(phi), phi], dim=1) if x.binary else phi
        result = softmax_pass(x.logits, x.target, x.valid_mask, x.binary, weights=weights)
        dice = dice_term(x, self.smooth, self.per_image, result)
        norm = phi.flatten(2).abs().sum(2)  # summed along the last axis: several times faster than over (2, 3)
        boundary = class_mean(_scored(x, result.sums[..., -1]) / norm.clamp_min(EPS), norm > 0, x)
        return (1.0 - self.boundary_weight) * dice + self.boundary_weight * boundary


class _WeightedSquaredError(torch.autograd.Function):
    """``Σ_i w_i (p_i - g_i)²`` over the pixels of each image and class ``(N, K)``, with ``∂/∂p_i = 2 w_i (p_i - g_i)``
    (the weights ``w`` and the error ``e = p - g`` given, constants but for p): one product and one dot product
    forward, one product backward."""

    @staticmethod
    def forward(ctx, _probs: torch.Tensor, error: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        # p enters for autograd to route the gradient to it; its values are in ``error``
        weighted = error * weights
        ctx.save_for_backward(weighted)
        return torch.einsum("nkp,nkp->nk", weighted.flatten(2), error.flatten(2))

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        (weighted,) = ctx.saved_tensors
        return weighted * (2.0 * grad)[..., None, None], None, None


class HausdorffDTLoss(SegmentationLoss):
    """d_G^α from the labels (``label_map``), d_P^α from the thresholded prediction at each step; the sum
    ``Σ_i (p_i - g_i)² (d_G^α + d_P^α) / n_valid`` of each image and class with its closed-form gradient
    (``_WeightedSquaredError``)."""

    uses_label_map = True

    def __init__(self, *args, alpha: float = 2.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.alpha = alpha

    def label_map(self, target: torch.Tensor) -> torch.Tensor:
        """d_G^α of each scored class ``(N, K', H, W)``."""
        return distance_field(scored_masks(target, self.num_classes, self.binary, self.ignore_index), self.alpha)

    def compute(self, x: Prepared) -> torch.Tensor:
        probs = torch.sigmoid(x.logits) if x.binary else torch.softmax(x.logits, dim=1)  # the scored classes
        valid = x.valid.unsqueeze(1)
        weights = distance_field((probs.detach() > 0.5).logical_and_(valid), self.alpha).to(probs)
        weights += self.map_of(x)
        weights *= valid / valid.sum(dim=(2, 3), keepdim=True).clamp_min(1)
        error = probs.detach() * valid
        if x.binary:
            error -= x.target.unsqueeze(1) * valid
        else:
            error.scatter_add_(1, x.target.unsqueeze(1), -valid.to(error.dtype))
        per_unit = _WeightedSquaredError.apply(probs, error, weights)
        return class_mean(per_unit, torch.ones_like(per_unit, dtype=torch.bool), x)
