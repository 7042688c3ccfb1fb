"""Pixel-wise cross-entropy losses.

- ``ce`` / ``bce``: ``L = -Σ_i w_{y_i} log p_{i,y_i} / Σ_i w_{y_i}`` over valid pixels i; in binary
  mode p = [1 - σ(z), σ(z)], so this is binary cross-entropy. (Standard maximum likelihood; with
  class weights, the weighted cross-entropy of Long, Shelhamer & Darrell, CVPR 2015.)
- ``topk_ce`` / ``binary_topk_bce``: the mean of the ⌈N k / 100⌉ largest pixel losses
  ``w_{y_i} (-log p_{i,y_i})`` among the N valid pixels (w: class weights, 1 without): the
  bootstrapped / TopK cross-entropy of Wu, Shen & van den Hengel ("Bridging category-level and
  instance-level semantic image segmentation", arXiv:1605.06885, 2016), k = 10 % by default.
- ``distance_ce`` / ``binary_distance_bce``: the distance-map penalised cross-entropy of Caliva,
  Iriondo, Martinez, Majumdar & Pedoia ("Distance map loss penalty term for semantic segmentation",
  MIDL 2019): ``L = mean_i (1 + λ Φ_i) (-log p_{i,y_i})``, the mean over valid pixels as in the paper's
  (1/N) Σ_i (class-weighted, ``Σ v_i (1 + λ Φ_i) c_i / Σ v_i``, when ``class_weights`` are given),
  λ = ``boundary_weight`` (the paper's penalty is 1 + Φ, i.e. λ = 1, the default). The paper derives
  Φ from the distance transform of the ground-truth masks, reversed so that pixels close to the
  object boundaries weigh most. Our Φ, exactly: per image, a *boundary pixel* is a valid pixel with
  a valid 4-neighbour of another class (so both sides of every class boundary are boundary pixels);
  d_i is the Euclidean distance from pixel i to the nearest boundary pixel (0 on boundary pixels),
  and ``Φ_i = 1 - d_i / max_j d_j`` (max over the image, at least 1): 1 on the boundaries, falling
  linearly to 0 at the pixel farthest from any boundary; one map for all classes (multiclass
  boundaries included); Φ = 0 in an image without a boundary. Ignored pixels neither create
  boundaries nor count in the mean.
"""

from __future__ import annotations

import math

import torch

from .base import Prepared, SegmentationLoss, pixel_mean
from .distance_maps import boundary_proximity


class CrossEntropyLoss(SegmentationLoss):
    label_sums = False  # no region term

    def compute(self, x: Prepared) -> torch.Tensor:
        return pixel_mean(-x.true_log_probs(), x)


class TopKCrossEntropyLoss(SegmentationLoss):
    label_sums = False  # no region term

    def __init__(self, *args, k_percent: float = 10.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.k_percent = k_percent

    def compute(self, x: Prepared) -> torch.Tensor:
        losses = (-x.true_log_probs() * x.pixel_weights())[x.valid]
        if losses.numel() == 0:
            return x.logits.sum() * 0.0
        k = max(1, math.ceil(losses.numel() * self.k_percent / 100.0))
        return losses.topk(k).values.mean()


class DistanceWeightedCrossEntropyLoss(SegmentationLoss):
    uses_label_map = True
    label_sums = False  # no region term

    def __init__(self, *args, boundary_weight: float = 1.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.boundary_weight = boundary_weight

    def label_map(self, target: torch.Tensor) -> torch.Tensor:
        """Φ ``(N, H, W)``."""
        return boundary_proximity(target, target != self.ignore_index)

    def compute(self, x: Prepared) -> torch.Tensor:
        proximity = self.map_of(x)
        return pixel_mean((1.0 + self.boundary_weight * proximity) * -x.true_log_probs(), x)
