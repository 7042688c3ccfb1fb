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
``(N, H, W)`` map says which pixels lie on their class's skeleton); Tsens and the Dice term then come from the
softmax pass (true-class probabilities summed per class), with no one-hot target. The prediction's skeleton
(``soft_skeleton``) is skeletonised for the foreground classes present in the batch only (the others take no part
in the mean); on the CPU it is a compiled numba kernel that runs the iterations and their exact backward pass
plane by plane in the cache (``soft_skeleton_kernel``), elsewhere PyTorch ops (``soft_skeleton``). On the CPU
(1 thread, logits 8 x 7 x 256 x 256, the map from the tiles) ``cldice`` costs about 8x ``F.cross_entropy``
forward + backward, down from about 50x with the PyTorch ops (``docs/benchmarks.md``).
"""

from __future__ import annotations

import torch

from .base import Prepared, SegmentationLoss, class_mean, class_sums, region_stats
from .dice import dice_per_class
from .soft_skeleton import soft_skeleton


class ClDiceLoss(SegmentationLoss):
    uses_label_map = True

    def __init__(self, *args, alpha: float = 0.5, iterations: int = 3, smooth: float = 1.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.alpha, self.iterations, self.smooth = alpha, int(iterations), smooth

    def label_map(self, target: torch.Tensor) -> torch.Tensor:
        """``(N, H, W)`` uint8: 1 where a pixel lies on the soft skeleton of its (foreground) class's mask."""
        classes = torch.arange(1, self.num_classes, device=target.device).view(-1, 1, 1)
        truth = ((target.unsqueeze(1) == classes) & (target != self.ignore_index).unsqueeze(1)).float()
        with torch.no_grad():
            skeleton = soft_skeleton(truth, self.iterations)
        return (skeleton * truth).sum(1).gt(0.5).to(torch.uint8).cpu()

    def compute(self, x: Prepared) -> torch.Tensor:
        stats, s = region_stats(x), self.smooth
        counts = stats.actual[1:]  # foreground classes
        on_skeleton = self.map_of(x)
        tsens = (class_sums(x, x.one_pass.p_true * on_skeleton)[1:] + s) / (class_sums(x, on_skeleton)[1:] + s)
        present = (counts > 0).nonzero().squeeze(1)
        foreground = torch.sigmoid(x.logits) if x.binary else torch.softmax(x.logits, dim=1)[:, 1:]
        skel_pred = soft_skeleton(foreground[:, present] * x.valid.unsqueeze(1), self.iterations)
        truth = x.target.unsqueeze(1) == (present + 1).view(-1, 1, 1)  # ignored pixels are class 0 in x.target
        dims = (0, 2, 3)
        tprec = torch.ones_like(counts).index_put(
            (present,), ((skel_pred * truth).sum(dims) + s) / (skel_pred.sum(dims) + s)
        )
        cl_dice = 2.0 * tprec * tsens / (tprec + tsens)
        dice = dice_per_class(stats.tp[1:], stats.predicted[1:], counts, s)
        per_class = (1.0 - self.alpha) * (1.0 - dice) + self.alpha * (1.0 - cl_dice)
        return class_mean(per_class, counts > 0, x)
