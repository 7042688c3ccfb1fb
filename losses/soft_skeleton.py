"""Shit et al.'s soft skeleton, differentiable (Shit, Paetzold, Sekuboyina, Ezhov, Unger, Zhylka, Pluim, Bauer &
Menze, "clDice – a novel topology-preserving loss function for tubular structure segmentation", CVPR 2021,
Algorithm 1): iterated soft erosion (the minimum over each pixel and its 4 neighbours) and opening (erosion, then
the 3 x 3 maximum).

``soft_skeleton`` runs the compiled CPU kernel of ``soft_skeleton_kernel`` on CPU tensors, and on other devices
(CUDA) ``TorchSoftSkeleton``: min/max over the 3 neighbours along an axis as elementwise minima/maxima of shifted
views (several times faster than ``max_pool2d`` on the CPU), and a closed-form backward pass that routes each
gradient to the neighbour the min or max took. Both compute the same values and the same (exact) gradient, with
the same tie rule.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from .soft_skeleton_kernel import KernelSoftSkeleton


def _window(a: torch.Tensor, dim: int, op: Callable) -> torch.Tensor:
    """``op`` (``torch.minimum`` or ``torch.maximum``) over each pixel and its two neighbours along ``dim``
    (one at the border): a 3-wide min- or max-pooling with stride 1, from the pairs of neighbours."""
    n = a.shape[dim]
    if n == 1:
        return a.clone()
    pairs = op(a.narrow(dim, 0, n - 1), a.narrow(dim, 1, n - 1))
    out = torch.empty_like(a)
    op(pairs.narrow(dim, 0, n - 2), pairs.narrow(dim, 1, n - 2), out=out.narrow(dim, 1, n - 2))
    out.narrow(dim, 0, 1).copy_(pairs.narrow(dim, 0, 1))
    out.narrow(dim, n - 1, 1).copy_(pairs.narrow(dim, n - 2, 1))
    return out


def _window_transpose(a: torch.Tensor, out: torch.Tensor, grad: torch.Tensor, dim: int) -> torch.Tensor:
    """The gradient of ``_window``'s input ``a``: each ``grad[i]`` goes to the pixel ``out[i]`` took (itself, else
    the one before, else the one after)."""
    n = a.shape[dim]
    result = grad * (out == a)  # a multiplication by a mask is several times faster than torch.where on the CPU
    rest = grad - result
    from_before = rest.narrow(dim, 1, n - 1) * (out.narrow(dim, 1, n - 1) == a.narrow(dim, 0, n - 1))
    result.narrow(dim, 0, n - 1).add_(from_before)
    rest.narrow(dim, 1, n - 1).sub_(from_before)
    result.narrow(dim, 1, n - 1).add_(rest.narrow(dim, 0, n - 1))
    return result


def soft_erode(img: torch.Tensor) -> torch.Tensor:
    """Shit et al.'s soft erosion: the minimum of the vertical and the horizontal 3-pixel minima (a cross)."""
    return torch.minimum(_window(img, 2, torch.minimum), _window(img, 3, torch.minimum))


def soft_dilate(img: torch.Tensor) -> torch.Tensor:
    """Shit et al.'s soft dilation: the 3 x 3 maximum (vertical, then horizontal)."""
    return _window(_window(img, 2, torch.maximum), 3, torch.maximum)


def _erode_transpose(img: torch.Tensor, grad: torch.Tensor) -> torch.Tensor:
    vertical, horizontal = _window(img, 2, torch.minimum), _window(img, 3, torch.minimum)
    from_vertical = grad * (vertical <= horizontal)
    return _window_transpose(img, vertical, from_vertical, 2) + _window_transpose(
        img, horizontal, grad - from_vertical, 3
    )


def _dilate_transpose(img: torch.Tensor, vertical: torch.Tensor, dilated: torch.Tensor, grad: torch.Tensor):
    """The gradient of ``img`` from that of its ``dilated = soft_dilate(img)`` (``vertical`` its first window)."""
    return _window_transpose(img, vertical, _window_transpose(vertical, dilated, grad, 3), 2)


class TorchSoftSkeleton(torch.autograd.Function):
    """Shit et al.'s soft skeleton: ``S_0 = relu(I_0 - open(I_0))``, then for t = 1..T with ``I_t = erode(I_{t-1})``
    and ``δ_t = relu(I_t - open(I_t))``, ``S_t = S_{t-1} + relu(δ_t - S_{t-1} δ_t)``, where
    ``open(I) = dilate(erode(I))``; each erosion serves the opening and the next iteration. The backward pass runs
    the iterations in reverse (erosions and dilations recomputed from the saved ``I_t``):
    ``∂S_t/∂δ_t = m_t (1 - S_{t-1})``, ``∂S_t/∂S_{t-1} = 1 - m_t δ_t`` with ``m_t = [δ_t - S_{t-1} δ_t > 0]``,
    and the relu, erosion and dilation routed as ``_window_transpose`` says."""

    @staticmethod
    def forward(ctx, img: torch.Tensor, iterations: int) -> torch.Tensor:
        images = [img, soft_erode(img)]
        skeleton, skeletons = F.relu(img - soft_dilate(images[1])), []
        for _ in range(iterations):
            skeletons.append(skeleton)
            images.append(soft_erode(images[-1]))
            delta = F.relu(images[-2] - soft_dilate(images[-1]))
            skeleton = skeleton + F.relu(delta - skeleton * delta)
        ctx.save_for_backward(*images, *skeletons)
        ctx.iterations = iterations
        return skeleton

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        saved, t_max = ctx.saved_tensors, ctx.iterations
        images, skeletons = saved[: t_max + 2], saved[t_max + 2 :]
        grad_eroded = None  # the gradient of I_{t+1} = erode(I_t), from the later iterations
        for t in range(t_max, -1, -1):
            vertical = _window(images[t + 1], 2, torch.maximum)
            dilated = _window(vertical, 3, torch.maximum)
            opening = images[t] - dilated
            delta = opening.clamp_min(0.0)
            if t:
                previous = skeletons[t - 1]
                grown = (delta - previous * delta) > 0
                grad_delta = grad * grown * (1.0 - previous)
                grad = grad - grad * grown * delta
            else:
                grad_delta = grad
            grad_opening = grad_delta * (opening > 0)
            from_eroded = _dilate_transpose(images[t + 1], vertical, dilated, -grad_opening)
            if grad_eroded is not None:
                from_eroded += grad_eroded
            grad_eroded = grad_opening + _erode_transpose(images[t], from_eroded)
        return grad_eroded, None


def soft_skeleton(img: torch.Tensor, iterations: int) -> torch.Tensor:
    """The soft skeleton of ``img`` ``(N, C, H, W)`` in [0, 1]: the compiled kernel (``KernelSoftSkeleton``) for
    float32 and float64 CPU tensors when numba is installed, else ``TorchSoftSkeleton``."""
    if img.device.type == "cpu" and img.dtype in (torch.float32, torch.float64):
        return KernelSoftSkeleton.apply(img, int(iterations))
    return TorchSoftSkeleton.apply(img, int(iterations))
