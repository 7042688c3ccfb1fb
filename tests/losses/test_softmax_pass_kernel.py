"""The softmax pass's two paths, the compiled CPU kernel (``softmax_pass_kernel``) and the PyTorch one
(``fused.SoftmaxPass``), against each other: the same outputs and gradients over a grid of cases, float64
gradcheck of the kernel, exact true-class log-probabilities at extreme logits, results that do not depend on the
number of threads, every loss of the catalog the same by either path, and the dispatch."""

from __future__ import annotations

import math

import pytest
import torch
from loss_helpers import ALL, classes_of, make_batch

from segmentation_trainer.losses import build_loss, fused
from segmentation_trainer.losses.catalog import loss_spec
from segmentation_trainer.losses.fused import softmax_pass

pytest.importorskip("segmentation_trainer.losses.softmax_pass_kernel")

OUTPUTS = ("p_true", "log_p_true", "sums", "focal", "label_counts", "true_sums")
TOLERANCE = {torch.float64: {"rtol": 1e-12, "atol": 1e-12}, torch.float32: {"rtol": 2e-5, "atol": 2e-5}}


def case(binary, valid, shape=(2, 5, 7), classes=4, dtype=torch.float64, seed=0, scale=2.0):
    """Logits, safe targets (0 at ignored pixels) and the valid mask: ``valid`` "all", "some" or "none"."""
    generator = torch.Generator().manual_seed(seed)
    channels = 1 if binary else classes
    logits = torch.randn(shape[0], channels, *shape[1:], generator=generator, dtype=torch.float64) * scale
    target = torch.randint(0, 2 if binary else classes, shape, generator=generator)
    mask = {
        "all": torch.ones(shape, dtype=torch.bool),
        "some": torch.rand(shape, generator=generator) > 0.3,
        "none": torch.zeros(shape, dtype=torch.bool),
    }[valid]
    return logits.to(dtype), target.masked_fill(~mask, 0), mask


def weights_for(logits, binary, seed=1):
    k = 2 if binary else logits.shape[1]
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(logits.shape[0], k, *logits.shape[2:], generator=generator, dtype=torch.float64).to(logits)


def run(logits, target, valid, binary, kernel, **options):
    """The pass's outputs and the gradient of ``Σ_o <o, R_o>`` over every output o, with random ``R_o``."""
    z = logits.detach().clone().requires_grad_()
    result = softmax_pass(z, target, valid, binary, kernel=kernel, **options)
    generator = torch.Generator().manual_seed(7)
    total = z.sum() * 0
    for output in result:
        if output is not None:
            total = total + (output * torch.randn(output.shape, generator=generator, dtype=output.dtype)).sum()
    total.backward()
    return [o.detach() if o is not None else None for o in result], z.grad


def assert_same(kernel_run, torch_run, dtype):
    (outputs, grad), (expected, expected_grad) = kernel_run, torch_run
    for name, out, want in zip(OUTPUTS, outputs, expected):
        assert (out is None) == (want is None), name
        if out is not None:
            assert out.dtype == want.dtype and out.shape == want.shape, name
            torch.testing.assert_close(out, want, **TOLERANCE[dtype], msg=name)
    assert grad.dtype == expected_grad.dtype and grad.shape == expected_grad.shape
    torch.testing.assert_close(grad, expected_grad, **TOLERANCE[dtype])


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("gamma", [None, 0.0, 0.5, 2.0])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("powers", [(1,), (2,), (1, 2)])
@pytest.mark.parametrize("valid", ["all", "some", "none"])
@pytest.mark.parametrize("binary", [False, True])
def test_kernel_equals_the_pytorch_path(binary, valid, powers, weighted, gamma, dtype):
    """Same outputs and gradients (every output used), multiclass and binary, valid pixels all, some or none,
    powers, a weights map, focal exponents."""
    logits, target, mask = case(binary, valid, dtype=dtype)
    options = {"powers": powers, "weights": weights_for(logits, binary) if weighted else None, "gamma": gamma}
    for valid_mask in (mask, mask.to(dtype)):  # bool or 0/1 in the logits' dtype
        assert_same(
            run(logits, target, valid_mask, binary, True, **options),
            run(logits, target, valid_mask, binary, False, **options),
            dtype,
        )


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("shape", [(0, 5, 7), (2, 0, 7), (2, 5, 0)], ids=["no image", "no row", "no column"])
def test_an_empty_batch(binary, shape):
    logits, target, mask = case(binary, "some", shape=shape)
    options = {"powers": (1, 2), "weights": weights_for(logits, binary), "gamma": 2.0}
    assert_same(
        run(logits, target, mask, binary, True, **options),
        run(logits, target, mask, binary, False, **options),
        torch.float64,
    )


@pytest.mark.parametrize("kernel", [True, False], ids=["kernel", "torch"])
@pytest.mark.parametrize("binary", [False, True])
def test_label_counts_and_true_sums(binary, kernel):
    """Per image and class: the valid pixels labelled c, and the sum of their true-class probabilities."""
    logits, target, mask = case(binary, "some")
    result = softmax_pass(logits, target, mask, binary, kernel=kernel)
    one_hot = torch.nn.functional.one_hot(target, 2 if binary else logits.shape[1]).permute(0, 3, 1, 2) * mask[:, None]
    torch.testing.assert_close(result.label_counts, one_hot.sum(dim=(2, 3)).double(), rtol=0, atol=0)
    expected = (one_hot * result.p_true[:, None]).sum(dim=(2, 3))
    torch.testing.assert_close(result.true_sums, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("binary", [False, True])
def test_without_label_sums(binary):
    """``labels=False``: no label counts or true-class sums, the rest as with them, by either path."""
    logits, target, mask = case(binary, "some")
    options = {"powers": (1, 2), "weights": weights_for(logits, binary), "gamma": 2.0, "labels": False}
    kernel_run = run(logits, target, mask, binary, True, **options)
    assert kernel_run[0][4] is None and kernel_run[0][5] is None
    assert_same(kernel_run, run(logits, target, mask, binary, False, **options), torch.float64)
    with_labels = run(logits, target, mask, binary, True, **{**options, "labels": True})
    assert all(torch.equal(a, b) for a, b in zip(kernel_run[0][:4], with_labels[0][:4]))


def test_one_class_in_multiclass_mode():
    """One logit channel taken as one class (p = 1), not as binary mode's two."""
    logits, target, mask = case(False, "some", classes=1)
    options = {"powers": (1, 2), "weights": weights_for(logits, False), "gamma": 0.5}
    assert_same(
        run(logits, target, mask, False, True, **options),
        run(logits, target, mask, False, False, **options),
        torch.float64,
    )


def test_only_the_used_gradients_are_formed():
    """Outputs that no loss used give no gradient (the sums alone, log p alone): both paths agree."""
    logits, target, mask = case(False, "some")
    for pick in (lambda r: r.sums.sum(), lambda r: r.log_p_true.sum(), lambda r: (r.sums * 0).sum() + r.p_true.sum()):
        grads = []
        for kernel in (True, False):
            z = logits.detach().clone().requires_grad_()
            pick(softmax_pass(z, target, mask, False, powers=(1, 2), gamma=2.0, kernel=kernel)).backward()
            grads.append(z.grad)
        torch.testing.assert_close(grads[0], grads[1], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("dtype, scale", [(torch.float32, 80.0), (torch.float64, 80.0), (torch.float64, 500.0)])
def test_extreme_logits_give_exact_true_class_log_probabilities(binary, dtype, scale):
    """Logits of ±scale: true-class probabilities underflow to 0, their logarithm is still ``z_y - logsumexp(z)``
    (computed here in float64), and every output and gradient is finite and as the PyTorch path's."""
    logits, target, mask = case(binary, "some", dtype=dtype)
    logits = torch.where(logits > 0, scale, -scale).to(dtype)
    z = logits.double()
    if binary:
        z = torch.cat([torch.zeros_like(z), z], 1)
    expected = (z.gather(1, target.unsqueeze(1)).squeeze(1) - torch.logsumexp(z, 1)) * mask
    options = {"powers": (1, 2), "weights": weights_for(logits, binary), "gamma": 0.5}
    kernel_run = run(logits, target, mask, binary, True, **options)
    (p_true, log_p, *_), grad = kernel_run
    if math.exp(-scale * (1 if binary else 2)) < torch.finfo(dtype).tiny:
        assert bool((p_true[mask] == 0).any()), "some true-class probability underflows"
    torch.testing.assert_close(log_p.double(), expected, rtol=1e-6 if dtype == torch.float32 else 1e-15, atol=0)
    assert all(bool(o.isfinite().all()) for o in kernel_run[0]) and bool(grad.isfinite().all())
    assert_same(kernel_run, run(logits, target, mask, binary, False, **options), dtype)


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("powers, weighted, gamma", [((1,), False, None), ((1, 2), True, 0.5), ((2,), False, 2.0)])
def test_the_kernel_has_exact_gradients(binary, powers, weighted, gamma):
    """float64 gradcheck through the kernel, every output used."""
    logits, target, mask = case(binary, "some", shape=(2, 3, 5), classes=3)
    weights = weights_for(logits, binary) if weighted else None

    def outputs(z):
        result = softmax_pass(z, target, mask, binary, powers=powers, weights=weights, gamma=gamma, kernel=True)
        return tuple(o for o in result if o is not None and o.requires_grad)  # not the label counts

    assert torch.autograd.gradcheck(outputs, (logits.detach().requires_grad_(),))


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["f64", "f32"])
def test_results_do_not_depend_on_the_number_of_threads(dtype):
    """Bit for bit the same with 1, 2 and 3 threads (rows split into chunks; the sums added in a fixed order)."""
    logits, target, mask = case(False, "some", shape=(3, 70, 9), dtype=dtype)
    options = {"powers": (1, 2), "weights": weights_for(logits, False), "gamma": 2.0}
    runs = []
    for threads in (1, 2, 3):
        torch.set_num_threads(threads)  # the conftest fixture restores the number of threads
        runs.append(run(logits, target, mask, False, True, **options))
    for outputs, grad in runs[1:]:
        assert all(torch.equal(a, b) for a, b in zip(outputs, runs[0][0]))
        assert torch.equal(grad, runs[0][1])


VARIANTS = [(n, m, {}) for n, m in ALL] + [
    (n, m, {"per_image": True}) for n, m in ALL if "per_image" in loss_spec(n, m).defaults()
]


@pytest.mark.parametrize(
    "name, mode, params", VARIANTS, ids=[f"{m}:{n}{':per_image' * bool(p)}" for n, m, p in VARIANTS]
)
def test_every_loss_is_the_same_by_either_path(name, mode, params, monkeypatch):
    """Each loss of the catalog (and per image where it can be): the same value and gradient with the kernel and
    with the PyTorch path (float64)."""
    loss = build_loss(name, mode, classes_of(mode), **params)
    logits, target = make_batch(mode)
    results = []
    for kernel in (True, False):
        monkeypatch.setattr(fused, "KERNEL", kernel)
        z = logits.detach().clone().requires_grad_()
        value = loss(z, target)
        value.backward()
        results.append((value.detach(), z.grad))
    torch.testing.assert_close(results[0][0], results[1][0], rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(results[0][1], results[1][1], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("binary", [False, True])
def test_a_target_class_out_of_range_is_refused(binary):
    logits, target, mask = case(binary, "some")
    target[1, 2, 3] = 2 if binary else 4
    with pytest.raises(ValueError, match="target class"):
        softmax_pass(logits, target, mask, binary, kernel=True)


def test_cpu_float_tensors_take_the_kernel(monkeypatch):
    logits, target, mask = case(False, "some")
    z = logits.requires_grad_()
    assert type(softmax_pass(z, target, mask, False).log_p_true.grad_fn).__name__ == "KernelSoftmaxPassBackward"
    monkeypatch.setattr(fused, "KERNEL", False)
    assert type(softmax_pass(z, target, mask, False).log_p_true.grad_fn).__name__ == "SoftmaxPassBackward"
    assert type(softmax_pass(z, target, mask, False, kernel=True).log_p_true.grad_fn).__name__ == (
        "KernelSoftmaxPassBackward"
    )
