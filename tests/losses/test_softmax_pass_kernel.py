"""The softmax pass's two paths, the compiled CPU kernel (``softmax_pass_kernel``) and the PyTorch one
(``fused.SoftmaxPass``), against each other: the same outputs and gradients over a grid of cases (true-class
terms included), float64 gradcheck of both, exact true-class log-probabilities at extreme logits, true-class sums
against their definition, results that do not depend on the number of threads, every loss of the catalog the same
by either path, and the dispatch."""

from __future__ import annotations

import math

import pytest
import torch
from loss_helpers import ALL, classes_of, make_batch

from segmentation_trainer.losses import build_loss, fused
from segmentation_trainer.losses.catalog import loss_spec
from segmentation_trainer.losses.fused import TRUE_POSITIVES, TrueTerm, softmax_pass

OUTPUTS = ("p_true", "log_p_true", "sums", "focal", "label_counts", "true_sums")
TOLERANCE = {torch.float64: {"rtol": 1e-12, "atol": 1e-12}, torch.float32: {"rtol": 2e-5, "atol": 2e-5}}
SENSITIVITY = (TrueTerm(2), TrueTerm(2, complement=True))  # the sensitivity-specificity loss's true-class terms
EVERY_TERM = tuple(TrueTerm(e, c) for c in (False, True) for e in (1, 2, 3))  # p^e and (1 - p)^e
TERMS = {"p": TRUE_POSITIVES, "p², (1-p)²": SENSITIVITY, "every term": EVERY_TERM}


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
    labels = options.get("labels", True)
    assert result.true_terms == (tuple(options.get("true_terms", TRUE_POSITIVES)) if labels else ())
    generator = torch.Generator().manual_seed(7)
    total = z.sum() * 0
    result = result[: len(OUTPUTS)]  # the tensors (then the true-class terms)
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
@pytest.mark.parametrize(
    "powers, terms", [((1,), "p"), ((2,), "p², (1-p)²"), ((1, 2), "every term")], ids=["1 p", "2 p²,(1-p)²", "1,2 all"]
)
@pytest.mark.parametrize("valid", ["all", "some", "none"])
@pytest.mark.parametrize("binary", [False, True])
def test_kernel_equals_the_pytorch_path(binary, valid, powers, terms, weighted, gamma, dtype):
    """Same outputs and gradients (every output used), multiclass and binary, valid pixels all, some or none,
    powers, true-class terms, a weights map, focal exponents."""
    logits, target, mask = case(binary, valid, dtype=dtype)
    options = {"powers": powers, "weights": weights_for(logits, binary) if weighted else None, "gamma": gamma}
    options["true_terms"] = TERMS[terms]
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
    options = {"powers": (1, 2), "weights": weights_for(logits, binary), "gamma": 2.0, "true_terms": EVERY_TERM}
    assert_same(
        run(logits, target, mask, binary, True, **options),
        run(logits, target, mask, binary, False, **options),
        torch.float64,
    )


@pytest.mark.parametrize("kernel", [True, False], ids=["kernel", "torch"])
@pytest.mark.parametrize("terms", list(TERMS))
@pytest.mark.parametrize("binary", [False, True])
def test_label_counts_and_true_sums(binary, terms, kernel):
    """Per image and class: the valid pixels labelled c, and the sums of each true-class term over them (p^e,
    (1 - p)^e), from a one-hot target and the softmax."""
    logits, target, mask = case(binary, "some")
    result = softmax_pass(logits, target, mask, binary, true_terms=TERMS[terms], kernel=kernel)
    one_hot = torch.nn.functional.one_hot(target, 2 if binary else logits.shape[1]).permute(0, 3, 1, 2) * mask[:, None]
    torch.testing.assert_close(result.label_counts, one_hot.sum(dim=(2, 3)).double(), rtol=0, atol=0)
    probs = torch.softmax(torch.cat([torch.zeros_like(logits), logits], 1) if binary else logits, 1)
    assert result.true_sums.shape == (*result.label_counts.shape, len(TERMS[terms]))
    for t, term in enumerate(TERMS[terms]):
        values = (1 - probs if term.complement else probs) ** term.exponent
        expected = (one_hot * values).sum(dim=(2, 3))
        torch.testing.assert_close(result.true_sums[..., t], expected, rtol=1e-12, atol=1e-15)
        assert result.true_sum(term) is not None and torch.equal(result.true_sum(term), result.true_sums[..., t])
    assert result.true_sum(TrueTerm(4)) is None


@pytest.mark.parametrize("kernel", [True, False], ids=["kernel", "torch"])
def test_the_complement_term_keeps_float32_precision_near_the_perfect_prediction(kernel):
    """``Σ_{y=c} (1 - p)²`` in float32 where p is close to 1 (1 - p ≈ 1e-4 to 1e-3): within 1e-3 of the float64
    value, relatively, as ``1 - p`` formed from p is (``G - 2 Σ p + Σ p²`` would lose every digit there), and
    exactly 0 where the prediction is perfect to float32's precision."""
    logits, target, mask = case(False, "some", dtype=torch.float64)
    confident = torch.nn.functional.one_hot(target, 4).permute(0, 3, 1, 2) * 10.0 + 0.3 * logits
    terms = (TrueTerm(2, complement=True),)
    exact = softmax_pass(confident, target, mask, False, true_terms=terms, kernel=kernel).true_sums
    single = softmax_pass(confident.float(), target, mask, False, true_terms=terms, kernel=kernel).true_sums
    assert bool((exact[exact > 0] < 1e-4).all())  # the regime where the cancellation would show
    torch.testing.assert_close(single.double(), exact, rtol=1e-3, atol=0)
    perfect = softmax_pass(confident.float() * 4, target, mask, False, true_terms=terms, kernel=kernel).true_sums
    assert bool((perfect == 0).all())


def test_true_terms_take_positive_integer_exponents():
    logits, target, mask = case(False, "some")
    for term in (TrueTerm(0), TrueTerm(1.5), TrueTerm(-1, True)):
        with pytest.raises(ValueError, match="positive integer"):
            softmax_pass(logits, target, mask, False, true_terms=(term,))


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
    options = {"powers": (1, 2), "weights": weights_for(logits, False), "gamma": 0.5, "true_terms": EVERY_TERM}
    assert_same(
        run(logits, target, mask, False, True, **options),
        run(logits, target, mask, False, False, **options),
        torch.float64,
    )


def test_only_the_used_gradients_are_formed():
    """Outputs that no loss used give no gradient (the sums alone, log p alone, one true-class term alone): both
    paths agree."""
    logits, target, mask = case(False, "some")
    picks = (
        lambda r: r.sums.sum(),
        lambda r: r.log_p_true.sum(),
        lambda r: (r.sums * 0).sum() + r.p_true.sum(),
        lambda r: r.true_sum(TrueTerm(2, complement=True)).sum(),
        lambda r: (r.true_sums[..., :2] * torch.tensor([-1.0, 2.0], dtype=torch.float64)).sum(),
    )
    for pick in picks:
        grads = []
        for kernel in (True, False):
            z = logits.detach().clone().requires_grad_()
            result = softmax_pass(
                z, target, mask, False, powers=(1, 2), gamma=2.0, true_terms=EVERY_TERM, kernel=kernel
            )
            pick(result).backward()
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
    options = {"powers": (1, 2), "weights": weights_for(logits, binary), "gamma": 0.5, "true_terms": EVERY_TERM}
    kernel_run = run(logits, target, mask, binary, True, **options)
    (p_true, log_p, *_), grad = kernel_run
    if math.exp(-scale * (1 if binary else 2)) < torch.finfo(dtype).tiny:
        assert bool((p_true[mask] == 0).any()), "some true-class probability underflows"
    torch.testing.assert_close(log_p.double(), expected, rtol=1e-6 if dtype == torch.float32 else 1e-15, atol=0)
    assert all(bool(o.isfinite().all()) for o in kernel_run[0]) and bool(grad.isfinite().all())
    assert_same(kernel_run, run(logits, target, mask, binary, False, **options), dtype)


@pytest.mark.parametrize("kernel", [True, False], ids=["kernel", "torch"])
@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize(
    "powers, weighted, gamma, terms",
    [((1,), False, None, "p"), ((1, 2), True, 0.5, "every term"), ((2,), False, 2.0, "p², (1-p)²")],
)
def test_both_paths_have_exact_gradients(binary, powers, weighted, gamma, terms, kernel):
    """float64 gradcheck through the kernel and through the PyTorch path, every output used (the true-class sums
    of each term included)."""
    logits, target, mask = case(binary, "some", shape=(2, 3, 5), classes=3)
    weights = weights_for(logits, binary) if weighted else None
    options = {"powers": powers, "weights": weights, "gamma": gamma, "true_terms": TERMS[terms]}

    def outputs(z):
        result = softmax_pass(z, target, mask, binary, **options, kernel=kernel)
        return tuple(o for o in result[: len(OUTPUTS)] if o is not None and o.requires_grad)  # not the label counts

    assert torch.autograd.gradcheck(outputs, (logits.detach().requires_grad_(),))


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["f64", "f32"])
def test_results_do_not_depend_on_the_number_of_threads(dtype):
    """Bit for bit the same with 1, 2 and 3 threads (rows split into chunks; the sums added in a fixed order)."""
    logits, target, mask = case(False, "some", shape=(3, 70, 9), dtype=dtype)
    options = {"powers": (1, 2), "weights": weights_for(logits, False), "gamma": 2.0, "true_terms": EVERY_TERM}
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
