"""The soft skeleton's two paths (the compiled CPU kernel and the PyTorch one) against each other, the paper's
Algorithm 1 (``paper_reference``) and float64 gradcheck; ``soft_skeleton`` dispatching by device."""

from __future__ import annotations

import numpy as np
import paper_reference as ref
import pytest
import torch

from segmentation_trainer.losses import soft_skeleton_kernel as kernel
from segmentation_trainer.losses.soft_skeleton import TorchSoftSkeleton, soft_skeleton

SHAPES = [(2, 3, 9, 11), (1, 2, 1, 7), (1, 1, 6, 1), (1, 1, 1, 1)]


def images(shape, dtype=torch.float64, seed=0, levels=None):
    """Random images in [0, 1]; with ``levels``, values on that many steps (ties in every window)."""
    x = torch.rand(shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)
    return (x * (levels - 1)).round() / (levels - 1) if levels else x


def value_and_gradient(function, x, iterations=3):
    x = x.detach().requires_grad_()
    out = function(x, iterations)
    grad = torch.randn(out.shape, generator=torch.Generator().manual_seed(1), dtype=out.dtype)
    return out.detach(), torch.autograd.grad(out, x, grad)[0]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("levels", [None, 2, 5])
def test_kernel_equals_the_pytorch_path(shape, levels):
    """Same values and gradients (the same tie rule), on continuous images and on ones full of ties."""
    x = images(shape, levels=levels)
    for iterations in (0, 1, 3):
        value, grad = value_and_gradient(kernel.KernelSoftSkeleton.apply, x, iterations)
        torch_value, torch_grad = value_and_gradient(TorchSoftSkeleton.apply, x, iterations)
        torch.testing.assert_close(value, torch_value, rtol=0, atol=1e-15)
        torch.testing.assert_close(grad, torch_grad, rtol=0, atol=1e-12)


def test_kernel_equals_the_pytorch_path_in_float32():
    x = images((2, 3, 40, 33), dtype=torch.float32)
    value, grad = value_and_gradient(kernel.KernelSoftSkeleton.apply, x)
    torch_value, torch_grad = value_and_gradient(TorchSoftSkeleton.apply, x)
    torch.testing.assert_close(value, torch_value, rtol=0, atol=1e-6)
    torch.testing.assert_close(grad, torch_grad, rtol=0, atol=1e-5)


@pytest.mark.parametrize("path", [kernel.KernelSoftSkeleton.apply, TorchSoftSkeleton.apply], ids=["kernel", "torch"])
@pytest.mark.parametrize("levels", [None, 2])
def test_against_algorithm_1(path, levels):
    x = images((1, 2, 7, 8), levels=levels)
    expected = np.stack([ref.soft_skeleton(plane.numpy(), 3) for plane in x[0]])
    np.testing.assert_allclose(path(x, 3)[0].numpy(), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("path", [kernel.KernelSoftSkeleton.apply, TorchSoftSkeleton.apply], ids=["kernel", "torch"])
def test_gradcheck_in_float64(path):
    x = images((2, 2, 7, 9)).requires_grad_()
    assert torch.autograd.gradcheck(lambda z: path(z, 3), (x,))


def test_cpu_tensors_take_the_kernel():
    x = images((1, 1, 5, 5)).requires_grad_()
    assert type(soft_skeleton(x, 2).grad_fn).__name__ == "KernelSoftSkeletonBackward"
    assert type(soft_skeleton(x.half(), 2).grad_fn).__name__ == "TorchSoftSkeletonBackward"


def test_kernel_results_do_not_depend_on_the_number_of_threads():
    """The planes shared among 1, 2 and 3 threads give the same skeleton and gradient, bit for bit."""
    x = images((3, 2, 12, 10), dtype=torch.float32, seed=4)
    results = []
    for threads in (1, 2, 3):
        torch.set_num_threads(threads)  # the conftest fixture restores the number of threads
        results.append(value_and_gradient(kernel.KernelSoftSkeleton.apply, x, 3))
    for value, grad in results[1:]:
        assert torch.equal(value, results[0][0]) and torch.equal(grad, results[0][1])
