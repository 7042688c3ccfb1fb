"""Pixel-wise cross-entropy losses.

- ``ce`` / ``bce``: ``L = -Σ_i w_{y_i} log p_{i,y_i} / Σ_i w_{y_i}`` over valid pixels i; in binary
  mode p = [1 - σ(z), σ(z)], so this is binary cross-entropy. (Standard maximum likelihood; with
  class weights, the weighted cross-entropy of Long, Shelhamer & Darrell, CVPR 2015.)
- ``topk_ce`` / ``binary_topk_bce``: the mean of the k % largest pixel losses (bootstrapped /
  TopK cross-entropy; Wu, Shen & van den Hengel, arXiv:1605.06885, 2016).
- ``distance_ce`` / ``binary_distance_bce``: cross-entropy weighted by ``1 + λ Φ_i`` where
  ``Φ_i = 1 - d_i / max d`` and d_i is the distance from pixel i to the nearest class boundary of
  the target, so pixels near boundaries weigh up to 1 + λ (distance-map penalised cross-entropy;
  Caliva, Iriondo, Martinez, Majumdar & Pedoia, MIDL 2019).
"""

from __future__ import annotations

import math

import torch

from .base import Prepared, SegmentationLoss, pixel_mean
from .distance_maps import boundary_proximity


class CrossEntropyLoss(SegmentationLoss):
    def compute(self, x: Prepared) -> torch.Tensor:
        return pixel_mean(-x.true_log_probs(), x)


class TopKCrossEntropyLoss(SegmentationLoss):
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
    def __init__(self, *args, boundary_weight: float = 1.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.boundary_weight = boundary_weight

    def compute(self, x: Prepared) -> torch.Tensor:
        proximity = boundary_proximity(x.target, x.valid).to(x.logits)
        weights = x.pixel_weights() * (1.0 + self.boundary_weight * proximity)
        return (-x.true_log_probs() * weights).sum() / weights.sum().clamp_min(1e-7)
