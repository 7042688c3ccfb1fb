"""The one softmax pass behind the pixel and region losses (``fused``), and the label maps that the data
pipeline may compute once per tile instead of the loss at every step."""

from __future__ import annotations

import pytest
import torch
from loss_helpers import ALL, classes_of, make_batch

from segmentation_trainer.losses import build_loss
from segmentation_trainer.losses.base import class_sums, prepare
from segmentation_trainer.losses.fused import safe_pow, softmax_pass


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("powers", [(1,), (2,), (1, 2)])
@pytest.mark.parametrize("float_mask", [False, True])
def test_the_pass_has_exact_gradients(binary, weighted, powers, float_mask):
    """Every output (true-class p and log p, sums of p, p² and of a map times p) against autograd's: sums of p
    only (p unmasked, the mask in the sums and the gradient) and the others (p masked), the valid pixels as a
    bool or a 0/1 float mask."""
    logits, target = make_batch("binary" if binary else "multiclass", shape=(2, 5, 6))
    target = torch.where(target == 255, 0, target)
    valid = torch.rand(target.shape, generator=torch.Generator().manual_seed(1)) > 0.2
    if float_mask:
        valid = valid.to(logits.dtype)
    k = 2 if binary else logits.shape[1]
    weights = torch.randn(2, k, 5, 6, dtype=torch.float64) if weighted else None

    def outputs(z):
        result = softmax_pass(z, target, valid, binary, powers=powers, weights=weights)
        return result.p_true, result.log_p_true, result.sums

    assert torch.autograd.gradcheck(outputs, (logits.detach().requires_grad_(),))


@pytest.mark.parametrize("weighted", [False, True])
def test_the_sums_are_over_the_valid_pixels(weighted):
    """Σ_i p_ik, Σ_i p_ik² and Σ_i f_ik p_ik over the valid pixels only, as the plain sums of masked p."""
    logits, target = make_batch("multiclass", shape=(2, 5, 6))
    target = torch.where(target == 255, 0, target)
    valid = torch.rand(target.shape, generator=torch.Generator().manual_seed(2)) > 0.3
    weights = torch.randn(logits.shape, dtype=torch.float64) if weighted else None
    probs = torch.softmax(logits, 1) * valid.unsqueeze(1)
    for powers in [(1,), (2,), (1, 2)]:
        sums = softmax_pass(logits, target, valid, False, powers=powers, weights=weights).sums
        expected = [(probs**e).sum(dim=(2, 3)) for e in powers] + (
            [(probs * weights).sum(dim=(2, 3))] if weighted else []
        )
        assert torch.allclose(sums, torch.stack(expected, dim=-1), rtol=1e-12)


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 1.5, 2.0, 3.0])
def test_the_focal_output_has_exact_values_and_gradients(binary, gamma):
    """``(1 - p_t)^γ log p_t`` and its closed-form gradient against autograd's, with the true-class log p
    and sums used too (their gradients add up in the backward pass)."""
    logits, target = make_batch("binary" if binary else "multiclass", shape=(2, 5, 6))
    target = torch.where(target == 255, 0, target)
    valid = torch.rand(target.shape, generator=torch.Generator().manual_seed(1)) > 0.2

    def outputs(z):
        result = softmax_pass(z, target, valid, binary, gamma=gamma)
        return result.focal, result.log_p_true, result.sums

    z = logits.detach().requires_grad_()
    assert torch.autograd.gradcheck(outputs, (z,))
    log_p = softmax_pass(z, target, valid, binary).log_p_true
    expected = safe_pow(1.0 - log_p.exp(), gamma) * log_p if gamma else log_p
    assert torch.allclose(outputs(z)[0], expected, rtol=1e-12, atol=1e-15)


def test_a_focal_term_with_another_gamma_than_the_pass_is_refused():
    logits, target = make_batch("multiclass")
    loss = build_loss("focal", "multiclass", classes_of("multiclass"))
    loss.gamma = 3.0  # not the focal_gamma the pass was told
    with pytest.raises(ValueError, match="focal gamma"):
        loss(logits, target)


@pytest.mark.parametrize("name, mode", [(n, m) for n, m in ALL if build_loss(n, m, classes_of(m)).uses_label_map])
def test_a_label_map_given_by_the_pipeline_gives_the_same_loss(name, mode):
    loss = build_loss(name, mode, classes_of(mode))
    logits, target = make_batch(mode)
    alone = loss(logits, target)
    given = loss(logits, target, torch.cat([loss.label_map(target[i : i + 1]) for i in range(len(target))]))
    assert float(given) == pytest.approx(float(alone), rel=1e-12)


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("per_image", [False, True])
def test_class_sums_add_the_valid_pixels_of_each_class(binary, per_image):
    """``class_sums`` (lanes of bins, no one-hot) against the sums of a one-hot target, with ignored pixels and a
    row length that is no multiple of ``LANES``."""
    logits, target = make_batch("binary" if binary else "multiclass", shape=(3, 5, 7))
    x = prepare(logits, target, binary, 255, None)
    values = torch.rand(target.shape, dtype=torch.float64, generator=torch.Generator().manual_seed(3)) * x.valid
    expected = (x.one_hot() * values.unsqueeze(1)).sum(dim=(2, 3))
    assert x.valid.logical_not().any()
    assert torch.allclose(class_sums(x, values, per_image), expected if per_image else expected.sum(0), rtol=1e-12)
