"""clDice: topology-preserving loss for thin, connected structures (roads, rivers, field edges)
(Shit, Paetzold, Sekuboyina, Ezhov, Unger, Zhylka, Pluim, Bauer & Menze, CVPR 2021).

Soft skeletons S by iterated soft erosion/opening (min/max pooling, ``iterations`` times), then per
class ``Tprec = (Σ S_P G + s) / (Σ S_P + s)``, ``Tsens = (Σ S_G P + s) / (Σ S_G + s)``,
``clDice = 2 Tprec Tsens / (Tprec + Tsens)``. The loss is
``(1 - α) L_Dice + α (1 - clDice)`` (α = 0.5, s = 1, as MONAI's ``SoftDiceclDiceLoss``), per present
class and averaged (binary: the foreground). Ignored pixels count as background for both masks.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .base import Prepared, SegmentationLoss, class_mean


def soft_erode(img: torch.Tensor) -> torch.Tensor:
    vertical = -F.max_pool2d(-img, (3, 1), (1, 1), (1, 0))
    horizontal = -F.max_pool2d(-img, (1, 3), (1, 1), (0, 1))
    return torch.min(vertical, horizontal)


def soft_open(img: torch.Tensor) -> torch.Tensor:
    return F.max_pool2d(soft_erode(img), (3, 3), (1, 1), (1, 1))


def soft_skeleton(img: torch.Tensor, iterations: int) -> torch.Tensor:
    skeleton = F.relu(img - soft_open(img))
    for _ in range(iterations):
        img = soft_erode(img)
        delta = F.relu(img - soft_open(img))
        skeleton = skeleton + F.relu(delta - skeleton * delta)
    return skeleton


class ClDiceLoss(SegmentationLoss):
    def __init__(self, *args, alpha: float = 0.5, iterations: int = 3, smooth: float = 1.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.alpha, self.iterations, self.smooth = alpha, int(iterations), smooth

    def compute(self, x: Prepared) -> torch.Tensor:
        valid = x.valid.unsqueeze(1).to(x.dtype)
        probs, truth = x.probs * valid, x.one_hot()
        if x.binary:
            probs, truth = probs[:, 1:], truth[:, 1:]
        dims, s = (0, 2, 3), self.smooth
        skel_pred, skel_true = soft_skeleton(probs, self.iterations), soft_skeleton(truth, self.iterations)
        tprec = ((skel_pred * truth).sum(dims) + s) / (skel_pred.sum(dims) + s)
        tsens = ((skel_true * probs).sum(dims) + s) / (skel_true.sum(dims) + s)
        cl_dice = 2.0 * tprec * tsens / (tprec + tsens)
        dice = (2.0 * (probs * truth).sum(dims) + s) / (probs.sum(dims) + truth.sum(dims) + s)
        per_class = (1.0 - self.alpha) * (1.0 - dice) + self.alpha * (1.0 - cl_dice)
        return class_mean(per_class, truth.sum(dims) > 0, x)
