"""Taghanaki et al.'s β-weighted cross-entropy over every class (``combined.ClassWiseCrossEntropy``, closed-form
gradient) against autograd through its definition (Taghanaki et al. 2019, "Combo loss: handling input and output
imbalance in multi-organ segmentation", Eq. 1: ``-mean_c [β g_c log p_c + (1 - β)(1 - g_c) log(1 - p_c)]``), at
ordinary logits and where 1 - p is clamped at EPS."""

import pytest
import torch
import torch.nn.functional as F

from segmentation_trainer.losses.base import EPS
from segmentation_trainer.losses.combined import ClassWiseCrossEntropy


def definition(logits: torch.Tensor, target: torch.Tensor, beta: float) -> torch.Tensor:
    log_p = F.log_softmax(logits, dim=1)
    log_not = torch.log((1.0 - log_p.exp()).clamp_min(EPS))
    truth = F.one_hot(target, logits.shape[1]).permute(0, 3, 1, 2).to(logits.dtype)
    return -(beta * truth * log_p + (1.0 - beta) * (1.0 - truth) * log_not).mean(dim=1)


@pytest.mark.parametrize("beta", [0.0, 0.3, 0.5, 1.0])
@pytest.mark.parametrize("scale", [1.0, 40.0])  # 40: many p_c within EPS of 1, the clamp's zero gradient
def test_value_and_gradient_match_the_definition(beta, scale):
    generator = torch.Generator().manual_seed(int(beta * 10 + scale))
    logits = (torch.randn(2, 5, 7, 9, generator=generator, dtype=torch.float64) * scale).requires_grad_()
    target = torch.randint(0, 5, (2, 7, 9), generator=generator)
    weights = torch.rand(2, 7, 9, generator=generator, dtype=torch.float64)
    ours = ClassWiseCrossEntropy.apply(logits, target, beta)
    (grad,) = torch.autograd.grad((ours * weights).sum(), logits)
    reference = definition(logits, target, beta)
    (expected,) = torch.autograd.grad((reference * weights).sum(), logits)
    torch.testing.assert_close(ours, reference, rtol=1e-9, atol=1e-9)
    torch.testing.assert_close(grad, expected, rtol=1e-7, atol=1e-9)
    if scale > 1:
        p = F.softmax(logits, dim=1)
        assert bool((1.0 - p <= EPS).any())  # the clamp was reached


def test_gradcheck():
    logits = torch.randn(1, 4, 5, 6, dtype=torch.float64, requires_grad=True)
    target = torch.randint(0, 4, (1, 5, 6))
    assert torch.autograd.gradcheck(lambda z: ClassWiseCrossEntropy.apply(z, target, 0.7), (logits,))
