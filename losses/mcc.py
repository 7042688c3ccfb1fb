"""Matthews correlation coefficient loss (Abhishek & Hamarneh, "Matthews correlation coefficient loss for
deep convolutional networks: application to skin lesion segmentation", ISBI 2021): ``L = 1 - MCC`` with

``MCC_c = (TP TN - FP FN) / sqrt((TP + FP)(TP + FN)(TN + FP)(TN + FN))``

from soft counts, each plus ε = 1e-5 (``smooth``, as segmentation-models-pytorch), one class against
the rest, averaged over present classes (binary: the foreground). Unlike Dice it also rewards true
negatives.
"""

from __future__ import annotations

import torch

from .base import Prepared, RegionLoss, class_mean


class MCCLoss(RegionLoss):
    def compute(self, x: Prepared) -> torch.Tensor:
        s = self.stats(x)
        tp, fp, fn, tn = (count + self.smooth for count in (s.tp, s.fp, s.fn, s.tn))
        mcc = (tp * tn - fp * fn) / torch.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
        return class_mean(1.0 - mcc, s.present, x)
