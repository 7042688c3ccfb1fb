"""The compiled rows of the Lovász-softmax loss (``lovasz_kernel``) against the PyTorch path
(``lovasz._softmax_rows``), its radix sort against NumPy's stable sort, and results that do not depend on the
number of threads. The loss itself is checked against Berman et al.'s equation in test_paper_formulas."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from segmentation_trainer.losses.lovasz import _softmax_rows
from segmentation_trainer.losses.lovasz_kernel import BUCKETS, DIGIT, _radix_sort, kernel_softmax_rows

TOLERANCE = {torch.float64: {"rtol": 1e-12, "atol": 1e-12}, torch.float32: {"rtol": 1e-5, "atol": 1e-6}}


def batch(dtype: torch.dtype, seed: int = 0, levels: int | None = None, shape=(3, 4, 9, 11)):
    """Probabilities (on ``levels`` steps: ties), a target where class 0 is absent from image 0 and the last class from
    every image, and a valid mask with about 20 % ignored pixels."""
    generator = torch.Generator().manual_seed(seed)
    n, k, h, w = shape
    probs = torch.softmax(torch.randn(shape, generator=generator, dtype=dtype) * 3, 1)
    if levels:
        probs = (probs * levels).round() / levels
    target = torch.randint(0, k - 1, (n, h, w), generator=generator)
    target[0] = target[0].clamp_min(1)
    valid = torch.rand((n, h, w), generator=generator) > 0.2
    return probs, target, valid


def torch_rows(probs, target, valid, per_image: bool):
    """``_softmax_rows`` on the rows ``lovasz._rows`` gives it, its outputs in the kernel's shapes."""
    (n, k, h, w), classes = probs.shape, torch.arange(probs.shape[1])
    if per_image:
        truth = (target.view(n, 1, -1) == classes.view(1, k, 1)).reshape(n * k, -1)
        rows = _softmax_rows(
            probs.reshape(n * k, -1), truth, valid.view(n, 1, -1).expand(n, k, h * w).reshape(n * k, -1)
        )
        return rows[0], rows[1].view(n, k, h, w), rows[2]
    truth = target.view(1, -1) == classes.view(k, 1)
    rows = _softmax_rows(probs.transpose(0, 1).reshape(k, -1), truth, valid.view(1, -1))
    return rows[0], rows[1].view(k, n, h, w).transpose(0, 1), rows[2]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("per_image", [False, True])
def test_constant_slope_and_presence_as_the_pytorch_path(dtype, per_image):
    probs, target, valid = batch(dtype)
    constant, slope, present = kernel_softmax_rows(probs, target, valid, per_image)
    expected = torch_rows(probs, target, valid, per_image)
    torch.testing.assert_close(constant.to(dtype), expected[0], **TOLERANCE[dtype])
    torch.testing.assert_close(slope, expected[1], **TOLERANCE[dtype])
    assert torch.equal(present, expected[2]) and not present.all()  # absent classes are found
    assert not slope[~valid.unsqueeze(1).expand_as(slope)].any()  # ignored pixels take no part


@pytest.mark.parametrize("per_image", [False, True])
def test_ties_give_the_loss_of_the_pytorch_path(per_image):
    """Equal errors may be sorted in another order than ``torch.sort``'s: the slopes may differ, the loss not."""
    probs, target, valid = batch(torch.float64, seed=3, levels=4)
    dims = (2, 3) if per_image else (0, 2, 3)
    losses = []
    for constant, slope, _ in (
        kernel_softmax_rows(probs, target, valid, per_image),
        torch_rows(probs, target, valid, per_image),
    ):
        losses.append(constant.view(-1) + (slope * probs).sum(dims).reshape(-1))
    torch.testing.assert_close(losses[0], losses[1], rtol=1e-12, atol=1e-12)


def test_an_empty_batch():
    probs, target, valid = (
        torch.empty(0, 3, 4, 4),
        torch.empty(0, 4, 4, dtype=torch.long),
        torch.empty(0, 4, 4, dtype=torch.bool),
    )
    constant, slope, present = kernel_softmax_rows(probs, target, valid, per_image=False)
    assert constant.shape == (3,) and slope.shape == probs.shape and not present.any()


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_radix_sort_is_numpys_stable_sort(dtype):
    """Keys with many duplicates (stability), spread over every digit and, in 64 bits, beyond 32 bits."""
    rng = np.random.default_rng(0)
    largest = np.iinfo(dtype).max
    keys = np.concatenate([rng.integers(0, largest, 500, dtype=dtype), rng.integers(0, 5, 500, dtype=dtype)])
    keys[:7] = largest
    items = np.arange(len(keys), dtype=dtype)
    buckets = np.empty((64 // DIGIT + 1, BUCKETS), np.int64)
    ordered = _radix_sort(
        keys.copy(), items, len(keys), int(keys.max()), np.empty_like(keys), np.empty_like(items), buckets
    )
    np.testing.assert_array_equal(ordered, np.argsort(keys, kind="stable"))


def test_results_do_not_depend_on_the_number_of_threads():
    probs, target, valid = batch(torch.float32, seed=5, shape=(4, 5, 16, 12))
    results = []
    for threads in (1, 2, 3):
        torch.set_num_threads(threads)  # the conftest fixture restores the number of threads
        results.append(kernel_softmax_rows(probs, target, valid, per_image=True))
    for other in results[1:]:
        assert all(torch.equal(a, b) for a, b in zip(other, results[0]))
