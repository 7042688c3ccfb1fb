"""Lovász losses: convex surrogates of the Jaccard index (Berman, Rannen Triki & Blaschko, "The
Lovász-softmax loss: a tractable surrogate for the optimization of the intersection-over-union
measure in neural networks", CVPR 2018).

- ``lovasz_hinge`` (binary): the Lovász extension of the Jaccard loss applied to the hinge errors
  ``1 - z_i s_i`` (s_i = ±1), sorted in decreasing order: ``L = Σ_k relu(e_(k)) ∇J_k``.
- ``lovasz_softmax`` (multiclass): per present class c, the errors ``|g_ic - p_ic|`` sorted in
  decreasing order, ``L_c = Σ_k e_(k) ∇J_k``, averaged over present classes (class weighted).

``∇J`` is the gradient of the Lovász extension (``lovasz_grad``): with the pixels sorted by
decreasing error, ``∇J_k = J(π_1..k) - J(π_1..k-1)`` where J(S) is the Jaccard loss of the
prediction that gets the pixels of S wrong. Ignored pixels are dropped. ``class_weights`` weigh the
classes of the softmax form; the hinge form scores one set of pixels and has no class to weigh.

**Aggregation** (``per_image``, False by default in both modes): Berman et al.'s code defaults to
per-image for the hinge (``lovasz_hinge(per_image=True)``) and to the batch for the softmax form.
Here both default to the batch — the whole batch is one set of pixels — because the Lovász
extension is a surrogate of the IoU of the set it is given, and the IoU the plugin reports (and
the PASCAL VOC convention, Everingham et al. 2010) is computed over the whole data set, not
averaged per image; remote-sensing tiles often lack the foreground, where a per-image IoU is
undefined or noisy. ``per_image=True`` gives Berman et al.'s hinge default (the mean over images).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .base import Prepared, SegmentationLoss


def lovasz_grad(truth_sorted: torch.Tensor) -> torch.Tensor:
    """Gradient of the Lovász extension of the Jaccard loss at errors sorted in decreasing order along the
    last dimension (one row per class)."""
    total = truth_sorted.sum(-1, keepdim=True)
    intersection = total - truth_sorted.cumsum(-1)
    union = total + (1.0 - truth_sorted).cumsum(-1)
    jaccard = 1.0 - intersection / union
    if truth_sorted.shape[-1] > 1:
        jaccard[..., 1:] = jaccard[..., 1:] - jaccard[..., :-1]
    return jaccard


def _hinge(logits: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
    if truth.numel() == 0:
        return logits.sum() * 0.0
    errors = 1.0 - logits * (2.0 * truth - 1.0)
    errors_sorted, order = torch.sort(errors, descending=True)
    return torch.dot(F.relu(errors_sorted), lovasz_grad(truth[order]))


def _softmax(probs: torch.Tensor, labels: torch.Tensor, weights: torch.Tensor | None) -> torch.Tensor:
    """``probs`` (K, P) of valid pixels, ``labels`` (P,): the present classes' errors sorted in one call."""
    present = torch.unique(labels)
    if present.numel() == 0:
        return probs.sum() * 0.0
    truth = (labels == present.view(-1, 1)).to(probs.dtype)
    errors_sorted, order = torch.sort((truth - probs[present]).abs(), dim=1, descending=True)
    losses = (errors_sorted * lovasz_grad(truth.gather(1, order))).sum(1)
    w = torch.ones_like(losses) if weights is None else weights[present].to(probs.dtype)
    return (losses * w).sum() / w.sum().clamp_min(1e-7)


class LovaszLoss(SegmentationLoss):
    def __init__(self, *args, per_image: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.per_image = per_image

    def _one(self, x: Prepared, select: torch.Tensor) -> torch.Tensor:
        valid = x.valid & select
        if x.binary:
            return _hinge(x.logits[:, 0][valid], x.target[valid].to(x.dtype))
        probs = x.probs.transpose(0, 1)[:, valid]
        return _softmax(probs, x.target[valid], x.class_weights)

    def compute(self, x: Prepared) -> torch.Tensor:
        if not self.per_image:
            return self._one(x, torch.ones_like(x.valid))
        images = torch.arange(x.target.shape[0], device=x.target.device).view(-1, 1, 1)
        per_image = [self._one(x, (images == n).expand_as(x.valid)) for n in range(x.target.shape[0])]
        return torch.stack(per_image).mean()
