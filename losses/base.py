"""What every loss shares: input checks, fp32 probabilities, ignore_index, class weights, reductions.

Conventions (the same for every loss):

- ``logits`` ``(N, C, H, W)`` raw scores (binary mode: ``C == 1``, the foreground logit), ``target``
  ``(N, H, W)`` integer classes (binary: 0/1), ``ignore_index`` (default 255) marks unlabelled pixels.
- Computation runs in fp32 whatever the autocast state, from log-softmax / log-sigmoid, so that
  fp16/bf16 training, extreme logits, all-empty or all-ignored batches give finite values and
  gradients. A batch with no valid pixel gives 0.
- Binary mode works on the two classes (background, foreground) with probabilities
  ``[1 - σ(z), σ(z)]``; region (overlap) losses score the foreground only, as is usual for binary
  segmentation, except where the definition needs every class (Generalized Dice).
- Pixel losses average over valid pixels, weighted by ``class_weights[y]`` when given.
- Region losses compute soft true positives ``TP_c = Σ p_ic [y_i = c]``, prediction mass
  ``P_c = Σ p_ic`` and target count ``G_c = Σ [y_i = c]`` over valid pixels (FP = P - TP,
  FN = G - TP), by default over the whole batch ("batch" aggregation: classes that are rare in remote
  sensing tiles still get a stable score); ``per_image=True`` scores each image separately. Then
  they average over the *present* classes (G_c > 0): a class absent from the batch (or image)
  contributes nothing, weighted by ``class_weights`` when given.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .catalog import IGNORE_INDEX
from .fused import EPS, PassResult, TrueTerm, label_bins, lane_sums, softmax_pass
from .fused import safe_pow as safe_pow  # defined with the softmax pass, which uses it; imported from here

DEFAULT_IGNORE_INDEX = IGNORE_INDEX


@dataclass
class Prepared:
    """A batch ready for any loss: fp32 (or wider) logits, safe targets, the valid mask.

    ``one_pass`` (the softmax pass of ``fused``: true-class probabilities and log-probabilities,
    per-class sums of p) and the dense ``log_probs`` over K classes (K = 2 in binary mode) are
    computed on first use; most losses need the first only.
    """

    logits: torch.Tensor  # (N, C, H, W) fp32
    target: torch.Tensor  # (N, H, W) long, ignored pixels set to 0
    valid: torch.Tensor  # (N, H, W) bool
    binary: bool
    class_weights: torch.Tensor | None  # (K,)
    label_map: torch.Tensor | None = None  # the loss's ``label_map`` of the target, when the data pipeline gave it
    focal_gamma: float | None = None  # the loss's focal exponent: ``one_pass`` computes the focal term with it
    label_sums: bool = True  # whether ``one_pass`` sums the labels and true-class probabilities per class

    @functools.cached_property
    def log_probs(self) -> torch.Tensor:
        """``(N, K, H, W)`` log-probabilities: log-softmax, or [log σ(-z), log σ(z)] in binary mode."""
        if self.binary:
            return torch.cat([F.logsigmoid(-self.logits), F.logsigmoid(self.logits)], dim=1)
        return F.log_softmax(self.logits, dim=1)

    @functools.cached_property
    def one_pass(self) -> PassResult:
        """``softmax_pass`` with the per-class sums of p (what pixel and region losses are made of), and the
        focal term of the loss's ``focal_gamma``."""
        return softmax_pass(
            self.logits, self.target, self.valid_mask, self.binary, gamma=self.focal_gamma, labels=self.label_sums
        )

    @property
    def dtype(self) -> torch.dtype:
        return self.logits.dtype

    @property
    def num_classes(self) -> int:
        return 2 if self.binary else self.logits.shape[1]

    @property
    def probs(self) -> torch.Tensor:
        return self.log_probs.exp()

    def true_log_probs(self) -> torch.Tensor:
        """``log p_{i, y_i}`` ``(N, H, W)`` (0 at ignored pixels)."""
        return self.one_pass.log_p_true

    def one_hot(self) -> torch.Tensor:
        """Dense ``(N, K, H, W)`` one-hot target, zero at ignored pixels (only for losses that need it)."""
        encoded = F.one_hot(self.target, self.num_classes).permute(0, 3, 1, 2).to(self.dtype)
        return encoded * self.valid.unsqueeze(1)

    def pixel_weights(self) -> torch.Tensor:
        """``(N, H, W)``: 0 at ignored pixels, else ``class_weights[y]`` (1 without class weights)."""
        return self._pixel_weights

    @functools.cached_property
    def valid_mask(self) -> torch.Tensor:
        """``(N, H, W)`` in the logits' dtype: 1 at valid pixels, 0 at ignored ones."""
        return self.valid.to(self.dtype)

    @functools.cached_property
    def _pixel_weights(self) -> torch.Tensor:  # computed once for the terms of a combined loss
        weights = self.valid_mask
        if self.class_weights is not None:
            weights = weights * self.class_weights[self.target]
        return weights

    @functools.cached_property
    def class_bins(self) -> torch.Tensor:
        """``(N, H W)``: the bin ``(i mod LANES) K + y_i`` of every pixel i in ``class_sums`` (ignored pixels,
        whose target is 0, fall in class 0's bins: their values are 0)."""
        return label_bins(self.target, self.num_classes)


def prepare(
    logits: torch.Tensor, target: torch.Tensor, binary: bool, ignore_index: int, class_weights: torch.Tensor | None
) -> Prepared:
    if (
        logits.dim() != 4
        or target.dim() != 3
        or logits.shape[0] != target.shape[0]
        or logits.shape[2:] != target.shape[1:]
    ):
        raise ValueError(
            f"Expected logits (N, C, H, W) and target (N, H, W), got {tuple(logits.shape)} and {tuple(target.shape)}."
        )
    if binary and logits.shape[1] != 1:
        raise ValueError(f"Binary losses take logits with one channel, got {logits.shape[1]}.")
    logits = logits.to(torch.promote_types(logits.dtype, torch.float32))  # fp16/bf16 -> fp32, fp64 kept
    valid = target != ignore_index
    safe = target.masked_fill(~valid, 0).long()  # several times faster than torch.where on integers
    if class_weights is not None:
        class_weights = class_weights.to(device=logits.device, dtype=logits.dtype)
    return Prepared(logits, safe, valid, binary, class_weights)


def pixel_mean(values: torch.Tensor, x: Prepared) -> torch.Tensor:
    """Mean of per-pixel ``values`` ``(N, H, W)`` over valid pixels, weighted by class weights."""
    weights = x.pixel_weights()
    return (values * weights).sum() / weights.sum().clamp_min(EPS)


@dataclass
class RegionStats:
    """Soft counts per class, shape ``(K,)`` (batch aggregation) or ``(N, K)`` (per image)."""

    tp: torch.Tensor
    predicted: torch.Tensor  # P = TP + FP
    actual: torch.Tensor  # G = TP + FN
    total: torch.Tensor  # number of valid pixels, broadcastable

    @property
    def fp(self) -> torch.Tensor:
        return (self.predicted - self.tp).clamp_min(0)

    @property
    def fn(self) -> torch.Tensor:
        return (self.actual - self.tp).clamp_min(0)

    @property
    def tn(self) -> torch.Tensor:
        return (self.total - self.predicted - self.actual + self.tp).clamp_min(0)

    @property
    def present(self) -> torch.Tensor:
        return self.actual > 0


def class_sums(x: Prepared, values: torch.Tensor, per_image: bool = False) -> torch.Tensor:
    """``Σ_{i valid, y_i = c} values_i`` per class, ``(K,)`` or per image ``(N, K)``, of ``values``
    ``(N, H, W)``, **0 at ignored pixels**: one scatter-add into ``LANES`` K bins per image, then the sum of the
    lanes (``fused.lane_sums``); no one-hot."""
    sums = lane_sums(x.class_bins, values, x.num_classes)
    return sums if per_image else sums.sum(0)


def region_stats(x: Prepared, per_image: bool = False, result: PassResult | None = None, power: int = 1) -> RegionStats:
    """Soft counts per class from one softmax pass (``x.one_pass`` unless ``result`` is given, whose
    first sums must be those of ``p^power``): ``TP_c = Σ_{y_i = c} p_ic^power`` (the pass's true-class sums of
    ``TrueTerm(power)`` when it was asked for them, else the true-class probabilities' powers scatter-added),
    ``P_c = Σ_i p_ic^power`` is the pass's sum, G its label counts (scatter-added when the pass was not asked for
    them)."""
    result = x.one_pass if result is None else result
    actual = class_sums(x, x.valid_mask, per_image=True) if result.label_counts is None else result.label_counts
    predicted = result.sums[..., 0]
    total = actual.sum(1, keepdim=True)  # the valid pixels of each image
    tp = result.true_sum(TrueTerm(power))
    if tp is None:
        tp = class_sums(x, result.p_true if power == 1 else result.p_true**power, per_image=True)
    if not per_image:
        tp, actual, predicted, total = tp.sum(0), actual.sum(0), predicted.sum(0), total.sum()
    return RegionStats(tp, predicted, actual, total)


def region_classes(stats: RegionStats, x: Prepared, all_classes: bool = False) -> RegionStats:
    """Binary mode scores the foreground only (unless ``all_classes``); multiclass every class."""
    if not x.binary or all_classes:
        return stats
    return RegionStats(stats.tp[..., 1:], stats.predicted[..., 1:], stats.actual[..., 1:], stats.total)


def class_mean(per_class: torch.Tensor, present: torch.Tensor, x: Prepared) -> torch.Tensor:
    """Mean of per-class (or per image and class) losses over present classes, class-weighted."""
    weights = present.to(per_class.dtype)
    if x.class_weights is not None:
        weights = weights * x.class_weights[-per_class.shape[-1] :]
    return (per_class * weights).sum() / weights.sum().clamp_min(EPS)


class SegmentationLoss(nn.Module):
    """Base of every loss: prepares the batch in fp32 and hands it to ``compute``.

    ``nonnegative``: the loss is never below 0 (its minimum is 0), so that a relative reduction of it
    means something (the run summary's loss reduction is left out otherwise).
    """

    nonnegative = True

    def __init__(
        self,
        binary: bool,
        num_classes: int,
        ignore_index: int = DEFAULT_IGNORE_INDEX,
        class_weights: list[float] | None = None,
    ) -> None:
        super().__init__()
        self.binary = binary
        self.num_classes = num_classes
        self.ignore_index = ignore_index
        if class_weights is not None:
            if len(class_weights) != num_classes:
                raise ValueError(f"class_weights needs {num_classes} values, got {len(class_weights)}.")
            self.register_buffer("class_weights", torch.tensor(class_weights, dtype=torch.float32))
        else:
            self.class_weights = None

    def forward(
        self, logits: torch.Tensor, target: torch.Tensor, label_map: torch.Tensor | None = None
    ) -> torch.Tensor:
        """The loss of ``logits`` for ``target``; ``label_map``: ``self.label_map(target)`` computed
        beforehand (by the data pipeline, once per tile), else computed here when the loss needs it."""
        with torch.autocast(device_type=logits.device.type, enabled=False):
            x = prepare(logits, target, self.binary, self.ignore_index, self.class_weights)
            x.label_map, x.focal_gamma, x.label_sums = label_map, self.focal_gamma, self.label_sums
            return self.compute(x)

    def compute(self, x: Prepared) -> torch.Tensor:
        raise NotImplementedError

    focal_gamma: float | None = None
    """The exponent of the loss's focal term (``focal.focal_term``), computed in the softmax pass."""

    label_sums = True
    """Whether the softmax pass also sums the labels and the true-class probabilities per class (``region_stats``'s
    G and TP); losses without a region term turn it off (else ``region_stats`` scatter-adds them)."""

    uses_label_map = False
    """Whether the loss needs a map of the labels only (a distance map): ``label_map`` computes it."""

    def label_map(self, target: torch.Tensor) -> torch.Tensor:
        """The map of ``target`` ``(N, H, W)`` that the loss needs (``uses_label_map``), on the CPU."""
        raise NotImplementedError

    def map_of(self, x: Prepared) -> torch.Tensor:
        """The batch's label map: the one given to ``forward``, else computed from the target."""
        if x.label_map is None:
            x.label_map = self.label_map(x.target.masked_fill(~x.valid, self.ignore_index))
        return x.label_map.to(device=x.logits.device, dtype=x.dtype)


class RegionLoss(SegmentationLoss):
    """Base of overlap losses: ``smooth`` (added to numerator and denominator) and ``per_image``."""

    def __init__(self, *args, smooth: float = 1e-5, per_image: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.smooth = smooth
        self.per_image = per_image

    def stats(self, x: Prepared, all_classes: bool = False) -> RegionStats:
        return region_classes(region_stats(x, self.per_image), x, all_classes)
