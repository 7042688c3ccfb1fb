"""Class-balanced tile sampling: rare classes drawn as often as frequent ones.

Each draw picks a class uniformly among the classes of the training tiles, then a tile with a chance
proportional to its share of that class's labelled pixels. A tile's weight is therefore the mean,
over those classes, of its share of each class's pixels. Draws are with replacement, seeded by
(seed, epoch) like the uniform shuffle, so a resumed run draws the same tiles; with several processes
every process draws the same sequence and takes every N-th tile of it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import torch
from torch.utils.data import Sampler


def balanced_weights(counts: np.ndarray) -> np.ndarray:
    """Each tile's probability of being drawn, from ``counts`` ``(tiles, classes)``: labelled pixels per class.
    Tiles without labelled pixels of any present class are never drawn; the weights sum to 1."""
    totals = counts.sum(axis=0)
    present = totals > 0
    if not present.any():
        raise ValueError("No training tile holds a labelled pixel.")
    return (counts[:, present] / totals[present]).mean(axis=1)


class BalancedSampler(Sampler[int]):
    """Tile indices drawn by ``weights`` with replacement, as many per epoch as there are tiles; this
    process's share (``rank`` of ``num_replicas``). ``set_epoch`` seeds the next epoch's draws."""

    def __init__(self, weights: np.ndarray, num_replicas: int = 1, rank: int = 0, seed: int = 0) -> None:
        self.weights = torch.as_tensor(weights, dtype=torch.float64)
        self.num_replicas, self.rank, self.seed, self.epoch = num_replicas, rank, seed, 0
        self.num_samples = math.ceil(len(self.weights) / num_replicas)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __iter__(self) -> Iterator[int]:
        generator = torch.Generator().manual_seed(self.seed + self.epoch)
        drawn = torch.multinomial(self.weights, self.num_samples * self.num_replicas, True, generator=generator)
        return iter(drawn[self.rank :: self.num_replicas].tolist())

    def __len__(self) -> int:
        return self.num_samples
