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
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .base import Prepared, SegmentationLoss, class_mean


def soft_erode(img: torch.Tensor) -> torch.Tensor:
    vertical = -F.max_pool2d(-img, (3, 1), (1, 1), (1, 0))
    horizontal = -F.max_pool2d(-img, (1, 3), (1, 1), (0, 1))
    return torch.min(vertical, horizontal)


def soft_dilate(img: torch.Tensor) -> torch.Tensor:
    return F.max_pool2d(img, (3, 3), (1, 1), (1, 1))


def soft_skeleton(img: torch.Tensor, iterations: int) -> torch.Tensor:
    """Shit et al.'s soft skeleton: ``S = relu(I - open(I))``, then for each erosion ``I <- erode(I)``,
    ``S <- S + relu(δ - S δ)`` with ``δ = relu(I - open(I))``, where ``open(I) = dilate(erode(I))``.
    Each erosion serves both the opening and the next iteration (computed once)."""
    eroded = soft_erode(img)
    skeleton = F.relu(img - soft_dilate(eroded))
    for _ in range(iterations):
        img, eroded = eroded, soft_erode(eroded)
        delta = F.relu(img - soft_dilate(eroded))
        skeleton = skeleton + F.relu(delta - skeleton * delta)
    return skeleton


class ClDiceLoss(SegmentationLoss):
    def __init__(self, *args, alpha: float = 0.5, iterations: int = 3, smooth: float = 1.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.alpha, self.iterations, self.smooth = alpha, int(iterations), smooth

    def compute(self, x: Prepared) -> torch.Tensor:
        valid = x.valid.unsqueeze(1).to(x.dtype)
        probs, truth = x.probs * valid, x.one_hot()
        probs, truth = probs[:, 1:], truth[:, 1:]  # foreground classes
        dims, s = (0, 2, 3), self.smooth
        skel_pred, skel_true = soft_skeleton(probs, self.iterations), soft_skeleton(truth, self.iterations)
        tprec = ((skel_pred * truth).sum(dims) + s) / (skel_pred.sum(dims) + s)
        tsens = ((skel_true * probs).sum(dims) + s) / (skel_true.sum(dims) + s)
        cl_dice = 2.0 * tprec * tsens / (tprec + tsens)
        dice = (2.0 * (probs * truth).sum(dims) + s) / (probs.sum(dims) + truth.sum(dims) + s)
        per_class = (1.0 - self.alpha) * (1.0 - dice) + self.alpha * (1.0 - cl_dice)
        return class_mean(per_class, truth.sum(dims) > 0, x)
