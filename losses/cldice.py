"""clDice: topology-preserving loss for thin, connected structures (roads, rivers, field edges)
(Shit, Paetzold, Sekuboyina, Ezhov, Unger, Zhylka, Pluim, Bauer & Menze, "clDice – a novel
topology-preserving loss function for tubular structure segmentation", CVPR 2021).

Soft skeletons S by iterated soft erosion/opening (min/max pooling, ``iterations`` times), then per
foreground class c, over the batch, ``Tprec_c = (Σ S_P G + s) / (Σ S_P + s)``,
``Tsens_c = (Σ S_G P + s) / (Σ S_G + s)``, ``clDice_c = 2 Tprec Tsens / (Tprec + Tsens)`` and the
soft Dice ``D_c = (2 Σ P G + s) / (Σ P + Σ G + s)``. The loss is
``mean_{present foreground c} [(1 - α)(1 - D_c) + α (1 - clDice_c)]`` (α = 0.5, s = 1), class
weighted. **Foreground only**, as Shit et al.'s code and MONAI's ``SoftDiceclDiceLoss`` (channels
1:): binary mode scores the foreground; multiclass mode every class but class 0 (the background):
the skeleton of a background that surrounds the objects says nothing about their topology. A batch
without any foreground class scores 0. MONAI pools the sums of all foreground channels into one
ratio; here each class gets its own ratio and the ratios are averaged, like the other region losses
(the two agree in binary mode). α ≤ 0.5: clDice alone is no loss — an all-foreground prediction has
an empty soft skeleton and scores a perfect clDice.
Ignored pixels count as background for both masks.

**Speed.** The target's skeleton depends on the labels only: it is the loss's ``label_map``, computed once per
tile by the data pipeline (on 0/1 masks the soft skeleton is a 0/1 subset of each class's mask, so one
``(N, H, W)`` map says which pixels lie on their class's skeleton). The prediction's skeleton is
``SoftSkeleton``: min/max over the 3 neighbours along an axis as elementwise minima/maxima of shifted views
(several times faster than ``max_pool2d`` on the CPU), and a closed-form backward pass that routes each
gradient to the neighbour the min or max took. Only the foreground classes present in the batch are
skeletonised (the others take no part in the mean).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from .base import Prepared, SegmentationLoss, class_mean


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


class SoftSkeleton(torch.autograd.Function):
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
    """The soft skeleton of ``img`` ``(N, C, H, W)`` in [0, 1] (``SoftSkeleton``)."""
    return SoftSkeleton.apply(img, int(iterations))


class ClDiceLoss(SegmentationLoss):
    uses_label_map = True

    def __init__(self, *args, alpha: float = 0.5, iterations: int = 3, smooth: float = 1.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.alpha, self.iterations, self.smooth = alpha, int(iterations), smooth

    def label_map(self, target: torch.Tensor) -> torch.Tensor:
        """``(N, H, W)`` uint8: 1 where a pixel lies on the soft skeleton of its (foreground) class's mask."""
        valid = target != self.ignore_index
        truth = F.one_hot(torch.where(valid, target, 0).long(), self.num_classes).permute(0, 3, 1, 2)[:, 1:]
        truth = (truth * valid.unsqueeze(1)).float()
        with torch.no_grad():
            skeleton = soft_skeleton(truth, self.iterations)
        return (skeleton * truth).sum(1).gt(0.5).to(torch.uint8).cpu()

    def compute(self, x: Prepared) -> torch.Tensor:
        valid = x.valid.unsqueeze(1).to(x.dtype)
        probs, truth = (x.probs * valid)[:, 1:], x.one_hot()[:, 1:]  # foreground classes
        dims, s = (0, 2, 3), self.smooth
        counts = truth.sum(dims)
        present = (counts > 0).nonzero().squeeze(1)
        skel_true = truth * self.map_of(x).unsqueeze(1)
        skel_pred = soft_skeleton(probs[:, present], self.iterations)
        tprec = torch.ones_like(counts).index_put(
            (present,), ((skel_pred * truth[:, present]).sum(dims) + s) / (skel_pred.sum(dims) + s)
        )
        tsens = ((skel_true * probs).sum(dims) + s) / (skel_true.sum(dims) + s)
        cl_dice = 2.0 * tprec * tsens / (tprec + tsens)
        dice = (2.0 * (probs * truth).sum(dims) + s) / (probs.sum(dims) + counts + s)
        per_class = (1.0 - self.alpha) * (1.0 - dice) + self.alpha * (1.0 - cl_dice)
        return class_mean(per_class, counts > 0, x)
