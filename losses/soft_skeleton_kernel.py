"""Shit et al.'s soft skeleton on the CPU as one compiled kernel per image plane (numba).

The same function as ``soft_skeleton.TorchSoftSkeleton`` (Shit, Paetzold, Sekuboyina, Ezhov, Unger,
Zhylka, Pluim, Bauer & Menze, "clDice – a novel topology-preserving loss function for tubular
structure segmentation", CVPR 2021, Algorithm 1): ``S_0 = relu(I_0 - dilate(I_1))``, then for
t = 1..T ``δ_t = relu(I_t - dilate(I_{t+1}))``, ``S_t = S_{t-1} + relu(δ_t - S_{t-1} δ_t)``, with
``I_{t+1} = erode(I_t)`` (the minimum over the pixel and its 4 neighbours) and ``dilate`` the 3 x 3
maximum. The gradient is the exact one, routed to the pixel each minimum or maximum took, with the
same tie rule as the PyTorch path: the pixel itself, else the one before, else the one after; the
erosion takes the vertical window when its minimum is ≤ the horizontal one's.

Each plane ``(H, W)`` is processed on its own, its intermediate images in buffers padded with one
pixel (±inf for the minima and maxima, so that the border needs no special case), which stay in the
CPU's cache: the loops compile to vector instructions, and the backward pass recomputes the forward
iterations of its plane instead of keeping them. The planes are shared among PyTorch's CPU threads
(``compiled.in_chunks``). The routing is stored as one ``int8`` code per
pixel ("which neighbour it took": ``SELF``, ``UP``, ``DOWN``, ``LEFT``, ``RIGHT``; the padding
``NONE``), for the erosion, the vertical and the horizontal maxima, and the backward pass gathers,
for each pixel, the gradients of the pixels that took it.
"""

from __future__ import annotations

import numpy as np
import torch

from .compiled import compiled, in_chunks

SELF, UP, DOWN, LEFT, RIGHT, NONE = 0, 1, 2, 3, 4, 5
ERODE, ROWS, COLUMNS = 0, 1, 2  # the three routing codes of an iteration: the erosion, the dilation's two windows


@compiled()
def _fill_border(a: np.ndarray, value: float) -> None:
    a[0, :] = value
    a[-1, :] = value
    a[:, 0] = value
    a[:, -1] = value


@compiled()
def _erode(a: np.ndarray, out: np.ndarray, code: np.ndarray) -> None:
    """``out = min(vertical 3-minimum, horizontal 3-minimum)`` of ``a`` (padded with +inf), and which pixel
    each took into ``code``."""
    for i in range(1, a.shape[0] - 1):
        for j in range(1, a.shape[1] - 1):
            c, up, down, left, right = a[i, j], a[i - 1, j], a[i + 1, j], a[i, j - 1], a[i, j + 1]
            vertical = min(min(up, c), min(c, down))
            horizontal = min(min(left, c), min(c, right))
            e = min(vertical, horizontal)
            out[i, j] = e
            if e == c:
                code[i, j] = SELF
            elif vertical <= horizontal:
                code[i, j] = UP if vertical == up else DOWN
            else:
                code[i, j] = LEFT if horizontal == left else RIGHT


@compiled()
def _dilate(a: np.ndarray, rows: np.ndarray, out: np.ndarray, code_rows: np.ndarray, code_columns: np.ndarray):
    """``out`` = the 3 x 3 maximum of ``a`` (padded with -inf): ``rows`` the vertical 3-maximum, then its
    horizontal one; which pixel each window took into ``code_rows`` and ``code_columns``."""
    for i in range(1, a.shape[0] - 1):
        for j in range(1, a.shape[1] - 1):
            c, up, down = a[i, j], a[i - 1, j], a[i + 1, j]
            v = max(max(up, c), max(c, down))
            rows[i, j] = v
            code_rows[i, j] = SELF if v == c else (UP if v == up else DOWN)
    _fill_border(rows, -np.inf)
    for i in range(1, a.shape[0] - 1):
        for j in range(1, a.shape[1] - 1):
            c, left, right = rows[i, j], rows[i, j - 1], rows[i, j + 1]
            v = max(max(left, c), max(c, right))
            out[i, j] = v
            code_columns[i, j] = SELF if v == c else (LEFT if v == left else RIGHT)


@compiled()
def _route_back(grad: np.ndarray, code: np.ndarray, out: np.ndarray) -> None:
    """The transpose of a routing: ``out[p] += Σ grad[q]`` over the pixels q whose ``code`` says they took p."""
    for i in range(1, grad.shape[0] - 1):
        for j in range(1, grad.shape[1] - 1):
            s = grad[i, j] if code[i, j] == SELF else 0.0
            s += grad[i + 1, j] if code[i + 1, j] == UP else 0.0
            s += grad[i - 1, j] if code[i - 1, j] == DOWN else 0.0
            s += grad[i, j + 1] if code[i, j + 1] == LEFT else 0.0
            s += grad[i, j - 1] if code[i, j - 1] == RIGHT else 0.0
            out[i, j] += s


@compiled()
def _forward_plane(img, images, rows, dilated, openings, skeletons, codes) -> None:
    """Algorithm 1 on one plane ``img``: ``images[t]`` = I_t (padded), ``openings[t]`` = I_t - dilate(I_{t+1}),
    ``skeletons[t]`` = S_t, ``codes[t]`` the routing of the erosion and the dilation of iteration t."""
    images[0, 1:-1, 1:-1] = img
    for t in range(openings.shape[0]):
        _fill_border(images[t], np.inf)
        _erode(images[t], images[t + 1], codes[t, ERODE])
        _fill_border(images[t + 1], -np.inf)
        _dilate(images[t + 1], rows, dilated, codes[t, ROWS], codes[t, COLUMNS])
        for i in range(img.shape[0]):
            for j in range(img.shape[1]):
                opening = images[t, i + 1, j + 1] - dilated[i + 1, j + 1]
                openings[t, i, j] = opening
                delta = max(opening, 0.0)
                if t == 0:
                    skeletons[t, i, j] = delta
                else:
                    previous = skeletons[t - 1, i, j]
                    skeletons[t, i, j] = previous + max(delta - previous * delta, 0.0)


@compiled()
def _backward_plane(grad, openings, skeletons, codes, out, later, current, opening_grad, rows_grad) -> None:
    """The gradient of ``img`` from that of S_T, by the iterations in reverse: ``∂S_t/∂δ_t = m_t (1 - S_{t-1})``,
    ``∂S_t/∂S_{t-1} = 1 - m_t δ_t`` with ``m_t = [δ_t - S_{t-1} δ_t > 0]``, ``∂δ_t/∂I_t = [opening > 0]``, and
    ``-`` that routed back through the dilation to I_{t+1}, which adds it to the gradient of I_{t+1} from the
    later iterations (``later``) and routes the sum back through the erosion to I_t (``current``)."""
    grad = grad.copy()
    later[:] = 0.0
    for t in range(openings.shape[0] - 1, -1, -1):
        for i in range(grad.shape[0]):
            for j in range(grad.shape[1]):
                g = grad[i, j]
                if t > 0:
                    previous, delta = skeletons[t - 1, i, j], max(openings[t, i, j], 0.0)
                    grown = delta - previous * delta > 0.0
                    g_delta = g * (1.0 - previous) if grown else 0.0
                    grad[i, j] = g - g * delta if grown else g
                else:
                    g_delta = g
                g_opening = g_delta if openings[t, i, j] > 0.0 else 0.0
                current[i + 1, j + 1] = g_opening
                opening_grad[i + 1, j + 1] = -g_opening
        rows_grad[:] = 0.0
        _route_back(opening_grad, codes[t, COLUMNS], rows_grad)
        _route_back(rows_grad, codes[t, ROWS], later)
        _route_back(later, codes[t, ERODE], current)
        later, current = current, later
    out[:] = later[1:-1, 1:-1]


@compiled()
def _buffers(shape: tuple, iterations: int, dtype):
    """The per-plane work buffers of ``_forward_plane``: images, rows, dilated, openings, skeletons, codes."""
    h, w = shape
    padded = (h + 2, w + 2)
    codes = np.full((iterations + 1, 3, h + 2, w + 2), NONE, dtype=np.int8)
    return (
        np.empty((iterations + 2, h + 2, w + 2), dtype),
        np.empty(padded, dtype),
        np.empty(padded, dtype),
        np.empty((iterations + 1, h, w), dtype),
        np.empty((iterations + 1, h, w), dtype),
        codes,
    )


@compiled(nogil=True)
def skeleton_forward(planes: np.ndarray, iterations: int, out: np.ndarray, start: int, stop: int) -> None:
    """S_T of the planes ``start`` to ``stop`` of ``planes`` ``(P, H, W)`` into ``out``."""
    images, rows, dilated, openings, skeletons, codes = _buffers(planes.shape[1:], iterations, planes.dtype)
    for p in range(start, stop):
        _forward_plane(planes[p], images, rows, dilated, openings, skeletons, codes)
        out[p] = skeletons[iterations]


@compiled(nogil=True)
def skeleton_backward(planes: np.ndarray, iterations: int, grad: np.ndarray, out: np.ndarray, start: int, stop: int):
    """The gradient of the planes ``start`` to ``stop`` of ``planes`` ``(P, H, W)`` into ``out``, from ``grad``, that
    of their S_T."""
    images, rows, dilated, openings, skeletons, codes = _buffers(planes.shape[1:], iterations, planes.dtype)
    padded = rows.shape
    later, current = np.zeros(padded, planes.dtype), np.zeros(padded, planes.dtype)
    opening_grad, rows_grad = np.zeros(padded, planes.dtype), np.zeros(padded, planes.dtype)
    for p in range(start, stop):
        _forward_plane(planes[p], images, rows, dilated, openings, skeletons, codes)
        _backward_plane(grad[p], openings, skeletons, codes, out[p], later, current, opening_grad, rows_grad)


def _planes(a: torch.Tensor) -> np.ndarray:
    """``a`` ``(N, C, H, W)`` as a contiguous numpy array of ``N C`` planes (a view when it can be)."""
    return a.detach().contiguous().numpy().reshape(-1, *a.shape[-2:])


class KernelSoftSkeleton(torch.autograd.Function):
    """The soft skeleton of a CPU tensor by ``skeleton_forward`` and ``skeleton_backward``."""

    @staticmethod
    def forward(ctx, img: torch.Tensor, iterations: int) -> torch.Tensor:
        ctx.save_for_backward(img)
        ctx.iterations = iterations
        planes = _planes(img)
        out = np.empty_like(planes)
        in_chunks(skeleton_forward, len(planes), planes, iterations, out)
        return torch.from_numpy(out).view(img.shape)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        (img,) = ctx.saved_tensors
        planes = _planes(img)
        out = np.empty_like(planes)
        in_chunks(skeleton_backward, len(planes), planes, ctx.iterations, _planes(grad.to(img.dtype)), out)
        return torch.from_numpy(out).view(img.shape), None
