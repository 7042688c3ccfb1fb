"""Properties every loss must have: gradients, minima, ignore semantics, numerical stability."""

from __future__ import annotations

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from loss_helpers import ALL, classes_of, make_batch, perfect_logits

from segmentation_trainer.losses import build_loss


def test_gradcheck_in_float64(any_loss):
    _, mode, loss = any_loss
    logits, target = make_batch(mode, shape=(1, 6, 6), ignore_share=0.2, seed=3)
    assert torch.autograd.gradcheck(lambda z: loss(z, target), (logits,), eps=1e-6, atol=1e-5, rtol=1e-3)


def test_perfect_predictions_reach_the_minimum(any_loss):
    _, mode, loss = any_loss
    _, target = make_batch(mode, shape=(2, 12, 12), seed=5)
    best = loss(perfect_logits(target, mode, classes_of(mode)), target)
    others = [loss(make_batch(mode, shape=(2, 12, 12), seed=s)[0].detach(), target) for s in range(4)]
    others.append(loss(perfect_logits(target, mode, classes_of(mode), scale=1.0), target))  # right but unsure
    assert all(best <= other + 1e-9 for other in others), (float(best), [float(o) for o in others])
    if loss.nonnegative:
        assert best < 2e-3
    else:  # a loss that says it can be negative is: its perfect prediction scores below 0
        assert best < 0


def test_ignored_pixels_take_no_part(any_loss):
    _, mode, loss = any_loss
    logits, target = make_batch(mode, shape=(2, 12, 12), ignore_share=0.3, seed=7)
    changed = logits.detach().clone()
    ignored = (target == 255).unsqueeze(1).expand_as(changed)
    changed[ignored] = torch.randn(int(ignored.sum()), dtype=changed.dtype) * 20
    assert torch.allclose(loss(logits, target), loss(changed, target), rtol=1e-9, atol=1e-12)


def test_ignored_pixels_get_no_gradient(any_loss):
    """Exactly 0, wherever the losses mask (the softmax pass leaves p unmasked for sums of p only)."""
    _, mode, loss = any_loss
    logits, target = make_batch(mode, shape=(2, 12, 12), ignore_share=0.3, seed=7)
    loss(logits, target).backward()
    ignored = (target == 255).unsqueeze(1).expand_as(logits)
    assert ignored.any() and (logits.grad[ignored] == 0).all()


def test_an_empty_batch_gives_zero(any_loss):
    _, mode, loss = any_loss
    logits, target = make_batch(mode, shape=(2, 4, 4))
    logits, target = logits[:0].detach().requires_grad_(), target[:0]
    value = loss(logits, target)
    value.backward()
    assert value.item() == 0.0 and logits.grad.shape == logits.shape


def test_an_all_ignored_batch_gives_zero_and_finite_gradients(any_loss):
    _, mode, loss = any_loss
    logits, target = make_batch(mode, seed=1)
    target[:] = 255
    value = loss(logits, target)
    value.backward()
    assert value.item() == 0.0 and torch.isfinite(logits.grad).all()


def _stability_cases(mode: str):
    k = classes_of(mode)
    channels = 1 if mode == "binary" else k
    shape = (2, 16, 16)
    background = torch.zeros(shape, dtype=torch.long)
    foreground = torch.full(shape, k - 1, dtype=torch.long)
    mixed = torch.randint(0, k, shape, generator=torch.Generator().manual_seed(0))
    extreme = torch.randn(2, channels, 16, 16, generator=torch.Generator().manual_seed(1)).sign() * 1e4
    return [
        ("all background", torch.randn(2, channels, 16, 16), background),
        ("all foreground", torch.randn(2, channels, 16, 16), foreground),
        ("extreme logits", extreme, mixed),
        ("extreme wrong logits", -perfect_logits(mixed, mode, k, scale=1e4, dtype=torch.float32), mixed),
    ]


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_finite_under_low_precision(any_loss, dtype):
    _, mode, loss = any_loss
    for case, logits, target in _stability_cases(mode):
        z = logits.to(dtype).requires_grad_()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            value = loss(z, target)
        value.backward()
        assert value.dtype == torch.float32, case
        assert torch.isfinite(value) and torch.isfinite(z.grad).all(), (case, float(value))


def test_losses_are_distinct():
    """25 different functions: no two losses of a mode agree on the same batch."""
    for mode in ("binary", "multiclass"):
        logits, target = make_batch(mode, seed=11)
        values = {
            name: round(float(build_loss(name, m, classes_of(m))(logits, target)), 9) for name, m in ALL if m == mode
        }
        assert len(set(values.values())) == len(values), values


def test_class_weights_reweigh_classes():
    logits, target = make_batch("multiclass", seed=2)
    for name in ("ce", "dice", "focal", "tversky", "jaccard"):
        plain = build_loss(name, "multiclass", 4)(logits, target)
        uniform = build_loss(name, "multiclass", 4, class_weights=[2.0] * 4)(logits, target)
        skewed = build_loss(name, "multiclass", 4, class_weights=[10.0, 1.0, 1.0, 1.0])(logits, target)
        assert torch.allclose(plain, uniform), name  # a uniform weight changes nothing
        assert not torch.allclose(plain, skewed), name


def test_absent_classes_contribute_nothing_to_region_losses():
    """Class 3 is absent from the batch: with no probability mass on it, the 4-class Dice equals the
    3-class Dice of the other classes (it is not averaged in as a perfect or a failed class)."""
    logits, target = make_batch("multiclass", seed=4, ignore_share=0.0, all_present=False)
    target[target == 3] = 0
    logits = logits.detach().clone()
    logits[:, 3] = -1e9
    four = build_loss("dice", "multiclass", 4)(logits, target)
    assert torch.allclose(four, build_loss("dice", "multiclass", 3)(logits[:, :3], target))


def test_per_image_aggregation_differs_from_batch_and_matches_a_loop():
    logits, target = make_batch("multiclass", shape=(3, 12, 12), seed=9)
    per_image = build_loss("dice", "multiclass", 4, per_image=True)
    one_by_one = torch.stack(
        [build_loss("dice", "multiclass", 4)(logits[i : i + 1], target[i : i + 1]) for i in range(3)]
    )
    # per_image averages over every (image, present class) pair; with all classes in every image
    # that is the mean of the per-image losses.
    if all(len(set(target[i][target[i] != 255].tolist())) == 4 for i in range(3)):
        assert torch.allclose(per_image(logits, target), one_by_one.mean())
    assert not torch.allclose(per_image(logits, target), build_loss("dice", "multiclass", 4)(logits, target))


def test_dual_focal_learnable_gamma_is_optimised():
    loss = build_loss("dual_focal", "multiclass", 4, learnable_gamma=True, gamma=2.0)
    params = list(loss.parameters())
    assert len(params) == 1 and float(loss.gamma) == pytest.approx(2.0, rel=1e-4)
    logits, target = make_batch("multiclass", seed=6)
    loss(logits, target).backward()
    assert params[0].grad is not None and params[0].grad.abs() > 0
    assert list(build_loss("dual_focal", "multiclass", 4).parameters()) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    n=st.integers(1, 3),
    h=st.integers(4, 14),
    w=st.integers(4, 14),
    k=st.integers(2, 6),
    ignore=st.floats(0.0, 0.9),
    seed=st.integers(0, 10_000),
)
def test_property_finite_nonnegative_and_batch_order_free(data, n, h, w, k, ignore, seed):
    name, mode = data.draw(st.sampled_from(ALL))
    classes = 2 if mode == "binary" else k
    loss = build_loss(name, mode, classes)
    generator = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, 1 if mode == "binary" else classes, h, w, generator=generator, dtype=torch.float64) * 3
    target = torch.randint(0, classes, (n, h, w), generator=generator)
    target[torch.rand(n, h, w, generator=generator) < ignore] = 255
    logits.requires_grad_()
    value = loss(logits, target)
    value.backward()
    assert torch.isfinite(value) and torch.isfinite(logits.grad).all()
    if loss.nonnegative:
        assert value >= -1e-9
    order = torch.randperm(n, generator=generator)
    assert torch.allclose(loss(logits[order], target[order]), value, rtol=1e-7, atol=1e-10)


def test_only_boundary_and_dual_focal_with_rho_above_1_can_be_negative():
    negative = {name for name, mode in ALL if not build_loss(name, mode, classes_of(mode)).nonnegative}
    assert negative == {"boundary", "binary_boundary"}
    assert not build_loss("dual_focal", "multiclass", 3, rho=1.5).nonnegative
