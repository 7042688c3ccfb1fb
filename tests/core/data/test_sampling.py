"""Class-balanced tile sampling: known weights, seeded draws, the same draws shared by several processes."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from segmentation_trainer.core.data.sampling import BalancedSampler, balanced_weights


def test_weights_give_every_class_the_same_share_of_the_draws():
    # three tiles of a frequent class, one of a rare class: the rare tile is drawn as often as the three together
    counts = np.array([[100, 0], [100, 0], [100, 0], [0, 10]])
    assert balanced_weights(counts) == pytest.approx([1 / 6, 1 / 6, 1 / 6, 1 / 2])
    # a tile's weight is the mean of its shares of each class's pixels; an absent class (the third) is left out
    counts = np.array([[60, 0, 0], [20, 10, 0], [20, 0, 0]])
    assert balanced_weights(counts) == pytest.approx([0.3, 0.6, 0.1])


def test_draws_are_seeded_by_epoch_and_follow_the_weights():
    weights = balanced_weights(np.array([[100, 0]] * 9 + [[0, 10]]))
    sampler = BalancedSampler(weights, seed=42000)
    sampler.set_epoch(3)
    epoch3 = list(sampler)
    again = BalancedSampler(weights, seed=42000)  # a resumed run: a new sampler at the same epoch
    again.set_epoch(3)
    assert list(again) == epoch3 and len(epoch3) == len(sampler) == 10
    sampler.set_epoch(4)
    assert list(sampler) != epoch3
    drawn = []
    for epoch in range(200):
        sampler.set_epoch(epoch)
        drawn += list(sampler)
    assert np.mean(np.array(drawn) == 9) == pytest.approx(0.5, abs=0.03)  # the rare tile: half of the draws


def test_processes_share_one_draw_between_them():
    weights = balanced_weights(np.array([[5, 0], [3, 1], [0, 2], [1, 1], [4, 0]]))
    shards = [BalancedSampler(weights, num_replicas=2, rank=rank, seed=7) for rank in (0, 1)]
    for sampler in shards:
        sampler.set_epoch(2)
    first, second = (list(s) for s in shards)
    assert len(first) == len(second) == 3  # five tiles: three draws each, six in all
    generator = torch.Generator().manual_seed(7 + 2)
    expected = torch.multinomial(torch.as_tensor(weights), 6, True, generator=generator).tolist()
    assert [i for pair in zip(first, second) for i in pair] == expected  # every N-th draw of one sequence
