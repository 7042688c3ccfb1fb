"""Lovász losses: convex surrogates of the Jaccard index (Berman, Rannen Triki & Blaschko, "The
Lovász-softmax loss: a tractable surrogate for the optimization of the intersection-over-union
measure in neural networks", CVPR 2018).

- ``lovasz_hinge`` (binary): the Lovász extension of the Jaccard loss applied to the hinge errors
  ``1 - z_i s_i`` (s_i = ±1), sorted in decreasing order: ``L = Σ_k relu(e_(k)) ∇J_k``.
- ``lovasz_softmax`` (multiclass): per present class c, the errors ``|g_ic - p_ic|`` sorted in
  decreasing order, ``L_c = Σ_k e_(k) ∇J_k``, averaged over present classes (class weighted).

``∇J`` is the gradient of the Lovász extension (``lovasz_grad``): with the pixels sorted by
decreasing error, ``∇J_k = J(π_1..k) - J(π_1..k-1)`` where J(S) is the Jaccard loss of the
prediction that gets the pixels of S wrong. Ignored pixels are dropped. ``class_weights`` weigh the
classes of the softmax form; the hinge form scores one set of pixels and has no class to weigh.

**Aggregation** (``per_image``, False by default in both modes): Berman et al.'s code defaults to
per-image for the hinge (``lovasz_hinge(per_image=True)``) and to the batch for the softmax form.
Here both default to the batch — the whole batch is one set of pixels — because the Lovász
extension is a surrogate of the IoU of the set it is given, and the IoU the plugin reports (and
the PASCAL VOC convention, Everingham et al. 2010) is computed over the whole data set, not
averaged per image; remote-sensing tiles often lack the foreground, where a per-image IoU is
undefined or noisy. ``per_image=True`` gives Berman et al.'s hinge default (the mean over images).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .base import Prepared, SegmentationLoss
from .lovasz_kernel import kernel_softmax_rows


def lovasz_grad(truth_sorted: torch.Tensor) -> torch.Tensor:
    """Gradient of the Lovász extension of the Jaccard loss at errors sorted in decreasing order along the
    last dimension (one row per class): ``J_k = 1 - (G - TP_k) / (G + FP_k) = k / (G + k - TP_k)`` with ``TP_k``
    and ``FP_k`` the targets and non-targets among the first k pixels (``FP_k = k - TP_k``), and
    ``∇J_k = J_k - J_{k-1}`` (``J_0 = 0``). Once every target pixel is passed (TP = G), J = 1 exactly and ∇J = 0."""
    hits = truth_sorted.cumsum(-1)
    rank = torch.arange(1, truth_sorted.shape[-1] + 1, device=truth_sorted.device, dtype=truth_sorted.dtype)
    total = hits[..., -1:].clone()  # G
    union = hits.neg_().add_(rank).add_(total)  # k - TP_k + G, in place
    jaccard = torch.div(rank, union, out=union)
    grad = torch.empty_like(jaccard)
    grad[..., :1] = jaccard[..., :1]
    torch.sub(jaccard[..., 1:], jaccard[..., :-1], out=grad[..., 1:])
    return grad


_SAME_WIDTH_INT = {torch.float16: torch.int16, torch.bfloat16: torch.int16, torch.float32: torch.int32}


def descending_order(values: torch.Tensor) -> torch.Tensor:
    """The order that sorts ``values`` in decreasing order along the last dimension (as ``torch.sort``'s).

    On the CPU each row is sorted by a stable sort of integer keys of the floats' width (PyTorch's radix sort,
    several times faster than its comparison sort of floats, and 32-bit keys twice as fast as 64-bit ones): the
    float's bits as a signed integer, the magnitude bits flipped for negative values, order like the floats;
    bitwise-inverted (``-key - 1``, which cannot overflow) for the decreasing order. Ties may be ordered
    differently from ``torch.sort``, which changes neither the sorted values nor the Lovász loss."""
    if values.device.type != "cpu" or values.dtype not in (*_SAME_WIDTH_INT, torch.float64) or not values.numel():
        return torch.sort(values, dim=-1, descending=True)[1]
    bits = values.detach().contiguous().view(_SAME_WIDTH_INT.get(values.dtype, torch.int64))
    width = bits.element_size() * 8
    # (bits >> width - 1) is -1 for negative values, 0 for others: one new tensor, modified in place
    keys = (bits >> (width - 1)).bitwise_and_((1 << (width - 1)) - 1).bitwise_xor_(bits).bitwise_not_()
    rows = keys.view(-1, keys.shape[-1])
    order = torch.empty(rows.shape, dtype=torch.int64)
    for row, sorted_keys, row_order in zip(rows, torch.empty_like(rows), order):
        torch.sort(row, stable=True, out=(sorted_keys, row_order))
    return order.view(values.shape)


def _hinge(logits: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
    if truth.numel() == 0:
        return logits.sum() * 0.0
    errors = 1.0 - logits * (2.0 * truth - 1.0)
    order = descending_order(errors)
    errors_sorted = errors.gather(-1, order)
    return torch.dot(F.relu(errors_sorted), lovasz_grad(truth[order]))


@torch.no_grad()
def _softmax_rows(
    probs: torch.Tensor, truth: torch.Tensor, valid: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """For each row of ``probs`` (R, P) (a class over a set of pixels; ``truth`` its target, ``valid`` the
    pixels that count): the constant and the slope of the Lovász-softmax loss, and whether the class is present.

    With e = |g - p| sorted in decreasing order, ``L = Σ_k e_(k) ∇J_k`` is linear in p for the order found:
    ``L = Σ_i w_i g_i + Σ_i w_i (1 - 2 g_i) p_i`` with ``w_i`` the ``∇J`` of pixel i's rank. The order and w
    are constants (the Lovász extension's subgradient), so autograd sees one product. Ignored pixels sort
    last (error -1) and get w = 0: the ranks before them, and so every ``∇J`` that counts, are unchanged.
    The constant and the slope are formed in the sorted order (few new ``(R, P)`` tensors: page faults cost), the
    slope scattered back to the pixels'."""
    truth = truth & valid
    errors = (probs - truth.to(probs.dtype)).abs_().masked_fill_(~valid, -1.0)
    order = descending_order(errors)
    sign = truth.gather(-1, order).to(errors.dtype)  # g in the sorted order, made 1 - 2 g below
    weights = lovasz_grad(sign)
    total = weights.sum(-1)
    slope = weights.mul_(sign.mul_(-2.0).add_(1.0))  # w (1 - 2 g), in place
    constant = (total - slope.sum(-1)) / 2  # Σ w g, from Σ w (1 - 2 g) without a product tensor
    slope = errors.scatter_(-1, order, slope).mul_(valid)  # in the errors' memory, no longer needed
    return constant, slope, truth.any(-1)


def _rows(probs: torch.Tensor, x: Prepared, per_image: bool) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The constant and presence ``(N, K)`` (``per_image``) or ``(1, K)``, and the slope ``(N, K, H, W)`` of each
    row: by the compiled kernel (``lovasz_kernel``) for CPU tensors, else by ``_softmax_rows``."""
    (n, k, h, w), classes = probs.shape, torch.arange(probs.shape[1], device=probs.device)
    shape = (n, k) if per_image else (1, k)
    if probs.device.type == "cpu" and probs.dtype in (torch.float32, torch.float64):
        constant, slope, present = kernel_softmax_rows(probs, x.target, x.valid, per_image)
        return constant.to(probs.dtype).view(shape), slope, present.view(shape)
    if per_image:  # rows (image, class) over the image's pixels
        truth = x.target.view(n, 1, -1) == classes.view(1, k, 1)
        valid = x.valid.view(n, 1, -1).expand(n, k, h * w)
        constant, slope, present = _softmax_rows(
            probs.detach().reshape(n * k, -1), truth.view(n * k, -1), valid.reshape(n * k, -1)
        )
        return constant.view(shape), slope.view(n, k, h, w), present.view(shape)
    truth = x.target.view(1, -1) == classes.view(k, 1)  # rows (class) over the batch's pixels
    constant, slope, present = _softmax_rows(probs.detach().transpose(0, 1).reshape(k, -1), truth, x.valid.view(1, -1))
    return constant.view(shape), slope.view(k, n, h, w).transpose(0, 1), present.view(shape)


def _softmax(x: Prepared, per_image: bool) -> torch.Tensor:
    """Mean over the present classes (class weighted) of the Lovász-softmax loss over the batch, or of each
    image's (then the mean over images)."""
    probs = torch.softmax(x.logits, dim=1)
    constant, slope, present = _rows(probs, x, per_image)
    dims = (2, 3) if per_image else (0, 2, 3)
    losses = constant + (slope * probs).sum(dims).view_as(constant)
    weights = present.to(losses) if x.class_weights is None else present * x.class_weights
    return ((losses * weights).sum(1) / weights.sum(1).clamp_min(1e-7)).mean()


class LovaszLoss(SegmentationLoss):
    def __init__(self, *args, per_image: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.per_image = per_image

    def _hinge(self, x: Prepared, select: torch.Tensor) -> torch.Tensor:
        valid = x.valid & select
        return _hinge(x.logits[:, 0][valid], x.target[valid].to(x.dtype))

    def compute(self, x: Prepared) -> torch.Tensor:
        if not x.binary:
            return _softmax(x, self.per_image)
        if not self.per_image:
            return self._hinge(x, torch.ones_like(x.valid))
        images = torch.arange(x.target.shape[0], device=x.target.device).view(-1, 1, 1)
        per_image = [self._hinge(x, (images == n).expand_as(x.valid)) for n in range(x.target.shape[0])]
        return torch.stack(per_image).mean()
