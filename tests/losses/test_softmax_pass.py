"""The one softmax pass behind the pixel and region losses (``fused``), and the label maps that the data
pipeline may compute once per tile instead of the loss at every step."""

from __future__ import annotations

import pytest
import torch
from loss_helpers import ALL, classes_of, make_batch

from segmentation_trainer.losses import build_loss
from segmentation_trainer.losses.fused import softmax_pass


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_the_pass_has_exact_gradients(binary, weighted):
    """Every output (true-class p and log p, sums of p, p² and of a map times p) against autograd's."""
    logits, target = make_batch("binary" if binary else "multiclass", shape=(2, 5, 6))
    target = torch.where(target == 255, 0, target)
    valid = torch.rand(target.shape, generator=torch.Generator().manual_seed(1)) > 0.2
    k = 2 if binary else logits.shape[1]
    weights = torch.randn(2, k, 5, 6, dtype=torch.float64) if weighted else None

    def outputs(z):
        result = softmax_pass(z, target, valid, binary, powers=(1, 2), weights=weights)
        return result.p_true, result.log_p_true, result.sums

    assert torch.autograd.gradcheck(outputs, (logits.detach().requires_grad_(),))


@pytest.mark.parametrize("name, mode", [(n, m) for n, m in ALL if build_loss(n, m, classes_of(m)).uses_label_map])
def test_a_label_map_given_by_the_pipeline_gives_the_same_loss(name, mode):
    loss = build_loss(name, mode, classes_of(mode))
    logits, target = make_batch(mode)
    alone = loss(logits, target)
    given = loss(logits, target, torch.cat([loss.label_map(target[i : i + 1]) for i in range(len(target))]))
    assert float(given) == pytest.approx(float(alone), rel=1e-12)
