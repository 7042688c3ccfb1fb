"""Our losses against reference implementations wherever the definitions coincide.

Each test states the parameter mapping. Inputs have every class present (our region losses skip
absent classes; MONAI keeps them) and, where the reference has no ignore_index, no ignored pixel.
"""

from __future__ import annotations

import paper_reference as ref
import pytest
import segmentation_models_pytorch.losses as smp_losses
import torch
import torch.nn.functional as F
import torchvision
from loss_helpers import make_batch
from monai import losses as monai_losses

from segmentation_trainer.losses import build_loss

C = 4


def onehot(target: torch.Tensor, classes: int) -> torch.Tensor:
    return F.one_hot(target, classes).permute(0, 3, 1, 2).double()


def close(ours: torch.Tensor, reference: torch.Tensor, rtol: float = 1e-6) -> None:
    ours, reference = ours.detach().double(), reference.detach().double()
    assert torch.allclose(ours, reference, rtol=rtol, atol=1e-8), (float(ours), float(reference))


# --- torch / torchvision -------------------------------------------------------------------------


def test_ce_is_torch_cross_entropy_with_ignore_index_and_class_weights():
    logits, target = make_batch("multiclass", C)
    weights = [0.5, 1.0, 2.0, 3.0]
    close(build_loss("ce", "multiclass", C)(logits, target), F.cross_entropy(logits, target, ignore_index=255))
    close(
        build_loss("ce", "multiclass", C, class_weights=weights)(logits, target),
        F.cross_entropy(logits, target, weight=torch.tensor(weights, dtype=torch.float64), ignore_index=255),
    )


def test_bce_is_torch_bce_with_logits_on_valid_pixels():
    logits, target = make_batch("binary")
    valid = target != 255
    close(
        build_loss("bce", "binary", 2)(logits, target),
        F.binary_cross_entropy_with_logits(logits[:, 0][valid], target[valid].double()),
    )


def test_binary_focal_is_torchvisions_sigmoid_focal_loss():
    """Mapping: alpha, gamma identical; torchvision's mean over the valid pixels."""
    logits, target = make_batch("binary")
    valid = target != 255
    expected = torchvision.ops.sigmoid_focal_loss(logits[:, 0][valid], target[valid].double(), 0.25, 2.0, "mean")
    close(build_loss("binary_focal", "binary", 2)(logits, target), expected)


# --- segmentation-models-pytorch 0.6 --------------------------------------------------------------


@pytest.mark.parametrize(
    "ours, mode, reference",
    [
        ("binary_dice", "binary", lambda: smp_losses.DiceLoss("binary", smooth=1e-5, eps=0, ignore_index=255)),
        ("dice", "multiclass", lambda: smp_losses.DiceLoss("multiclass", smooth=1e-5, eps=0, ignore_index=255)),
        ("binary_jaccard", "binary", lambda: smp_losses.JaccardLoss("binary", smooth=1e-5, eps=0)),
        ("jaccard", "multiclass", lambda: smp_losses.JaccardLoss("multiclass", smooth=1e-5, eps=0)),
        (
            "binary_tversky",
            "binary",
            lambda: smp_losses.TverskyLoss("binary", smooth=1e-5, eps=0, alpha=0.3, beta=0.7, ignore_index=255),
        ),
        (
            "tversky",
            "multiclass",
            lambda: smp_losses.TverskyLoss("multiclass", smooth=1e-5, eps=0, alpha=0.3, beta=0.7, ignore_index=255),
        ),
        # smp raises the *mean* loss to gamma (ours: each class to 1/gamma): same in binary mode, gamma -> 1/gamma.
        (
            "binary_focal_tversky",
            "binary",
            lambda: smp_losses.TverskyLoss(
                "binary", smooth=1e-5, eps=0, alpha=0.3, beta=0.7, gamma=0.75, ignore_index=255
            ),
        ),
        ("binary_focal", "binary", lambda: smp_losses.FocalLoss("binary", alpha=0.25, gamma=2.0, ignore_index=255)),
    ],
)
def test_against_smp(ours, mode, reference):
    """smp's Dice/Jaccard/Tversky average all C classes; every class is present so this equals ours.
    smp's Jaccard has no ignore_index: no pixel is ignored there."""
    ignore = 0.0 if "jaccard" in ours else 0.15
    logits, target = make_batch(mode, C, ignore_share=ignore)
    smp_target = target.clone()
    if mode == "binary":
        smp_target = smp_target.unsqueeze(1)
    close(build_loss(ours, mode, 2 if mode == "binary" else C)(logits, target), reference()(logits, smp_target))


@pytest.mark.parametrize("per_image", [False, True])
@pytest.mark.parametrize("ours, mode", [("lovasz_hinge", "binary"), ("lovasz_softmax", "multiclass")])
def test_lovasz_against_smp(ours, mode, per_image):
    """smp's Lovász runs in float32 only: float32 inputs, float32 tolerance."""
    logits, target = make_batch(mode, C, shape=(3, 12, 12), dtype=torch.float32)
    loss = build_loss(ours, mode, 2 if mode == "binary" else C, per_image=per_image)
    reference = smp_losses.LovaszLoss(mode, per_image=per_image, ignore_index=255)
    close(loss(logits, target), reference(logits, target.unsqueeze(1) if mode == "binary" else target), rtol=1e-5)


def test_binary_mcc_against_smp():
    """smp's MCCLoss takes probabilities and has no ignore_index; eps 1e-5 = our smooth."""
    logits, target = make_batch("binary", ignore_share=0.0)
    expected = smp_losses.MCCLoss(eps=1e-5)(torch.sigmoid(logits), target.unsqueeze(1).double())
    close(build_loss("binary_mcc", "binary", 2)(logits, target), expected)


# --- MONAI 1.5 ------------------------------------------------------------------------------------


def test_generalized_dice_against_monai():
    """Mapping: softmax, one-hot target, batch=True (per-batch sums), smooth_nr = smooth_dr = 1e-5."""
    logits, target = make_batch("multiclass", C, ignore_share=0.0)
    reference = monai_losses.GeneralizedDiceLoss(softmax=True, batch=True, smooth_nr=1e-5, smooth_dr=1e-5)
    close(build_loss("generalized_dice", "multiclass", C)(logits, target), reference(logits, onehot(target, C)))


def test_generalized_dice_gives_absent_classes_weight_zero_unlike_monai():
    """Class 3 is absent but predicted: ours gives it w = 0 (the paper's 1/G² is undefined), as the
    independent reference does; MONAI gives it the largest weight of the present classes."""
    logits, target = make_batch("multiclass", C, ignore_share=0.0, all_present=False, seed=2)
    target[target == 3] = 0
    ours = build_loss("generalized_dice", "multiclass", C)(logits, target)
    batch = ref.Batch(logits.detach().numpy(), target.numpy(), False)
    assert float(ours) == pytest.approx(ref.generalized_dice(batch, 1e-5), rel=1e-9)
    monai = monai_losses.GeneralizedDiceLoss(softmax=True, batch=True, smooth_nr=1e-5, smooth_dr=1e-5)
    assert abs(float(ours) - float(monai(logits, onehot(target, C)))) > 1e-3


def test_dice_ce_against_monai():
    """dice_ce = 0.5 Dice + 0.5 CE = 0.5 MONAI DiceCELoss(softmax, batch, smooth 1e-5)."""
    logits, target = make_batch("multiclass", C, ignore_share=0.0)
    reference = monai_losses.DiceCELoss(softmax=True, to_onehot_y=True, batch=True, smooth_nr=1e-5, smooth_dr=1e-5)
    close(build_loss("dice_ce", "multiclass", C)(logits, target), 0.5 * reference(logits, target.unsqueeze(1)))


def test_multiclass_focal_against_monai():
    """MONAI's softmax focal (alpha None) averages over N*C*H*W elements: ours (alpha 1) = C * MONAI."""
    logits, target = make_batch("multiclass", C, ignore_share=0.0)
    reference = monai_losses.FocalLoss(use_softmax=True, gamma=2.0, to_onehot_y=True)
    close(build_loss("focal", "multiclass", C, alpha=1.0)(logits, target), C * reference(logits, target.unsqueeze(1)))


@pytest.mark.parametrize("mode", ["binary", "multiclass"])
def test_hausdorff_dt_against_monai(mode):
    """binary: MONAI sigmoid on the foreground logit; multiclass: softmax, one-hot, every class."""
    logits, target = make_batch(mode, C, shape=(2, 20, 20), ignore_share=0.0)
    if mode == "binary":
        reference = monai_losses.HausdorffDTLoss(alpha=2.0, sigmoid=True)(logits, target.unsqueeze(1).double())
    else:
        reference = monai_losses.HausdorffDTLoss(alpha=2.0, softmax=True, include_background=True)(
            logits, onehot(target, C)
        )
    close(
        build_loss(f"{'binary_' if mode == 'binary' else ''}hausdorff_dt", mode, 2 if mode == "binary" else C)(
            logits, target
        ),
        reference,
    )


def test_binary_cldice_against_monai():
    """MONAI's SoftDiceclDiceLoss(iter 3, alpha 0.5, smooth 1) scores channels 1: of [background, foreground]."""
    logits, target = make_batch("binary", shape=(2, 24, 24), ignore_share=0.0)
    p = torch.sigmoid(logits)
    reference = monai_losses.SoftDiceclDiceLoss(iter_=3, alpha=0.5, smooth=1.0)(
        onehot(target, 2), torch.cat([1 - p, p], dim=1)
    )
    close(build_loss("binary_cldice", "binary", 2)(logits, target), reference)


def test_multiclass_cldice_scores_the_foreground_like_monai():
    """Two classes: MONAI's foreground channels 1: are our one foreground class (the background,
    class 0, is not scored, as in Shit et al.'s code)."""
    logits, target = make_batch("multiclass", 2, shape=(2, 24, 24), ignore_share=0.0)
    reference = monai_losses.SoftDiceclDiceLoss(iter_=3, alpha=0.5, smooth=1.0)(
        onehot(target, 2), torch.softmax(logits, dim=1)
    )
    close(build_loss("cldice", "multiclass", 2)(logits, target), reference)


def test_binary_tversky_against_monai():
    logits, target = make_batch("binary", ignore_share=0.0)
    reference = monai_losses.TverskyLoss(sigmoid=True, alpha=0.3, beta=0.7, batch=True, smooth_nr=1e-5, smooth_dr=1e-5)
    close(build_loss("binary_tversky", "binary", 2)(logits, target), reference(logits, target.unsqueeze(1).double()))
