"""Weighted sums of losses: ``L = Σ_k w_k L_k`` (terms with weight 0 are not computed)."""

from __future__ import annotations

import torch
from torch import nn


class WeightedSum(nn.Module):
    def __init__(self, terms: dict[str, tuple[float, nn.Module]]) -> None:
        super().__init__()
        self.weights = {name: float(w) for name, (w, _) in terms.items() if w != 0}
        if not self.weights:
            raise ValueError("A combined loss needs at least one term with a non-zero weight.")
        self.terms = nn.ModuleDict({name: module for name, (w, module) in terms.items() if w != 0})

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return sum(w * self.terms[name](logits, target) for name, w in self.weights.items())
