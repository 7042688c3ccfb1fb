"""The Lovász losses' sort (integer keys of the floats' bits) and the gradient of the Lovász extension."""

from __future__ import annotations

import pytest
import torch

from segmentation_trainer.losses.lovasz import descending_order, lovasz_grad


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
def test_the_integer_keys_sort_like_the_floats(dtype):
    """Negative and positive values, ±0, ties, extremes: the values in the order found are those of torch.sort."""
    generator = torch.Generator().manual_seed(0)
    values = torch.randn(3, 500, generator=generator).mul_(10).round_().div_(4).to(dtype)  # many ties
    values[:, :6] = torch.tensor([0.0, -0.0, 1e4, -1e4, float("inf"), -float("inf")]).to(dtype)
    order = descending_order(values)
    expected = torch.sort(values.double(), dim=-1, descending=True).values
    assert torch.equal(values.double().gather(-1, order), expected)
    assert torch.equal(order.sort(-1).values, torch.arange(500).expand(3, 500))  # a permutation of each row


def test_lovasz_grad_is_the_difference_of_the_jaccard_losses():
    """``∇J_k = J_k - J_{k-1}`` with ``J_k = 1 - (G - TP_k) / (G + FP_k)``, computed pixel by pixel."""
    truth = torch.tensor([[1.0, 0.0, 1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]], dtype=torch.float64)
    expected = []
    for row in truth.tolist():
        total, hits, previous, grads = sum(row), 0.0, 0.0, []
        for k, g in enumerate(row, start=1):
            hits += g
            jaccard = 1.0 - (total - hits) / (total + k - hits)
            grads.append(jaccard - previous)
            previous = jaccard
        expected.append(grads)
    assert torch.allclose(lovasz_grad(truth), torch.tensor(expected, dtype=torch.float64), rtol=0, atol=1e-15)
